import { matchesFilter } from '../content-filter';
import type { DeliveryMessage } from '../delivery';
import { deliveryIdsOf } from '../delivery-id';
import { isOperationalEventType, watchedWebhookId } from '../operational-events';
import { parsePlatformEvent } from '../platform-event';
import type { Clock, DeliveryLog, DeliveryQueue, RejectedEventSink, Route, WebhookStore } from '../ports';

/**
 * The router's use case: one platform event in, one delivery per subscribed webhook out. An
 * event that does not fit its schema is kept aside, never delivered and never lost.
 */
export interface RouteDeps {
  store: Pick<WebhookStore, 'findRoutes'>;
  queue: DeliveryQueue;
  /** For webhooks with `ordering: fifo`: a queue that hands each webhook's deliveries out in order. */
  orderedQueue: DeliveryQueue;
  /** Deliveries to disabled webhooks are logged as failed, for recovery once re-enabled. */
  log: Pick<DeliveryLog, 'recordUnsent'>;
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
      /** Deliveries to disabled webhooks: logged as failed, not queued. */
      heldForDisabled: number;
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
  const subject = { type: event.eventType, environment: event.environment, data: event.data };
  // A webhook whose filter the event does not match never subscribed to it: nothing is queued
  // or logged for it, whatever its status.
  // An operational event never goes to the webhook it is about: a failing webhook told of its
  // own failures would fail again, and report that, without end.
  const watched = isOperationalEventType(event.eventType) ? watchedWebhookId(event.data) : undefined;
  const routes = (await deps.store.findRoutes(event.tenant, event.eventType, event.environment)).filter(
    (route) => route.webhookId !== watched && (route.filter === null || matchesFilter(route.filter, subject)),
  );
  const deliveryIdFor = deliveryIdsOf(event.eventId, event.time);
  const toMessage = (route: Route): DeliveryMessage => ({
    deliveryId: deliveryIdFor(route.webhookId),
    eventId: event.eventId,
    eventType: event.eventType,
    tenant: event.tenant,
    environment: event.environment,
    webhookId: route.webhookId,
    time: event.time,
    source: event.source,
    data: event.data,
    origin: 'event',
  });
  const enabled = routes.filter((r) => r.status === 'enabled');
  const unordered = enabled.filter((r) => r.ordering !== 'fifo').map(toMessage);
  const ordered = enabled.filter((r) => r.ordering === 'fifo').map(toMessage);
  const held = routes.filter((r) => r.status !== 'enabled').map(toMessage);
  // Queue first: if the log write fails after, the whole event is retried and the queued
  // deliveries repeat with the same ids, which receivers dedupe (and the ordered queue drops
  // within five minutes).
  await Promise.all([
    unordered.length > 0 ? deps.queue.enqueue(unordered) : undefined,
    ordered.length > 0 ? deps.orderedQueue.enqueue(ordered) : undefined,
  ]);
  if (held.length > 0) {
    const at = deps.clock.now().toISOString();
    await deps.log.recordUnsent(
      held.map((message) => ({
        message,
        status: 'failed',
        attempt: null,
        error: 'webhook is disabled',
        nextAttemptAt: null,
        at,
      })),
    );
  }
  return {
    outcome: 'routed',
    eventId: event.eventId,
    eventType: event.eventType,
    tenant: event.tenant,
    deliveries: unordered.length + ordered.length,
    heldForDisabled: held.length,
  };
}
