import { TokenBuckets } from '../../local/token-bucket';

/** Local mode's stand-in for API Gateway's throttles: one token bucket per key. */
describe('token buckets', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  const takeMany = (buckets: TokenBuckets, key: string, n: number) =>
    Array.from({ length: n }, () => buckets.take(key)).filter(Boolean).length;

  it('lets a burst through at once, then refuses', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 2, burst: 5 }, clock);
    expect(takeMany(buckets, 'acme', 8)).toBe(5);
    expect(buckets.take('acme')).toBe(false);
  });

  it('refills at the rate, a token at a time', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 2, burst: 5 }, clock);
    takeMany(buckets, 'acme', 5);
    now += 499;
    expect(buckets.take('acme')).toBe(false);
    now += 1;
    expect(buckets.take('acme')).toBe(true);
    expect(buckets.take('acme')).toBe(false);
    now += 1500;
    expect(takeMany(buckets, 'acme', 5)).toBe(3);
  });

  it('never holds more than the burst, however long it rests', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 10, burst: 3 }, clock);
    takeMany(buckets, 'acme', 3);
    now += 3_600_000;
    expect(takeMany(buckets, 'acme', 10)).toBe(3);
  });

  it('keeps one bucket per key: one key running dry leaves the others full', () => {
    const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 2 }, clock);
    expect(takeMany(buckets, 'acme', 5)).toBe(2);
    expect(takeMany(buckets, 'globex', 2)).toBe(2);
  });
});
