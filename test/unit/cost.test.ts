import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbDeliveryLog } from '../../functions/adapters/aws/dynamodb-delivery-log';
import { successExcerptBytes } from '../../functions/domain/delivery-log';
import { findEventType } from '../../functions/domain/event-catalog';
import { newId } from '../../functions/domain/ids';
import { assumed, lines, load, low, shapes, tables, total, usd } from '../../scripts/cost';
import { deliveryMessage, freshTable } from '../helpers';

/** Bytes of a value by DynamoDB's rules ("Item sizes and formats" in its developer guide). */
function valueBytes(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') {
    // 1 byte, and 1 per two significant digits.
    const digits = String(Math.abs(value)).replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    return 1 + Math.ceil(Math.max(digits.length, 1) / 2);
  }
  // Lists and maps: 3 bytes, and 1 per element beside its size (a map's with its name).
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueBytes(v), 0);
  if (typeof value === 'object') {
    return (
      3 +
      Object.entries(value).reduce((sum, [name, v]) => sum + 1 + Buffer.byteLength(name) + valueBytes(v), 0)
    );
  }
  throw new Error(`no DynamoDB size for ${typeof value}`);
}

function itemBytes(item: Readonly<Record<string, unknown>>): number {
  return Object.entries(item).reduce((sum, [name, v]) => sum + Buffer.byteLength(name) + valueBytes(v), 0);
}

describe("DynamoDB's item size rules, as the test applies them", () => {
  it.each([
    ['a string', 'ab', 2],
    ['a two-byte character', 'é', 2],
    ['null', null, 1],
    ['a four-digit number', 1234, 3],
    ['a map of one string', { a: 'bc' }, 3 + 1 + 1 + 2],
    ['a list of one string', ['ab'], 3 + 1 + 2],
  ])('sizes %s', (_, value, bytes) => {
    expect(valueBytes(value)).toBe(bytes);
  });
});

describe('the delivery log item', () => {
  /** The catalog's example data of the review event, padded to the model's typical size. */
  function typicalData(): Record<string, unknown> {
    const example = { ...(findEventType('use_case_review_status_updated')?.example ?? {}) };
    const padding = assumed.dataBytes - JSON.stringify(example).length - ',"comment":""'.length;
    return { ...example, comment: 'x'.repeat(padding) };
  }

  it('fits the write units the model assumes, written through the real log store on DynamoDB Local', async () => {
    const { client, tableName } = await freshTable();
    const now = new Date('2026-11-24T10:00:00.143Z');
    const data = typicalData();
    expect(JSON.stringify(data)).toHaveLength(assumed.dataBytes);
    const message = deliveryMessage({
      eventId: newId('evt', now),
      webhookId: newId('wh', now),
      eventType: 'use_case_review_status_updated',
      time: '2026-11-24T10:00:00Z',
      data,
      tenant: 'acme-corp',
      origin: 'event',
    });
    await new DynamoDbDeliveryLog(client, tableName, 30 * 86_400).record({
      message,
      status: 'succeeded',
      // A receiver answering more than a success keeps: the longest item a success writes.
      attempt: {
        attempt: 1,
        time: now.toISOString(),
        outcome: 'succeeded',
        statusCode: 200,
        durationMs: 143,
        error: null,
        responseExcerpt: 'r'.repeat(successExcerptBytes),
        origin: 'event',
      },
      error: null,
      nextAttemptAt: null,
      at: now.toISOString(),
    });

    // The only item of a fresh table: found whatever its key scheme.
    const { Items = [] } = await client.send(new ScanCommand({ TableName: tableName }));
    expect(Items).toHaveLength(1);
    const item = Items[0] ?? {};
    const bytes = itemBytes(item);
    expect(bytes).toBeLessThanOrEqual(assumed.logItemBytes);
    // The model's figure is an upper bound that stays close: re-measure it when the item shrinks.
    expect(bytes).toBeGreaterThan(assumed.logItemBytes - 200);

    // DynamoDB Local's own count agrees: writing the same item again costs the table the unit the
    // model charges (an index entry, while the byDeliveryId index exists, is counted apart).
    const again = await client.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...item, pk: `${String(item.pk)}-copy` },
        ReturnConsumedCapacity: 'INDEXES',
      }),
    );
    const modelled = lines(load).find((l) => l.what.startsWith('log UpdateItem'))?.perDelivery;
    expect(again.ConsumedCapacity?.Table?.CapacityUnits).toBe(modelled);
    expect(modelled).toBe(1);
  });
});

describe('the model', () => {
  it('divides per-event lines by the subscribers and keeps per-delivery lines', () => {
    const ten = { ...load, subscribers: 10 };
    const cost = (s: typeof load, what: string) => {
      const line = lines(s).find((l) => l.what === what);
      if (!line) throw new Error(`no line ${what}`);
      return usd(line, s);
    };
    for (const line of lines(load)) {
      // SendMessageBatch is per ten messages, not per event (next test).
      if (line.what === 'SendMessageBatch') continue;
      const share = line.perEvent > 0 ? 0.1 : 1;
      expect([line.what, cost(ten, line.what)]).toEqual([
        line.what,
        expect.closeTo(cost(load, line.what) * share, 10),
      ]);
    }
  });

  it('sends one SendMessageBatch per ten messages, across the events of a routed batch', () => {
    const sends = (s: typeof load) => lines(s).find((l) => l.what === 'SendMessageBatch')?.perEvent;
    expect(sends({ ...load, subscribers: 25 })).toBe(3);
    expect(sends(shapes.queued)).toBeCloseTo(0.1, 10);
    expect(sends({ ...shapes.queued, subscribers: 10 })).toBe(1);
  });

  it('makes every delivery an invocation, a receive and a delete at low traffic', () => {
    const perDelivery = (what: string) => lines(low).find((l) => l.what.startsWith(what))?.perDelivery;
    expect(perDelivery('delivery requests')).toBe(1);
    expect(perDelivery('ReceiveMessage')).toBe(2);
    expect(total(low)).toBeGreaterThan(total(load));
  });

  // docs/cost.md quotes the script's tables as printed: this keeps them from drifting apart.
  it('prints the tables docs/cost.md quotes', () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'cost.md'), 'utf8');
    for (const [name, table] of Object.entries(tables())) {
      expect([name, doc.includes(`<!-- cost.ts: ${name} -->\n${table}\n`)]).toEqual([name, true]);
    }
  });
});
