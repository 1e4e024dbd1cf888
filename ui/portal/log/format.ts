/** Formatting and conversions the log's pages share; no DOM, so unit tests run them in Node. */

/** A JSON value as a reader wants it: two-space indents. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/**
 * A `datetime-local` input's value (the reader's own clock, `2026-11-27T10:30`) as RFC 3339 in
 * UTC, what the API's filters and recovery take; undefined when empty or not a time.
 */
export function localInputToRfc3339(value: string): string | undefined {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?$/.test(value)) return undefined;
  // Without a zone, Date reads a date-time as local time: what the reader typed.
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

const two = (n: number) => String(n).padStart(2, '0');

/** `date` in the reader's local time as a `datetime-local` value, to the minute. */
export function toLocalInput(date: Date): string {
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}`;
}

/** Sets the tab's title as every portal page does: "<page> · <platform name or Herald>". */
export function pageTitle(page: string, platformName: string | undefined): string {
  return `${page} · ${platformName || 'Herald'}`;
}

/** A count with its noun, singular or plural: "1 delivery", "3 deliveries". */
export function counted(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
