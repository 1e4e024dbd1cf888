/** A steady rate and a burst, as API Gateway's throttles take them. */
export interface ThrottleLimits {
  /** Tokens added a second. */
  ratePerSecond: number;
  /** The bucket's size: how many requests may arrive at once. */
  burst: number;
}

/**
 * One token bucket per key, the algorithm API Gateway throttles with: a bucket holds up to
 * `burst` tokens, starts full, refills at `ratePerSecond`, and each request takes one or is
 * refused. Local mode keys it by tenant usage identifier (the usage plan) or by route (method
 * throttling). Buckets are kept for as long as local mode runs: one per tenant that passed the
 * authorizer, so their number is the number of real tenants.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limits: ThrottleLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a token from `key`'s bucket: false when it is empty (the request is throttled). */
  take(key: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.limits.burst, at: now };
    const elapsedSeconds = Math.max(0, now - bucket.at) / 1000;
    bucket.tokens = Math.min(this.limits.burst, bucket.tokens + elapsedSeconds * this.limits.ratePerSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
