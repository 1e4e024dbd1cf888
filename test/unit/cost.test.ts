import { DeleteCommand, GetCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { successExcerptBytes } from '../../functions/domain/delivery-log';
import {
  apiCost,
  applyUpdate,
  byService,
  catalogItemSizes,
  cost,
  defaultParameters,
  deliveryCost,
  deliveryIndexBytes,
  deliveryLogItem,
  deliveryLogUpdates,
  eventData,
  failedAttemptCost,
  failingLogItem,
  itemBytes,
  largestOneUnitData,
  largestOneUnitExcerpt,
  leanParameters,
  logBytesAt,
  prices,
  readUnits,
  type Scenario,
  scenarios,
  split,
  subscribersForTarget,
  topLines,
  total,
  typicalLogItem,
  valueBytes,
  writeUnits,
} from '../../scripts/cost';
import { freshTable } from '../helpers';

const line = (lines: ReturnType<typeof deliveryCost>, what: string) => {
  const found = lines.find((l) => l.what.startsWith(what));
  if (!found) throw new Error(`no line "${what}"`);
  return found;
};

describe('DynamoDB sizes', () => {
  it.each([
    ['a one-byte string', 'a', 1],
    ['a two-byte character', 'é', 2],
    ['null', null, 1],
    ['a boolean', true, 1],
    ['a one-digit number', 200, 2],
    ['a four-digit number', 1234, 3],
    ['a map of one string', { a: 'bc' }, 3 + 1 + 1 + 2],
    ['a list of one string', ['ab'], 3 + 1 + 2],
  ])('sizes %s', (_, value, bytes) => {
    expect(valueBytes(value)).toBe(bytes);
  });

  it('counts attribute names in an item', () => {
    expect(itemBytes({ pk: 'ab', n: 7 })).toBe(2 + 2 + 1 + 2);
  });

  it('rounds writes up per KB and reads per 4 KB, halving eventually consistent reads', () => {
    expect([writeUnits(1), writeUnits(1024), writeUnits(1025)]).toEqual([1, 1, 2]);
    expect([readUnits(4096, false), readUnits(4096, true), readUnits(4097, true)]).toEqual([0.5, 1, 2]);
  });

  it('builds the item from what DynamoDbDeliveryLog.record writes, without what the keys hold', () => {
    const item = typicalLogItem(450, defaultParameters.excerptBytes);
    expect(Object.keys(item).sort()).toEqual(
      [
        'attempts',
        'data',
        'environment',
        'eventId',
        'eventType',
        'expiresAt',
        'gsi1pk',
        'pk',
        'sk',
        'source',
        'status',
        'time',
        'updatedAt',
      ].sort(),
    );
    // The index key is the delivery id alone, the one the sort key ends with.
    expect(item.gsi1pk).toMatch(/^msg_[\w-]{22}$/);
    expect(item.sk).toMatch(new RegExp(`#${item.gsi1pk}$`));
    expect(deliveryIndexBytes(item)).toBe(137);
  });

  it('removes nextAttemptAt once nothing is scheduled, and keeps it while a retry is', () => {
    const data = eventData(450);
    expect(failingLogItem(defaultParameters, 1)).toHaveProperty('nextAttemptAt');
    const recovered = deliveryLogItem({ data, excerptBytes: 64, failures: 1, failureExcerptBytes: 100 });
    expect(recovered).not.toHaveProperty('nextAttemptAt');
    expect(recovered.attempts).toHaveLength(2);
  });

  it('keeps at most successExcerptBytes of a success and 512 bytes of a failure', () => {
    expect(defaultParameters.excerptBytes).toBe(successExcerptBytes);
    expect(successExcerptBytes).toBe(64);
    const excerpt = (item: Record<string, unknown>) =>
      (item.attempts as Array<{ responseExcerpt: string }>).map((a) => a.responseExcerpt.length);
    expect(excerpt(typicalLogItem(450, 2000))).toEqual([64]);
    expect(excerpt(typicalLogItem(450, 20))).toEqual([20]);
    expect(
      excerpt(
        deliveryLogItem({ data: eventData(450), excerptBytes: 2000, failures: 1, failureExcerptBytes: 2000 }),
      ),
    ).toEqual([512, 64]);
  });

  it('refuses an update form it does not model', () => {
    expect(() => applyUpdate({}, { Key: { pk: 'a' }, UpdateExpression: 'ADD n :one' })).toThrow(
      /not modelled/,
    );
    expect(() =>
      applyUpdate(
        {},
        { Key: { pk: 'a' }, UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: {} },
      ),
    ).toThrow(/not modelled/);
  });

  it('puts the typical item, and every catalog example, in one write unit', () => {
    expect(itemBytes(typicalLogItem(450, defaultParameters.excerptBytes))).toBe(955);
    expect(largestOneUnitData(defaultParameters)).toBe(519);
    // The whole of the success cap fits at 450 bytes of data.
    expect(largestOneUnitExcerpt(defaultParameters)).toBe(successExcerptBytes);
    expect(largestOneUnitData({ ...defaultParameters, excerptBytes: 20 })).toBe(563);
    for (const c of catalogItemSizes(defaultParameters.excerptBytes)) expect(writeUnits(c.itemBytes)).toBe(1);
  });

  // DynamoDB Local computes consumed capacity by the same size rules: the model's item, and its
  // write units at the 1 KB boundary, are checked against what the table stores and reports.
  it('agrees with DynamoDB Local on the item and its write units', async () => {
    const { client, tableName } = await freshTable();
    const cases = [
      {
        data: eventData(largestOneUnitData(defaultParameters)),
        excerptBytes: defaultParameters.excerptBytes,
      },
      {
        data: eventData(largestOneUnitData(defaultParameters) + 1),
        excerptBytes: defaultParameters.excerptBytes,
      },
      { data: eventData(450), excerptBytes: 64, failures: 2, failureExcerptBytes: 100 },
      { data: eventData(450), excerptBytes: 64, failures: 1, failureExcerptBytes: 100, succeeded: false },
    ];
    const units: Array<number | undefined> = [];
    for (const history of cases) {
      let consumed: { table?: number; index?: number } = {};
      for (const update of deliveryLogUpdates(history)) {
        const out = await client.send(
          new UpdateCommand({
            ...(update as UpdateCommandInput),
            TableName: tableName,
            ReturnConsumedCapacity: 'INDEXES',
          }),
        );
        consumed = {
          table: out.ConsumedCapacity?.Table?.CapacityUnits,
          index: out.ConsumedCapacity?.GlobalSecondaryIndexes?.byDeliveryId?.CapacityUnits,
        };
      }
      const model = deliveryLogItem(history);
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: { pk: model.pk, sk: model.sk } }),
      );
      expect(Item).toEqual(model);
      expect(consumed.table).toBe(writeUnits(itemBytes(model)));
      units.push(consumed.table);
      // The cases share the sample's keys: start each from nothing.
      await client.send(new DeleteCommand({ TableName: tableName, Key: { pk: model.pk, sk: model.sk } }));
    }
    // 1 WRU up to the largest data, 2 from one byte more, 2 for the grown items of the failure path.
    expect(units).toEqual([1, 2, 2, 2]);
  });
});

describe('log bytes', () => {
  it('keeps the EMF lines at every level: Lambda filters at INFO, the level applies to Herald lines only', () => {
    const lines = { debug: 664, info: 489, emf: 237 };
    expect(logBytesAt('DEBUG', lines)).toBe(664 + 26 + 489 + 26 + 237 + 26);
    expect(logBytesAt('INFO', lines)).toBe(489 + 26 + 237 + 26);
    expect(logBytesAt('WARN', lines)).toBe(237 + 26);
    expect(logBytesAt('ERROR', lines)).toBe(237 + 26);
  });
});

describe('a million deliveries', () => {
  const one = deliveryCost({ ...defaultParameters, subscribers: 1 }, scenarios.load);
  const ten = deliveryCost({ ...defaultParameters, subscribers: 10 }, scenarios.load);

  it('prices a quantity by its unit', () => {
    expect(cost(1_000_000, prices.sqsRequest)).toBeCloseTo(0.4, 10);
    expect(cost(2e9, prices.logsIngestion)).toBeCloseTo(1, 10);
  });

  it('adds up its lines, by line and by service', () => {
    const sum = one.reduce((s, l) => s + l.usd, 0);
    expect(total(one)).toBeCloseTo(sum, 10);
    expect(byService(one).reduce((s, [, v]) => s + v, 0)).toBeCloseTo(sum, 10);
  });

  it('divides per-event lines by the subscribers and keeps per-delivery lines', () => {
    for (const what of [
      'custom events',
      'router requests',
      'SendMessageBatch',
      'route Query',
      'router logs',
    ]) {
      expect(line(ten, what).usd).toBeCloseTo(line(one, what).usd / 10, 10);
    }
    for (const what of ['delivery log UpdateItem', 'byDeliveryId', 'delivery requests', 'ReceiveMessage']) {
      expect(line(ten, what).usd).toBeCloseTo(line(one, what).usd, 10);
    }
  });

  it('sends one SendMessageBatch per ten subscribers of an event', () => {
    const requests = (subscribers: number) =>
      line(deliveryCost({ ...defaultParameters, subscribers }, scenarios.load), 'SendMessageBatch').usd /
      (prices.sqsRequest.usd / prices.sqsRequest.per);
    expect(requests(1)).toBeCloseTo(1_000_000, 3);
    expect(requests(10)).toBeCloseTo(100_000, 3);
    expect(requests(25)).toBeCloseTo((1_000_000 / 25) * 3, 3);
  });

  it('receives and deletes once per SQS batch', () => {
    const low = deliveryCost(defaultParameters, scenarios.low);
    expect(line(low, 'ReceiveMessage').usd).toBeCloseTo(0.4, 10);
    expect(line(one, 'ReceiveMessage').usd).toBeCloseTo(0.04, 10);
    expect(line(one, 'DeleteMessageBatch').usd).toBeCloseTo(0.04, 10);
  });

  it('writes one unit for the log item and one for its index entry', () => {
    expect(line(one, 'delivery log UpdateItem').usd).toBeCloseTo(0.625, 10);
    expect(line(one, 'byDeliveryId').usd).toBeCloseTo(0.625, 10);
  });

  // docs/cost.md quotes these: change the document with the model.
  it('gives the figures docs/cost.md quotes', () => {
    const figure = (subscribers: number, s: Scenario = scenarios.load, p = defaultParameters) =>
      total(deliveryCost({ ...p, subscribers }, s)).toFixed(2);
    expect(figure(1)).toBe('4.50');
    expect(figure(10)).toBe('2.46');
    expect(figure(1, scenarios.low)).toBe('11.00');
    expect(figure(10, scenarios.low)).toBe('4.68');
    expect(figure(1, scenarios.load, leanParameters(defaultParameters))).toBe('4.04');
    expect(figure(10, scenarios.load, leanParameters(defaultParameters))).toBe('2.22');
    const { perDelivery, perEvent } = split(defaultParameters, scenarios.load);
    expect([perDelivery.toFixed(2), perEvent.toFixed(2)]).toEqual(['2.23', '2.27']);
    expect(subscribersForTarget(defaultParameters, scenarios.load, 2.5)).toBe(9);
    expect(subscribersForTarget(leanParameters(defaultParameters), scenarios.load, 2.5)).toBe(5);
    expect(subscribersForTarget(defaultParameters, scenarios.low, 2.5)).toBeUndefined();
    expect(topLines(one).map((l) => l.what.split(' (')[0])).toEqual([
      'custom events',
      'delivery log UpdateItem',
      'byDeliveryId index write',
    ]);
  });

  it('goes over the target at ten subscribers once the item needs two write units', () => {
    const over = (p: Partial<typeof defaultParameters>) =>
      total(deliveryCost({ ...defaultParameters, subscribers: 10, ...p }, scenarios.load));
    expect(over({})).toBeLessThan(2.5);
    expect(over({ dataBytes: 600 })).toBeGreaterThan(2.5);
    // A success keeps at most 64 bytes, which the figures assume: a longer answer changes nothing.
    expect(over({ excerptBytes: 512 })).toBeCloseTo(over({}), 10);
  });

  it('keeps the metrics at WARN, which drops the "batch" line only', () => {
    const warn = deliveryCost({ ...defaultParameters, logLevel: 'WARN' }, scenarios.load);
    expect(line(warn, 'router logs').usd).toBeCloseTo(line(one, 'router logs').usd, 10);
    expect(line(one, 'delivery logs').usd - line(warn, 'delivery logs').usd).toBeCloseTo(
      (100_000 * (489 + 26) * 0.5) / 1e9,
      10,
    );
  });

  it('traces the API stage only with herald.tracing', () => {
    const xray = (tracing: boolean) =>
      apiCost({ ...defaultParameters, tracing }, 0.01, 0.05).filter((l) => l.service === 'X-Ray');
    expect(xray(true)).toHaveLength(1);
    expect(xray(false)).toHaveLength(0);
  });

  it('charges a timed-out attempt mostly for the Lambda time spent waiting', () => {
    const timeouts = failedAttemptCost(defaultParameters, scenarios.low, 15_000, 1);
    const waiting = line(timeouts, 'duration').usd;
    expect(waiting).toBeGreaterThan(0.9 * total(timeouts));
  });
});
