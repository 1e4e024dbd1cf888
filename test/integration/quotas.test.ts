import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbRequestBudget } from '../../functions/adapters/aws/dynamodb-request-budget';
import { DynamoDbWebhookStore, keys } from '../../functions/adapters/aws/dynamodb-webhook-store';
import { type IdempotencyRecord, WebhookQuotaReached } from '../../functions/domain/ports';
import type { Webhook } from '../../functions/domain/webhook';
import { freshTable, storedWebhook } from '../helpers';

/** The per-tenant webhook quota and the request budget on DynamoDB Local, under concurrency. */
let table: Awaited<ReturnType<typeof freshTable>>;
let store: DynamoDbWebhookStore;

beforeAll(async () => {
  table = await freshTable();
  store = new DynamoDbWebhookStore(table.client, table.tableName);
});

afterAll(() => table.raw.destroy());

let clock = Date.parse('2026-11-24T10:00:00Z');
function webhook(tenant: string): Webhook {
  clock += 1000;
  return storedWebhook(
    {
      url: 'https://example.com/hook',
      event_types: ['use_case_review_status_updated', 'use_case_name_updated'],
    },
    { tenant, now: new Date(clock) },
  );
}

/** Every item the tenant has in the table, by kind: webhooks, routes, idempotency records. */
async function itemsOf(tenant: string): Promise<Record<string, number>> {
  const { Items = [] } = await table.client.send(
    new ScanCommand({ TableName: table.tableName, ConsistentRead: true }),
  );
  const counts: Record<string, number> = {};
  for (const item of Items) {
    if (item.tenant !== tenant) continue;
    const kind = String(item.kind);
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

const limits = { maxWebhooks: 3 };

it('lets exactly the quota of concurrent creates through, storing nothing for the others', async () => {
  const tenant = 'racing';
  const results = await Promise.allSettled(
    Array.from({ length: 10 }, () => store.create(webhook(tenant), undefined, limits)),
  );
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
  for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(WebhookQuotaReached);
  expect(await itemsOf(tenant)).toEqual({ webhook: 3, route: 6 });
  expect((await store.list(tenant, { limit: 100 })).items).toHaveLength(3);
});

it('stores no idempotency record for a create refused by the quota', async () => {
  const tenant = 'idempotent';
  for (let i = 0; i < 3; i++) await store.create(webhook(tenant), undefined, limits);
  const record: IdempotencyRecord = {
    tenant,
    key: 'k-1',
    requestHash: 'h',
    webhookId: 'wh_x',
    createdAt: new Date(clock).toISOString(),
    expiresAt: Math.floor(clock / 1000) + 3600,
  };
  await expect(store.create(webhook(tenant), record, limits)).rejects.toBeInstanceOf(WebhookQuotaReached);
  expect(await store.getIdempotencyRecord(tenant, 'k-1')).toBeUndefined();
  expect(await itemsOf(tenant)).toEqual({ webhook: 3, route: 6 });
});

it('frees a slot on delete, even when deletes and creates race', async () => {
  const tenant = 'freeing';
  const made = [webhook(tenant), webhook(tenant), webhook(tenant)];
  for (const w of made) await store.create(w, undefined, limits);
  await expect(store.create(webhook(tenant), undefined, limits)).rejects.toBeInstanceOf(WebhookQuotaReached);
  const [first, second] = made;
  if (!first || !second) throw new Error('not made');
  await store.delete(first);
  await store.create(webhook(tenant), undefined, limits);
  // One delete and three creates at once: at most one create takes the freed slot (none, when
  // they all read the count before the delete), and the count stays true to the webhooks.
  const results = await Promise.allSettled([
    store.delete(second),
    ...Array.from({ length: 3 }, () => store.create(webhook(tenant), undefined, limits)),
  ]);
  expect(results[0]?.status).toBe('fulfilled');
  const created = results.slice(1).filter((r) => r.status === 'fulfilled').length;
  expect(created).toBeLessThanOrEqual(1);
  const left = (await store.list(tenant, { limit: 100 })).items.length;
  expect(left).toBe(2 + created);
  expect(await storedCount(tenant)).toBe(left);
  if (left < 3) await store.create(webhook(tenant), undefined, limits);
  await expect(store.create(webhook(tenant), undefined, limits)).rejects.toBeInstanceOf(WebhookQuotaReached);
});

async function storedCount(tenant: string): Promise<unknown> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: keys.webhookCount(tenant), ConsistentRead: true }),
  );
  return Item?.count;
}

it('counts the webhooks of a tenant that had some before the counter existed', async () => {
  const tenant = 'legacy';
  // As an older Herald stored them: webhook items (routes do not matter here), no counter.
  for (let i = 0; i < 2; i++) {
    const w = webhook(tenant);
    await table.client.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { ...keys.webhook(tenant, w.id), kind: 'webhook', ...w },
      }),
    );
  }
  const results = await Promise.allSettled(
    Array.from({ length: 3 }, () => store.create(webhook(tenant), undefined, limits)),
  );
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  expect(await storedCount(tenant)).toBe(3);
});

it('never counts below zero: a count that drifted to 0 is made again from the webhooks on delete', async () => {
  const tenant = 'drifted';
  const kept = webhook(tenant);
  const gone = webhook(tenant);
  await store.create(kept, undefined, limits);
  await store.create(gone, undefined, limits);
  // A write that skipped the counter (say, an older container during the deploy that added it).
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: { ...keys.webhookCount(tenant), kind: 'count', count: 0 },
    }),
  );
  await store.delete(gone);
  expect(await storedCount(tenant)).toBe(1);
  await store.delete(kept);
  expect(await storedCount(tenant)).toBe(0);
});

it('counts a budget per key and window, refusing past the limit without counting on', async () => {
  const budget = new DynamoDbRequestBudget(table.client, table.tableName);
  const take = (key: string, window: number) => budget.take(key, window, 2, window + 120);
  const taken = await Promise.all(Array.from({ length: 5 }, () => take('test#a#wh_1', 1000)));
  expect(taken.filter(Boolean)).toHaveLength(2);
  expect(await take('test#a#wh_2', 1000)).toBe(true);
  expect(await take('test#a#wh_1', 1060)).toBe(true);
});
