import type { Inbox, InboxDelivery } from '../../local/inbox-model';
import {
  applyFeedMessage,
  deliveriesOf,
  emptyFeed,
  type FeedState,
  keptPerInbox,
  parseFeedMessage,
} from '../../ui/inbox/feed-state';

/** The inbox page's state, fed the messages of the live feed. */

const inbox = (name: string, received = 0): Inbox => ({
  name,
  url: `http://127.0.0.1:3000/inbox/${name}`,
  created_at: '2026-11-27T10:00:00.000Z',
  received,
});

let sequence = 0;
const delivery = (inboxName: string): InboxDelivery => ({
  id: `d${String(++sequence).padStart(8, '0')}`,
  inbox: inboxName,
  received_at: '2026-11-27T10:00:00.000Z',
  event_type: 'x',
  webhook_id: `msg_${sequence}`,
  headers: [['webhook-id', `msg_${sequence}`]],
  body: '{}',
  body_bytes: 2,
  truncated: false,
  verification: { status: 'no_webhook', webhooks: [], verified_by: null, detail: '' },
});

const apply = (state: FeedState, event: string, data: unknown): FeedState => {
  const message = parseFeedMessage(event, JSON.stringify(data));
  if (!message) throw new Error(`not a feed message: ${event}`);
  return applyFeedMessage(state, message);
};

describe("the inbox page's feed state", () => {
  it('takes a snapshot whole, replacing what it had (a reconnection)', () => {
    const before = apply(emptyFeed, 'delivery', delivery('old'));
    const kept = delivery('b');
    const after = apply(before, 'snapshot', { inboxes: [inbox('b'), inbox('a')], deliveries: [kept] });
    expect(after.inboxes.map((i) => i.name)).toEqual(['a', 'b']);
    expect(after.deliveries).toEqual([kept]);
  });

  it('puts each new delivery first, once, however often it comes', () => {
    const first = delivery('orders');
    const second = delivery('orders');
    let state = apply(emptyFeed, 'delivery', first);
    state = apply(state, 'delivery', second);
    state = apply(state, 'delivery', second);
    expect(state.deliveries.map((d) => d.id)).toEqual([second.id, first.id]);
  });

  it("keeps as many of an inbox's deliveries as local mode does, and others' untouched", () => {
    let state = apply(emptyFeed, 'delivery', delivery('other'));
    for (let i = 0; i < keptPerInbox + 5; i++) state = apply(state, 'delivery', delivery('orders'));
    expect(deliveriesOf(state, 'orders')).toHaveLength(keptPerInbox);
    expect(deliveriesOf(state, 'other')).toHaveLength(1);
    expect(deliveriesOf(state, undefined)).toHaveLength(keptPerInbox + 1);
  });

  it('updates an inbox in place (its count) and keeps the list in name order', () => {
    let state = apply(emptyFeed, 'inbox', inbox('b'));
    state = apply(state, 'inbox', inbox('a'));
    state = apply(state, 'inbox', inbox('b', 3));
    expect(state.inboxes.map((i) => [i.name, i.received])).toEqual([
      ['a', 0],
      ['b', 3],
    ]);
  });

  it.each([
    ['an unknown event', 'ping', '{}'],
    ['data that is not JSON', 'delivery', '{'],
    [
      'a delivery missing its verification',
      'delivery',
      JSON.stringify({ ...delivery('x'), verification: null }),
    ],
    ['an inbox with a count that is no number', 'inbox', JSON.stringify({ ...inbox('x'), received: '1' })],
  ])('ignores %s', (_, event, data) => {
    expect(parseFeedMessage(event, data)).toBeUndefined();
  });
});
