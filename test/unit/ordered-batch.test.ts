import type { SQSRecord } from 'aws-lambda';
import type { DeliveryMessage } from '../../functions/domain/delivery';
import type { DeliveryLogEntry } from '../../functions/domain/delivery-log';
import { groupsOf, orderedFailures, runOrderedBatch } from '../../functions/domain/ordered-batch';
import type { SendResult } from '../../functions/domain/ports';
import { orderedGiveUp } from '../../functions/domain/use-cases/deliver';
import type { Webhook } from '../../functions/domain/webhook';
import { createDeliveryBatchHandler, type DeliveryBatchDeps } from '../../functions/shared/delivery-batch';
import { logger } from '../../functions/shared/logger';
import { deliveryMessage, storedWebhook } from '../helpers';

/** A message of a FIFO batch: its group and a name; `fails` makes its step hold. */
interface Item {
  group: string;
  name: string;
}
const item = (group: string, name: string): Item => ({ group, name });
const names = (items: Item[]) => items.map((i) => i.name);

describe('runOrderedBatch', () => {
  const batch = [
    item('a', 'a1'),
    item('b', 'b1'),
    item('a', 'a2'),
    item('a', 'a3'),
    item('b', 'b2'),
    item('c', 'c1'),
  ];

  it('groups in batch order, groups in order of first appearance', () => {
    expect(groupsOf(batch, (i) => i.group).map(names)).toEqual([['a1', 'a2', 'a3'], ['b1', 'b2'], ['c1']]);
  });

  it('handles a group one message at a time in order, the groups side by side', async () => {
    const started: string[] = [];
    const running = new Set<string>();
    let mostAtOnce = 0;
    const sameGroupAtOnce: string[] = [];
    const release: Array<() => void> = [];
    const run = runOrderedBatch(
      batch,
      (i) => i.group,
      async (i) => {
        if ([...running].some((r) => r.startsWith(i.group))) sameGroupAtOnce.push(i.name);
        started.push(i.name);
        running.add(i.name);
        mostAtOnce = Math.max(mostAtOnce, running.size);
        await new Promise<void>((resolve) => release.push(resolve));
        running.delete(i.name);
        return 'done';
      },
      () => undefined,
    );
    // Step the steps by hand: each round, let every running one finish.
    while (started.length < batch.length) {
      await new Promise((r) => setImmediate(r));
      for (const go of release.splice(0)) go();
    }
    const result = await run;
    expect(sameGroupAtOnce).toEqual([]);
    expect(mostAtOnce).toBe(3);
    // The first of each group started together; each group's next only after its previous.
    expect(started.slice(0, 3).sort()).toEqual(['a1', 'b1', 'c1']);
    expect(started.filter((n) => n.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(names(result.done).sort()).toEqual(names(batch).sort());
    expect(orderedFailures(batch, result)).toEqual([]);
  });

  it('stops a group at its first hold: it and every later one of the group are failures, other groups go on', async () => {
    const handled: string[] = [];
    const result = await runOrderedBatch(
      batch,
      (i) => i.group,
      async (i) => {
        handled.push(i.name);
        return i.name === 'a2' ? 'hold' : 'done';
      },
      () => undefined,
    );
    expect(handled).not.toContain('a3');
    expect(names(result.stopped)).toEqual(['a2']);
    expect(names(result.notReached)).toEqual(['a3']);
    expect(names(result.done).sort()).toEqual(['a1', 'b1', 'b2', 'c1']);
    // Reported in batch order.
    expect(names(orderedFailures(batch, result))).toEqual(['a2', 'a3']);
  });

  it('treats a step that throws as a hold, and hands the error on', async () => {
    const errors: string[] = [];
    const result = await runOrderedBatch(
      batch,
      (i) => i.group,
      async (i) => {
        if (i.name === 'b1') throw new Error('DynamoDB is down');
        return 'done';
      },
      (i, error) => errors.push(`${i.name}: ${String(error)}`),
    );
    expect(errors).toEqual(['b1: Error: DynamoDB is down']);
    expect(names(orderedFailures(batch, result))).toEqual(['b1', 'b2']);
  });

  it('holds a whole group when its first message holds', async () => {
    const result = await runOrderedBatch(
      batch,
      (i) => i.group,
      async (i) => (i.group === 'a' ? 'hold' : 'done'),
      () => undefined,
    );
    expect(names(orderedFailures(batch, result))).toEqual(['a1', 'a2', 'a3']);
    expect(names(result.stopped)).toEqual(['a1']);
  });
});

/** The delivery function's batch handler on records of the FIFO queue. */
describe('createDeliveryBatchHandler on an ordered batch', () => {
  const hooks: Webhook[] = ['one', 'two'].map((name) =>
    storedWebhook(
      { url: `https://hooks.example.com/${name}`, ordering: 'fifo', rate_limit: 5 },
      { tenant: 'acme' },
    ),
  );
  const [first, second] = hooks as [Webhook, Webhook];

  function fifoRecord(hook: Webhook, n: number, receiveCount = 1): SQSRecord {
    const message: DeliveryMessage = deliveryMessage({
      eventId: `evt-${n}`,
      deliveryId: `dlv-${hook.id}-${n}`,
      webhookId: hook.id,
      tenant: 'acme',
      eventType: 'use_case_review_status_updated',
      time: '2026-11-27T12:00:00.000Z',
      data: { n },
    });
    return {
      messageId: `m-${hook.id}-${n}`,
      receiptHandle: `rh-${hook.id}-${n}`,
      body: JSON.stringify(message),
      attributes: {
        ApproximateReceiveCount: String(receiveCount),
        SentTimestamp: '0',
        SenderId: 'test',
        ApproximateFirstReceiveTimestamp: '0',
        MessageGroupId: `acme/${hook.id}`,
        MessageDeduplicationId: message.deliveryId,
        SequenceNumber: String(n),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:herald-ordered-deliveries.fifo',
      awsRegion: 'us-east-1',
    };
  }

  const ok: SendResult = { outcome: 'response', status: 200, headers: {}, bodyExcerpt: 'ok', durationMs: 1 };
  const down: SendResult = {
    outcome: 'response',
    status: 500,
    headers: {},
    bodyExcerpt: 'down',
    durationMs: 1,
  };

  function setup(options: {
    answer: (url: string, n: number) => SendResult;
    attemptsMade?: number;
    throttle?: boolean;
  }) {
    const sent: Array<{ url: string; n: number }> = [];
    const logged: DeliveryLogEntry[] = [];
    const visibility: Array<{ messageId: string; seconds: number }> = [];
    const deadLettered: Array<{ messageId: string; reason: string }> = [];
    const attemptReads: string[] = [];
    const deps: DeliveryBatchDeps = {
      store: {
        get: async (_t, id) => hooks.find((h) => h.id === id),
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
          const n = Number(JSON.parse(request.body).data.n);
          sent.push({ url: request.url, n });
          return options.answer(request.url, n);
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
        attemptsMade: async (message) => {
          attemptReads.push(message.deliveryId);
          return options.attemptsMade ?? 0;
        },
      },
      rateLimiter: {
        take: async () => (options.throttle ? { allowed: false, waitMs: 1500 } : { allowed: true }),
      },
      clock: { now: () => new Date() },
      schedule: [5, 10],
      sendSvixHeaders: false,
      autoDisableAfterMs: 86_400_000,
      random: () => 0.5,
    };
    const handle = createDeliveryBatchHandler(
      deps,
      {
        retryLater: async (record, seconds) => {
          visibility.push({ messageId: record.messageId, seconds });
        },
        deadLetter: async (record, reason) => {
          deadLettered.push({ messageId: record.messageId, reason });
        },
        requeue: async () => {
          throw new Error('an ordered delivery is never re-queued as a new message');
        },
      },
      logger,
    );
    return { handle, sent, logged, visibility, deadLettered, attemptReads };
  }

  it('sends each webhook’s deliveries in order and acknowledges them all', async () => {
    const { handle, sent } = setup({ answer: () => ok });
    const records = [fifoRecord(first, 1), fifoRecord(second, 1), fifoRecord(first, 2), fifoRecord(first, 3)];
    expect(await handle({ Records: records })).toEqual({ batchItemFailures: [] });
    expect(sent.filter((s) => s.url.endsWith('/one')).map((s) => s.n)).toEqual([1, 2, 3]);
    expect(sent.filter((s) => s.url.endsWith('/two')).map((s) => s.n)).toEqual([1]);
  });

  it('on a failed attempt, backs that delivery off by its visibility, hands the later ones of its webhook back unsent, and lets the other webhook go on', async () => {
    const { handle, sent, visibility, logged } = setup({
      answer: (url, n) => (url.endsWith('/one') && n === 2 ? down : ok),
    });
    const records = [
      fifoRecord(first, 1),
      fifoRecord(first, 2),
      fifoRecord(second, 1),
      fifoRecord(first, 3),
      fifoRecord(first, 4),
      fifoRecord(second, 2),
    ];
    const response = await handle({ Records: records });
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      `m-${first.id}-2`,
      `m-${first.id}-3`,
      `m-${first.id}-4`,
    ]);
    expect(sent.filter((s) => s.url.endsWith('/one')).map((s) => s.n)).toEqual([1, 2]);
    expect(sent.filter((s) => s.url.endsWith('/two')).map((s) => s.n)).toEqual([1, 2]);
    // The failed one waits the schedule's first delay (5 s); the later ones are released at once,
    // last first, to queue up behind it.
    expect(visibility).toEqual([
      { messageId: `m-${first.id}-2`, seconds: 5 },
      { messageId: `m-${first.id}-4`, seconds: 0 },
      { messageId: `m-${first.id}-3`, seconds: 0 },
    ]);
    expect(logged.filter((e) => e.status === 'retrying').map((e) => e.message.data.n)).toEqual([2]);
  });

  it('takes the attempt number from the log after the first receive, not from the receive count', async () => {
    const { handle, logged, attemptReads } = setup({ answer: () => down, attemptsMade: 1 });
    // Received five times (held behind others), attempted once: this is attempt 2.
    await handle({ Records: [fifoRecord(first, 1, 5)] });
    expect(attemptReads).toEqual([`dlv-${first.id}-1`]);
    expect(logged.map((e) => e.attempt?.attempt)).toEqual([2]);
    expect(logged.map((e) => e.status)).toEqual(['retrying']);
  });

  it('reads no log on a first receive', async () => {
    const { handle, attemptReads, logged } = setup({ answer: () => ok });
    await handle({ Records: [fifoRecord(first, 1)] });
    expect(attemptReads).toEqual([]);
    expect(logged.map((e) => e.attempt?.attempt)).toEqual([1]);
  });

  it('out of attempts: dead-letters it, logs it failed saying the next was released, and sends the next', async () => {
    // Two retries in the schedule: attempt 3 is the last.
    const { handle, deadLettered, logged, sent } = setup({
      answer: (_url, n) => (n === 1 ? down : ok),
      attemptsMade: 2,
    });
    const response = await handle({ Records: [fifoRecord(first, 1, 9), fifoRecord(first, 2, 3)] });
    expect(response.batchItemFailures).toEqual([]);
    expect(deadLettered).toEqual([
      { messageId: `m-${first.id}-1`, reason: `endpoint answered 500; ${orderedGiveUp}` },
    ]);
    const failed = logged.find((e) => e.message.data.n === 1);
    expect(failed?.status).toBe('failed');
    expect(failed?.attempt?.error).toBe(`endpoint answered 500; ${orderedGiveUp}`);
    expect(sent.map((s) => s.n)).toEqual([1, 2]);
  });

  it('waits out a rate limit by the message’s visibility, holding its webhook, spending no attempt', async () => {
    const { handle, visibility, sent, logged } = setup({ answer: () => ok, throttle: true });
    const response = await handle({ Records: [fifoRecord(first, 1), fifoRecord(first, 2)] });
    expect(sent).toEqual([]);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      `m-${first.id}-1`,
      `m-${first.id}-2`,
    ]);
    expect(visibility.map((v) => v.messageId)).toEqual([`m-${first.id}-1`, `m-${first.id}-2`]);
    expect(visibility[0]?.seconds).toBeGreaterThanOrEqual(1);
    expect(logged.every((e) => e.attempt === null)).toBe(true);
  });
});
