import fc from 'fast-check';
import {
  deliveryIdFor,
  deliveryIdPattern,
  deliveryLogShards,
  parseDeliveryId,
} from '../../functions/domain/delivery-id';
import { decodeCursor, encodeCursor } from '../../functions/domain/delivery-log';
import { newId, timeOrderedId, timeOrderedIdsAt } from '../../functions/domain/ids';
import { mergeShards, type ShardRead } from '../../functions/domain/shard-merge';

const eventId = '6a7e8feb-b491-4cf7-a9f1-bf3703467718';
const webhookId = 'wh_01k2abcdefghjkmnpqrstvwxyz';
const time = '2026-11-24T10:00:00Z';

describe('deliveryIdFor', () => {
  it('gives the same webhook-id every time for the same event and webhook (retries, replays, recovery)', () => {
    expect(deliveryIdFor(eventId, webhookId, time)).toBe(deliveryIdFor(eventId, webhookId, time));
    // The same instant however the time is written.
    expect(deliveryIdFor(eventId, webhookId, '2026-11-24T12:00:00.000+02:00')).toBe(
      deliveryIdFor(eventId, webhookId, time),
    );
  });

  it('is a msg_ id of 26 base32 characters', () => {
    expect(deliveryIdFor(eventId, webhookId, time)).toMatch(deliveryIdPattern);
    expect(deliveryIdFor(eventId, webhookId, time)).toHaveLength(30);
  });

  it('differs per webhook and per event', () => {
    const ids = new Set([
      deliveryIdFor(eventId, webhookId, time),
      deliveryIdFor(eventId, 'wh_01k2abcdefghjkmnpqrstvwxy0', time),
      deliveryIdFor('evt_2', webhookId, time),
      // The separator keeps ("ab", "c") and ("a", "bc") apart.
      deliveryIdFor('ab', 'c', time),
      deliveryIdFor('a', 'bc', time),
    ]);
    expect(ids.size).toBe(5);
  });

  it('is pinned, so a redeploy keeps the ids receivers already saw and the keys the log has', () => {
    // 2026-11-24T10:00:00Z in 48 bits of ms, then the first 10 bytes of SHA-256("evt_1\0wh_1").
    expect(deliveryIdFor('evt_1', 'wh_1', time)).toBe('msg_06h0szvx03qkz5fgwhgfqvcyj4');
    expect(parseDeliveryId('msg_06h0szvx03qkz5fgwhgfqvcyj4')?.timeMs).toBe(Date.parse(time));
  });

  it('sorts by event time to the millisecond, as the log lists', () => {
    const times = [
      '2026-11-24T10:00:00.001Z',
      '2026-11-24T10:00:00.002Z',
      '2027-01-01T00:00:00Z',
      '2099-12-31T23:59:59.999Z',
    ];
    const ids = times.map((t, i) => deliveryIdFor(`evt_${9 - i}`, webhookId, t));
    expect([...ids].sort()).toEqual(ids);
  });

  it('counts a time before 1970 as 1970, still deterministic', () => {
    const id = deliveryIdFor(eventId, webhookId, '1969-07-20T20:17:40Z');
    expect(parseDeliveryId(id)?.timeMs).toBe(0);
    expect(deliveryIdFor(eventId, webhookId, '1969-07-20T20:17:40Z')).toBe(id);
  });
});

describe('parseDeliveryId', () => {
  it('gives back the event time and a shard from the id alone', () => {
    const id = deliveryIdFor(eventId, webhookId, '2026-11-24T10:00:00.123Z');
    const parts = parseDeliveryId(id);
    expect(parts?.timeMs).toBe(Date.parse('2026-11-24T10:00:00.123Z'));
    expect(parts?.shard).toBeGreaterThanOrEqual(0);
    expect(parts?.shard).toBeLessThan(deliveryLogShards);
  });

  it('puts the same event and webhook in the same shard whatever the event time', () => {
    // The shard comes from the hash alone: a second publish of an event does not move its key's shard.
    const shards = new Set(
      ['2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z', '2030-01-01T00:00:00Z'].map(
        (t) => parseDeliveryId(deliveryIdFor(eventId, webhookId, t))?.shard,
      ),
    );
    expect(shards.size).toBe(1);
  });

  it('spreads 100,000 deliveries over the shards within 3% of even', () => {
    const counts = new Array<number>(deliveryLogShards).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const shard = parseDeliveryId(deliveryIdFor(`evt_${i}`, webhookId, time))?.shard ?? -1;
      counts[shard] = (counts[shard] ?? 0) + 1;
    }
    const even = n / deliveryLogShards;
    for (const count of counts) expect(Math.abs(count - even) / even).toBeLessThan(0.03);
  });

  it.each([
    ['an old-style id (base64url hash only)', 'msg_7z-V8ORg--2ekVECk_HfHA'],
    ['another prefix', 'wh_06h0szvx03qkz5fgwhgfqvcyj4'],
    ['a letter Crockford leaves out', 'msg_06h0szvx03qkz5fgwhgfqvcyji'],
    ['upper case', 'msg_06H0SZVX03QKZ5FGWHGFQVCYJ4'],
    ['one character short', 'msg_06h0szvx03qkz5fgwhgfqvcyj'],
    ['padding bits set in the last character', 'msg_06h0szvx03qkz5fgwhgfqvcyj5'],
    ['a key expression', 'msg_06h0szvx03qkz5fgwhgf#vcyj4'],
  ])('refuses %s', (_, id) => {
    expect(parseDeliveryId(id)).toBeUndefined();
  });

  it('reads the ids other Herald ids are made like only with the msg_ prefix', () => {
    expect(parseDeliveryId(newId('msg'))).toBeDefined();
  });
});

describe('list cursors', () => {
  it('round-trip a delivery id and refuse anything else', () => {
    const id = deliveryIdFor(eventId, webhookId, time);
    expect(decodeCursor(encodeCursor(id))).toBe(id);
    expect(decodeCursor(encodeCursor(`2026-11-24T10:00:00.000Z#${id}`))).toBeUndefined();
    expect(decodeCursor('not a cursor!')).toBeUndefined();
  });
});

describe('mergeShards', () => {
  /** In-memory shards of sort keys, read as the DynamoDB adapter reads them: below a key, newest first. */
  function shardsOf(keys: string[], shards: number, keep: (key: string) => boolean = () => true) {
    const stores = Array.from({ length: shards }, () => [] as string[]);
    for (const key of keys) stores[parseDeliveryId(key)?.shard ?? 0]?.push(key);
    for (const store of stores) store.sort().reverse();
    const reads: number[] = [];
    const read = async (
      shard: number,
      below: string | undefined,
      limit: number,
    ): Promise<ShardRead<string>> => {
      reads.push(shard);
      const rest = (stores[shard] ?? []).filter((k) => below === undefined || k < below);
      const examined = rest.slice(0, limit);
      const last = examined[examined.length - 1];
      return rest.length > limit && last !== undefined
        ? { items: examined.filter(keep), lastRead: last }
        : { items: examined.filter(keep) };
    };
    return { read, reads };
  }

  const keys = Array.from({ length: 500 }, (_, i) =>
    deliveryIdFor(
      `evt_${i}`,
      webhookId,
      new Date(Date.parse(time) + ((i * 7919) % 1000) * 1000).toISOString(),
    ),
  );

  /** Every page, following cursors, as a client would. */
  async function pages(input: Omit<Parameters<typeof mergeShards<string>>[0], 'after'>) {
    const seen: string[][] = [];
    let after: string | undefined;
    do {
      const page = await mergeShards({ ...input, ...(after ? { after } : {}) });
      seen.push(page.items);
      after = page.next;
    } while (after && seen.length < 1000);
    return seen;
  }

  it.each([1, 7, 50, 100])('pages of %i equal pages of one sorted list', async (limit) => {
    const { read } = shardsOf(keys, deliveryLogShards);
    const got = await pages({
      shards: deliveryLogShards,
      read,
      sortKey: (k) => k,
      limit,
      perRead: 5,
    });
    const sorted = [...keys].sort().reverse();
    expect(got.flat()).toEqual(sorted);
    for (const page of got.slice(0, -1)) expect(page).toHaveLength(limit);
    expect(got[0]).toEqual(sorted.slice(0, limit));
  });

  it('keeps the order and misses nothing under a sparse filter that runs out of reads', async () => {
    const wanted = new Set(keys.filter((_, i) => i % 37 === 0));
    const { read } = shardsOf(keys, deliveryLogShards, (k) => wanted.has(k));
    const got = await pages({
      shards: deliveryLogShards,
      read,
      sortKey: (k) => k,
      limit: 5,
      perRead: 2,
      maxExamined: 40,
    });
    expect(got.flat()).toEqual([...wanted].sort().reverse());
    // Some pages stop short, with a cursor: the reads ran out before five matches.
    expect(got.some((page, i) => page.length < 5 && i < got.length - 1)).toBe(true);
  });

  it('reads each shard once for a first page that one read a shard fills', async () => {
    const { read, reads } = shardsOf(keys, deliveryLogShards);
    const page = await mergeShards({
      shards: deliveryLogShards,
      read,
      sortKey: (k) => k,
      limit: 10,
      perRead: 20,
    });
    expect(page.items).toHaveLength(10);
    expect(reads.sort((a, b) => a - b)).toEqual([...Array(deliveryLogShards).keys()]);
  });

  it('ends without a cursor when every shard is read to its end', async () => {
    const few = keys.slice(0, 3);
    const { read } = shardsOf(few, deliveryLogShards);
    const page = await mergeShards({
      shards: deliveryLogShards,
      read,
      sortKey: (k) => k,
      limit: 10,
      perRead: 5,
    });
    expect(page).toEqual({ items: [...few].sort().reverse() });
  });
});

describe('timeOrderedIdsAt, the encoder delivery ids use', () => {
  it('writes what timeOrderedId writes for the same time and tail, at every bit position', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1, max: 2 ** 48 + 5 }),
        fc.uint8Array({ minLength: 10, maxLength: 10 }),
        (ms, tail) => {
          const hex = Buffer.from(tail).toString('hex');
          expect(timeOrderedIdsAt('msg', ms)(hex)).toBe(timeOrderedId('msg', ms, tail));
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
