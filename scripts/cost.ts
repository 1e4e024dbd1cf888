/**
 * What a million deliveries cost, as docs/cost.md quotes it: a price list, a table of the units one
 * event and one delivery use (each with why and where in the code), multiplied out.
 * `npx tsx scripts/cost.ts` prints the tables; test/unit/cost.test.ts checks that docs/cost.md holds
 * them as printed, and measures the log item on DynamoDB Local against {@link assumed}.
 */

const million = 1e6;
/** A GB as AWS bills it here: 10^9 bytes (a GiB-metered line is then overstated by 7%). */
const gb = 1e9;

export interface Price {
  readonly usd: number;
  readonly per: number;
  readonly unit: string;
  readonly source: string;
}

const read = 'read 2026-11-24';
const at = (page: string) => `https://aws.amazon.com/${page}/pricing/ (${read})`;

/** us-east-1 list prices, without free tiers. */
export const prices = {
  event: { usd: 1, per: million, unit: 'custom event (each 64 KB)', source: at('eventbridge') },
  archived: { usd: 0.1, per: gb, unit: 'GB archived', source: at('eventbridge') },
  archiveStored: { usd: 0.023, per: gb, unit: 'GB-month archived', source: at('eventbridge') },
  request: { usd: 0.2, per: million, unit: 'Lambda request', source: at('lambda') },
  gbSecond: { usd: 0.0000133334, per: 1, unit: 'GB-second, arm64', source: at('lambda') },
  sqs: { usd: 0.4, per: million, unit: 'SQS standard request (each 64 KB)', source: at('sqs') },
  sqsFifo: { usd: 0.5, per: million, unit: 'SQS FIFO request (each 64 KB)', source: at('sqs') },
  write: { usd: 0.625, per: million, unit: 'write request unit (1 KB)', source: at('dynamodb') },
  read: {
    usd: 0.125,
    per: million,
    unit: 'read request unit (4 KB; eventually consistent: half)',
    source: at('dynamodb'),
  },
  stored: { usd: 0.25, per: gb, unit: 'GB-month stored (+100 B an item)', source: at('dynamodb') },
  pitr: { usd: 0.2, per: gb, unit: 'GB-month under point-in-time recovery', source: at('dynamodb') },
  logs: { usd: 0.5, per: gb, unit: 'GB of logs ingested', source: at('cloudwatch') },
  trace: { usd: 5, per: million, unit: 'X-Ray trace recorded', source: at('xray') },
  out: {
    usd: 0.09,
    per: gb,
    unit: 'GB out to the internet',
    source: 'https://aws.amazon.com/ec2/pricing/on-demand/ (read 2026-11-24)',
  },
} as const satisfies Record<string, Price>;

/**
 * Sizes and times the model assumes. The log item is measured by the test on DynamoDB Local (it must
 * stay within `logItemBytes`); the others were measured from Herald's code by the model this one
 * replaced (docs/cost.md says how) and change rarely.
 */
export const assumed = {
  /** The platform's `data`: the middle of the 300–600 bytes typical. */
  dataBytes: 450,
  /** The log item after one successful attempt (its answer kept to 64 bytes), without the id index. */
  logItemBytes: 960,
  /** The EventBridge event carrying 450 bytes of data, as archived. */
  eventBytes: 771,
  /** A signed POST: request line, headers (Standard Webhooks and svix), body; plus TLS records and TCP. */
  postBytes: 1_101 + 150,
  /** A TLS handshake's bytes out. */
  handshakeBytes: 700,
  /** CloudWatch Logs bytes an invocation, 26 bytes of framing a line included: the EMF document, and the delivery's "batch" line. */
  routerLogBytes: 263,
  deliveryLogBytes: { load: 1_050, low: 1_011 },
  /** Lambda memory (lib/constructs/event-pipeline.ts); 1,769 MB is one vCPU. */
  memoryGb: 0.25,
  cpuStretch: 1_769 / 256,
  /** Router: waiting on the route Query and SendMessageBatch, and its CPU per event at one vCPU. */
  routerWaitMs: 27,
  routerCpuMs: 1,
  /** Delivery: waiting on the slowest receiver of a batch (100 ms typical) and the log write; CPU a delivery at one vCPU. */
  deliveryWaitMs: { load: 140, low: 110 },
  deliveryCpuMs: 0.5,
  /** Cold starts: 1% of invocations, 400 ms of init, billed since 2025-08-01. */
  coldShare: 0.01,
  initMs: 400,
  retentionDays: 30,
} as const;

/** How traffic arrives and how Herald is set up: the columns of the tables. */
export interface Shape {
  readonly subscribers: number;
  /** Messages an SQS receive hands the delivery function: 10 under load, 1 at low traffic. */
  readonly deliveriesPerBatch: number;
  /** `direct`: the bus rule invokes the router per event (today); `queued`: rule → SQS → router in batches. */
  readonly routing: 'direct' | 'queued';
  /** Events a router invocation handles when queued (10 under load, 1 at low traffic). */
  readonly eventsPerRouterBatch: number;
  /** Share of router invocations X-Ray records (the deliveries they queue join their trace). */
  readonly traced: number;
  /** Share of deliveries that open a TLS connection. */
  readonly tlsShare: number;
  /** Consistent webhook reads a delivery: one per webhook per batch, so 1 at worst (ten webhooks a batch). */
  readonly webhookReads: number;
  /** Write units a delivery's log costs beyond its item: 1 while the `byDeliveryId` index existed (its entry, 137 bytes, stored too). */
  readonly indexWrites: number;
  /** The log item's bytes ({@link assumed}.logItemBytes as built). */
  readonly logItemBytes: number;
  /** Point-in-time recovery on the log's table (on: the table holds the webhooks and keys too). */
  readonly pitr: boolean;
  readonly traffic: 'load' | 'low';
}

export const load: Shape = {
  subscribers: 1,
  deliveriesPerBatch: 10,
  routing: 'direct',
  eventsPerRouterBatch: 1,
  traced: 0.01,
  tlsShare: 0.01,
  webhookReads: 1,
  indexWrites: 0,
  logItemBytes: assumed.logItemBytes,
  pitr: true,
  traffic: 'load',
};
export const low: Shape = {
  ...load,
  deliveriesPerBatch: 1,
  eventsPerRouterBatch: 1,
  tlsShare: 1,
  traffic: 'low',
};

/** One line of the bill: units per event and per delivery, and what a million deliveries pay. */
export interface Line {
  readonly service: string;
  readonly what: string;
  readonly perEvent: number;
  readonly perDelivery: number;
  readonly price: Price;
  readonly why: string;
  readonly where: string;
}

const ms = (waitMs: number, cpuMs: number) =>
  (waitMs + cpuMs * assumed.cpuStretch + assumed.coldShare * assumed.initMs) / 1000;

/** The lines of a million deliveries for `s`. Units are per event or per delivery, never both. */
export function lines(s: Shape): Line[] {
  const batch = s.routing === 'queued' ? s.eventsPerRouterBatch : 1;
  const routerCalls = 1 / batch;
  const sends = Math.ceil((batch * s.subscribers) / 10) / batch;
  const item = s.logItemBytes + 100 + s.indexWrites * (137 + 100);
  const months = assumed.retentionDays / 30;
  const a = assumed;
  const routerSeconds = ms(a.routerWaitMs, a.routerCpuMs * batch);
  const deliverySeconds = ms(a.deliveryWaitMs[s.traffic], a.deliveryCpuMs * s.deliveriesPerBatch);
  const queued = s.routing === 'queued';
  type Row = [
    service: string,
    what: string,
    perEvent: number,
    perDelivery: number,
    price: Price,
    why: string,
    where: string,
  ];
  // biome-ignore format: one row a line, read as the table docs/cost.md prints
  const rows: Array<Row | false> = [
    ['EventBridge', 'custom event', 1, 0, prices.event, "the platform's PutEvents entry", 'the platform; lib/constructs/event-bus.ts'],
    ['EventBridge', 'archive, GB in', a.eventBytes, 0, prices.archived, 'every event is archived for replay', 'lib/constructs/event-bus.ts'],
    ['EventBridge', 'archive, GB-month', a.eventBytes * months, 0, prices.archiveStored, '`herald.archiveRetentionDays` (30)', 'lib/constructs/event-bus.ts'],
    queued && ['SQS', 'rule → router queue SendMessage', 1, 0, prices.sqs, 'EventBridge sends one message per event', '(batch routing: not built)'],
    queued && ['SQS', 'router queue receive + delete', 2 * routerCalls, 0, prices.sqs, "Lambda's poller, one of each per batch", '(batch routing: not built)'],
    ['Lambda', 'router requests', routerCalls, 0, prices.request, 'the rule invokes it per event (direct)', 'functions/handlers/router.ts'],
    ['Lambda', 'router GB-seconds', routerCalls * a.memoryGb * routerSeconds, 0, prices.gbSecond, 'waits on the Query and the send', 'functions/domain/use-cases/route-event.ts'],
    ['DynamoDB', 'route Query, RRU', 0.5, 0, prices.read, "the event type's routes, eventually consistent, under 4 KB", 'DynamoDbWebhookStore.findRoutes'],
    ['SQS', 'SendMessageBatch', sends, 0, prices.sqs, 'up to ten deliveries a call', 'functions/adapters/aws/sqs-delivery-queue.ts'],
    ['CloudWatch', 'router EMF, GB', routerCalls * a.routerLogBytes, 0, prices.logs, 'one metrics document an invocation', 'functions/shared/metrics.ts'],
    ['X-Ray', 'traces', routerCalls * s.traced, 0, prices.trace, '`herald.traceSamplePercent` of router invocations', 'lib/constructs/trace-sampling.ts'],
    ['Lambda', 'delivery requests', 0, 1 / s.deliveriesPerBatch, prices.request, 'one invocation per SQS batch', 'functions/handlers/delivery.ts'],
    ['Lambda', 'delivery GB-seconds', 0, (a.memoryGb * deliverySeconds) / s.deliveriesPerBatch, prices.gbSecond, "waits on a batch's slowest receiver", 'functions/shared/delivery-batch.ts'],
    ['SQS', 'ReceiveMessage + DeleteMessageBatch', 0, 2 / s.deliveriesPerBatch, prices.sqs, "Lambda's poller, one of each per batch", 'lib/constructs/event-pipeline.ts'],
    ['DynamoDB', 'webhook GetItem, RRU', 0, s.webhookReads, prices.read, 'consistent, one per webhook per batch (read-your-writes)', 'functions/shared/delivery-batch.ts'],
    ['DynamoDB', 'log UpdateItem, WRU', 0, Math.ceil(s.logItemBytes / 1024) + s.indexWrites, prices.write, 'one write per attempt, the item under 1 KB', 'DynamoDbDeliveryLog.record'],
    ['DynamoDB', 'log storage, GB-month', 0, item * months, prices.stored, '`herald.attemptRetentionDays` (30)', 'functions/shared/table-schema.ts'],
    ['DynamoDB', 'point-in-time recovery, GB-month', 0, s.pitr ? (s.logItemBytes + 100) * months : 0, prices.pitr, 'the table holds the webhooks and keys too; indexes excluded', 'lib/constructs/storage.ts'],
    ['CloudWatch', 'delivery "batch" line + EMF, GB', 0, a.deliveryLogBytes[s.traffic] / s.deliveriesPerBatch, prices.logs, 'one of each an invocation', 'functions/handlers/delivery.ts'],
    ['Data out', 'the POST, GB', 0, a.postBytes + s.tlsShare * a.handshakeBytes, prices.out, 'request and TLS to the receiver', 'functions/adapters/http/'],
  ];
  return rows
    .filter((r): r is Row => r !== false)
    .map(([service, what, perEvent, perDelivery, price, why, where]) => ({
      service,
      what,
      perEvent,
      perDelivery,
      price,
      why,
      where,
    }));
}

/** Dollars a line costs for a million deliveries. */
export function usd(line: Line, s: Shape): number {
  const units = line.perEvent * (million / s.subscribers) + line.perDelivery * million;
  return (units * line.price.usd) / line.price.per;
}

export function total(s: Shape): number {
  return lines(s).reduce((sum, l) => sum + usd(l, s), 0);
}

/** The shapes the tables compare: as deployed after this round, and the choices weighed. */
export const shapes = {
  load,
  low,
  /** Before this round: the id index written with every item, Lambda's default sampling (5% under load, every event at low traffic). */
  before: { ...load, indexWrites: 1, traced: 0.05 },
  beforeLow: { ...low, indexWrites: 1, traced: 1 },
  /** Batch routing: rule → SQS → router, ten events an invocation under load. */
  queued: { ...load, routing: 'queued', eventsPerRouterBatch: 10 },
  queuedLow: { ...low, routing: 'queued', eventsPerRouterBatch: 1 },
} satisfies Record<string, Shape>;

const dollars = (n: number) => `$${n.toFixed(2)}`;
const units = (n: number) =>
  n === 0
    ? ''
    : n >= 100
      ? n.toLocaleString('en-US', { maximumFractionDigits: 0 })
      : String(Number(n.toPrecision(3)));
const at10 = (s: Shape): Shape => ({ ...s, subscribers: 10 });

/** The price list. */
export function priceTable(): string {
  const rows = Object.values(prices).map(
    (p) =>
      `| ${p.unit} | $${p.usd} per ${p.per === 1 ? 'unit' : p.per === gb ? 'GB' : 'million'} | ${p.source} |`,
  );
  return ['| unit | price | source |', '| --- | --- | --- |', ...rows].join('\n');
}

/** Units per event and per delivery (bytes for GB lines, GB-seconds for duration), under load and at low traffic. */
export function unitTable(): string {
  const l = lines(load);
  const lo = lines(low);
  const rows = l.map((line, i) => {
    const other = lo[i];
    if (!other) throw new Error('the shapes list different lines');
    return `| ${line.service} | ${line.what} | ${units(line.perEvent)} | ${units(line.perDelivery)} | ${units(other.perEvent)} | ${units(other.perDelivery)} | ${line.why} | ${line.where} |`;
  });
  return [
    '| service | line | per event, load | per delivery, load | per event, low | per delivery, low | why | where |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** The multiplied-out bill of a million deliveries at 1 and 10 subscribers, under load and at low traffic. */
export function billTable(): string {
  const cols = [load, at10(load), low, at10(low)];
  const rows = lines(load).map((line, i) => {
    const cells = cols.map((s) => {
      const l = lines(s)[i];
      if (!l) throw new Error('the shapes list different lines');
      return usd(l, s).toFixed(3);
    });
    return `| ${line.service} | ${line.what} | ${cells.join(' | ')} |`;
  });
  const totals = cols.map((s) => `**${dollars(total(s))}**`);
  return [
    '| service | line | 1 subscriber, load | 10, load | 1, low traffic | 10, low traffic |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    `| **total** | | ${totals.join(' | ')} |`,
  ].join('\n');
}

/** What each choice does to the figure, per million deliveries. */
export function choiceTable(): string {
  const row = (what: string, s: Shape, sLow: Shape) =>
    `| ${what} | ${dollars(total(s))} | ${dollars(total(at10(s)))} | ${dollars(total(sLow))} | ${dollars(total(at10(sLow)))} |`;
  return [
    '| | 1 subscriber, load | 10, load | 1, low traffic | 10, low traffic |',
    '| --- | --- | --- | --- | --- |',
    row('before this round: the id index, Lambda default sampling', shapes.before, shapes.beforeLow),
    row(
      'the index gone (delivery ids carry the key)',
      { ...shapes.before, indexWrites: 0 },
      { ...shapes.beforeLow, indexWrites: 0 },
    ),
    row('**and X-Ray at 1% (as deployed now)**', load, low),
    row('and `herald.tracing` false', { ...load, traced: 0 }, { ...low, traced: 0 }),
    row('batch routing instead (rule → SQS → router)', shapes.queued, shapes.queuedLow),
    row(
      'and the log in a table of its own, without point-in-time recovery',
      { ...shapes.queued, pitr: false },
      { ...shapes.queuedLow, pitr: false },
    ),
    row(
      'and a 700-byte log item',
      { ...shapes.queued, pitr: false, logItemBytes: 700 },
      { ...shapes.queuedLow, pitr: false, logItemBytes: 700 },
    ),
  ].join('\n');
}

/** The goals of issue 11 against the figures as deployed. */
export function goalTable(): string {
  const row = (subscribers: number, goal: number) => {
    const figure = total({ ...load, subscribers });
    return `| ${subscribers} | ${dollars(figure)} | ${dollars(goal)} | ${figure <= goal ? 'met' : 'missed'} | ${dollars(total({ ...shapes.queued, subscribers }))} |`;
  };
  return [
    '| subscribers | under load | goal | | with batch routing |',
    '| --- | --- | --- | --- | --- |',
    row(1, 3),
    row(10, 2),
  ].join('\n');
}

/** Every table docs/cost.md quotes, by heading. */
export function tables(): Record<string, string> {
  return {
    goals: goalTable(),
    choices: choiceTable(),
    units: unitTable(),
    bill: billTable(),
    prices: priceTable(),
  };
}

if (require.main === module) {
  for (const [name, table] of Object.entries(tables())) console.log(`<!-- cost.ts: ${name} -->\n${table}\n`);
}
