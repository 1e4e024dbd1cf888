import { inboxSnapshotSchema, type Verification } from '../../local/inbox-model';
import { eventTypeOf, type InboxChange, InboxStore, TooManyInboxes } from '../../local/inbox-store';

const noWebhook: Verification = { status: 'no_webhook', webhooks: [], verified_by: null, detail: '' };
const at = new Date('2026-11-27T10:00:00.000Z');

function store(limits: Partial<ConstructorParameters<typeof InboxStore>[1]> = {}) {
  return new InboxStore((name) => `http://127.0.0.1:3000/inbox/${name}`, {
    maxInboxes: 10,
    deliveriesPerInbox: 200,
    maxBodyBytes: 64 * 1024,
    ...limits,
  });
}

function received(body: string, headers: Array<[string, string]> = []) {
  return { receivedAt: at, headers, body: Buffer.from(body), verification: noWebhook };
}

describe('the inbox store', () => {
  it('makes an inbox once, with the URL a webhook delivers to', () => {
    const inboxes = store();
    const first = inboxes.open('orders', at);
    expect(first).toEqual({
      created: true,
      inbox: {
        name: 'orders',
        url: 'http://127.0.0.1:3000/inbox/orders',
        created_at: at.toISOString(),
        received: 0,
      },
    });
    expect(inboxes.open('orders', new Date()).created).toBe(false);
    expect(inboxes.list().map((i) => i.name)).toEqual(['orders']);
  });

  it('refuses an inbox past the most it keeps, also when a delivery would make it', () => {
    const inboxes = store({ maxInboxes: 2 });
    inboxes.open('a', at);
    inboxes.open('b', at);
    expect(() => inboxes.open('c', at)).toThrow(TooManyInboxes);
    expect(() => inboxes.receive('c', received('{}'))).toThrow(TooManyInboxes);
    // Those it has still take deliveries.
    expect(inboxes.receive('a', received('{}')).inbox).toBe('a');
  });

  it('keeps the last deliveries of each inbox, newest first, and counts every one', () => {
    const inboxes = store({ deliveriesPerInbox: 3 });
    const ids = [1, 2, 3, 4, 5].map((n) => inboxes.receive('orders', received(`{"n":${n}}`)).id);
    inboxes.receive('other', received('{}'));
    const kept = inboxes.get('orders');
    expect(kept?.deliveries.map((d) => d.id)).toEqual([ids[4], ids[3], ids[2]]);
    expect(kept?.inbox.received).toBe(5);
    expect(inboxes.get('other')?.deliveries).toHaveLength(1);
  });

  it('describes a delivery: its type, webhook-id, headers as received, and a body cut at the limit', () => {
    const inboxes = store({ maxBodyBytes: 10 });
    const body = JSON.stringify({ type: 'CredoAI.use_case_name_updated.v1', data: { n: 1 } });
    const headers: Array<[string, string]> = [
      ['Webhook-Id', 'msg_1'],
      ['X-Twice', 'a'],
      ['X-Twice', 'b'],
    ];
    const delivery = inboxes.receive('orders', received(body, headers));
    expect(delivery).toMatchObject({
      inbox: 'orders',
      received_at: at.toISOString(),
      event_type: 'CredoAI.use_case_name_updated.v1',
      webhook_id: 'msg_1',
      headers,
      body: body.slice(0, 10),
      body_bytes: body.length,
      truncated: true,
      verification: noWebhook,
    });
  });

  it('shows a credential header only by its scheme and last characters, every other header as received', () => {
    const inboxes = store();
    const token = 'eyJhbGciOiJIUzI1NiJ9.payload.signature-abcd';
    const delivery = inboxes.receive(
      'oauth',
      received('{}', [
        ['Authorization', `Bearer ${token}`],
        ['webhook-signature', 'v1,abc='],
      ]),
    );
    expect(delivery.headers).toEqual([
      ['Authorization', 'Bearer …abcd (hidden)'],
      ['webhook-signature', 'v1,abc='],
    ]);
    expect(JSON.stringify(delivery)).not.toContain(token.slice(0, -4));
  });

  it.each([
    ['a JSON envelope', '{"type":"x.y"}', 'x.y'],
    ['JSON without a type', '{"data":1}', null],
    ['a type that is no string', '{"type":1}', null],
    ['a JSON array', '[1]', null],
    ['plain text', 'hello', null],
  ])('reads the event type of %s', (_, body, type) => {
    expect(eventTypeOf(body)).toBe(type);
  });

  it('tells its listeners of each new inbox and delivery, until they stop listening', () => {
    const inboxes = store();
    const changes: InboxChange[] = [];
    const stop = inboxes.subscribe((change) => changes.push(change));
    inboxes.receive('orders', received('{}'));
    expect(changes.map((c) => c.kind)).toEqual(['inbox', 'delivery', 'inbox']);
    expect(changes[2]).toMatchObject({ kind: 'inbox', inbox: { received: 1 } });
    stop();
    inboxes.receive('orders', received('{}'));
    expect(changes).toHaveLength(3);
  });

  it('answers a snapshot of every inbox and every delivery, newest first, in the wire format', () => {
    const inboxes = store();
    const first = inboxes.receive('b', received('{}'));
    const second = inboxes.receive('a', received('{}'));
    const snapshot = inboxSnapshotSchema.parse(inboxes.snapshot());
    expect(snapshot.inboxes.map((i) => i.name)).toEqual(['a', 'b']);
    expect(snapshot.deliveries.map((d) => d.id)).toEqual([second.id, first.id]);
  });
});
