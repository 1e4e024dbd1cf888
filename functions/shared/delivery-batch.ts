import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseDeliveryMessage } from '../domain/delivery';
import { type OrderedStep, orderedFailures, runOrderedBatch } from '../domain/ordered-batch';
import type { WebhookStore } from '../domain/ports';
import { type DeliverDeps, type DeliveryOutcome, deliver } from '../domain/use-cases/deliver';
import type { Webhook } from '../domain/webhook';
import { MetricName, metricUnits } from './metrics';
import { deliveryMarginMs } from './pipeline';

/**
 * The delivery function's batch logic, apart from its AWS wiring so benchmarks and tests can run
 * the real path with fakes: every record of an SQS batch at once, each parsed, delivered and
 * then acknowledged, put back with a delay, or dead-lettered.
 */
export interface DeliveryQueueActions {
  /** Makes the message visible again after `delaySeconds`: that is the backoff. */
  retryLater(record: SQSRecord, delaySeconds: number): Promise<void>;
  /** Moves the message to the dead-letter queue now (out of attempts, or never deliverable). */
  deadLetter(record: SQSRecord, reason: string): Promise<void>;
  /**
   * Puts `body` on the delivery queue as a new message, visible after `delaySeconds`; the record
   * itself is then acknowledged. For a rate-limited delivery: unlike `retryLater`, it spends no
   * receive of the record, so however long a throttle lasts the queue's redrive
   * (`maxReceiveCount`) never dead-letters it.
   */
  requeue(record: SQSRecord, body: string, delaySeconds: number): Promise<void>;
}

type RecordResult = {
  outcome: DeliveryOutcome['result'] | 'undeliverable';
  failure?: SQSBatchItemFailure;
  /** For `failed`: whether an HTTP attempt was made (not so for a disabled webhook). */
  attempted?: boolean;
};

/**
 * Whether a record comes from the ordered (FIFO) queue: SQS gives FIFO messages a group. Its
 * queue actions then go to the ordered queues (handlers/delivery.ts).
 */
export function isOrdered(record: SQSRecord): boolean {
  return record.attributes.MessageGroupId !== undefined;
}

/** Where a batch's counts go: Powertools `Metrics` in Lambda, nothing in benchmarks. */
export type BatchMetrics = Pick<Metrics, 'addMetric'>;

/**
 * The webhooks of one batch: each read once, from the store (strongly consistent), when its first
 * delivery asks. Nothing outlives the batch, so an edit that has answered reaches every delivery
 * of every later batch: read-your-writes, for one read per webhook per batch.
 */
function batchWebhooks(store: Pick<WebhookStore, 'get'>): DeliverDeps['webhooks'] {
  const reads = new Map<string, Promise<Webhook | undefined>>();
  return {
    get(tenant, id) {
      const key = `${tenant}/${id}`;
      let read = reads.get(key);
      if (!read) {
        read = store.get(tenant, id);
        reads.set(key, read);
      }
      return read;
    },
    invalidate(tenant, id) {
      reads.delete(`${tenant}/${id}`);
    },
  };
}

/** The batch handler's dependencies: the delivery's, less the webhook lookup it makes per batch. */
export type DeliveryBatchDeps = Omit<DeliverDeps, 'webhooks'>;

/** What the handler reads of its Lambda context: the time left, to bound each delivery. */
export type InvocationTime = Pick<Context, 'getRemainingTimeInMillis'>;

export function createDeliveryBatchHandler(
  baseDeps: DeliveryBatchDeps,
  queue: DeliveryQueueActions,
  logger: Logger,
  observe?: BatchMetrics,
): (event: SQSEvent, context?: InvocationTime) => Promise<SQSBatchResponse> {
  async function handleRecord(
    deps: DeliverDeps,
    record: SQSRecord,
    deadline: number | undefined,
  ): Promise<RecordResult> {
    const ordered = isOrdered(record);
    const received = Number(record.attributes.ApproximateReceiveCount) || 1;
    let json: unknown;
    try {
      json = JSON.parse(record.body);
    } catch {
      json = undefined;
    }
    const message = parseDeliveryMessage(json);
    if (!message) {
      logger.error('undeliverable message', { messageId: record.messageId });
      await queue.deadLetter(record, 'not a delivery message');
      return { outcome: 'undeliverable' };
    }
    // A delivery re-queued by its rate limit keeps its place in the retry schedule. An ordered
    // one's receives also count its turns held behind a failing delivery and its waits on the
    // rate limit: past its first receive, the log says how many attempts it has had.
    const attempt = ordered
      ? received === 1
        ? 1
        : (await deps.log.attemptsMade(message)) + 1
      : (message.receivesBefore ?? 0) + received;
    const outcome = await deliver(deps, message, attempt, deadline, { ordered });
    if (outcome.result !== 'delivered') {
      // Successes are summed per batch; anything else gets a line of its own, with its ids.
      logger.info(outcome.result, {
        tenant: message.tenant,
        webhookId: message.webhookId,
        deliveryId: message.deliveryId,
        eventId: message.eventId,
        attempt,
        reason: outcome.reason,
        delaySeconds:
          outcome.result === 'retry' || outcome.result === 'deferred' || outcome.result === 'throttled'
            ? outcome.delaySeconds
            : undefined,
      });
    }
    if ('durationMs' in outcome && outcome.durationMs !== null)
      observe?.addMetric(MetricName.DeliveryLatency, metricUnits.DeliveryLatency, outcome.durationMs);
    switch (outcome.result) {
      case 'delivered':
      case 'dropped':
        return { outcome: outcome.result };
      case 'failed':
        // Kept in the log as failed, recoverable; the dead-letter queue is for what the log lacks.
        if (outcome.disabledWebhook)
          observe?.addMetric(MetricName.WebhookDisabled, metricUnits.WebhookDisabled, 1);
        return { outcome: outcome.result, attempted: outcome.durationMs !== null };
      case 'dead_letter':
        await queue.deadLetter(record, outcome.reason);
        return { outcome: outcome.result };
      case 'retry':
      case 'deferred':
        // The message comes back when its visibility runs out: that is the backoff. A deferred
        // one alone: its batch-mates finish and are acknowledged as usual.
        await queue.retryLater(record, outcome.delaySeconds);
        return { outcome: outcome.result, failure: { itemIdentifier: record.messageId } };
      case 'throttled':
        if (ordered) {
          // A FIFO queue has no per-message delay, and a new message would go to the back of
          // its group: the message itself waits, its receive no attempt (the log counts them).
          await queue.retryLater(record, outcome.delaySeconds);
          return { outcome: outcome.result, failure: { itemIdentifier: record.messageId } };
        }
        // This receive was no attempt: the new message starts where this one's earlier receives
        // left off. Sent before this record is acknowledged, so a failed send loses nothing.
        await queue.requeue(
          record,
          JSON.stringify({ ...message, receivesBefore: attempt - 1 }),
          outcome.delaySeconds,
        );
        return { outcome: outcome.result };
    }
  }

  type Settled = { record: SQSRecord; result: PromiseSettledResult<RecordResult> };

  /**
   * An ordered batch: each webhook's deliveries one after another, the webhooks side by side
   * (ordered-batch.ts). A delivery that did not finish keeps its webhook's later ones, unsent, on
   * the queue behind it: they are handed back at once (visibility 0), and SQS gives none of the
   * group out while the held one is in flight, nor before it once it is back.
   */
  async function handleOrdered(
    deps: DeliverDeps,
    records: SQSRecord[],
    deadline: number | undefined,
  ): Promise<{ settled: Settled[]; failures: SQSRecord[]; notReached: number }> {
    const settled: Settled[] = [];
    if (records.length === 0) return { settled, failures: [], notReached: 0 };
    const run = await runOrderedBatch(
      records,
      (record) => record.attributes.MessageGroupId ?? '',
      async (record): Promise<OrderedStep> => {
        const value = await handleRecord(deps, record, deadline);
        settled.push({ record, result: { status: 'fulfilled', value } });
        return value.failure ? 'hold' : 'done';
      },
      (record, reason) => settled.push({ record, result: { status: 'rejected', reason } }),
    );
    // Last first: a queue that puts a released message at the head of its group (fauxqs) then
    // keeps them in order; SQS orders by sequence number whatever the order of these calls.
    for (const record of [...run.notReached].reverse()) await queue.retryLater(record, 0);
    return { settled, failures: orderedFailures(records, run), notReached: run.notReached.length };
  }

  return async function handleBatch(event: SQSEvent, context?: InvocationTime): Promise<SQSBatchResponse> {
    const deps: DeliverDeps = { ...baseDeps, webhooks: batchWebhooks(baseDeps.store) };
    // Every record runs at once, so one deadline bounds them all, the margin kept for what follows
    // their calls (log writes, the queue calls, metrics): no batch outlives its invocation.
    const deadline = context
      ? deps.clock.now().getTime() + context.getRemainingTimeInMillis() - deliveryMarginMs
      : undefined;
    const unordered = event.Records.filter((r) => !isOrdered(r));
    const [unorderedResults, ordered] = await Promise.all([
      Promise.allSettled(unordered.map((r) => handleRecord(deps, r, deadline))),
      handleOrdered(deps, event.Records.filter(isOrdered), deadline),
    ]);
    const settled: Settled[] = [
      ...unordered.map((record, i) => ({ record, result: unorderedResults[i] as Settled['result'] })),
      ...ordered.settled,
    ];
    // An ordered record's failure is its group's affair (ordered-batch.ts decides); an unordered one's its own.
    const batchItemFailures: SQSBatchItemFailure[] = ordered.failures.map((r) => ({
      itemIdentifier: r.messageId,
    }));
    // The batch's log line: the record count, then a count per outcome.
    const counts: Record<string, number> = { records: event.Records.length };
    if (ordered.notReached > 0) counts.held = ordered.notReached;
    for (const { record, result } of settled) {
      const own = !isOrdered(record);
      if (result.status === 'rejected') {
        // Herald's own trouble (say, DynamoDB): the message returns after the queue's visibility timeout.
        logger.error('delivery failed inside Herald', {
          messageId: record.messageId,
          error: result.reason as Error,
        });
        if (own) batchItemFailures.push({ itemIdentifier: record.messageId });
        counts.error = (counts.error ?? 0) + 1;
        continue;
      }
      counts[result.value.outcome] = (counts[result.value.outcome] ?? 0) + 1;
      if (result.value.attempted) counts.failed_attempted = (counts.failed_attempted ?? 0) + 1;
      if (own && result.value.failure) batchItemFailures.push(result.value.failure);
    }
    logger.info('batch', counts);
    if (observe) {
      const attempted = (name: string) => counts[name] ?? 0;
      const failedAttempts = attempted('retry') + attempted('dead_letter') + attempted('failed_attempted');
      observe.addMetric(MetricName.DeliverySucceeded, metricUnits.DeliverySucceeded, attempted('delivered'));
      observe.addMetric(MetricName.DeliveryFailed, metricUnits.DeliveryFailed, failedAttempts);
      observe.addMetric(MetricName.DeliveryRetried, metricUnits.DeliveryRetried, attempted('retry'));
      observe.addMetric(
        MetricName.DeliveryDeadLettered,
        metricUnits.DeliveryDeadLettered,
        attempted('dead_letter') + attempted('undeliverable'),
      );
    }
    return { batchItemFailures };
  };
}
