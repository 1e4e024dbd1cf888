import type { DeliveryMessage } from '../../functions/domain/delivery';
import { deliveryIdFor } from '../../functions/domain/delivery-id';
import { newId, newSigningSecret } from '../../functions/domain/ids';
import type { EventBridgeEnvelope } from '../../functions/domain/use-cases/route-event';
import type { Webhook } from '../../functions/domain/webhook';

/** What every benchmark sends: one event type, its seed's `data` grown to about 1 KB. */
export const eventType = 'use_case_review_status_updated';
export const eventSource = 'CredoAI';
export const environment = 'production';

const seedData = {
  reviewId: 'pu7BDgxfVnK4RTQyb88uL',
  status: 'in_progress',
  useCaseId: 'ZiSPid3wLeXWTe4VTRjbq9',
  user: {
    email: 'steven@credo.ai',
    userId: 'FSZqZLT8eFUUp53uTM6Ref',
    role: 'reviewer',
    job: null,
    nickname: 'steven',
    familyName: 'Example',
    givenName: 'Steven',
  },
  eventType,
};

/** The seed's `data` plus a free-text field, so that its JSON is 1,024 bytes. */
export function eventData(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base = { ...seedData, ...extra, comment: '' };
  const filler = 'Review moved to in progress after the risk assessment was attached. ';
  const missing = 1024 - Buffer.byteLength(JSON.stringify(base));
  base.comment = filler
    .repeat(Math.ceil(Math.max(0, missing) / filler.length))
    .slice(0, Math.max(0, missing));
  return base;
}

/** A webhook as the API would store it: enabled, no authentication, subscribed to {@link eventType}. */
export function benchWebhook(tenant: string, url: string): Webhook {
  const now = new Date().toISOString();
  return {
    id: newId('wh'),
    tenant,
    attributes: {
      description: 'Benchmark webhook',
      url,
      event_types: [eventType],
      event_type_prefix: 'CredoAI',
      event_type_suffix: 'v1',
      environment,
      authentication_method: 'none',
      authentication_payload: null,
      authentication_payload_type: null,
      authentication_server: null,
      bucket: null,
      filter: null,
      rate_limit: null,
      ordering: 'none',
    },
    status: 'enabled',
    disabledReason: null,
    disabledAt: null,
    previousSecrets: [],
    health: { consecutiveFailures: 0, failingSince: null, lastFailureAt: null, lastFailureReason: null },
    signingSecret: newSigningSecret(),
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}

/** The delivery the router would queue for event `eventId` and `webhook`. */
/**
 * Every bench event's time: one per process, so a delivery id (which holds the event time) can be
 * computed again from the event id alone, as the DynamoDB row's read-back does.
 */
const benchEventTime = new Date().toISOString();

export function deliveryMessage(
  webhook: Webhook,
  eventId: string,
  data: Record<string, unknown>,
): DeliveryMessage {
  const time = benchEventTime;
  return {
    deliveryId: deliveryIdFor(eventId, webhook.id, time),
    eventId,
    eventType,
    tenant: webhook.tenant,
    environment,
    webhookId: webhook.id,
    time,
    source: eventSource,
    data,
  };
}

/** The event as EventBridge hands it to the router. */
export function busEvent(
  tenant: string,
  eventId: string,
  data: Record<string, unknown>,
): EventBridgeEnvelope {
  return {
    id: `bench-${eventId}`,
    'detail-type': eventType,
    source: eventSource,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    detail: { tenant, environment, id: eventId, data },
  };
}
