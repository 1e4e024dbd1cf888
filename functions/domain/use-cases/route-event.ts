import type { DeliveryMessage } from '../delivery';
import { deliveryIdFor } from '../envelope';
import { parsePlatformEvent } from '../platform-event';
import type { Clock, DeliveryQueue, RejectedEventSink, WebhookStore } from '../ports';

/**
 * The router's use case: one platform event in, one delivery per subscribed webhook out. An
 * event that does not fit its schema is kept aside, never delivered and never lost.
 */
export interface RouteDeps {
  store: Pick<WebhookStore, 'findRoutes'>;
  queue: DeliveryQueue;
  rejected: RejectedEventSink;
  clock: Clock;
}

export interface EventBridgeEnvelope {
  id: string;
  'detail-type': string;
  source: string;
  time: string;
  detail: unknown;
}

export type RouteResult =
  | { outcome: 'rejected'; reason: string; problems: string[] }
  | {
      outcome: 'routed';
      eventId: string;
      eventType: string;
      tenant: string;
      deliveries: number;
      skippedDisabled: number;
    };

export async function routeEvent(deps: RouteDeps, raw: EventBridgeEnvelope): Promise<RouteResult> {
  const parsed = parsePlatformEvent(raw);
  if (!parsed.ok) {
    await deps.rejected.keep({
      reason: parsed.reason,
      problems: parsed.problems,
      event: raw,
      rejectedAt: deps.clock.now().toISOString(),
    });
    return { outcome: 'rejected', reason: parsed.reason, problems: parsed.problems };
  }
  const event = parsed.event;
  const routes = await deps.store.findRoutes(event.tenant, event.eventType, event.environment);
  const enabled = routes.filter((r) => r.status === 'enabled');
  const messages: DeliveryMessage[] = enabled.map((route) => ({
    deliveryId: deliveryIdFor(event.eventId, route.webhookId),
    eventId: event.eventId,
    eventType: event.eventType,
    tenant: event.tenant,
    environment: event.environment,
    webhookId: route.webhookId,
    time: event.time,
    source: event.source,
    data: event.data,
  }));
  if (messages.length > 0) await deps.queue.enqueue(messages);
  return {
    outcome: 'routed',
    eventId: event.eventId,
    eventType: event.eventType,
    tenant: event.tenant,
    deliveries: messages.length,
    skippedDisabled: routes.length - enabled.length,
  };
}
