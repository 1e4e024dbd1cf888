/**
 * The portal's routes, in the address's fragment (`#/webhooks/wh_1/edit`): the page is one file
 * on a CDN, so a path would need the CDN to answer every path with it. Pages link with plain
 * `<a href="#/…">`; these build and read those addresses. No DOM here: unit tests run it in Node.
 */
export type Route =
  | { page: 'webhooks' }
  | { page: 'webhook-new' }
  | { page: 'webhook-edit'; webhookId: string }
  | { page: 'webhook'; webhookId: string }
  | { page: 'delivery'; webhookId: string; deliveryId: string }
  | { page: 'event-types' }
  | { page: 'not-found'; path: string };

const segment = (value: string) => encodeURIComponent(value);

export const routes = {
  webhooks: '#/webhooks',
  newWebhook: '#/webhooks/new',
  webhook: (id: string) => `#/webhooks/${segment(id)}`,
  editWebhook: (id: string) => `#/webhooks/${segment(id)}/edit`,
  delivery: (webhookId: string, deliveryId: string) =>
    `#/webhooks/${segment(webhookId)}/deliveries/${segment(deliveryId)}`,
  eventTypes: '#/event-types',
} as const;

function decoded(value: string): string | undefined {
  try {
    const text = decodeURIComponent(value);
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

/** The route of a fragment (`location.hash`); none or `#/` is the webhook list. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\?.*$/, '');
  const parts = path.split('/').filter((p) => p !== '');
  const [first, second, third, fourth, ...rest] = parts;
  if (parts.length === 0) return { page: 'webhooks' };
  if (first === 'event-types' && parts.length === 1) return { page: 'event-types' };
  if (first !== 'webhooks' || rest.length > 0) return { page: 'not-found', path };
  if (second === undefined) return { page: 'webhooks' };
  if (second === 'new' && third === undefined) return { page: 'webhook-new' };
  const webhookId = decoded(second);
  if (webhookId === undefined) return { page: 'not-found', path };
  if (third === undefined) return { page: 'webhook', webhookId };
  if (third === 'edit' && fourth === undefined) return { page: 'webhook-edit', webhookId };
  const deliveryId = fourth === undefined ? undefined : decoded(fourth);
  if (third === 'deliveries' && deliveryId !== undefined) return { page: 'delivery', webhookId, deliveryId };
  return { page: 'not-found', path };
}

/** Which nav entry a route belongs to. */
export function sectionOf(route: Route): 'webhooks' | 'event-types' | undefined {
  if (route.page === 'event-types') return 'event-types';
  if (route.page === 'not-found') return undefined;
  return 'webhooks';
}
