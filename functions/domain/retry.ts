/**
 * When to try a failed delivery again. Svix's schedule, its ±20% jitter and its treatment of
 * `Retry-After` are the model: a receiver that is down for a day still gets its events, and
 * receivers that fail together are not retried in lockstep.
 */

/**
 * Delays in seconds before attempts 2 to 8 (the first attempt is immediate): 5 s, 5 min, 30 min,
 * 2 h, 5 h, 10 h, 10 h. They add up to 99,305 s, about 27 h 35 min, so "about a day" of outage
 * is survived; with jitter the last attempt lands between about 22 h and 33 h after the first.
 */
export const defaultRetrySchedule: readonly number[] = [5, 300, 1800, 7200, 18_000, 36_000, 36_000];

/**
 * The longest Herald can wait between attempts: 12 h. The delivery worker backs off by changing
 * the SQS message's visibility timeout, and SQS refuses a visibility timeout above 43,200 s, so a
 * longer delay could not be scheduled at all.
 */
export const maxRetryDelaySeconds = 43_200;

/** Each delay varies by up to this fraction either way, so endpoints that failed together do not retry together. */
export const retryJitter = 0.2;

const unitSeconds: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/**
 * Reads a schedule such as `1s,2s,4s` (the `HERALD_RETRY_SCHEDULE` setting) into seconds. Each
 * delay needs a unit (`ms`, `s`, `m` or `h`): a bare number could mean either seconds or
 * milliseconds. Throws a message naming the bad entry; delays above 12 h are refused (see
 * {@link maxRetryDelaySeconds}).
 */
export function parseRetrySchedule(text: string): number[] {
  if (text.trim() === '') {
    throw new Error('The retry schedule is empty: give delays such as 5s,5m,30m');
  }
  return text.split(',').map((entry, index) => {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(entry.trim());
    const [, amount, unit] = match ?? [];
    if (!amount || !unit) {
      throw new Error(
        `Retry delay ${index + 1} ("${entry.trim()}") is not a delay: write a number with ms, s, m or h, e.g. 1s,2s,4s`,
      );
    }
    const seconds = Number(amount) * (unitSeconds[unit] ?? Number.NaN);
    if (seconds > maxRetryDelaySeconds) {
      throw new Error(`Retry delay ${index + 1} ("${entry.trim()}") is longer than the 12 h SQS allows`);
    }
    return seconds;
  });
}

export interface NextAttemptInput {
  /** The 1-based number of the attempt that just failed. */
  attempt: number;
  schedule: readonly number[];
  /** The receiver's `Retry-After`, in seconds (see {@link parseRetryAfter}). */
  retryAfterSeconds?: number;
  /** A source of numbers in [0, 1); injected so tests are deterministic. */
  random?: () => number;
}

export type NextAttempt = { retry: true; delaySeconds: number } | { retry: false };

/**
 * Whether and when to try again after a failed attempt. The delay is the schedule's, ±20%, in
 * whole seconds and at least 1 s (0 is kept possible only for sub-second test schedules). A
 * receiver's `Retry-After` longer than that is honoured up to twice the scheduled delay, so a
 * receiver cannot stretch the schedule without bound, and never beyond 12 h.
 */
export function nextAttemptDelay({
  attempt,
  schedule,
  retryAfterSeconds,
  random = Math.random,
}: NextAttemptInput): NextAttempt {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new Error(`The attempt number must be a whole number from 1, got ${attempt}`);
  }
  const scheduled = schedule[attempt - 1];
  if (scheduled === undefined) return { retry: false };

  const jittered = Math.round(scheduled * (1 + (2 * random() - 1) * retryJitter));
  let delay = Math.max(scheduled < 1 ? 0 : 1, jittered);
  if (retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) && retryAfterSeconds > delay) {
    delay = Math.max(delay, Math.min(Math.ceil(retryAfterSeconds), Math.round(scheduled * 2)));
  }
  return { retry: true, delaySeconds: Math.min(delay, maxRetryDelaySeconds) };
}

const dayNames = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const longDayNames = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const monthNames = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const clock = '\\d{2}:\\d{2}:\\d{2}';
/** The three HTTP-date forms RFC 9110 §5.6.7 requires recipients to accept. */
const imfFixdate = new RegExp(`^${dayNames}, \\d{2} ${monthNames} \\d{4} ${clock} GMT$`);
const rfc850Date = new RegExp(`^${longDayNames}, \\d{2}-${monthNames}-\\d{2} ${clock} GMT$`);
const asctimeDate = new RegExp(`^${dayNames} ${monthNames} [ \\d]\\d ${clock} \\d{4}$`);

/**
 * A `Retry-After` header in seconds from `now`: either delta-seconds or an HTTP-date. Undefined
 * when absent, malformed or in the past, so a bad header falls back to the schedule.
 */
export function parseRetryAfter(header: string | undefined, now: Date): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  let at: number;
  if (imfFixdate.test(value) || rfc850Date.test(value)) at = Date.parse(value);
  // asctime carries no zone, and Date.parse would read it as local time; HTTP dates are GMT.
  else if (asctimeDate.test(value)) at = Date.parse(`${value} GMT`);
  else return undefined;
  if (Number.isNaN(at)) return undefined;
  const seconds = Math.ceil((at - now.getTime()) / 1000);
  return seconds >= 0 ? seconds : undefined;
}

/** What an HTTP status means for the delivery. */
export type ResponseOutcome = 'success' | 'retry' | 'gone';

/**
 * Classifies a receiver's answer the way Svix does: every 2xx is delivered; 410 Gone means the
 * receiver has removed the endpoint (no retry: the delivery is dead-lettered at once); every other status is
 * retried, 4xx included. Retrying a 400 or 401 costs a few requests, while giving up on it would
 * lose events to a receiver's bad deploy or expired credentials; redirects are not followed, so a
 * 3xx is a failure too.
 */
export function classifyResponse(status: number): ResponseOutcome {
  if (status >= 200 && status <= 299) return 'success';
  if (status === 410) return 'gone';
  return 'retry';
}
