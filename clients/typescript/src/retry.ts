/** How a create is retried. Only creates are: their `Idempotency-Key` makes a repeat harmless. */
export interface RetryOptions {
  /** Tries in all, the first included. @default 3 */
  attempts?: number;
  /** The first wait; each next one doubles, with jitter. @default 250 */
  baseDelayMs?: number;
  /** The longest wait; a `Retry-After` asking for more ends the retries. @default 10000 */
  maxDelayMs?: number;
}

/** Statuses a retry may cure: throttling and the server's or a proxy's failures. */
const retriableStatuses = new Set([429, 500, 502, 503, 504]);

export const isRetriableStatus = (status: number): boolean => retriableStatuses.has(status);

/** `Retry-After` in milliseconds from `now`: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait before try `attempt + 1`, or undefined when there is none: the tries are used up, or
 * the server asked to wait longer than `maxDelayMs`. Exponential backoff with jitter, at least
 * what `Retry-After` asks.
 */
export function retryDelay(
  attempt: number,
  options: RetryOptions,
  retryAfter?: number,
  random: () => number = Math.random,
): number | undefined {
  const { attempts = 3, baseDelayMs = 250, maxDelayMs = 10_000 } = options;
  if (attempt >= attempts) return undefined;
  const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)) * (0.5 + random() / 2);
  if (retryAfter !== undefined && retryAfter > maxDelayMs) return undefined;
  return Math.max(backoff, retryAfter ?? 0);
}
