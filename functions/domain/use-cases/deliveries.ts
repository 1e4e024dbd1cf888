import { deliveryMessageSchema } from '../delivery';
import { deliveryIdFor, parseDeliveryId } from '../delivery-id';
import { type DeliveryQuery, type DeliveryRecord, maxAttemptsPerDelivery, messageFor } from '../delivery-log';
import { ConflictError, NotFoundError, RateLimitedError, ValidationError } from '../errors';
import { findEventType } from '../event-catalog';
import { newId } from '../ids';
import type {
  Clock,
  DeadLetterSource,
  DeliveryLog,
  DeliveryQueue,
  Page,
  RequestBudget,
  WebhookStore,
} from '../ports';
import { fixedWindow } from '../rate-window';
import type { Webhook } from '../webhook';
import { getWebhook, pageSizes } from './webhooks';

/**
 * The delivery log's use cases: what a customer reads (deliveries and their attempts) and what
 * they ask for (send one again, recover what failed, send a test event). Sending again keeps the
 * delivery's id, so receivers that dedupe on `webhook-id` see one delivery, attempted again.
 */
export interface DeliveryDeps {
  webhooks: Pick<WebhookStore, 'get'>;
  log: DeliveryLog;
  queue: DeliveryQueue;
  deadLetters: DeadLetterSource;
  clock: Clock;
  /** The `source` test events carry: the platform's. */
  eventSource: string;
  /** Counts test events per webhook; absent, they are not limited. */
  testEventBudget?: RequestBudget;
  /** Test events one webhook may be sent per minute. @default 10 */
  testEventsPerMinute?: number;
}

export const defaultTestEventsPerMinute = 10;

/** Deliveries one recovery request queues at most; the answer says when there are more. */
export const maxRecoveredPerRequest = 1000;
/** Dead-lettered messages one recovery request reads through at most. */
export const maxDeadLettersScanned = 100;

export async function listDeliveries(
  deps: Pick<DeliveryDeps, 'webhooks' | 'log'>,
  tenant: string,
  webhookId: string,
  query: DeliveryQuery,
): Promise<{ webhook: Webhook; page: Page<DeliveryRecord> }> {
  const webhook = await getWebhook({ store: deps.webhooks }, tenant, webhookId);
  return { webhook, page: await deps.log.list(tenant, webhookId, query) };
}

export async function getDelivery(
  deps: Pick<DeliveryDeps, 'webhooks' | 'log'>,
  tenant: string,
  webhookId: string,
  deliveryId: string,
): Promise<{ webhook: Webhook; delivery: DeliveryRecord }> {
  const webhook = await getWebhook({ store: deps.webhooks }, tenant, webhookId);
  const delivery = parseDeliveryId(deliveryId)
    ? await deps.log.get(tenant, webhookId, deliveryId)
    : undefined;
  if (!delivery) throw new NotFoundError(`No delivery ${deliveryId} to webhook ${webhookId}.`);
  return { webhook, delivery };
}

function requireEnabled(webhook: Webhook, action: string): void {
  if (webhook.status === 'enabled') return;
  throw new ConflictError([
    {
      code: 'webhook_disabled',
      title: 'Webhook disabled',
      detail: `Webhook ${webhook.id} is disabled${webhook.disabledReason ? ` (${webhook.disabledReason})` : ''}; enable it (PATCH status: enabled) before you ${action}.`,
      source: { pointer: '/data/attributes/status' },
    },
  ]);
}

/** Queues messages for deliveries already marked `pending`, undoing the marks if the queue refuses. */
async function enqueueMarked(deps: DeliveryDeps, marked: DeliveryRecord[], origin: 'retry' | 'recover') {
  if (marked.length === 0) return;
  try {
    await deps.queue.enqueue(marked.map((record) => messageFor(record, origin)));
  } catch (error) {
    await Promise.allSettled(marked.map((record) => deps.log.unmarkQueued(record)));
    throw error;
  }
}

/** `POST .../deliveries/{id}/retry`: one delivery, sent again (a new attempt, the same `webhook-id`). */
export async function retryDelivery(
  deps: DeliveryDeps,
  tenant: string,
  webhookId: string,
  deliveryId: string,
): Promise<{ webhook: Webhook; delivery: DeliveryRecord }> {
  const { webhook, delivery } = await getDelivery(deps, tenant, webhookId, deliveryId);
  requireEnabled(webhook, 'retry a delivery');
  if (delivery.attemptCount >= maxAttemptsPerDelivery) {
    throw new ConflictError([
      {
        code: 'too_many_attempts',
        title: 'Too many attempts',
        detail: `Delivery ${deliveryId} has had ${delivery.attemptCount} attempts, the most one delivery may have.`,
      },
    ]);
  }
  const at = deps.clock.now().toISOString();
  if (!(await deps.log.markQueued(delivery, ['failed', 'succeeded'], at))) {
    throw new ConflictError([
      {
        code: 'already_queued',
        title: 'Already queued',
        detail: `Delivery ${deliveryId} is already queued for another attempt.`,
      },
    ]);
  }
  await enqueueMarked(deps, [delivery], 'retry');
  return { webhook, delivery: { ...delivery, status: 'pending', nextAttemptAt: at, updatedAt: at } };
}

export interface RecoveryResult {
  since: string;
  until: string | null;
  /** Failed deliveries from the log, queued again. */
  queued: number;
  /** Deliveries found in the dead-letter queue and queued again (those not already in `queued`). */
  queuedFromDeadLetterQueue: number;
  /** Dead-lettered messages read through. */
  deadLettersScanned: number;
  /** More failed deliveries remain in the range: call again (what was queued is no longer failed). */
  more: boolean;
}

/**
 * `POST /webhooks/{id}/recover`: everything that failed to the webhook in a time range (of the
 * log's `created_at`, to the millisecond, bounds included), queued again, from the log and from the dead-letter queue. A delivery is marked
 * `pending` before it is queued, on the condition that it is not queued already, so concurrent
 * or repeated recoveries never put the same delivery on the queue twice.
 */
export async function recoverDeliveries(
  deps: DeliveryDeps,
  tenant: string,
  webhookId: string,
  range: { since: string; until: string | null },
): Promise<RecoveryResult> {
  const { since, until } = range;
  const webhook = await getWebhook({ store: deps.webhooks }, tenant, webhookId);
  requireEnabled(webhook, 'recover deliveries');
  const at = deps.clock.now().toISOString();
  const handled = new Set<string>();
  let queued = 0;
  let more = false;
  let after: string | undefined;
  do {
    const page = await deps.log.list(tenant, webhookId, {
      limit: pageSizes.max,
      status: 'failed',
      since,
      ...(until ? { until } : {}),
      ...(after ? { after } : {}),
    });
    // A page's marks at once (each is its own conditional write), then one enqueue for them.
    const candidates = page.items.filter((r) => r.attemptCount < maxAttemptsPerDelivery);
    for (const record of page.items) handled.add(record.deliveryId);
    const wins = await Promise.all(candidates.map((record) => deps.log.markQueued(record, ['failed'], at)));
    const marked = candidates.filter((_, i) => wins[i]);
    await enqueueMarked(deps, marked, 'recover');
    queued += marked.length;
    after = page.next;
    if (queued >= maxRecoveredPerRequest && after) {
      more = true;
      break;
    }
  } while (after);

  const inWindow = (time: string) => {
    const t = Date.parse(time);
    return t >= Date.parse(since) && (!until || t <= Date.parse(until));
  };
  const { deliveries, scanned } = await deps.deadLetters.take(tenant, webhookId, maxDeadLettersScanned);
  let fromDeadLetters = 0;
  for (const dead of deliveries) {
    if (handled.has(dead.message.deliveryId)) {
      await dead.remove();
      continue;
    }
    const record = await deps.log.get(tenant, webhookId, dead.message.deliveryId);
    // The time the log shows when it has the delivery; its event time when it never got there.
    if (!inWindow(record ? record.createdAt : dead.message.time)) {
      await dead.release();
      continue;
    }
    handled.add(dead.message.deliveryId);
    if (record && (record.status === 'succeeded' || record.status === 'pending')) {
      // Delivered since, or queued by someone else: the dead letter is stale.
      await dead.remove();
      continue;
    }
    if (record) {
      // A `retrying` record whose message was dead-lettered by the queue (Herald's own errors).
      if (!(await deps.log.markQueued(record, ['failed', 'retrying'], at))) {
        await dead.remove();
        continue;
      }
      await enqueueMarked(deps, [record], 'recover');
    } else {
      await deps.queue.enqueue([{ ...dead.message, origin: 'recover' }]);
    }
    await dead.remove();
    fromDeadLetters++;
  }
  return {
    since,
    until,
    queued,
    queuedFromDeadLetterQueue: fromDeadLetters,
    deadLettersScanned: scanned,
    more,
  };
}

/**
 * `POST /webhooks/{id}/test`: the catalog's example event of the chosen type, sent to this
 * webhook alone (subscribed to the type or not), logged like any delivery.
 */
export async function sendTestEvent(
  deps: DeliveryDeps,
  tenant: string,
  webhookId: string,
  eventType: string,
): Promise<{ webhook: Webhook; delivery: DeliveryRecord }> {
  const definition = findEventType(eventType);
  if (!definition) {
    throw new ValidationError([
      {
        code: 'unknown_event_type',
        title: 'Unknown event type',
        detail: 'event_type must be one of GET /webhook-event-types.',
        source: { pointer: '/data/attributes/event_type' },
      },
    ]);
  }
  const webhook = await getWebhook({ store: deps.webhooks }, tenant, webhookId);
  requireEnabled(webhook, 'send a test event');
  const now = deps.clock.now();
  if (deps.testEventBudget) {
    // Checked before anything is logged or queued: a refused test event leaves no trace.
    const perMinute = deps.testEventsPerMinute ?? defaultTestEventsPerMinute;
    const window = fixedWindow(now, 60);
    const taken = await deps.testEventBudget.take(
      `test#${tenant}#${webhook.id}`,
      window.start,
      perMinute,
      window.expiresAt,
    );
    if (!taken)
      throw new RateLimitedError(
        `A webhook may be sent ${perMinute} test events a minute; try again in ${window.retryAfterSeconds} s.`,
        window.retryAfterSeconds,
      );
  }
  const eventId = newId('evt_test', now);
  const message = deliveryMessageSchema.parse({
    deliveryId: deliveryIdFor(eventId, webhook.id, now.toISOString()),
    eventId,
    eventType: definition.name,
    tenant,
    environment: webhook.attributes.environment,
    webhookId: webhook.id,
    time: now.toISOString(),
    source: deps.eventSource,
    data: structuredClone(definition.example),
    origin: 'test',
  });
  const at = now.toISOString();
  // Logged before it is queued, so the delivery is visible at once.
  await deps.log.record({ message, status: 'pending', attempt: null, error: null, nextAttemptAt: at, at });
  await deps.queue.enqueue([message]);
  return {
    webhook,
    delivery: {
      tenant,
      webhookId: webhook.id,
      deliveryId: message.deliveryId,
      eventId,
      eventType: definition.name,
      environment: message.environment,
      source: message.source,
      time: message.time,
      data: message.data,
      status: 'pending',
      attemptCount: 0,
      attempts: [],
      lastStatusCode: null,
      lastError: null,
      nextAttemptAt: at,
      createdAt: at,
      updatedAt: at,
    },
  };
}
