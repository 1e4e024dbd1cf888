import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { DeliveryRecord } from '../domain/delivery-log';
import { buildEnvelope } from '../domain/envelope';
import { ForbiddenError, MethodNotAllowedError, NotFoundError } from '../domain/errors';
import { accessAllows, type RouteMethod, routeAccess } from '../domain/route-access';
import { type AuthDeps, exchangeApiKey, type Principal } from '../domain/use-cases/auth';
import {
  type DeliveryDeps,
  getDelivery,
  listDeliveries,
  recoverDeliveries,
  retryDelivery,
  sendTestEvent,
} from '../domain/use-cases/deliveries';
import {
  createPortalSession,
  type PortalDeps,
  revokePortalSessions,
} from '../domain/use-cases/portal-sessions';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhooks,
  rotateSigningSecret,
  testFilter,
  updateWebhook,
  type WebhookDeps,
} from '../domain/use-cases/webhooks';
import { publicAttributes, type Warning, type Webhook } from '../domain/webhook';
import {
  type AccessTokenDocument,
  type CreatedWebhookDocument,
  type DeliveryDetailDocument,
  type DeliveryDocument,
  type DeliveryListDocument,
  type EventTypesDocument,
  eventTypeResources,
  type FilterTestDocument,
  type PortalSessionDocument,
  type RecoveryDocument,
  type RotatedSecretDocument,
  type SecretDocument,
  type WebhookDocument,
  type WebhookListDocument,
} from './api-contract';
import {
  parseCreateWebhook,
  parseDeliveryListQuery,
  parseFilterTest,
  parseKeyExchange,
  parsePortalSession,
  parseRecovery,
  parseRotation,
  parseTestEvent,
  parseUpdateWebhook,
  parseWebhookListQuery,
} from './api-requests';
import { header, linkTo, readJsonBody, readOptionalJsonBody, respond } from './jsonapi';
import { openApiText } from './openapi';

/**
 * The API's routes: each reads the request, calls one use case and renders JSON:API. The
 * caller's tenant comes from the authorizer's context, never from the request alone.
 */
export interface ApiDeps {
  webhooks: WebhookDeps;
  deliveries: DeliveryDeps;
  auth: AuthDeps;
  portal: PortalDeps;
}

interface Request {
  event: APIGatewayProxyEvent;
  tenant: string;
  principal: Principal;
  params: string[];
}

type RouteHandler = (deps: ApiDeps, request: Request) => Promise<APIGatewayProxyResult>;

const base = (tenant: string) => `/api/v2/${tenant}`;

function webhookResource(event: APIGatewayProxyEvent, webhook: Webhook): WebhookDocument['data'] {
  return {
    type: 'webhook',
    id: webhook.id,
    attributes: publicAttributes(webhook),
    links: { self: linkTo(event, `${base(webhook.tenant)}/webhooks/${webhook.id}`) },
  };
}

function deliveryResource(
  event: APIGatewayProxyEvent,
  webhook: Webhook,
  d: DeliveryRecord,
): DeliveryDocument['data'] {
  const attributes = {
    event_id: d.eventId,
    event_type: d.eventType,
    environment: d.environment,
    event_time: d.time,
    status: d.status,
    attempt_count: d.attemptCount,
    last_status_code: d.lastStatusCode,
    last_error: d.lastError,
    next_attempt_at: d.nextAttemptAt,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
  };
  return {
    type: 'delivery',
    id: d.deliveryId,
    attributes,
    links: {
      self: linkTo(event, `${base(webhook.tenant)}/webhooks/${webhook.id}/deliveries/${d.deliveryId}`),
    },
  };
}

/** A delivery with its payload and attempts: what reading one delivery shows. */
function deliveryDetail(
  event: APIGatewayProxyEvent,
  webhook: Webhook,
  d: DeliveryRecord,
): DeliveryDetailDocument['data'] {
  const resource = deliveryResource(event, webhook, d);
  return {
    ...resource,
    attributes: {
      ...resource.attributes,
      // The body as this webhook's settings shape it now (its prefix and suffix); the signature
      // headers differ per attempt and are not kept.
      payload: buildEnvelope({
        eventId: d.eventId,
        eventType: d.eventType,
        data: d.data,
        time: d.time,
        source: d.source,
        prefix: webhook.attributes.event_type_prefix,
        suffix: webhook.attributes.event_type_suffix,
      }),
      attempts: d.attempts.map((a) => ({
        attempt: a.attempt,
        time: a.time,
        outcome: a.outcome,
        status_code: a.statusCode,
        duration_ms: a.durationMs,
        error: a.error,
        response_excerpt: a.responseExcerpt,
        trigger: a.origin,
      })),
    },
  };
}

function withWarnings<T extends object>(
  document: T,
  warnings: Warning[],
): T & { meta?: { warnings: Warning[] } } {
  return warnings.length > 0 ? { ...document, meta: { warnings } } : document;
}

/**
 * The portal's URL: as configured, or, for a path (`/portal/`), on the origin the request came
 * to (local mode, whose port may be chosen at start; a distribution serving API and portal).
 */
function portalBase(event: APIGatewayProxyEvent, configured: string | undefined): string | undefined {
  if (!configured?.startsWith('/')) return configured;
  const host = header(event, 'host');
  const proto = header(event, 'x-forwarded-proto') ?? 'https';
  return host ? `${proto}://${host}${configured}` : configured;
}

const routes: Record<string, Partial<Record<string, RouteHandler>>> = {
  webhooks: {
    GET: async (deps, { event, tenant }) => {
      const page = parseWebhookListQuery(event.queryStringParameters ?? {});
      const { items, next } = await listWebhooks(deps.webhooks, tenant, page);
      const self = `${base(tenant)}/webhooks`;
      // Encoded as the deliveries' links are: brackets are not URI characters (RFC 3986).
      const query = (after?: string) =>
        `?${new URLSearchParams({ 'page[size]': String(page.limit), ...(after ? { 'page[after]': after } : {}) })}`;
      return respond(200, {
        data: items.map((w) => webhookResource(event, w)),
        links: {
          self: linkTo(event, `${self}${query(page.after)}`),
          ...(next ? { next: linkTo(event, `${self}${query(next)}`) } : {}),
        },
      } satisfies WebhookListDocument);
    },
    POST: async (deps, { event, tenant, principal }) => {
      const { webhook, warnings, replayed } = await createWebhook(deps.webhooks, {
        tenant,
        attributes: parseCreateWebhook(readJsonBody(event)),
        idempotencyKey: header(event, 'idempotency-key'),
      });
      const shown = webhookResource(event, webhook);
      const resource: CreatedWebhookDocument['data'] = {
        ...shown,
        // A session that may not see secrets does not see this one either (GET .../secret is closed to it too).
        attributes: accessAllows(['secrets'], principal.portal?.capabilities)
          ? { ...shown.attributes, signing_secret: webhook.signingSecret }
          : shown.attributes,
      };
      return respond(201, withWarnings({ data: resource } satisfies CreatedWebhookDocument, warnings), {
        Location: resource.links.self,
        ...(replayed ? { 'Idempotent-Replayed': 'true' } : {}),
      });
    },
  },
  // Before `webhooks/:id`: patterns are tried in this order.
  'webhooks/filter-test': {
    POST: async (_deps, { event }) => {
      const { filter, event: tried } = parseFilterTest(readJsonBody(event));
      const matches = testFilter(filter, { ...tried, environment: tried.environment ?? null });
      return respond(200, {
        data: { type: 'filter-test', attributes: { matches } },
      } satisfies FilterTestDocument);
    },
  },
  'webhooks/:id': {
    GET: async (deps, { event, tenant, params: [id = ''] }) =>
      respond(200, {
        data: webhookResource(event, await getWebhook(deps.webhooks, tenant, id)),
      } satisfies WebhookDocument),
    PATCH: async (deps, { event, tenant, params: [id = ''] }) => {
      const attributes = parseUpdateWebhook(readJsonBody(event), id);
      const { webhook, warnings } = await updateWebhook(deps.webhooks, { tenant, id, attributes });
      return respond(
        200,
        withWarnings({ data: webhookResource(event, webhook) } satisfies WebhookDocument, warnings),
      );
    },
    DELETE: async (deps, { tenant, params: [id = ''] }) => {
      await deleteWebhook(deps.webhooks, tenant, id);
      return respond(204);
    },
  },
  'webhooks/:id/deliveries': {
    GET: async (deps, { event, tenant, params: [id = ''] }) => {
      const raw = event.queryStringParameters ?? {};
      const query = parseDeliveryListQuery(raw);
      const { webhook, page } = await listDeliveries(deps.deliveries, tenant, id, query);
      const self = `${base(tenant)}/webhooks/${webhook.id}/deliveries`;
      // The filters carry over to the next page; only the cursor changes.
      const keep = Object.entries(raw).filter(([k, v]) => k !== 'page[after]' && v !== undefined);
      const link = (after?: string) => {
        const params = new URLSearchParams(keep as [string, string][]);
        if (after) params.set('page[after]', after);
        const qs = params.toString();
        return linkTo(event, `${self}${qs ? `?${qs}` : ''}`);
      };
      return respond(200, {
        data: page.items.map((d) => deliveryResource(event, webhook, d)),
        links: { self: link(query.after), ...(page.next ? { next: link(page.next) } : {}) },
      } satisfies DeliveryListDocument);
    },
  },
  'webhooks/:id/deliveries/:id': {
    GET: async (deps, { event, tenant, params: [id = '', deliveryId = ''] }) => {
      const { webhook, delivery } = await getDelivery(deps.deliveries, tenant, id, deliveryId);
      return respond(200, {
        data: deliveryDetail(event, webhook, delivery),
      } satisfies DeliveryDetailDocument);
    },
  },
  'webhooks/:id/deliveries/:id/retry': {
    POST: async (deps, { event, tenant, params: [id = '', deliveryId = ''] }) => {
      const { webhook, delivery } = await retryDelivery(deps.deliveries, tenant, id, deliveryId);
      return respond(202, { data: deliveryResource(event, webhook, delivery) } satisfies DeliveryDocument);
    },
  },
  'webhooks/:id/recover': {
    POST: async (deps, { event, tenant, params: [id = ''] }) => {
      const range = parseRecovery(readOptionalJsonBody(event));
      const result = await recoverDeliveries(deps.deliveries, tenant, id, range);
      return respond(202, {
        data: {
          type: 'delivery-recovery',
          attributes: {
            since: result.since,
            until: result.until,
            queued: result.queued,
            queued_from_dead_letter_queue: result.queuedFromDeadLetterQueue,
            dead_letters_scanned: result.deadLettersScanned,
            more: result.more,
          },
          links: {
            deliveries: linkTo(
              event,
              `${base(tenant)}/webhooks/${id}/deliveries?${new URLSearchParams({ 'filter[status]': 'pending' })}`,
            ),
          },
        },
      } satisfies RecoveryDocument);
    },
  },
  'webhooks/:id/test': {
    POST: async (deps, { event, tenant, params: [id = ''] }) => {
      const { webhook, delivery } = await sendTestEvent(
        deps.deliveries,
        tenant,
        id,
        parseTestEvent(readOptionalJsonBody(event)),
      );
      const resource = deliveryDetail(event, webhook, delivery);
      return respond(202, { data: resource } satisfies DeliveryDetailDocument, {
        Location: resource.links.self,
      });
    },
  },
  'webhooks/:id/secret/rotate': {
    POST: async (deps, { event, tenant, params: [id = ''] }) => {
      const { webhook, previousExpiresAt } = await rotateSigningSecret(deps.webhooks, {
        tenant,
        id,
        gracePeriodSeconds: parseRotation(readOptionalJsonBody(event)),
      });
      return respond(200, {
        data: {
          type: 'webhook-secret',
          id: webhook.id,
          attributes: { key: webhook.signingSecret, previous_key_expires_at: previousExpiresAt },
          links: { self: linkTo(event, `${base(tenant)}/webhooks/${webhook.id}/secret`) },
        },
      } satisfies RotatedSecretDocument);
    },
  },
  'webhooks/:id/secret': {
    GET: async (deps, { event, tenant, params: [id = ''] }) => {
      const webhook = await getWebhook(deps.webhooks, tenant, id);
      return respond(200, {
        data: {
          type: 'webhook-secret',
          id: webhook.id,
          attributes: {
            key: webhook.signingSecret,
            // Rotated keys still signing: when each stops, never the key itself.
            previous_keys: webhook.previousSecrets
              .filter((p) => Date.parse(p.expiresAt) > deps.webhooks.clock.now().getTime())
              .map((p) => ({ expires_at: p.expiresAt })),
          },
          links: { self: linkTo(event, `${base(tenant)}/webhooks/${webhook.id}/secret`) },
        },
      } satisfies SecretDocument);
    },
  },
  'webhook-event-types': {
    GET: async () => respond(200, { data: eventTypeResources() } satisfies EventTypesDocument),
  },
  'portal-sessions': {
    POST: async (deps, { event, principal }) => {
      const input = parsePortalSession(readOptionalJsonBody(event));
      const portalUrl = portalBase(event, deps.portal.portalUrl);
      const session = await createPortalSession({ ...deps.portal, portalUrl }, principal, input);
      return respond(
        201,
        {
          data: {
            type: 'portal-session',
            id: session.id,
            attributes: {
              url: session.url,
              token: session.token,
              expires_at: session.expiresAt.toISOString(),
              capabilities: session.capabilities,
            },
          },
        } satisfies PortalSessionDocument,
        { 'Cache-Control': 'no-store' },
      );
    },
    DELETE: async (deps, { principal }) => {
      await revokePortalSessions(deps.portal, principal);
      return respond(204);
    },
  },
};

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const patterns = Object.keys(routes).map((pattern) => ({
  pattern,
  regex: new RegExp(`^${pattern.replace(/:id/g, '([^/]+)')}$`),
}));

/**
 * The caller as the authorizer described it in the request context: its tenant and key, and
 * for a portal session its id and capabilities.
 */
export function principalOf(event: APIGatewayProxyEvent): Principal | undefined {
  const context = event.requestContext?.authorizer;
  const tenant: unknown = context?.tenant;
  const keyId: unknown = context?.keyId;
  if (typeof tenant !== 'string' || typeof keyId !== 'string') return undefined;
  const sessionId: unknown = context?.portalSession;
  const capabilities: unknown = context?.capabilities;
  if (typeof sessionId !== 'string') return { tenant, keyId };
  const granted = typeof capabilities === 'string' ? capabilities.split(',') : [];
  return {
    tenant,
    keyId,
    portal: {
      sessionId,
      capabilities: (['read', 'write', 'secrets'] as const).filter((c) => granted.includes(c)),
    },
  };
}

/** Finds and runs the route for a request under `/api/v2/{tenant}/`. */
export async function routeTenantRequest(
  deps: ApiDeps,
  event: APIGatewayProxyEvent,
  principal: Principal | undefined,
): Promise<APIGatewayProxyResult> {
  const match = event.path.match(/^\/api\/v2\/([^/]+)\/(.+?)\/?$/);
  if (!match) throw new NotFoundError(`No route ${event.path}.`);
  const [, tenant = '', rest = ''] = match;
  // The authorizer's policy already limits a key to its tenant; this is the second lock.
  if (!principal || decode(tenant) !== principal.tenant) throw new ForbiddenError();
  for (const { pattern, regex } of patterns) {
    const params = rest.match(regex);
    if (!params) continue;
    const handler = routes[pattern]?.[event.httpMethod];
    if (!handler) throw new MethodNotAllowedError(event.httpMethod, event.path);
    // The policy already keeps a portal session to its capabilities; the second lock again.
    const access = routeAccess[pattern]?.[event.httpMethod as RouteMethod];
    if (!accessAllows(access, principal.portal?.capabilities)) {
      throw new ForbiddenError('This portal session may not do this.', { code: 'capability_missing' });
    }
    return handler(deps, {
      event,
      tenant: principal.tenant,
      principal,
      params: params.slice(1).map(decode),
    });
  }
  throw new NotFoundError(`No route ${event.path}.`);
}

/** `POST /auth/exchange`: an API key for a short-lived access token. */
export async function routeAuthExchange(
  deps: ApiDeps,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  if (event.httpMethod !== 'POST') throw new MethodNotAllowedError(event.httpMethod, event.path);
  const token = await exchangeApiKey(deps.auth, parseKeyExchange(readJsonBody(event)));
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
    body: JSON.stringify(token satisfies AccessTokenDocument),
  };
}

let documentText: string | undefined;

/** `GET /api/v2/openapi.json`: the OpenAPI document, made once per container. No credential. */
export function routeOpenApiDocument(event: APIGatewayProxyEvent): APIGatewayProxyResult {
  if (event.httpMethod !== 'GET') throw new MethodNotAllowedError(event.httpMethod, event.path);
  documentText ??= openApiText();
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300' },
    body: documentText,
  };
}
