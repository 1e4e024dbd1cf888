/**
 * The one description of Herald's delivery pipeline: its queues, how the delivery function reads
 * them, its time limits and the bus rule's retry policy. The CDK stack
 * (lib/constructs/event-pipeline.ts) and local mode (local/resources.ts, local/sqs-poller.ts,
 * local/rule-target.ts) both build from it, so they cannot drift apart, as `table-schema.ts`
 * does for the table.
 */

/**
 * A delivery makes at most this many HTTP calls: a token from the OAuth server, the POST, and
 * after a 401 a fresh token and the POST again.
 */
export const callsPerDelivery = 4;

/**
 * Time kept back from a delivery's share of its invocation, for what comes after its last call:
 * the delivery-log write, endpoint health, the queue call, the batch's metrics.
 */
export const deliveryMarginMs = 5_000;

/** How long one message on the delivery queue may be worked on, derived from the per-call timeout. */
export interface DeliveryTimings {
  /** Each HTTP call (token or POST), connect to last byte: `herald.deliveryTimeoutMs`. */
  readonly callTimeoutMs: number;
  /**
   * The delivery function's timeout: every call of one delivery at its full timeout, plus the
   * margin. Records of a batch run side by side, so this bounds the batch too.
   */
  readonly functionTimeoutSeconds: number;
  /**
   * The delivery queue's visibility timeout: six times the function's, as AWS asks of an SQS
   * event source (a batch whose invocation failed comes back after this). Retries set their own.
   */
  readonly visibilityTimeoutSeconds: number;
  /** Kept back from the invocation's remaining time when bounding a delivery (see {@link deliveryMarginMs}). */
  readonly marginMs: number;
}

/**
 * The shortest per-call timeout: below it, the invocation's time less the margin could leave a
 * delivery less than a call's minimum (`minCallMs` in deliver.ts), and every delivery would be
 * handed back unsent until the queue dead-lettered it.
 */
export const minDeliveryTimeoutMs = 1_000;

/** Derives the function's and the queue's timeouts from the per-call timeout (1 s to 60 s). */
export function deliveryTimings(callTimeoutMs: number): DeliveryTimings {
  if (!Number.isInteger(callTimeoutMs) || callTimeoutMs < minDeliveryTimeoutMs || callTimeoutMs > 60_000)
    throw new Error(`The delivery timeout must be 1,000 to 60,000 ms, not ${callTimeoutMs}.`);
  const functionTimeoutSeconds = Math.ceil((callsPerDelivery * callTimeoutMs + deliveryMarginMs) / 1000);
  return {
    callTimeoutMs,
    functionTimeoutSeconds,
    visibilityTimeoutSeconds: 6 * functionTimeoutSeconds,
    marginMs: deliveryMarginMs,
  };
}

/** Every queue is kept this long: SQS's maximum, so an outage of days loses nothing. */
export const queueRetentionSeconds = 14 * 86_400;

/** A queue of the pipeline, as both the stack and local mode create it. */
export interface QueueDescription {
  /** The name's suffix: the stack lets CloudFormation name it; local mode names it `{prefix}-{suffix}`. */
  readonly suffix: string;
  readonly visibilityTimeoutSeconds?: number;
  /** Moved to `deadLetters` after this many receives. */
  readonly redrive?: { readonly deadLetters: QueueName; readonly maxReceiveCount: number };
  /** Why the queue exists, for the console and the README. */
  readonly purpose: string;
}

export type QueueName = 'deliveries' | 'deadLetters' | 'rejectedEvents' | 'routerDeadLetters';

/** The delivery function's SQS event source. */
export const deliveryEventSource = { batchSize: 10, reportBatchItemFailures: true } as const;

/**
 * How Lambda's pollers scale that event source on a standard queue (AWS Lambda developer guide,
 * "Scaling and processing" for SQS), which local mode's poller (local/sqs-poller.ts) mirrors:
 * five batches at once to begin with, up to 300 more concurrent batches a minute while receives
 * come back full, never more than the event source's maximum concurrency
 * (`herald.deliveryMaxConcurrency`), each poller long-polling (20 s, SQS's longest wait).
 */
export const deliveryEventSourceScaling = {
  initialBatches: 5,
  addedPerMinute: 300,
  waitTimeSeconds: 20,
} as const;

/**
 * How EventBridge invokes the router: asynchronously, retried for up to a day (EventBridge's
 * maximum) before the event goes to the router's dead-letter queue.
 */
export const routerRetryPolicy = {
  retryAttempts: 185,
  maxEventAgeSeconds: 86_400,
  /** Local mode's backoff between tries (EventBridge's own is exponential, with jitter, undocumented). */
  firstDelayMs: 200,
  maxDelayMs: 10 * 60_000,
} as const;

/** The pipeline's queues for a retry schedule and a per-call timeout. */
export function pipelineQueues(options: {
  retrySchedule: readonly number[];
  deliveryTimeoutMs: number;
}): Record<QueueName, QueueDescription> {
  const timings = deliveryTimings(options.deliveryTimeoutMs);
  return {
    deliveries: {
      suffix: 'deliveries',
      visibilityTimeoutSeconds: timings.visibilityTimeoutSeconds,
      // The function dead-letters exhausted deliveries itself, after the schedule's last attempt;
      // this is the safety net for a message the function keeps failing on, with room for a few
      // invocations that failed as a whole or ran out of time. A delivery waiting on its webhook's
      // rate limit spends none of them: it is re-queued as a new message carrying its receives so
      // far (delivery-batch.ts, `requeue`), so no throttle, however long, reaches this count.
      redrive: { deadLetters: 'deadLetters', maxReceiveCount: options.retrySchedule.length + 4 },
      purpose: 'one message per delivery (event × webhook)',
    },
    deadLetters: { suffix: 'deliveries-dlq', purpose: 'deliveries out of attempts' },
    rejectedEvents: { suffix: 'rejected-events', purpose: 'platform events the router refused' },
    routerDeadLetters: { suffix: 'router-dlq', purpose: 'events the router could not take in a day' },
  };
}
