/**
 * A webhook's rate limit as a token bucket: capacity `perSecond` tokens, refilled continuously at
 * `perSecond` a second, one token per delivery. The bucket is stored as one number, `fullAt`: the
 * time (epoch ms) at which it will be full again, so that its tokens at `now` are
 * `capacity - max(0, fullAt - now) / interval`. One number lets a taker write it with one
 * conditional UpdateItem and no read (see {@link bucketWrite}); no extra attribute, no clock of the
 * writer's stored. Pure: no AWS, no clock.
 */

/** The smallest and largest `rate_limit` a webhook may have (deliveries per second). */
export const rateLimitBounds = { min: 1, max: 1000 } as const;

/** Milliseconds between two tokens at `perSecond`. */
export function tokenIntervalMs(perSecond: number): number {
  return 1000 / perSecond;
}

/**
 * How far `fullAt` may lie ahead of `now` with a token still in the bucket: (capacity - 1) tokens'
 * worth of refill. With capacity = perSecond that is one second less one interval.
 */
export function maxLeadMs(perSecond: number): number {
  return (perSecond - 1) * tokenIntervalMs(perSecond);
}

export type TakeDecision =
  /** A token was taken: the bucket's new `fullAt`. */
  | { allowed: true; fullAt: number }
  /** The bucket is empty: the next token is there in `waitMs`. */
  | { allowed: false; waitMs: number };

/**
 * Takes a token from a bucket last stored as `fullAt` (undefined: never used, so full) at `nowMs`.
 */
export function takeToken(fullAt: number | undefined, nowMs: number, perSecond: number): TakeDecision {
  const lead = fullAt === undefined ? 0 : Math.max(0, fullAt - nowMs);
  const excess = lead - maxLeadMs(perSecond);
  if (excess > 0) return { allowed: false, waitMs: excess };
  return { allowed: true, fullAt: Math.max(fullAt ?? nowMs, nowMs) + tokenIntervalMs(perSecond) };
}

/**
 * The conditional write that takes a token, for a guess of the stored `fullAt`. DynamoDB's update
 * expressions have no `max`, so the two shapes of bucket get one write each, and the condition
 * makes a wrong guess fail rather than miscount:
 * - `refill`: the bucket is full (`fullAt` absent or past): `fullAt = now + interval`, on
 *   condition `attribute_not_exists(fullAt) OR fullAt <= now`;
 * - `add`: the bucket is partly spent but holds a token: `fullAt = fullAt + interval`, on
 *   condition `fullAt > now AND fullAt <= now + maxLead`.
 * Exactly one of them (or neither, when the bucket is empty) holds for any stored value, so two
 * takers racing on one item never both win with one token: each write is atomic on the item.
 */
export type BucketWrite =
  | { kind: 'refill'; nowMs: number; fullAt: number }
  | { kind: 'add'; nowMs: number; intervalMs: number; latestFullAt: number };

export function bucketWrite(guess: number | undefined, nowMs: number, perSecond: number): BucketWrite {
  const intervalMs = tokenIntervalMs(perSecond);
  if (guess === undefined || guess <= nowMs) return { kind: 'refill', nowMs, fullAt: nowMs + intervalMs };
  return { kind: 'add', nowMs, intervalMs, latestFullAt: nowMs + maxLeadMs(perSecond) };
}

/**
 * SQS delays are whole seconds (0 to 900): a throttled delivery comes back after the wait rounded
 * up, at least a second, plus up to `spreadSeconds` of jitter so a throttled burst does not all
 * return in the same instant and lose the race for the same few tokens again.
 */
export function throttleDelaySeconds(waitMs: number, random: () => number, spreadSeconds = 2): number {
  const base = Math.max(1, Math.ceil(waitMs / 1000));
  return Math.min(900, base + Math.floor(random() * (spreadSeconds + 1)));
}
