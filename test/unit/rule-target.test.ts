import { routerRetryPolicy } from '../../functions/shared/pipeline';
import type { PlatformEvent } from '../../local/events-endpoint';
import { createRuleTarget, retryDelayMs } from '../../local/rule-target';

const event: PlatformEvent = {
  version: '0',
  id: 'evt-1',
  'detail-type': 'use_case_review_comment',
  source: 'CredoAI',
  account: '000000000000',
  time: '2026-11-24T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail: {},
};

describe('local rule target', () => {
  it('retries a failed router invocation and stops once it succeeds', async () => {
    let calls = 0;
    const deadLetters: unknown[] = [];
    const target = createRuleTarget({
      invoke: async () => {
        calls++;
        if (calls < 3) throw new Error('DynamoDB unavailable');
      },
      onDeadLetter: async (e) => {
        deadLetters.push(e);
      },
      log: () => undefined,
      policy: { ...routerRetryPolicy, retryAttempts: 3, firstDelayMs: 1 },
    });
    target.dispatch(event);
    await target.drain();
    expect(calls).toBe(3);
    expect(deadLetters).toEqual([]);
  });

  it('dead-letters the event after the last attempt, so it is not lost', async () => {
    let calls = 0;
    const deadLetters: Array<{ event: PlatformEvent; error: unknown }> = [];
    const target = createRuleTarget({
      invoke: async () => {
        calls++;
        throw new Error('SQS unavailable');
      },
      onDeadLetter: async (e, error) => {
        deadLetters.push({ event: e, error });
      },
      log: () => undefined,
      policy: { ...routerRetryPolicy, retryAttempts: 2, firstDelayMs: 1 },
    });
    target.dispatch(event);
    await target.drain();
    expect(calls).toBe(3);
    expect(deadLetters).toEqual([{ event, error: new Error('SQS unavailable') }]);
  });

  it('keeps retrying as the stack does: its policy by default, backing off up to the cap', () => {
    const delays = Array.from({ length: 40 }, (_, i) => retryDelayMs(routerRetryPolicy, i + 1, () => 1));
    expect(delays[0]).toBe(routerRetryPolicy.firstDelayMs);
    expect(delays[1]).toBe(2 * routerRetryPolicy.firstDelayMs);
    expect(Math.max(...delays)).toBe(routerRetryPolicy.maxDelayMs);
    // 185 retries at these delays span most of a day, so the age limit, as on AWS, can be what ends them.
    const spanMs = Array.from({ length: routerRetryPolicy.retryAttempts }, (_, i) =>
      retryDelayMs(routerRetryPolicy, i + 1, () => 0.5),
    ).reduce((a, b) => a + b, 0);
    expect(spanMs).toBeGreaterThan(12 * 3_600_000);
  });

  it('dead-letters an event once the next retry would pass the maximum event age', async () => {
    let clock = 0;
    let calls = 0;
    const deadLetters: PlatformEvent[] = [];
    const target = createRuleTarget({
      invoke: async () => {
        calls++;
        clock += 40_000; // each failing invocation takes 40 s of the event's minute
        throw new Error('router down');
      },
      onDeadLetter: async (e) => {
        deadLetters.push(e);
      },
      log: () => undefined,
      policy: { ...routerRetryPolicy, maxEventAgeSeconds: 60, firstDelayMs: 1, maxDelayMs: 1 },
      now: () => clock,
    });
    target.dispatch(event);
    await target.drain();
    expect(calls).toBe(2);
    expect(deadLetters).toEqual([event]);
  });

  it('dead-letters events waiting for a retry when local mode stops, instead of dropping them', async () => {
    const deadLetters: PlatformEvent[] = [];
    const target = createRuleTarget({
      invoke: async () => {
        throw new Error('router down');
      },
      onDeadLetter: async (e) => {
        deadLetters.push(e);
      },
      log: () => undefined,
      // The first retry waits a minute: only stop() can end the wait within the test.
      policy: { ...routerRetryPolicy, firstDelayMs: 60_000 },
    });
    target.dispatch(event);
    await new Promise((r) => setImmediate(r));
    await target.stop();
    expect(deadLetters).toEqual([event]);
  });
});
