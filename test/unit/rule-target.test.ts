import type { PlatformEvent } from '../../local/events-endpoint';
import { createRuleTarget } from '../../local/rule-target';

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
      attempts: 4,
      baseDelayMs: 1,
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
      attempts: 3,
      baseDelayMs: 1,
    });
    target.dispatch(event);
    await target.drain();
    expect(calls).toBe(3);
    expect(deadLetters).toEqual([{ event, error: new Error('SQS unavailable') }]);
  });
});
