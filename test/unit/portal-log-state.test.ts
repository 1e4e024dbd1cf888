import type { DeliveryResource } from '../../clients/typescript/src/index';
import { counted, localInputToRfc3339, pageTitle, toLocalInput } from '../../ui/portal/log/format';
import {
  appendPage,
  awaitingChange,
  cursorOf,
  type LogPage,
  landedMessage,
  logChanged,
  mergeFirstPage,
  noFilters,
  queryOf,
} from '../../ui/portal/log/log-state';

/** The portal's delivery log state: paging, merging a refresh, when to keep looking. No browser. */

type Status = DeliveryResource['attributes']['status'];

/** A delivery of the log at minute `minute` of an hour (the log sorts by event time, newest first). */
function delivery(
  id: string,
  minute: number,
  status: Status = 'succeeded',
  more: Partial<DeliveryResource['attributes']> = {},
): DeliveryResource {
  const time = `2026-11-27T10:${String(minute).padStart(2, '0')}:00.000Z`;
  return {
    type: 'delivery',
    id,
    attributes: {
      event_id: `evt_${id}`,
      event_type: 'use_case_name_updated',
      environment: null,
      event_time: time,
      status,
      attempt_count: 1,
      last_status_code: 200,
      last_error: null,
      next_attempt_at: null,
      created_at: time,
      updated_at: time,
      ...more,
    },
    links: { self: `http://127.0.0.1:3000/api/v2/demo/webhooks/wh_1/deliveries/${id}` },
  };
}

const ids = (page: LogPage) => page.items.map((d) => d.id);
const next = (cursor: string) =>
  `http://127.0.0.1:3000/api/v2/demo/webhooks/wh_1/deliveries?filter%5Bstatus%5D=failed&page%5Bafter%5D=${cursor}`;

describe('the delivery log query', () => {
  it('sends only the filters set, times as RFC 3339 in UTC', () => {
    expect(queryOf(noFilters)).toEqual({ query: {} });
    const since = '2026-11-27T10:30';
    expect(queryOf({ status: 'failed', eventType: 'use_case_name_updated', since, until: '' })).toEqual({
      query: {
        'filter[status]': 'failed',
        'filter[event_type]': 'use_case_name_updated',
        'filter[since]': new Date(2026, 10, 27, 10, 30).toISOString(),
      },
    });
  });

  it('names the time that is not one', () => {
    expect(queryOf({ ...noFilters, until: '2026-11-27' })).toEqual({ invalid: 'until' });
  });

  it('takes the cursor out of links.next, filters and all', () => {
    expect(cursorOf(next('MjAyNi0xMS0yN1QxMDo'))).toBe('MjAyNi0xMS0yN1QxMDo');
    expect(cursorOf('http://127.0.0.1:3000/api/v2/demo/webhooks/wh_1/deliveries')).toBeUndefined();
  });
});

describe('merging a refresh of the first page', () => {
  const shown: LogPage = {
    items: [delivery('d5', 5, 'pending'), delivery('d4', 4), delivery('d3', 3), delivery('d2', 2)],
    next: next('after-d2'),
  };

  it('puts new deliveries on top, updates changed ones, and keeps the older pages loaded', () => {
    const fresh: LogPage = {
      items: [delivery('d6', 6), delivery('d5', 5, 'succeeded')],
      next: next('after-d5'),
    };
    const merged = mergeFirstPage(shown, fresh);
    expect(ids(merged)).toEqual(['d6', 'd5', 'd4', 'd3', 'd2']);
    expect(merged.items[1]?.attributes.status).toBe('succeeded');
    // The older pages came with their own cursor: "Load more" goes on after them.
    expect(merged.next).toBe(next('after-d2'));
  });

  it('drops a delivery that no longer matches within the fresh page', () => {
    const fresh: LogPage = { items: [delivery('d5', 5), delivery('d3', 3)], next: next('after-d3') };
    expect(ids(mergeFirstPage(shown, fresh))).toEqual(['d5', 'd3', 'd2']);
  });

  it('takes a fresh page with nothing after it as the whole log', () => {
    const fresh: LogPage = { items: [delivery('d5', 5)], next: undefined };
    expect(mergeFirstPage(shown, fresh)).toEqual(fresh);
  });

  it('appends the next page without repeating a delivery that moved between pages', () => {
    const more: LogPage = { items: [delivery('d2', 2), delivery('d1', 1)], next: undefined };
    const appended = appendPage(shown, more);
    expect(ids(appended)).toEqual(['d5', 'd4', 'd3', 'd2', 'd1']);
    expect(appended.next).toBeUndefined();
  });
});

describe('when the log looks again', () => {
  const now = Date.parse('2026-11-27T11:00:00.000Z');

  it('waits for a test event until it is shown, and while anything is queued or retries within the minute', () => {
    const settled = [delivery('d1', 1), delivery('d2', 2, 'failed')];
    expect(awaitingChange(settled, undefined, now)).toBe(false);
    expect(awaitingChange(settled, 'd9', now)).toBe(true);
    expect(awaitingChange([...settled, delivery('d9', 9, 'pending')], 'd9', now)).toBe(true);
    const soon = delivery('d3', 3, 'retrying', { next_attempt_at: '2026-11-27T11:00:30.000Z' });
    const later = delivery('d4', 4, 'retrying', { next_attempt_at: '2026-11-27T12:00:00.000Z' });
    expect(awaitingChange([soon], undefined, now)).toBe(true);
    expect(awaitingChange([later], undefined, now)).toBe(false);
  });

  it('sees a change in a new delivery, a status or another attempt, and none in the same log', () => {
    const before = [delivery('d1', 1, 'retrying')];
    expect(logChanged(before, [delivery('d1', 1, 'retrying')])).toBe(false);
    expect(logChanged(before, [delivery('d1', 1, 'succeeded')])).toBe(true);
    expect(logChanged(before, [delivery('d1', 1, 'retrying', { attempt_count: 2 })])).toBe(true);
    expect(logChanged(before, [delivery('d2', 2), ...before])).toBe(true);
  });

  it('says how the awaited delivery landed', () => {
    expect(landedMessage([], 'd1')).toBe('');
    expect(landedMessage([delivery('d1', 1, 'pending')], 'd1')).toBe('Delivery d1 is queued.');
    expect(landedMessage([delivery('d1', 1, 'failed', { last_status_code: 500 })], 'd1')).toBe(
      'Delivery d1 failed (HTTP 500).',
    );
  });
});

describe('formatting', () => {
  it('reads a datetime-local value in the local zone and writes one back to the minute', () => {
    const local = new Date(2026, 10, 27, 9, 5);
    expect(toLocalInput(local)).toBe('2026-11-27T09:05');
    expect(localInputToRfc3339('2026-11-27T09:05')).toBe(local.toISOString());
    expect(localInputToRfc3339('')).toBeUndefined();
    expect(localInputToRfc3339('yesterday')).toBeUndefined();
  });

  it('titles a page after the platform, or Herald', () => {
    expect(pageTitle('Event types', 'Credo AI')).toBe('Event types · Credo AI');
    expect(pageTitle('Event types', undefined)).toBe('Event types · Herald');
  });

  it('counts in the singular and plural', () => {
    expect(counted(1, 'delivery', 'deliveries')).toBe('1 delivery');
    expect(counted(0, 'delivery', 'deliveries')).toBe('0 deliveries');
  });
});
