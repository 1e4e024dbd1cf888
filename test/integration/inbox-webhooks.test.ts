import { DynamoDbWebhookStore } from '../../functions/adapters/aws/dynamodb-webhook-store';
import { newSigningSecret } from '../../functions/domain/ids';
import { type FindInboxWebhooks, inboxWebhookFinder, isInboxUrl } from '../../local/inbox-webhooks';
import { freshTable, storedWebhook } from '../helpers';

/** Which webhooks' secrets an inbox checks a delivery against: found in DynamoDB Local by url. */

let table: Awaited<ReturnType<typeof freshTable>>;
let store: DynamoDbWebhookStore;
let find: FindInboxWebhooks;

beforeAll(async () => {
  table = await freshTable();
  store = new DynamoDbWebhookStore(table.client, table.tableName);
  find = inboxWebhookFinder(table.client, table.tableName);
});

afterAll(() => table.raw.destroy());

const now = new Date('2026-11-27T10:00:00.000Z');

describe('finding the webhooks of an inbox', () => {
  it("finds every tenant's webhooks whose url is the inbox's, with their current secrets only", async () => {
    const rotated = newSigningSecret();
    const expired = newSigningSecret();
    const mine = storedWebhook({ url: 'http://127.0.0.1:3000/inbox/orders' }, { tenant: 'acme' });
    mine.previousSecrets = [
      { secret: rotated, expiresAt: '2026-11-28T00:00:00.000Z' },
      { secret: expired, expiresAt: '2026-11-26T00:00:00.000Z' },
    ];
    const theirs = storedWebhook({ url: 'http://localhost:3000/inbox/orders?from=beta' }, { tenant: 'beta' });
    const elsewhere = [
      storedWebhook({ url: 'http://127.0.0.1:3000/inbox/orders-eu' }),
      storedWebhook({ url: 'http://127.0.0.1:3001/inbox/orders' }),
      storedWebhook({ url: 'https://example.com/inbox/orders' }),
    ];
    for (const webhook of [mine, theirs, ...elsewhere]) await store.create(webhook);

    const found = await find(3000, '/inbox/orders', now);
    expect(found.map((w) => w.id).sort()).toEqual([mine.id, theirs.id].sort());
    expect(found.find((w) => w.id === mine.id)?.secrets).toEqual([mine.signingSecret, rotated]);
  });

  it('finds none for an inbox no webhook uses', async () => {
    expect(await find(3000, '/inbox/nobody', now)).toEqual([]);
  });

  it.each([
    ['the same URL', 'http://127.0.0.1:3000/inbox/a', true],
    ['localhost', 'http://localhost:3000/inbox/a', true],
    ['IPv6 loopback', 'http://[::1]:3000/inbox/a', true],
    ['a query', 'http://127.0.0.1:3000/inbox/a?x=1', true],
    ['another port', 'http://127.0.0.1:3001/inbox/a', false],
    ['the default port', 'http://127.0.0.1/inbox/a', false],
    ['another inbox', 'http://127.0.0.1:3000/inbox/ab', false],
    ['a path below it', 'http://127.0.0.1:3000/inbox/a/b', false],
    ['https', 'https://127.0.0.1:3000/inbox/a', false],
    ['another host', 'http://10.0.0.1:3000/inbox/a', false],
    ['no URL at all', 'not a url', false],
  ])('takes %s as the inbox URL: %s -> %s', (_, url, expected) => {
    expect(isInboxUrl(url, 3000, '/inbox/a')).toBe(expected);
  });
});
