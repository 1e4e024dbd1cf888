import { deliveryMessageSchema } from '../delivery';
import {
  type DeliveryQuery,
  type DeliveryRecord,
  type DeliveryStatus,
  decodeCursor,
  deliveryStatuses,
  maxAttemptsPerDelivery,
  messageFor,
} from '../delivery-log';
import { deliveryIdFor, deliveryIdPattern, rfc3339Pattern } from '../envelope';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  type Problem,
  RateLimitedError,
  ValidationError,
} from '../errors';
import { eventTypeNames, findEventType } from '../event-catalog';
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

const parameterProblem = (parameter: string, detail: string): Problem => ({
  code: 'invalid_parameter',
  title: 'Invalid parameter',
  detail,
  source: { parameter },
});

function readTime(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (!rfc3339Pattern.test(value) || Number.isNaN(Date.parse(value))) {
    throw new BadRequestError([
      parameterProblem(name, `${name} must be an RFC 3339 date-time, e.g. 2026-11-24T09:00:00Z.`),
    ]);
  }
  return value;
}

/** Parses the list's query: `page[size]`, `page[after]`, `filter[status]`, `filter[event_type]`, `filter[since]`, `filter[until]` (plain `status`, `event_type`, `since`, `until` too). */
export function readDeliveryQuery(query: Record<string, string | undefined>): DeliveryQuery {
  const pick = (name: string) => query[`filter[${name}]`] ?? query[name];
  const problems: Problem[] = [];
  const rawSize = query['page[size]'];
  let limit: number = pageSizes.default;
  if (rawSize !== undefined) {
    limit = /^\d{1,4}$/.test(rawSize) ? Number(rawSize) : Number.NaN;
    if (!(limit >= 1 && limit <= pageSizes.max))
      problems.push(
        parameterProblem('page[size]', `page[size] must be a whole number from 1 to ${pageSizes.max}.`),
      );
  }
  const after = query['page[after]'];
  if (after !== undefined && !decodeCursor(after))
    problems.push(
      parameterProblem('page[after]', 'page[after] must be a cursor from a links.next of this list.'),
    );
  const status = pick('status');
  if (status !== undefined && !(deliveryStatuses as readonly string[]).includes(status))
    problems.push(
      parameterProblem('filter[status]', `status must be one of: ${deliveryStatuses.join(', ')}.`),
    );
  const eventType = pick('event_type');
  if (eventType !== undefined && !eventTypeNames.includes(eventType))
    problems.push(
      parameterProblem('filter[event_type]', `${eventType.slice(0, 100)} is not an event type Herald knows.`),
    );
  if (problems.length > 0) throw new BadRequestError(problems);
  const since = readTime(pick('since'), 'filter[since]');
  const until = readTime(pick('until'), 'filter[until]');
  if (since && until && Date.parse(until) < Date.parse(since))
    throw new BadRequestError([parameterProblem('filter[until]', 'until must not be before since.')]);
  return {
    limit,
    ...(after !== undefined ? { after } : {}),
    ...(status !== undefined ? { status: status as DeliveryStatus } : {}),
    ...(eventType !== undefined ? { eventType } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
  };
}

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
  const delivery = deliveryIdPattern.test(deliveryId)
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

function readRecoveryRange(body: unknown): { since: string; until: string | null } {
  const attributes =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? ((body as { data?: { attributes?: unknown } }).data?.attributes ?? undefined)
      : undefined;
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    throw new ValidationError([
      {
        code: 'required',
        title: 'Missing attributes',
        detail: 'The body must be { "data": { "attributes": { "since": "<RFC 3339>" } } }.',
        source: { pointer: '/data/attributes' },
      },
    ]);
  }
  const { since, until, ...rest } = attributes as Record<string, unknown>;
  const problems: Problem[] = Object.keys(rest).map((key) => ({
    code: 'unknown_attribute',
    title: 'Unknown attribute',
    detail: `${key} is not an attribute of a recovery.`,
    source: { pointer: `/data/attributes/${key}` },
  }));
  const time = (value: unknown, name: string, required: boolean) => {
    if (value === undefined || value === null) {
      if (required)
        problems.push({
          code: 'required',
          title: 'Missing attribute',
          detail: `${name} is required.`,
          source: { pointer: `/data/attributes/${name}` },
        });
      return null;
    }
    if (typeof value !== 'string' || !rfc3339Pattern.test(value) || Number.isNaN(Date.parse(value))) {
      problems.push({
        code: 'invalid_attribute',
        title: 'Invalid attribute',
        detail: `${name} must be an RFC 3339 date-time, e.g. 2026-11-24T09:00:00Z.`,
        source: { pointer: `/data/attributes/${name}` },
      });
      return null;
    }
    return value;
  };
  const from = time(since, 'since', true);
  const to = time(until, 'until', false);
  if (from && to && Date.parse(to) < Date.parse(from))
    problems.push({
      code: 'invalid_attribute',
      title: 'Invalid attribute',
      detail: 'until must not be before since.',
      source: { pointer: '/data/attributes/until' },
    });
  if (problems.length > 0 || !from) throw new ValidationError(problems);
  return { since: from, until: to };
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
  body: unknown,
): Promise<RecoveryResult> {
  const { since, until } = readRecoveryRange(body);
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
  body: unknown,
): Promise<{ webhook: Webhook; delivery: DeliveryRecord }> {
  const attributes =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as { data?: { attributes?: unknown } }).data?.attributes
      : undefined;
  const eventType =
    typeof attributes === 'object' && attributes !== null && !Array.isArray(attributes)
      ? (attributes as Record<string, unknown>).event_type
      : undefined;
  const definition = typeof eventType === 'string' ? findEventType(eventType) : undefined;
  if (!definition) {
    throw new ValidationError([
      {
        code: eventType === undefined ? 'required' : 'unknown_event_type',
        title: eventType === undefined ? 'Missing attribute' : 'Unknown event type',
        detail:
          eventType === undefined
            ? 'event_type is required: { "data": { "attributes": { "event_type": "use_case_name_updated" } } }.'
            : 'event_type must be one of GET /webhook-event-types.',
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
    deliveryId: deliveryIdFor(eventId, webhook.id),
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
