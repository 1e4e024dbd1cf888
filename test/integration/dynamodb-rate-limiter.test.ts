import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbRateLimiter } from '../../functions/adapters/aws/dynamodb-rate-limiter';
import { freshTable, mostOverRate } from '../helpers';

/**
 * The webhook rate limit's bucket on DynamoDB Local: takers in separate "containers" (each its
 * own limiter, with its own guesses) share one item, and its conditional writes never let more
 * through than the bucket holds.
 */
let table: Awaited<ReturnType<typeof freshTable>>;

beforeAll(async () => {
  table = await freshTable();
});

afterAll(() => table.raw.destroy());

const t0 = Date.parse('2026-11-27T20:00:00Z');
const containers = (n: number) =>
  Array.from({ length: n }, () => new DynamoDbRateLimiter(table.client, table.tableName));

it('lets exactly the capacity through to concurrent takers in separate containers, and tells the rest how long to wait', async () => {
  const takers = containers(8);
  const results = await Promise.all(
    takers.flatMap((limiter) => [1, 2].map(() => limiter.take('acme', 'wh_burst', 5, new Date(t0)))),
  );
  expect(results.filter((r) => r.allowed)).toHaveLength(5);
  for (const r of results) if (!r.allowed) expect(r.waitMs).toBeGreaterThan(0);
  for (const r of results) if (!r.allowed) expect(r.waitMs).toBeLessThanOrEqual(200);
});

it('two concurrent takers of a one-token bucket: exactly one wins, at every instant', async () => {
  const [a, b] = containers(2);
  if (!a || !b) throw new Error('two containers');
  for (let i = 0; i < 10; i++) {
    const at = new Date(t0 + i * 1000);
    const results = await Promise.all([a.take('acme', 'wh_pair', 1, at), b.take('acme', 'wh_pair', 1, at)]);
    expect(results.filter((r) => r.allowed)).toHaveLength(1);
  }
});

it('under steady demand from several containers lets through at most capacity + rate × t in any stretch of t seconds', async () => {
  const perSecond = 5;
  const takers = containers(4);
  const granted: number[] = [];
  // Every 50 ms of bucket time for 3 s, each container tries twice at once.
  for (let ms = 0; ms < 3000; ms += 50) {
    const at = new Date(t0 + ms);
    const results = await Promise.all(
      takers.flatMap((limiter) => [1, 2].map(() => limiter.take('acme', 'wh_steady', perSecond, at))),
    );
    for (const r of results) if (r.allowed) granted.push(ms);
  }
  expect(mostOverRate(granted, perSecond)).toBeLessThanOrEqual(1e-6);
  // Demand was 160/s: the bucket gave its burst and its refill, give or take the lost races.
  expect(granted.length).toBeGreaterThanOrEqual(perSecond + perSecond * 2.95 - 2);
});

it('keeps one small item per webhook beside it, forgotten by TTL an hour after its last take', async () => {
  const [limiter] = containers(1);
  await limiter?.take('acme', 'wh_item', 10, new Date(t0));
  const { Item } = await table.client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: { pk: 'TENANT#acme', sk: 'RATE#wh_item' },
      ConsistentRead: true,
    }),
  );
  expect(Item).toEqual({
    pk: 'TENANT#acme',
    sk: 'RATE#wh_item',
    fullAt: t0 + 100,
    expiresAt: t0 / 1000 + 3600,
  });
});

it('buckets of different webhooks do not share tokens', async () => {
  const [limiter] = containers(1);
  if (!limiter) throw new Error('a container');
  const at = new Date(t0);
  expect((await limiter.take('acme', 'wh_one', 1, at)).allowed).toBe(true);
  expect((await limiter.take('acme', 'wh_two', 1, at)).allowed).toBe(true);
  expect((await limiter.take('acme', 'wh_one', 1, at)).allowed).toBe(false);
});

it('takes with one write when its guess is right, and learns the stored bucket from a failed write without a read', async () => {
  const [warm, cold] = containers(2);
  if (!warm || !cold) throw new Error('two containers');
  const sends = jest.spyOn(table.client, 'send');
  const at = new Date(t0);
  try {
    // A bucket never used: the first guess (full) is right.
    await warm.take('acme', 'wh_writes', 2, at);
    expect(sends).toHaveBeenCalledTimes(1);
    // This container saw the bucket partly spent: its guess is right again.
    await warm.take('acme', 'wh_writes', 2, at);
    expect(sends).toHaveBeenCalledTimes(2);
    // Another container guesses full, is wrong, and reads from the failure that the bucket is empty.
    expect(await cold.take('acme', 'wh_writes', 2, at)).toEqual({ allowed: false, waitMs: 500 });
    expect(sends).toHaveBeenCalledTimes(3);
  } finally {
    sends.mockRestore();
  }
});
