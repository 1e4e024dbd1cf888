import {
  bucketWrite,
  maxLeadMs,
  type TakeDecision,
  takeToken,
  throttleDelaySeconds,
} from '../../functions/domain/rate-limit';
import { mostOverRate } from '../helpers';

/**
 * The webhook rate limit's arithmetic: a token bucket of `perSecond` tokens refilled continuously,
 * stored as the time it is full again (`fullAt`).
 */
describe('takeToken', () => {
  const t0 = 1_700_000_000_000;

  /** Takes `n` tokens at `nowMs` one after another, threading the stored value through. */
  function takeMany(fullAt: number | undefined, nowMs: number, perSecond: number, n: number) {
    let stored = fullAt;
    const decisions: TakeDecision[] = [];
    for (let i = 0; i < n; i++) {
      const decision = takeToken(stored, nowMs, perSecond);
      decisions.push(decision);
      if (decision.allowed) stored = decision.fullAt;
    }
    return { stored, allowed: decisions.filter((d) => d.allowed).length, decisions };
  }

  it('a bucket never used is full: it lets a burst of its capacity through at once, then refuses', () => {
    const { allowed, decisions } = takeMany(undefined, t0, 5, 8);
    expect(allowed).toBe(5);
    expect(decisions.slice(5).every((d) => !d.allowed)).toBe(true);
  });

  it('after the burst, the next token is one interval (200 ms at 5/s) away', () => {
    const { stored } = takeMany(undefined, t0, 5, 5);
    expect(stored).toBe(t0 + 1000);
    expect(takeToken(stored, t0, 5)).toEqual({ allowed: false, waitMs: 200 });
    expect(takeToken(stored, t0 + 150, 5)).toEqual({ allowed: false, waitMs: 50 });
    expect(takeToken(stored, t0 + 200, 5)).toEqual({ allowed: true, fullAt: t0 + 1200 });
  });

  it('refills continuously: half a second after a spent 5/s bucket holds two and a half tokens (two whole)', () => {
    const { stored } = takeMany(undefined, t0, 5, 5);
    expect(takeMany(stored, t0 + 500, 5, 5).allowed).toBe(2);
  });

  it('never holds more than its capacity, however long it was idle', () => {
    const { stored } = takeMany(undefined, t0, 5, 5);
    expect(takeMany(stored, t0 + 3_600_000, 5, 20).allowed).toBe(5);
  });

  it('a past fullAt is a full bucket: the new fullAt counts from now', () => {
    expect(takeToken(t0 - 10_000, t0, 4)).toEqual({ allowed: true, fullAt: t0 + 250 });
  });

  it('at 1/s holds one token: one delivery, then a second’s wait', () => {
    const first = takeToken(undefined, t0, 1);
    expect(first).toEqual({ allowed: true, fullAt: t0 + 1000 });
    expect(takeToken(t0 + 1000, t0, 1)).toEqual({ allowed: false, waitMs: 1000 });
    expect(takeToken(t0 + 1000, t0 + 999, 1)).toEqual({ allowed: false, waitMs: 1 });
    expect(takeToken(t0 + 1000, t0 + 1000, 1).allowed).toBe(true);
  });

  it.each([1, 2, 3, 5, 7, 100, 400])(
    'at %i/s lets through at most capacity + rate × t in any stretch of t seconds, and never refuses under it',
    (perSecond) => {
      // Takers arriving every 10 ms for 3 s, each taking when it can.
      let stored: number | undefined;
      const granted: number[] = [];
      for (let now = t0; now < t0 + 3000; now += 10) {
        for (;;) {
          const d = takeToken(stored, now, perSecond);
          if (!d.allowed) break;
          stored = d.fullAt;
          granted.push(now);
        }
      }
      // Float arithmetic on 1000 / perSecond: a millionth of a token's slack.
      expect(mostOverRate(granted, perSecond)).toBeLessThanOrEqual(1e-6);
      // Demand exceeded the rate throughout: it got the burst plus the refill, to within a token.
      expect(granted.length).toBeGreaterThanOrEqual(perSecond + Math.floor(perSecond * 2.99) - 1);
    },
  );
});

describe('bucketWrite', () => {
  const now = 1_700_000_000_000;

  it('refills an unknown or past bucket to one interval after now', () => {
    expect(bucketWrite(undefined, now, 5)).toEqual({ kind: 'refill', nowMs: now, fullAt: now + 200 });
    expect(bucketWrite(now, now, 5)).toEqual({ kind: 'refill', nowMs: now, fullAt: now + 200 });
  });

  it('adds an interval to a partly spent bucket, no later than a token’s worth of lead', () => {
    expect(bucketWrite(now + 1, now, 5)).toEqual({
      kind: 'add',
      nowMs: now,
      intervalMs: 200,
      latestFullAt: now + maxLeadMs(5),
    });
    expect(maxLeadMs(5)).toBe(800);
  });

  it('agrees with takeToken: the write its guess picks, applied where its condition holds, is takeToken’s answer', () => {
    for (const perSecond of [1, 3, 5, 1000]) {
      for (const offset of [-5000, -1, 0, 1, 100, 799, 800, 999, 1000, 1500]) {
        const stored = now + offset;
        const write = bucketWrite(stored, now, perSecond);
        const holds = write.kind === 'refill' ? stored <= now : stored > now && stored <= write.latestFullAt;
        const decision = takeToken(stored, now, perSecond);
        expect(holds).toBe(decision.allowed);
        if (holds && decision.allowed)
          expect(write.kind === 'refill' ? write.fullAt : stored + write.intervalMs).toBeCloseTo(
            decision.fullAt,
            9,
          );
      }
    }
  });
});

describe('throttleDelaySeconds', () => {
  it('is the wait rounded up to whole seconds, at least one, plus up to two seconds of jitter', () => {
    expect(throttleDelaySeconds(1, () => 0)).toBe(1);
    expect(throttleDelaySeconds(200, () => 0)).toBe(1);
    expect(throttleDelaySeconds(1001, () => 0)).toBe(2);
    expect(throttleDelaySeconds(200, () => 0.999)).toBe(3);
    expect(throttleDelaySeconds(200, () => 0.5)).toBe(2);
  });

  it('never asks SQS for more than its 900 s', () => {
    expect(throttleDelaySeconds(10_000_000, () => 0.999)).toBe(900);
  });
});
