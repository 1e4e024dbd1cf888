import type { Webhook, WebhookAttributes } from './webhook';

/**
 * What the delivery path needs of a webhook at run time: the enumerations its stored form is
 * checked against, the secrets that sign, the delivered type. Apart from webhook.ts, whose zod
 * field table the router and delivery functions would otherwise carry in their bundles.
 */
export const authenticationMethods = ['none', 'o_auth'] as const;
export const authenticationPayloadTypes = ['application/json', 'application/x-www-form-urlencoded'] as const;
/**
 * How a webhook's deliveries are ordered: `none` (the default) sends each as soon as it can, side
 * by side; `fifo` sends them one at a time in the order the router queued them, on the FIFO queue.
 */
export const deliveryOrderings = ['none', 'fifo'] as const;
export type DeliveryOrdering = (typeof deliveryOrderings)[number];

/** The secrets that sign at `now`: the current one first, then rotated ones not yet expired. */
export function signingSecretsAt(
  webhook: Pick<Webhook, 'signingSecret' | 'previousSecrets'>,
  now: Date,
): string[] {
  const secrets = [webhook.signingSecret];
  for (const previous of webhook.previousSecrets) {
    if (Date.parse(previous.expiresAt) > now.getTime()) secrets.push(previous.secret);
  }
  return secrets;
}

/** The `type` a delivery carries: `[prefix.]event_type[.suffix]`. */
export function deliveredType(
  attributes: Pick<WebhookAttributes, 'event_type_prefix' | 'event_type_suffix'>,
  eventType: string,
): string {
  return [attributes.event_type_prefix, eventType, attributes.event_type_suffix].filter((p) => p).join('.');
}
