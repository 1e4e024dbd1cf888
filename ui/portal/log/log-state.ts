import type { DeliveryListQuery, DeliveryResource } from '../../../clients/typescript/src/index';
import { localInputToRfc3339 } from './format';

/**
 * The delivery log's state, kept apart from the component so its rules (paging, merging a
 * refresh into what is shown, when to keep refreshing) are unit-tested without a browser.
 */

export type DeliveryStatus = DeliveryResource['attributes']['status'];
export const deliveryStatuses: readonly DeliveryStatus[] = ['pending', 'retrying', 'succeeded', 'failed'];

/** What is shown: the deliveries, newest first, and the next page's URL (`links.next`). */
export interface LogPage {
  items: DeliveryResource[];
  next: string | undefined;
}

/** The filter form as typed: empty strings are "any". Times are `datetime-local` values. */
export interface LogFilters {
  status: DeliveryStatus | '';
  eventType: string;
  since: string;
  until: string;
}

export const noFilters: LogFilters = { status: '', eventType: '', since: '', until: '' };

/**
 * The list query for `filters`, or the name of the field that does not hold a time. The event type
 * is one of the webhook's, which the API's catalog holds: it refuses anything else with a 400.
 */
export function queryOf(filters: LogFilters): { query: DeliveryListQuery } | { invalid: 'since' | 'until' } {
  const query: Record<string, string> = {};
  if (filters.status) query['filter[status]'] = filters.status;
  if (filters.eventType) query['filter[event_type]'] = filters.eventType;
  for (const bound of ['since', 'until'] as const) {
    if (!filters[bound]) continue;
    const time = localInputToRfc3339(filters[bound]);
    if (time === undefined) return { invalid: bound };
    query[`filter[${bound}]`] = time;
  }
  return { query };
}

/**
 * The cursor of a `links.next` URL, for the client's `page[after]`: the client's `list` takes a
 * query, and the link's filters are the ones already in hand.
 */
export function cursorOf(next: string): string | undefined {
  return new URL(next, 'http://portal.invalid').searchParams.get('page[after]') ?? undefined;
}

/** The log's own order: event time to the millisecond, then the id, newest first (as the API sorts). */
function sortKey(delivery: DeliveryResource): string {
  const ms = Date.parse(delivery.attributes.event_time);
  const time = Number.isNaN(ms) ? delivery.attributes.event_time : new Date(ms).toISOString();
  return `${time}#${delivery.id}`;
}

/**
 * `shown` after its first page was loaded again as `fresh`: the fresh page replaces what it covers
 * (new deliveries appear, changed ones change, ones no longer matching go), and the older pages the
 * reader loaded stay, so a refresh never takes away what "Load more" brought.
 */
export function mergeFirstPage(shown: LogPage, fresh: LogPage): LogPage {
  const last = fresh.items.at(-1);
  // A fresh page with nothing after it is the whole log.
  if (fresh.next === undefined || last === undefined) return fresh;
  const oldest = sortKey(last);
  const ids = new Set(fresh.items.map((d) => d.id));
  const older = shown.items.filter((d) => !ids.has(d.id) && sortKey(d) < oldest);
  return older.length === 0 ? fresh : { items: [...fresh.items, ...older], next: shown.next };
}

/** `page` with the page after it appended, without repeating a delivery that moved between pages. */
export function appendPage(page: LogPage, more: LogPage): LogPage {
  const ids = new Set(page.items.map((d) => d.id));
  return { items: [...page.items, ...more.items.filter((d) => !ids.has(d.id))], next: more.next };
}

/** How soon a retry must be due for the log to keep refreshing for it. */
const soonMs = 60_000;

/**
 * Whether the log should look again shortly: a delivery it waits for (a test just sent) is not
 * shown yet, or one shown is on its way (queued, or a retry due within the minute).
 */
export function awaitingChange(
  items: readonly DeliveryResource[],
  waitingFor: string | undefined,
  now: number,
) {
  if (waitingFor !== undefined && !items.some((d) => d.id === waitingFor)) return true;
  return items.some(
    (d) =>
      d.attributes.status === 'pending' ||
      (d.attributes.status === 'retrying' &&
        d.attributes.next_attempt_at !== null &&
        Date.parse(d.attributes.next_attempt_at) - now <= soonMs),
  );
}

/** What a screen reader hears when a delivery it waits for lands, or nothing while it has not. */
export function landedMessage(items: readonly DeliveryResource[], waitingFor: string | undefined): string {
  const delivery = items.find((d) => d.id === waitingFor);
  if (!delivery) return '';
  const { status, last_status_code: code } = delivery.attributes;
  if (status === 'pending') return `Delivery ${delivery.id} is queued.`;
  return `Delivery ${delivery.id} ${status}${code === null ? '' : ` (HTTP ${code})`}.`;
}

/** Whether a look at the log found anything new or changed (a status, another attempt). */
export function logChanged(before: readonly DeliveryResource[], after: readonly DeliveryResource[]): boolean {
  const seen = new Map(before.map((d) => [d.id, `${d.attributes.status}/${d.attributes.attempt_count}`]));
  return (
    before.length !== after.length ||
    after.some((d) => seen.get(d.id) !== `${d.attributes.status}/${d.attributes.attempt_count}`)
  );
}
