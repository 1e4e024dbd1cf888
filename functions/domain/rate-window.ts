/**
 * Fixed-window budgets: requests are counted per window of `windowSeconds`, aligned to the epoch,
 * so every instance of the API counts into the same window without talking to another.
 */
export interface Window {
  /** Epoch seconds at which the window `now` falls in began. */
  start: number;
  /** Whole seconds until it ends, at least 1: what `Retry-After` says when the budget is spent. */
  retryAfterSeconds: number;
  /** Epoch seconds after which its count may be forgotten (a window later: clocks differ). */
  expiresAt: number;
}

export function fixedWindow(now: Date, windowSeconds: number): Window {
  const nowSeconds = now.getTime() / 1000;
  const start = Math.floor(nowSeconds / windowSeconds) * windowSeconds;
  const end = start + windowSeconds;
  return {
    start,
    retryAfterSeconds: Math.max(1, Math.ceil(end - nowSeconds)),
    expiresAt: end + windowSeconds,
  };
}
