import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseDeliveryMessage } from '../domain/delivery';
import { type DeliverDeps, type DeliveryOutcome, deliver } from '../domain/use-cases/deliver';
import { MetricName, metricUnits } from './metrics';

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
}

type RecordResult = {
  outcome: DeliveryOutcome['result'] | 'undeliverable';
  failure?: SQSBatchItemFailure;
  /** For `failed`: whether an HTTP attempt was made (not so for a disabled webhook). */
  attempted?: boolean;
};

/** Where a batch's counts go: Powertools `Metrics` in Lambda, nothing in benchmarks. */
export type BatchMetrics = Pick<Metrics, 'addMetric'>;

export function createDeliveryBatchHandler(
  deps: DeliverDeps,
  queue: DeliveryQueueActions,
  logger: Logger,
  observe?: BatchMetrics,
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  async function handleRecord(record: SQSRecord): Promise<RecordResult> {
    const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
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
    const outcome = await deliver(deps, message, attempt);
    if (outcome.result !== 'delivered') {
      // Successes are summed per batch; anything else gets a line of its own, with its ids.
      logger.info(outcome.result, {
        tenant: message.tenant,
        webhookId: message.webhookId,
        deliveryId: message.deliveryId,
        eventId: message.eventId,
        attempt,
        reason: outcome.reason,
        delaySeconds: outcome.result === 'retry' ? outcome.delaySeconds : undefined,
      });
    }
    if (outcome.result !== 'dropped' && outcome.durationMs !== null)
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
        // The message comes back when its visibility runs out: that is the backoff.
        await queue.retryLater(record, outcome.delaySeconds);
        return { outcome: outcome.result, failure: { itemIdentifier: record.messageId } };
    }
  }

  return async function handleBatch(event: SQSEvent): Promise<SQSBatchResponse> {
    const results = await Promise.allSettled(event.Records.map(handleRecord));
    const batchItemFailures: SQSBatchItemFailure[] = [];
    // The batch's log line: the record count, then a count per outcome.
    const counts: Record<string, number> = { records: event.Records.length };
    for (let i = 0; i < results.length; i++) {
      const result = results[i];
      const record = event.Records[i];
      if (!result || !record) continue;
      if (result.status === 'rejected') {
        // Herald's own trouble (say, DynamoDB): the message returns after the queue's visibility timeout.
        logger.error('delivery failed inside Herald', {
          messageId: record.messageId,
          error: result.reason as Error,
        });
        batchItemFailures.push({ itemIdentifier: record.messageId });
        counts.error = (counts.error ?? 0) + 1;
        continue;
      }
      counts[result.value.outcome] = (counts[result.value.outcome] ?? 0) + 1;
      if (result.value.attempted) counts.failed_attempted = (counts.failed_attempted ?? 0) + 1;
      if (result.value.failure) batchItemFailures.push(result.value.failure);
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
