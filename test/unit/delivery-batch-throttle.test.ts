import type { SQSRecord } from 'aws-lambda';
import type { DeliveryMessage } from '../../functions/domain/delivery';
import type { DeliveryLogEntry } from '../../functions/domain/delivery-log';
import type { RateLimiter, SendResult } from '../../functions/domain/ports';
import type { Webhook } from '../../functions/domain/webhook';
import {
  createDeliveryBatchHandler,
  type DeliveryBatchDeps,
  type DeliveryQueueActions,
} from '../../functions/shared/delivery-batch';
import { logger } from '../../functions/shared/logger';
import { deliveryMessage, storedWebhook } from '../helpers';

/**
 * The batch handler and a rate-limited webhook: a throttled delivery goes back on the queue as a
 * new message carrying its receives so far, the record itself is acknowledged (no receive spent
 * on waiting), and the re-queued message keeps its place in the retry schedule.
 */
const hook: Webhook = storedWebhook(
  { url: 'https://hooks.example.com/in', rate_limit: 5 },
  { tenant: 'acme' },
);
const message: DeliveryMessage = deliveryMessage({
  eventId: 'evt-1',
  webhookId: hook.id,
  tenant: 'acme',
  eventType: 'use_case_review_status_updated',
  time: new Date().toISOString(),
  data: { status: 'done' },
});

function record(body: DeliveryMessage, receiveCount: number): SQSRecord {
  return {
    messageId: `m-${receiveCount}`,
    receiptHandle: 'rh',
    body: JSON.stringify(body),
    attributes: { ApproximateReceiveCount: String(receiveCount) } as SQSRecord['attributes'],
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
    awsRegion: 'us-east-1',
  };
}

function setup(limiter: RateLimiter, answer: SendResult, queueOverrides: Partial<DeliveryQueueActions> = {}) {
  const logged: DeliveryLogEntry[] = [];
  const sent: string[] = [];
  const requeued: Array<{ body: unknown; delaySeconds: number }> = [];
  const handedBack: number[] = [];
  const deadLettered: string[] = [];
  const deps: DeliveryBatchDeps = {
    store: {
      get: async () => hook,
      update: async () => {},
      recordFailure: async (_t, _id, at, reason) => ({
        consecutiveFailures: 1,
        failingSince: at,
        lastFailureAt: at,
        lastFailureReason: reason,
      }),
      recordSuccess: async () => undefined,
    },
    sender: {
      send: async (request) => {
        sent.push(request.url);
        return answer;
      },
    },
    tokens: { getToken: async () => ({ ok: false, reason: 'unused' }), invalidate: () => {} },
    log: {
      record: async (entry) => {
        logged.push(entry);
      },
      recordUnsent: async () => {},
      get: async () => undefined,
      list: async () => ({ items: [] }),
      markQueued: async () => true,
      unmarkQueued: async () => {},
      attemptsMade: async () => 0,
    },
    rateLimiter: limiter,
    clock: { now: () => new Date() },
    schedule: [1, 2],
    sendSvixHeaders: false,
    autoDisableAfterMs: 86_400_000,
    random: () => 0,
  };
  const handle = createDeliveryBatchHandler(
    deps,
    {
      retryLater: async (_r, delaySeconds) => {
        handedBack.push(delaySeconds);
      },
      deadLetter: async (_r, reason) => {
        deadLettered.push(reason);
      },
      requeue: async (_r, body, delaySeconds) => {
        requeued.push({ body: JSON.parse(body), delaySeconds });
      },
      ...queueOverrides,
    },
    logger,
  );
  return { handle, logged, sent, requeued, handedBack, deadLettered };
}

const empty: RateLimiter = { take: async () => ({ allowed: false, waitMs: 150 }) };
const full: RateLimiter = { take: async () => ({ allowed: true }) };
const ok: SendResult = { outcome: 'response', status: 200, headers: {}, bodyExcerpt: 'ok', durationMs: 2 };
const down: SendResult = {
  outcome: 'response',
  status: 503,
  headers: {},
  bodyExcerpt: 'down',
  durationMs: 2,
};

it('re-queues a throttled delivery as a new message after the wait, acknowledges the record, and sends and logs nothing', async () => {
  const { handle, logged, sent, requeued, handedBack } = setup(empty, ok);

  // Third receive: two attempts failed before this one was throttled.
  const response = await handle({ Records: [record(message, 3)] });

  expect(response.batchItemFailures).toEqual([]);
  expect(requeued).toEqual([{ body: { ...message, receivesBefore: 2 }, delaySeconds: 1 }]);
  expect(handedBack).toEqual([]);
  expect(sent).toEqual([]);
  expect(logged).toEqual([]);
});

it('a throttled delivery throttled again adds up its receives', async () => {
  const { handle, requeued } = setup(empty, ok);
  await handle({ Records: [record({ ...message, receivesBefore: 2 }, 1)] });
  expect(requeued[0]?.body).toEqual({ ...message, receivesBefore: 2 });
  await handle({ Records: [record({ ...message, receivesBefore: 2 }, 2)] });
  expect(requeued[1]?.body).toEqual({ ...message, receivesBefore: 3 });
});

it('a re-queued delivery keeps its attempt number and its place in the retry schedule', async () => {
  // Two receives (both failed attempts) before the throttle; the schedule has two retries.
  const { handle, logged, deadLettered, handedBack } = setup(full, down);

  await handle({ Records: [record({ ...message, receivesBefore: 2 }, 1)] });

  expect(logged.map((e) => [e.status, e.attempt?.attempt])).toEqual([['failed', 3]]);
  expect(deadLettered).toEqual(['endpoint answered 503']);
  expect(handedBack).toEqual([]);
});

it('a re-queued delivery that succeeds is logged as its next attempt', async () => {
  const { handle, logged, sent } = setup(full, ok);
  await handle({ Records: [record({ ...message, receivesBefore: 1 }, 1)] });
  expect(sent).toEqual(['https://hooks.example.com/in']);
  expect(logged.map((e) => [e.status, e.attempt?.attempt])).toEqual([['succeeded', 2]]);
});

it('keeps the record when the re-queue fails: it returns after the visibility timeout, nothing lost', async () => {
  const { handle } = setup(empty, ok, {
    requeue: async () => {
      throw new Error('SQS is down');
    },
  });
  const response = await handle({ Records: [record(message, 1)] });
  expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
});
