import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbDeliveryLog, deliveryKeys } from '../../functions/adapters/aws/dynamodb-delivery-log';
import type { DeliveryMessage } from '../../functions/domain/delivery';
import { deliveryIdFor, deliveryLogShards, parseDeliveryId } from '../../functions/domain/delivery-id';
import { type Attempt, type DeliveryStatus, successExcerptBytes } from '../../functions/domain/delivery-log';
import { freshTable } from '../helpers';

/** The delivery log on DynamoDB Local: sharded keys, lookups by id, filtered pages over the shards, conditional requeue, item size. */
let log: DynamoDbDeliveryLog;
let table: Awaited<ReturnType<typeof freshTable>>;

beforeAll(async () => {
  table = await freshTable();
  log = new DynamoDbDeliveryLog(table.client, table.tableName, 86_400);
});

function message(webhookId: string, eventId: string, time: string): DeliveryMessage {
  return {
    deliveryId: deliveryIdFor(eventId, webhookId, time),
    eventId,
    eventType: 'use_case_review_status_updated',
    tenant: 'acme',
    environment: 'production',
    webhookId,
    time,
    source: 'CredoAI',
    data: { reviewId: 'r', status: 'done', useCaseId: 'u', user: { email: 'a@b.c', userId: 'x' } },
  };
}

function attempt(
  n: number,
  outcome: Attempt['outcome'],
  statusCode: number,
  time = new Date().toISOString(),
): Attempt {
  return {
    attempt: n,
    time,
    outcome,
    statusCode,
    durationMs: 12,
    error: outcome === 'failed' ? `endpoint answered ${statusCode}` : null,
    responseExcerpt: 'x',
    origin: 'event',
  };
}

async function write(m: DeliveryMessage, status: DeliveryStatus, attempts: Attempt[]) {
  const at = new Date().toISOString();
  for (const a of attempts) {
    await log.record({ message: m, status, attempt: a, error: null, nextAttemptAt: null, at });
  }
}

it('keeps one item per delivery, its attempts in order, and reads back what the keys and attempts say', async () => {
  const m = message('wh_a', 'evt-1', '2026-11-24T10:00:00Z');
  await log.record({
    message: m,
    status: 'retrying',
    attempt: attempt(1, 'failed', 500),
    error: null,
    nextAttemptAt: '2026-11-24T10:00:05.000Z',
    at: new Date().toISOString(),
  });
  await write(m, 'succeeded', [attempt(2, 'succeeded', 200)]);

  const record = await log.get('acme', 'wh_a', m.deliveryId);
  expect(record).toMatchObject({
    tenant: 'acme',
    webhookId: 'wh_a',
    deliveryId: m.deliveryId,
    eventId: 'evt-1',
    time: '2026-11-24T10:00:00Z',
    status: 'succeeded',
    attemptCount: 2,
    lastStatusCode: 200,
    lastError: null,
    nextAttemptAt: null,
    data: m.data,
  });
  expect(record?.attempts.map((a) => a.attempt)).toEqual([1, 2]);
  // Finished: nothing scheduled is stored, not even a null; the keys are not repeated as attributes.
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: deliveryKeys.of('acme', 'wh_a', m.deliveryId),
    }),
  );
  expect(Item).not.toHaveProperty('nextAttemptAt');
  expect(Item).not.toHaveProperty('tenant');
  expect(Item).not.toHaveProperty('deliveryId');
  // The key is the shard the id names, and the sort key the id itself.
  expect(Item).toMatchObject({
    pk: `DELIVERIES#acme#wh_a#${parseDeliveryId(m.deliveryId)?.shard}`,
    sk: m.deliveryId,
  });
});

it('finds a delivery by id only under its own tenant and webhook', async () => {
  const m = message('wh_b', 'evt-2', '2026-11-24T11:00:00Z');
  await write(m, 'succeeded', [attempt(1, 'succeeded', 200)]);
  expect(await log.get('acme', 'wh_b', m.deliveryId)).toBeDefined();
  expect(await log.get('acme', 'wh_other', m.deliveryId)).toBeUndefined();
  expect(await log.get('globex', 'wh_b', m.deliveryId)).toBeUndefined();
  // An id of the old form (or anything else Herald did not issue) names no delivery.
  expect(await log.get('acme', 'wh_b', 'msg_7z-V8ORg--2ekVECk_HfHA')).toBeUndefined();
});

it('queues a delivery again only from the statuses asked, once', async () => {
  const m = message('wh_c', 'evt-3', '2026-11-24T12:00:00Z');
  await write(m, 'failed', [attempt(1, 'failed', 500)]);
  const record = await log.get('acme', 'wh_c', m.deliveryId);
  if (!record) throw new Error('not written');
  const at = new Date().toISOString();
  const results = await Promise.all([
    log.markQueued(record, ['failed'], at),
    log.markQueued(record, ['failed'], at),
  ]);
  expect(results.sort()).toEqual([false, true]);
  expect((await log.get('acme', 'wh_c', m.deliveryId))?.status).toBe('pending');
  await log.unmarkQueued(record);
  expect((await log.get('acme', 'wh_c', m.deliveryId))?.status).toBe('failed');
});

it('pages newest first over every shard, through sparse filters, without losing or repeating a delivery', async () => {
  const ids: string[] = [];
  const failed: string[] = [];
  const renamed: string[] = [];
  for (let i = 0; i < 60; i++) {
    const time = new Date(Date.UTC(2026, 9, 1, 0, i)).toISOString();
    const m = message('wh_d', `evt-d${i}`, time);
    if (i % 7 === 3) {
      m.eventType = 'use_case_name_updated';
      renamed.push(m.deliveryId);
    }
    const fails = i % 13 === 0;
    // Attempted (so created) 1.5 s after the event; the time filters compare created_at.
    const attemptedAt = new Date(Date.parse(time) + 1500).toISOString();
    await write(m, fails ? 'failed' : 'succeeded', [
      attempt(1, fails ? 'failed' : 'succeeded', fails ? 500 : 200, attemptedAt),
    ]);
    ids.push(m.deliveryId);
    if (fails) failed.push(m.deliveryId);
  }
  // One webhook's deliveries, spread over the shards by their ids.
  expect(new Set(ids.map((id) => parseDeliveryId(id)?.shard)).size).toBeGreaterThanOrEqual(
    deliveryLogShards - 2,
  );
  const collect = async (query: {
    status?: DeliveryStatus;
    eventType?: string;
    since?: string;
    until?: string;
  }) => {
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 100; page++) {
      const result = await log.list('acme', 'wh_d', { limit: 2, ...query, ...(after ? { after } : {}) });
      expect(result.items.length).toBeLessThanOrEqual(2);
      seen.push(...result.items.map((r) => r.deliveryId));
      if (!result.next) return seen;
      after = result.next;
    }
    throw new Error('did not end');
  };
  expect(await collect({})).toEqual([...ids].reverse());
  expect(await collect({ status: 'failed' })).toEqual([...failed].reverse());
  expect(await collect({ eventType: 'use_case_name_updated' })).toEqual([...renamed].reverse());
  // A page of 25 is the first 25 of the whole list, then the next 25 from its cursor.
  const first = await log.list('acme', 'wh_d', { limit: 25 });
  expect(first.items.map((r) => r.deliveryId)).toEqual([...ids].reverse().slice(0, 25));
  const second = await log.list('acme', 'wh_d', { limit: 25, after: first.next ?? '' });
  expect(second.items.map((r) => r.deliveryId)).toEqual([...ids].reverse().slice(25, 50));
  expect(await collect({ since: '2026-10-01T00:10:01.500Z', until: '2026-10-01T00:12:01.500Z' })).toEqual(
    ids.slice(10, 13).reverse(),
  );
  // To the millisecond: the event times alone (whole minutes) would have taken 10 and 11 only.
  expect(await collect({ since: '2026-10-01T00:10:01.501Z', until: '2026-10-01T00:12:01.499Z' })).toEqual(
    ids.slice(11, 12),
  );
  expect(await collect({ status: 'failed', since: '2026-10-01T00:13:00Z' })).toEqual(
    failed.slice(1).reverse(),
  );
});

it('filters on created_at for a delivery with no attempt yet, and for one whose event is much older', async () => {
  // Logged as pending before any attempt (a test event): created when it was written.
  const pending = message('wh_e', 'evt-e1', '2026-11-24T12:00:00Z');
  await log.record({
    message: pending,
    status: 'pending',
    attempt: null,
    error: null,
    nextAttemptAt: '2026-11-24T12:00:00.250Z',
    at: '2026-11-24T12:00:00.250Z',
  });
  // An event from a month before, replayed from the archive and attempted now.
  const replayed = message('wh_e', 'evt-e2', '2026-10-24T12:00:00Z');
  await write(replayed, 'failed', [attempt(1, 'failed', 500, '2026-11-24T12:00:01.125Z')]);
  const since = async (time: string) =>
    (await log.list('acme', 'wh_e', { limit: 10, since: time })).items.map((r) => r.deliveryId);
  expect(await since('2026-11-24T12:00:00.250Z')).toEqual([pending.deliveryId, replayed.deliveryId]);
  expect(await since('2026-11-24T12:00:00.251Z')).toEqual([replayed.deliveryId]);
  expect(await since('2026-11-24T12:00:01.126Z')).toEqual([]);
});

/** Bytes of an item by DynamoDB's rules ("Item sizes and formats" in the developer guide). */
function itemBytes(value: unknown): number {
  const attributes = (o: object) =>
    Object.entries(o).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + valueBytes(v), 0);
  const valueBytes = (v: unknown): number => {
    if (v === null || typeof v === 'boolean') return 1;
    if (typeof v === 'string') return Buffer.byteLength(v);
    if (typeof v === 'number') {
      const digits = String(Math.abs(v)).replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
      return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
    }
    if (Array.isArray(v)) return 3 + v.reduce((sum: number, e) => sum + 1 + valueBytes(e), 0);
    if (typeof v === 'object' && v) return 3 + Object.keys(v).length + attributes(v);
    throw new Error(`no size for ${typeof v}`);
  };
  if (typeof value !== 'object' || value === null) throw new Error('not an item');
  return attributes(value);
}

it('keeps a typical delivery (450 bytes of data, delivered at once) in one write unit', async () => {
  // The catalog's review event padded to 450 bytes of JSON, the middle of the 300-600 typical.
  const base = message('wh_size', 'evt_01k9x7m2q4r8t6v0w3y5z7b9d1', '2026-11-24T10:00:00Z');
  const pad = 450 - Buffer.byteLength(JSON.stringify({ ...base.data, comment: '' }));
  const m = { ...base, data: { ...base.data, comment: 'x'.repeat(pad) } };
  expect(Buffer.byteLength(JSON.stringify(m.data))).toBe(450);
  await log.record({
    message: m,
    status: 'succeeded',
    attempt: {
      ...attempt(1, 'succeeded', 200, '2026-11-24T10:00:00.143Z'),
      durationMs: 143,
      responseExcerpt: 'x'.repeat(successExcerptBytes),
    },
    error: null,
    nextAttemptAt: null,
    at: '2026-11-24T10:00:00.143Z',
  });
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: deliveryKeys.of('acme', 'wh_size', m.deliveryId) }),
  );
  if (!Item) throw new Error('not written');
  const bytes = itemBytes(Item);
  expect(bytes).toBeLessThanOrEqual(1024);
  // DynamoDB Local agrees: writing the same item takes one unit.
  const put = await table.client.send(
    new PutCommand({ TableName: table.tableName, Item, ReturnConsumedCapacity: 'TOTAL' }),
  );
  expect(put.ConsumedCapacity?.CapacityUnits).toBe(1);
});
