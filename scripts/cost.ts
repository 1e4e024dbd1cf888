import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbDeliveryLog } from '../functions/adapters/aws/dynamodb-delivery-log';
import type { DeliveryMessage } from '../functions/domain/delivery';
import { deliveryIdFor } from '../functions/domain/delivery-id';
import {
  type Attempt,
  type DeliveryLogEntry,
  responseExcerptBytes,
  successExcerptBytes,
} from '../functions/domain/delivery-log';
import { buildEnvelope, serializeEnvelope } from '../functions/domain/envelope';
import { eventCatalog, findEventType } from '../functions/domain/event-catalog';
import { signatureHeaders, svixHeaders } from '../functions/domain/signing';

/**
 * The model behind docs/cost.md: what one million deliveries cost at AWS list prices
 * (us-east-1), line by line. `npx tsx scripts/cost.ts` prints the tables the document quotes;
 * test/unit/cost.test.ts checks the arithmetic. Prices are in {@link prices} with their sources;
 * sizes are computed from Herald's own code where it can be run here, and the rest (durations,
 * cache hit rates) are the assumptions named in {@link Scenario}.
 */

/** A list price: `usd` for every `per` units of `unit`. */
export interface Price {
  readonly usd: number;
  readonly per: number;
  readonly unit: string;
  readonly source: string;
}

const million = 1_000_000;
/** Sizes are in bytes; a GB is taken as 10^9 bytes, which overstates a GiB-metered line by 7%. */
const gb = 1e9;
const kib = 1024;

const source = {
  eventBridge: 'https://aws.amazon.com/eventbridge/pricing/',
  lambda: 'https://aws.amazon.com/lambda/pricing/',
  sqs: 'https://aws.amazon.com/sqs/pricing/',
  dynamo: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  cloudWatch: 'https://aws.amazon.com/cloudwatch/pricing/',
  xray: 'https://aws.amazon.com/xray/pricing/',
  dataTransfer: 'https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer',
  apiGateway: 'https://aws.amazon.com/api-gateway/pricing/',
} as const;

/** AWS list prices, us-east-1, without free tiers. Quantities of the per-GB prices are given in bytes. */
export const prices = {
  eventBridgeEvent: {
    usd: 1,
    per: million,
    unit: 'custom event published (each 64 KB chunk)',
    source: source.eventBridge,
  },
  archiveProcessing: { usd: 0.1, per: gb, unit: 'GB archived', source: source.eventBridge },
  archiveStorage: {
    usd: 0.023,
    per: gb,
    unit: 'GB-month archived',
    source: source.eventBridge,
  },
  apiDestination: { usd: 0.2, per: million, unit: 'API destination invocation', source: source.eventBridge },
  lambdaRequest: { usd: 0.2, per: million, unit: 'Lambda request', source: source.lambda },
  lambdaArm: { usd: 0.0000133334, per: 1, unit: 'GB-second, arm64', source: source.lambda },
  lambdaX86: { usd: 0.0000166667, per: 1, unit: 'GB-second, x86_64', source: source.lambda },
  sqsRequest: {
    usd: 0.4,
    per: million,
    unit: 'SQS request, standard queue (each 64 KB chunk)',
    source: source.sqs,
  },
  dynamoWrite: { usd: 0.625, per: million, unit: 'write request unit (on demand)', source: source.dynamo },
  dynamoRead: { usd: 0.125, per: million, unit: 'read request unit (on demand)', source: source.dynamo },
  dynamoStorage: {
    usd: 0.25,
    per: gb,
    unit: 'GB-month stored, Standard table class',
    source: source.dynamo,
  },
  dynamoPitr: {
    usd: 0.2,
    per: gb,
    unit: 'GB-month of table size under point-in-time recovery',
    source: source.dynamo,
  },
  logsIngestion: {
    usd: 0.5,
    per: gb,
    unit: 'GB of Lambda logs ingested (first 10 TB a month)',
    source: source.cloudWatch,
  },
  xrayTrace: { usd: 5, per: million, unit: 'X-Ray trace recorded', source: source.xray },
  dataOut: {
    usd: 0.09,
    per: gb,
    unit: 'GB out to the internet (first 10 TB a month)',
    source: source.dataTransfer,
  },
  apiRequest: { usd: 3.5, per: million, unit: 'REST API request (first 333 M)', source: source.apiGateway },
} as const satisfies Record<string, Price>;

/** Dollars for `quantity` units at `price`. */
export function cost(quantity: number, price: Price): number {
  return (quantity * price.usd) / price.per;
}

// ---------------------------------------------------------------------------------------------
// DynamoDB item sizes, by the rules of the DynamoDB developer guide ("Item sizes and formats").

/** Bytes of one attribute value: strings by UTF-8 length, numbers by significant digits. */
export function valueBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') {
    const digits = String(Math.abs(value)).replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
  }
  // A list or a map: 3 bytes, plus 1 byte and the size of each element (a map's with its name).
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueBytes(v), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value).reduce((sum, [k, v]) => sum + 1 + attributeBytes(k, v), 0);
  }
  throw new Error(`No DynamoDB size for ${typeof value}`);
}

export function attributeBytes(name: string, value: unknown): number {
  return Buffer.byteLength(name, 'utf8') + valueBytes(value);
}

export function itemBytes(item: Readonly<Record<string, unknown>>): number {
  return Object.entries(item).reduce((sum, [k, v]) => sum + attributeBytes(k, v), 0);
}

/** Write request units of a standard write: 1 per KB of the item, rounded up. */
export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / kib));
}

/** Read request units of a read of `bytes` (a Query sums its items first): 1 per 4 KB, half if eventually consistent. */
export function readUnits(bytes: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(bytes / (4 * kib)));
  return consistent ? units : units / 2;
}

// ---------------------------------------------------------------------------------------------
// A representative delivery, built with Herald's own envelope, signing and delivery log code.

const sample = {
  tenant: 'acme-corp',
  webhookId: 'wh_01k9x7m2q4r8t6v0w3y5z7b9d1',
  eventId: 'evt_01k9x7m2q4r8t6v0w3y5z7b9d1',
  eventType: 'use_case_review_status_updated',
  environment: 'production',
  source: 'CredoAI',
  /** EventBridge's `time`, second precision: what the router passes on as the event time. */
  time: '2026-11-24T10:00:00Z',
  /** When the attempt was made (`clock.now().toISOString()`). */
  at: '2026-11-24T10:00:00.143Z',
  url: 'https://hooks.example.com/credo/webhooks',
  secret: `whsec_${Buffer.alloc(24, 7).toString('base64')}`,
};

/** JSON bytes of a value, as the platform sends it. */
function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/** The catalog's example `data` for `eventType`, padded with a `comment` to `bytes` of JSON. */
export function eventData(bytes: number, eventType = sample.eventType): Record<string, unknown> {
  const example = { ...(findEventType(eventType)?.example ?? {}) };
  const padding = bytes - jsonBytes(example) - Buffer.byteLength(',"comment":""');
  return padding > 0 ? { ...example, comment: 'x'.repeat(padding) } : example;
}

/** The queued delivery, as the router builds it (`toMessage` in functions/domain/use-cases/route-event.ts). */
function sampleMessage(data: Record<string, unknown>, eventType = sample.eventType): DeliveryMessage {
  return {
    deliveryId: deliveryIdFor(sample.eventId, sample.webhookId, sample.time),
    eventId: sample.eventId,
    eventType,
    tenant: sample.tenant,
    environment: sample.environment,
    webhookId: sample.webhookId,
    time: sample.time,
    source: sample.source,
    data,
    origin: 'event',
  };
}

/**
 * An attempt as `deliver` records it: the answer kept, cut at `successExcerptBytes` (64) on success
 * and `responseExcerptBytes` (512) on failure, and an error on failure.
 */
export function sampleAttempt(number: number, succeeded: boolean, excerptBytes: number): Attempt {
  return {
    attempt: number,
    time: sample.at,
    outcome: succeeded ? 'succeeded' : 'failed',
    statusCode: succeeded ? 200 : 503,
    durationMs: 143,
    error: succeeded ? null : 'endpoint answered 503',
    responseExcerpt: 'x'.repeat(
      Math.min(excerptBytes, succeeded ? successExcerptBytes : responseExcerptBytes),
    ),
    origin: 'event',
  };
}

export type UpdateInput = {
  Key: Record<string, unknown>;
  UpdateExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
};

/**
 * Applies one `UpdateItem` to an item, for the forms the delivery log writes: `SET a = :v`,
 * `a = if_not_exists(a, :v)`, `a = list_append(if_not_exists(a, :none), :v)` and a trailing
 * `REMOVE a, b`. Anything else
 * throws, so a change to the log's writes cannot leave this model sizing a different item.
 */
export function applyUpdate(item: Record<string, unknown>, input: UpdateInput): Record<string, unknown> {
  const names = input.ExpressionAttributeNames ?? {};
  const values = input.ExpressionAttributeValues ?? {};
  const name = (n: string) => names[n] ?? n;
  const value = (v: string) => {
    if (!(v in values)) throw new Error(`no value ${v}`);
    return values[v];
  };
  const next: Record<string, unknown> = { ...item, ...input.Key };
  const match = /^SET (.*?)(?: REMOVE ([#\w, ]+))?$/.exec(input.UpdateExpression);
  if (!match?.[1]) throw new Error(`not modelled: ${input.UpdateExpression}`);
  for (const removed of match[2]?.split(',') ?? []) delete next[name(removed.trim())];
  for (const clause of match[1].split(/, (?![^(]*\))/)) {
    const [lhs = '', rhs = ''] = clause.split(' = ').map((s) => s.trim());
    const attribute = name(lhs);
    const keep = /^if_not_exists\(([#\w]+), (:\w+)\)$/.exec(rhs);
    const append = /^list_append\(if_not_exists\(([#\w]+), (:\w+)\), (:\w+)\)$/.exec(rhs);
    if (/^:\w+$/.test(rhs)) next[attribute] = value(rhs);
    else if (keep?.[1] && keep[2] && name(keep[1]) === attribute) {
      if (!(attribute in next)) next[attribute] = value(keep[2]);
    } else if (append?.[1] && append[3] && name(append[1]) === attribute) {
      const current = (next[attribute] as unknown[] | undefined) ?? [];
      next[attribute] = [...current, ...(value(append[3]) as unknown[])];
    } else throw new Error(`not modelled: ${clause}`);
  }
  return next;
}

/** The `UpdateItem` that `DynamoDbDeliveryLog.record` sends for `entry`, captured from the real adapter. */
export function recordUpdate(entry: DeliveryLogEntry, retentionDays: number): UpdateInput {
  let captured: UpdateInput | undefined;
  const client = {
    send: (command: { input: UpdateInput }) => {
      captured = command.input;
      return Promise.resolve({});
    },
  } as unknown as DynamoDBDocumentClient;
  // `record` builds and sends its command before its first await: the capture is synchronous.
  void new DynamoDbDeliveryLog(client, 'Herald', retentionDays * 86_400).record(entry);
  if (!captured) throw new Error('DynamoDbDeliveryLog.record sent nothing');
  return captured;
}

/** A delivery's history, as {@link deliveryLogUpdates} and {@link deliveryLogItem} take it. */
export interface DeliveryHistory {
  readonly data: Record<string, unknown>;
  readonly eventType?: string;
  /** Bytes of the answer on success (kept up to `successExcerptBytes`). */
  readonly excerptBytes: number;
  /** Failed attempts before the last one. */
  readonly failures?: number;
  /** Bytes of the answer on a failed attempt (kept up to `responseExcerptBytes`). */
  readonly failureExcerptBytes?: number;
  /** Whether the last attempt succeeded (by default it does). */
  readonly succeeded?: boolean;
  readonly retentionDays?: number;
}

/** The `UpdateItem` calls the delivery function makes for a delivery's attempts, in order. */
export function deliveryLogUpdates(history: DeliveryHistory): UpdateInput[] {
  const message = sampleMessage(history.data, history.eventType);
  const failures = history.failures ?? 0;
  const updates: UpdateInput[] = [];
  for (let n = 1; n <= failures + 1; n++) {
    const succeeded = n === failures + 1 && history.succeeded !== false;
    const attempt = sampleAttempt(
      n,
      succeeded,
      succeeded ? history.excerptBytes : (history.failureExcerptBytes ?? history.excerptBytes),
    );
    const entry: DeliveryLogEntry = {
      message,
      status: succeeded ? 'succeeded' : 'retrying',
      attempt,
      error: null,
      nextAttemptAt: succeeded ? null : '2026-11-24T10:00:05.143Z',
      at: sample.at,
    };
    updates.push(recordUpdate(entry, history.retentionDays ?? 30));
  }
  return updates;
}

/** The delivery log item after those calls. */
export function deliveryLogItem(history: DeliveryHistory): Record<string, unknown> {
  return deliveryLogUpdates(history).reduce<Record<string, unknown>>(applyUpdate, {});
}

/** The typical item: the sample event with `dataBytes` of data, delivered at the first attempt. */
export function typicalLogItem(dataBytes: number, excerptBytes: number): Record<string, unknown> {
  return deliveryLogItem({ data: eventData(dataBytes), excerptBytes });
}

/**
 * The `byDeliveryId` index entry Herald no longer writes (the delivery id now gives the key), for
 * the scenario that puts it back: keys only, its key the delivery id.
 */
export function deliveryIndexBytes(item: Readonly<Record<string, unknown>>): number {
  return itemBytes({ gsi1pk: item.sk, pk: item.pk, sk: item.sk });
}

/** The log item of each event type in the catalog, with its example `data`, delivered at the first attempt. */
export function catalogItemSizes(
  excerptBytes: number,
): Array<{ eventType: string; dataBytes: number; itemBytes: number }> {
  return eventCatalog.map((t) => ({
    eventType: t.name,
    dataBytes: jsonBytes(t.example),
    itemBytes: itemBytes(deliveryLogItem({ data: { ...t.example }, eventType: t.name, excerptBytes })),
  }));
}

/** A route item as the router's Query reads it. */
export function routeItemBytes(): number {
  return itemBytes({
    pk: `ROUTE#${sample.tenant}#${sample.eventType}`,
    sk: `${sample.environment}#${sample.webhookId}`,
    kind: 'route',
    tenant: sample.tenant,
    eventType: sample.eventType,
    environment: sample.environment,
    webhookId: sample.webhookId,
    status: 'enabled',
  });
}

/** The SQS message body the router queues: one `DeliveryMessage`. */
export function deliveryMessageBytes(dataBytes: number): number {
  return jsonBytes(sampleMessage(eventData(dataBytes)));
}

/** The event as EventBridge stores and bills it (envelope fields and the platform's `detail`). */
export function eventBridgeEventBytes(dataBytes: number): number {
  return jsonBytes({
    version: '0',
    id: '5f1e8a3c-9b2d-4e7f-a6c1-0d3b5e7f9a2c',
    'detail-type': sample.eventType,
    source: sample.source,
    account: '123456789012',
    time: sample.time,
    region: 'us-east-1',
    resources: [],
    detail: {
      tenant: sample.tenant,
      environment: sample.environment,
      id: sample.eventId,
      data: eventData(dataBytes),
    },
  });
}

/** The HTTP/1.1 request Herald sends (request line, headers, signed body), before TLS and TCP. */
export function requestBytes(dataBytes: number, svix: boolean): number {
  const body = serializeEnvelope(
    buildEnvelope({
      eventId: sample.eventId,
      eventType: sample.eventType,
      data: eventData(dataBytes),
      time: sample.time,
      source: sample.source,
      prefix: 'CredoAI',
      suffix: 'v1',
    }),
  );
  const signed = signatureHeaders({
    id: deliveryIdFor(sample.eventId, sample.webhookId, sample.time),
    timestamp: new Date(sample.at),
    body,
    secrets: [sample.secret],
  });
  const url = new URL(sample.url);
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'keep-alive',
    ...signed,
    ...(svix ? svixHeaders(signed) : {}),
  };
  const head =
    `POST ${url.pathname} HTTP/1.1\r\n` +
    Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('') +
    '\r\n';
  return Buffer.byteLength(head) + Buffer.byteLength(body);
}

// ---------------------------------------------------------------------------------------------
// The model.

/**
 * Log bytes, measured by running the repository's Powertools Logger and Metrics (2.36.0) with a
 * Lambda context, Herald's fields and the stack's function names (docs/cost.md). The functions
 * log in Lambda's JSON format with system log level WARN: no START, END or REPORT lines.
 */
export const logLines = {
  /** The router's "event routed" line: DEBUG, so written only at logLevel DEBUG. */
  routed: 664,
  /** The router's EMF document (EventRouted, FanOut), one per invocation. */
  routerEmf: 237,
  /** The delivery function's "batch" line (INFO), one per invocation. */
  batch: 489,
  /** The delivery function's EMF document (five metrics): 470 bytes with one latency value, 509 with ten. */
  deliveryEmf: (deliveries: number) => 470 + Math.round(((509 - 470) * (deliveries - 1)) / 9),
  /** A line per failed attempt (`retry`, `dead_letter`, `failed`), logged at INFO. */
  failure: 673,
  /** The API function's "request" line and the authorizer's "authorized" line (INFO). */
  apiRequest: 558,
  authorized: 522,
  /** An API Gateway access log line (the stage's JSON format), estimated. */
  access: 600,
  /** Counted per log event, as PutLogEvents counts its batch size: an upper bound for metering. */
  perEvent: 26,
} as const;

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/**
 * Bytes a function writes at `level`. Powertools writes Herald's lines at `level` and above.
 * Lambda counts a JSON line without a `level` key (the EMF documents) as INFO, and its
 * application log filter stays at INFO (DEBUG when `level` is DEBUG: lib/constructs/function.ts),
 * so the EMF documents, and Herald's metrics, are written at every level.
 */
export function logBytesAt(level: LogLevel, lines: { debug?: number; info?: number; emf?: number }): number {
  const line = (bytes: number | undefined, shown: boolean) =>
    bytes && shown ? bytes + logLines.perEvent : 0;
  const info = level === 'DEBUG' || level === 'INFO';
  return line(lines.debug, level === 'DEBUG') + line(lines.info, info) + line(lines.emf, true);
}

/** Lambda gives a function one vCPU at 1,769 MB, and CPU in proportion to memory. */
const oneVcpuMb = 1769;

/** What a deployment is and does; the defaults are the stack's (lib/config.ts, lib/constructs). */
export interface Parameters {
  /** Webhooks subscribed to each event: one delivery per (event, webhook). */
  readonly subscribers: number;
  /** JSON bytes of the event's `data`. */
  readonly dataBytes: number;
  /** Bytes of a successful receiver's answer kept in the attempt (capped at `successExcerptBytes`, 64). */
  readonly excerptBytes: number;
  /** Bytes of a failing receiver's answer kept in the attempt (capped at 512). */
  readonly failureExcerptBytes: number;
  /** Router and delivery functions (lib/constructs/event-pipeline.ts). */
  readonly routerMemoryMb: number;
  readonly deliveryMemoryMb: number;
  /** API function and authorizer (HeraldFunction's default). */
  readonly apiMemoryMb: number;
  /** `herald.sendSvixHeaders`. */
  readonly sendSvixHeaders: boolean;
  /** `herald.attemptRetentionDays`. */
  readonly attemptRetentionDays: number;
  /** `herald.archiveRetentionDays` (0, forever, is not modelled). */
  readonly archiveRetentionDays: number;
  /** Point-in-time recovery on the table (on in lib/constructs/storage.ts; the log shares the table). */
  readonly pointInTimeRecovery: boolean;
  /** The delivery log (one item per delivery); off, nothing is written on the happy path. */
  readonly deliveryLog: boolean;
  /** The keys-only `byDeliveryId` index. */
  readonly deliveryIndex: boolean;
  /** `herald.logLevel`. */
  readonly logLevel: LogLevel;
  /** `herald.tracing`: X-Ray active tracing on the functions and the API stage. */
  readonly tracing: boolean;
  /** Webhook items as the delivery function reads them (strongly consistent GetItem) and updates their health. */
  readonly webhookItemBytes: number;
}

/** How the traffic looks: the assumptions a reader may want to change. */
export interface Scenario {
  readonly name: string;
  /** Deliveries in each delivery invocation (the SQS batch Lambda hands over, at most 10). */
  readonly deliveriesPerInvocation: number;
  /** Router: time waiting on DynamoDB and SQS, and CPU time at one vCPU. */
  readonly routerWaitMs: number;
  readonly routerCpuMs: number;
  /** Delivery: time waiting (the slowest receiver of the batch, then the log write), and CPU per delivery at one vCPU. */
  readonly deliveryWaitMs: number;
  readonly deliveryCpuMs: number;
  /** Share of invocations that start a new container, and its billed init time. */
  readonly coldStartShare: number;
  readonly initMs: number;
  /**
   * Strongly consistent webhook reads per delivery: one per webhook per SQS batch (read-your-writes),
   * so 1 / batch size when a batch goes to one webhook, 1 when each delivery goes to another.
   */
  readonly webhookReadsPerDelivery: number;
  /** Share of router invocations X-Ray records (Lambda: 1 a second, then 5%). */
  readonly tracedShare: number;
  /** Share of deliveries that open a new TLS connection, and the bytes the client sends for it. */
  readonly newConnectionShare: number;
  readonly handshakeBytes: number;
  /** TLS records, TCP/IP headers and ACKs of one request on an open connection. */
  readonly transportBytes: number;
}

export const defaultParameters: Parameters = {
  subscribers: 1,
  dataBytes: 450,
  // The cap, the most a success can keep: every answer of 64 bytes or more keeps this much.
  excerptBytes: successExcerptBytes,
  failureExcerptBytes: 100,
  routerMemoryMb: 256,
  deliveryMemoryMb: 256,
  apiMemoryMb: 512,
  sendSvixHeaders: true,
  attemptRetentionDays: 30,
  archiveRetentionDays: 30,
  pointInTimeRecovery: true,
  deliveryLog: true,
  deliveryIndex: false,
  logLevel: 'INFO',
  tracing: true,
  webhookItemBytes: 1500,
};

export const scenarios = {
  /** Steady traffic: full SQS batches, warm caches and connections, X-Ray past its 1/s reservoir. */
  load: {
    name: 'under load',
    deliveriesPerInvocation: 10,
    routerWaitMs: 27,
    routerCpuMs: 1,
    deliveryWaitMs: 140,
    deliveryCpuMs: 0.5,
    coldStartShare: 0.01,
    initMs: 400,
    // Assumed the worst: every delivery of a batch to another webhook (as at ten subscribers).
    webhookReadsPerDelivery: 1,
    tracedShare: 0.05,
    newConnectionShare: 0.01,
    handshakeBytes: 700,
    transportBytes: 150,
  },
  /** Sparse traffic (under about 1 event a second): one message per batch, cold caches, every event traced. */
  low: {
    name: 'low traffic',
    deliveriesPerInvocation: 1,
    routerWaitMs: 27,
    routerCpuMs: 1,
    deliveryWaitMs: 110,
    deliveryCpuMs: 0.5,
    coldStartShare: 0.01,
    initMs: 400,
    webhookReadsPerDelivery: 1,
    tracedShare: 1,
    newConnectionShare: 1,
    handshakeBytes: 700,
    transportBytes: 150,
  },
} as const satisfies Record<string, Scenario>;

export type Service =
  | 'EventBridge'
  | 'Lambda'
  | 'SQS'
  | 'DynamoDB'
  | 'CloudWatch Logs'
  | 'X-Ray'
  | 'Data transfer'
  | 'API Gateway';

export interface Line {
  readonly service: Service;
  readonly what: string;
  /** The arithmetic, for a reader to check. */
  readonly quantity: string;
  readonly price: Price;
  readonly usd: number;
}

function fmt(n: number): string {
  return n >= 1000 ? Math.round(n).toLocaleString('en-US') : Number(n.toPrecision(4)).toLocaleString('en-US');
}

function collector() {
  const lines: Line[] = [];
  const add = (service: Service, what: string, quantity: string, amount: number, price: Price) => {
    lines.push({ service, what, quantity, price, usd: cost(amount, price) });
  };
  return { lines, add };
}

/** Billed milliseconds of an invocation: waiting, plus CPU time stretched by the memory's CPU share, plus cold starts. */
export function billedMs(waitMs: number, cpuMs: number, memoryMb: number, s: Scenario): number {
  return waitMs + (cpuMs * oneVcpuMb) / memoryMb + s.coldStartShare * s.initMs;
}

/** Everything `deliveries` deliveries cost (one million by default), one line per billed quantity. */
export function deliveryCost(p: Parameters, s: Scenario, deliveries = million): Line[] {
  const events = deliveries / p.subscribers;
  const invocations = deliveries / s.deliveriesPerInvocation;
  const { lines, add } = collector();

  // EventBridge: one custom event per platform event; the rule's Lambda target is free.
  const eventBytes = eventBridgeEventBytes(p.dataBytes);
  const chunks = Math.ceil(eventBytes / (64 * kib));
  add(
    'EventBridge',
    'custom events (PutEvents)',
    `${fmt(events)} events × ${chunks} chunk`,
    events * chunks,
    prices.eventBridgeEvent,
  );
  const archived = events * eventBytes;
  add(
    'EventBridge',
    'archive, processing',
    `${fmt(events)} × ${eventBytes} B`,
    archived,
    prices.archiveProcessing,
  );
  add(
    'EventBridge',
    `archive, storage (${p.archiveRetentionDays} days)`,
    `${fmt(archived / gb)} GB × ${fmt(p.archiveRetentionDays / 30)} month`,
    (archived * p.archiveRetentionDays) / 30,
    prices.archiveStorage,
  );

  // Lambda: the router once per event, the delivery function once per SQS batch.
  const routerGb = p.routerMemoryMb / 1024;
  const routerMs = billedMs(s.routerWaitMs, s.routerCpuMs, p.routerMemoryMb, s);
  add('Lambda', 'router requests', fmt(events), events, prices.lambdaRequest);
  add(
    'Lambda',
    'router duration (arm64)',
    `${fmt(events)} × ${fmt(routerGb)} GB × ${fmt(routerMs)} ms`,
    (events * routerGb * routerMs) / 1000,
    prices.lambdaArm,
  );
  const deliveryGb = p.deliveryMemoryMb / 1024;
  const deliveryMs = billedMs(
    s.deliveryWaitMs,
    s.deliveryCpuMs * s.deliveriesPerInvocation,
    p.deliveryMemoryMb,
    s,
  );
  add(
    'Lambda',
    'delivery requests',
    `${fmt(deliveries)} / ${s.deliveriesPerInvocation}`,
    invocations,
    prices.lambdaRequest,
  );
  add(
    'Lambda',
    'delivery duration (arm64)',
    `${fmt(invocations)} × ${fmt(deliveryGb)} GB × ${fmt(deliveryMs)} ms`,
    (invocations * deliveryGb * deliveryMs) / 1000,
    prices.lambdaArm,
  );

  // SQS: SendMessageBatch by tens per event; Lambda's poller receives and deletes once per batch.
  const messageBytes = deliveryMessageBytes(p.dataBytes);
  const sendCalls = Math.ceil(p.subscribers / 10);
  const sendChunks = Math.ceil((Math.min(p.subscribers, 10) * messageBytes) / (64 * kib));
  add(
    'SQS',
    'SendMessageBatch (router)',
    `${fmt(events)} × ${sendCalls} call × ${sendChunks} chunk`,
    events * sendCalls * sendChunks,
    prices.sqsRequest,
  );
  add('SQS', 'ReceiveMessage (Lambda poller)', fmt(invocations), invocations, prices.sqsRequest);
  add('SQS', 'DeleteMessageBatch (Lambda poller)', fmt(invocations), invocations, prices.sqsRequest);

  // DynamoDB.
  const routeRead = readUnits(p.subscribers * routeItemBytes(), false);
  add(
    'DynamoDB',
    'route Query (eventually consistent)',
    `${fmt(events)} × ${routeRead} RRU`,
    events * routeRead,
    prices.dynamoRead,
  );
  const webhookRead = readUnits(p.webhookItemBytes, true);
  add(
    'DynamoDB',
    'webhook GetItem (strongly consistent, one per webhook per batch)',
    `${fmt(deliveries)} × ${s.webhookReadsPerDelivery} × ${webhookRead} RRU`,
    deliveries * s.webhookReadsPerDelivery * webhookRead,
    prices.dynamoRead,
  );
  // The delivery log: one UpdateItem per attempt, the first creating the item and its index entry.
  if (p.deliveryLog) {
    const item = typicalLogItem(p.dataBytes, p.excerptBytes);
    const bytes = itemBytes(item);
    add(
      'DynamoDB',
      `delivery log UpdateItem (${bytes} B item)`,
      `${fmt(deliveries)} × ${writeUnits(bytes)} WRU`,
      deliveries * writeUnits(bytes),
      prices.dynamoWrite,
    );
    const indexBytes = p.deliveryIndex ? deliveryIndexBytes(item) : 0;
    if (p.deliveryIndex) {
      add(
        'DynamoDB',
        `byDeliveryId index write (${indexBytes} B)`,
        `${fmt(deliveries)} × ${writeUnits(indexBytes)} WRU`,
        deliveries * writeUnits(indexBytes),
        prices.dynamoWrite,
      );
    }
    const months = p.attemptRetentionDays / 30;
    const stored = deliveries * (bytes + 100 + (p.deliveryIndex ? indexBytes + 100 : 0));
    add(
      'DynamoDB',
      `storage, ${p.attemptRetentionDays} days (item${p.deliveryIndex ? ' and index entry' : ''}, +100 B each)`,
      `${fmt(stored / gb)} GB × ${fmt(months)} month`,
      stored * months,
      prices.dynamoStorage,
    );
    if (p.pointInTimeRecovery) {
      const table = deliveries * (bytes + 100);
      add(
        'DynamoDB',
        'point-in-time recovery (the table, not its index)',
        `${fmt(table / gb)} GB × ${fmt(months)} month`,
        table * months,
        prices.dynamoPitr,
      );
    }
  }

  // CloudWatch Logs: JSON format, no platform lines; what the log level lets through.
  const routerLog = logBytesAt(p.logLevel, { debug: logLines.routed, emf: logLines.routerEmf });
  add(
    'CloudWatch Logs',
    'router logs',
    `${fmt(events)} × ${routerLog} B`,
    events * routerLog,
    prices.logsIngestion,
  );
  const deliveryLog = logBytesAt(p.logLevel, {
    info: logLines.batch,
    emf: logLines.deliveryEmf(s.deliveriesPerInvocation),
  });
  add(
    'CloudWatch Logs',
    'delivery logs',
    `${fmt(invocations)} × ${deliveryLog} B`,
    invocations * deliveryLog,
    prices.logsIngestion,
  );

  // X-Ray: the router starts the trace; the delivery function continues it (SQS AWSTraceHeader).
  if (p.tracing) {
    add(
      'X-Ray',
      'traces recorded',
      `${fmt(events)} × ${s.tracedShare}`,
      events * s.tracedShare,
      prices.xrayTrace,
    );
  }

  // The POST itself: Lambda is not in a VPC, so no NAT charge; calls to AWS services in the Region are free.
  const out =
    requestBytes(p.dataBytes, p.sendSvixHeaders) + s.transportBytes + s.newConnectionShare * s.handshakeBytes;
  add(
    'Data transfer',
    'requests out to receivers',
    `${fmt(deliveries)} × ${fmt(out)} B`,
    deliveries * out,
    prices.dataOut,
  );
  return lines;
}

export function total(lines: readonly Line[]): number {
  return lines.reduce((sum, l) => sum + l.usd, 0);
}

/** Per service, largest first. */
export function byService(lines: readonly Line[]): Array<[Service, number]> {
  const sums = new Map<Service, number>();
  for (const l of lines) sums.set(l.service, (sums.get(l.service) ?? 0) + l.usd);
  return [...sums.entries()].sort((a, b) => b[1] - a[1]);
}

/** The largest lines, largest first. */
export function topLines(lines: readonly Line[], count = 3): Line[] {
  return [...lines].sort((a, b) => b.usd - a.usd).slice(0, count);
}

/**
 * The figure as `perDelivery + perEvent / subscribers` (exact up to ten subscribers, where the
 * router's SQS and DynamoDB calls stay one each).
 */
export function split(p: Parameters, s: Scenario): { perDelivery: number; perEvent: number } {
  const one = total(deliveryCost({ ...p, subscribers: 1 }, s));
  const ten = total(deliveryCost({ ...p, subscribers: 10 }, s));
  const perEvent = (one - ten) / 0.9;
  return { perDelivery: one - perEvent, perEvent };
}

/** The fewest subscribers per event at which a million deliveries cost `target` or less; undefined if none up to 100. */
export function subscribersForTarget(p: Parameters, s: Scenario, target: number): number | undefined {
  for (let subscribers = 1; subscribers <= 100; subscribers++) {
    if (total(deliveryCost({ ...p, subscribers }, s)) <= target) return subscribers;
  }
  return undefined;
}

/**
 * What a million failed attempts add on top of the deliveries they belong to: each is one more
 * SQS round (visibility change, receive, delete), one more invocation share, a log write on a
 * grown item, the endpoint-health write and a log line. `waitedMs` is how long the receiver kept
 * the function waiting; `attemptsSoFar` (failed ones, this one included) sizes the item.
 */
export function failedAttemptCost(
  p: Parameters,
  s: Scenario,
  waitedMs: number,
  attemptsSoFar: number,
): Line[] {
  const attempts = million;
  const invocations = attempts / s.deliveriesPerInvocation;
  const gbMemory = p.deliveryMemoryMb / 1024;
  const { lines, add } = collector();
  add('SQS', 'ChangeMessageVisibility', fmt(attempts), attempts, prices.sqsRequest);
  add(
    'SQS',
    'ReceiveMessage and DeleteMessageBatch of the retry',
    `2 × ${fmt(invocations)}`,
    2 * invocations,
    prices.sqsRequest,
  );
  add('Lambda', 'requests', fmt(invocations), invocations, prices.lambdaRequest);
  const ms = billedMs(waitedMs, s.deliveryCpuMs * s.deliveriesPerInvocation, p.deliveryMemoryMb, s);
  add(
    'Lambda',
    'duration (the invocation waits for its slowest record)',
    `${fmt(invocations)} × ${fmt(gbMemory)} GB × ${fmt(ms)} ms`,
    (invocations * gbMemory * ms) / 1000,
    prices.lambdaArm,
  );
  const item = itemBytes(failingLogItem(p, attemptsSoFar));
  add(
    'DynamoDB',
    `delivery log UpdateItem (item ${item} B after attempt ${attemptsSoFar})`,
    `${fmt(attempts)} × ${writeUnits(item)} WRU`,
    attempts * writeUnits(item),
    prices.dynamoWrite,
  );
  const health = writeUnits(p.webhookItemBytes);
  add(
    'DynamoDB',
    'endpoint health UpdateItem (webhook item)',
    `${fmt(attempts)} × ${health} WRU`,
    attempts * health,
    prices.dynamoWrite,
  );
  const logBytes = logBytesAt(p.logLevel, { info: logLines.failure });
  add(
    'CloudWatch Logs',
    'a line per failed attempt (INFO)',
    `${fmt(attempts)} × ${logBytes} B`,
    attempts * logBytes,
    prices.logsIngestion,
  );
  return lines;
}

/** The log item of a delivery after `failures` failed attempts (the answers kept as `failureExcerptBytes`). */
export function failingLogItem(p: Parameters, failures: number): Record<string, unknown> {
  return deliveryLogItem({
    data: eventData(p.dataBytes),
    excerptBytes: p.excerptBytes,
    failureExcerptBytes: p.failureExcerptBytes,
    failures: failures - 1,
    succeeded: false,
  });
}

/** The largest event `data` (JSON bytes) whose delivery log item still takes one write unit. */
export function largestOneUnitData(p: Parameters): number {
  let bytes = 0;
  while (writeUnits(itemBytes(typicalLogItem(bytes + 1, p.excerptBytes))) === 1) bytes++;
  return bytes;
}

/**
 * The longest answer to a successful POST the log can keep while the item takes one write unit,
 * up to what it keeps at all (`successExcerptBytes`): that cap when the whole of it fits.
 */
export function largestOneUnitExcerpt(p: Parameters): number {
  let bytes = 0;
  while (bytes < successExcerptBytes && writeUnits(itemBytes(typicalLogItem(p.dataBytes, bytes + 1))) === 1)
    bytes++;
  return bytes;
}

/**
 * The management API, per million requests: not per delivery. `authorizerMissShare` is the share
 * of requests the authorizer's cache (herald.authorizerCacheSeconds, keyed on the Authorization
 * header) does not answer.
 */
export function apiCost(
  p: Parameters,
  authorizerMissShare: number,
  tracedShare: number,
  requests = million,
): Line[] {
  const gbMemory = p.apiMemoryMb / 1024;
  const { lines, add } = collector();
  const misses = requests * authorizerMissShare;
  add('API Gateway', 'REST API requests', fmt(requests), requests, prices.apiRequest);
  add('Lambda', 'API function requests', fmt(requests), requests, prices.lambdaRequest);
  add(
    'Lambda',
    'API function duration (arm64, 60 ms assumed)',
    `${fmt(requests)} × ${fmt(gbMemory)} GB × 60 ms`,
    requests * gbMemory * 0.06,
    prices.lambdaArm,
  );
  add(
    'Lambda',
    'authorizer requests (cache misses)',
    `${fmt(requests)} × ${authorizerMissShare}`,
    misses,
    prices.lambdaRequest,
  );
  add(
    'Lambda',
    'authorizer duration (20 ms assumed)',
    `${fmt(misses)} × ${fmt(gbMemory)} GB × 20 ms`,
    misses * gbMemory * 0.02,
    prices.lambdaArm,
  );
  add(
    'DynamoDB',
    'API key GetItem per authorizer call (eventually consistent)',
    `${fmt(misses)} × 0.5 RRU`,
    misses * 0.5,
    prices.dynamoRead,
  );
  add(
    'DynamoDB',
    'one strongly consistent read per request (GET)',
    `${fmt(requests)} × 1 RRU`,
    requests,
    prices.dynamoRead,
  );
  const requestLog =
    logLines.access + logLines.perEvent + logBytesAt(p.logLevel, { info: logLines.apiRequest });
  const authorizerLog = logBytesAt(p.logLevel, { info: logLines.authorized });
  add(
    'CloudWatch Logs',
    'access log line and API function line; authorizer line per call',
    `${fmt(requests)} × ${requestLog} B + ${fmt(misses)} × ${authorizerLog} B`,
    requests * requestLog + misses * authorizerLog,
    prices.logsIngestion,
  );
  // The stage traces as herald.tracing says (lib/constructs/api.ts: tracingEnabled: settings.tracing).
  if (p.tracing) {
    add(
      'X-Ray',
      'traces recorded (stage tracing)',
      `${fmt(requests)} × ${tracedShare}`,
      requests * tracedShare,
      prices.xrayTrace,
    );
  }
  add(
    'Data transfer',
    'responses (about 1 KB)',
    `${fmt(requests)} × 1,000 B`,
    requests * 1000,
    prices.dataOut,
  );
  return lines;
}

/** A change a deployment can make, and what it does to the parameters. */
export interface Lever {
  readonly name: string;
  readonly apply: (p: Parameters) => Parameters;
}

export const levers: readonly Lever[] = [
  { name: 'delivery log off', apply: (p) => ({ ...p, deliveryLog: false }) },
  { name: 'no byDeliveryId index', apply: (p) => ({ ...p, deliveryIndex: false }) },
  { name: 'no point-in-time recovery for the log', apply: (p) => ({ ...p, pointInTimeRecovery: false }) },
  { name: 'herald.tracing false', apply: (p) => ({ ...p, tracing: false }) },
  { name: 'herald.attemptRetentionDays 7 (from 30)', apply: (p) => ({ ...p, attemptRetentionDays: 7 }) },
  { name: 'herald.attemptRetentionDays 90 (from 30)', apply: (p) => ({ ...p, attemptRetentionDays: 90 }) },
  {
    name: 'herald.logLevel WARN (no "batch" line; metrics kept)',
    apply: (p) => ({ ...p, logLevel: 'WARN' }),
  },
  { name: 'herald.logLevel DEBUG', apply: (p) => ({ ...p, logLevel: 'DEBUG' }) },
  { name: 'herald.archiveRetentionDays 7 (from 30)', apply: (p) => ({ ...p, archiveRetentionDays: 7 }) },
  { name: 'herald.sendSvixHeaders false', apply: (p) => ({ ...p, sendSvixHeaders: false }) },
  {
    name: 'router and delivery at 128 MB (from 256)',
    apply: (p) => ({ ...p, routerMemoryMb: 128, deliveryMemoryMb: 128 }),
  },
  {
    name: 'router and delivery at 512 MB (the former size)',
    apply: (p) => ({ ...p, routerMemoryMb: 512, deliveryMemoryMb: 512 }),
  },
  { name: 'event data 600 B (from 450): the item takes 2 WRU', apply: (p) => ({ ...p, dataBytes: 600 }) },
  {
    name: 'successful receivers answer 20 B (from the 64-byte cap)',
    apply: (p) => ({ ...p, excerptBytes: 20 }),
  },
  { name: 'event data 1,500 B (from 450)', apply: (p) => ({ ...p, dataBytes: 1500 }) },
];

/** The levers left that keep every feature a customer sees: no X-Ray, and the log in a table without point-in-time recovery. */
export function leanParameters(p: Parameters): Parameters {
  return { ...p, tracing: false, pointInTimeRecovery: false };
}

// ---------------------------------------------------------------------------------------------
// Printing.

function dollars(n: number, digits = 3): string {
  return `$${n.toFixed(digits)}`;
}

function priceText(p: Price): string {
  if (p.per === million) return `$${p.usd} per M`;
  if (p.per === gb) return `$${p.usd} per GB`;
  return `$${p.usd}`;
}

function table(lines: readonly Line[]): string {
  const rows = lines.map(
    (l) => `| ${l.service} | ${l.what} | ${l.quantity} | ${priceText(l.price)} | ${dollars(l.usd)} |`,
  );
  return [
    '| service | line | quantity | price | USD |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    `| **total** | | | | **${dollars(total(lines), 2)}** |`,
  ].join('\n');
}

function main(): void {
  const out: string[] = [];
  const p = defaultParameters;
  const item = typicalLogItem(p.dataBytes, p.excerptBytes);
  out.push(
    `sizes: event data ${p.dataBytes} B; EventBridge event ${eventBridgeEventBytes(p.dataBytes)} B; SQS message ${deliveryMessageBytes(p.dataBytes)} B;`,
    `  log item ${itemBytes(item)} B (data map ${attributeBytes('data', item.data)} B; index entry ${deliveryIndexBytes(item)} B); route item ${routeItemBytes()} B;`,
    `  request ${requestBytes(p.dataBytes, true)} B with svix headers, ${requestBytes(p.dataBytes, false)} B without`,
    `  largest data for a 1-WRU item: ${largestOneUnitData(p)} B; largest success answer kept in 1 WRU at ${p.dataBytes} B: ${largestOneUnitExcerpt(p)} B`,
    `  attributes: ${Object.entries(item)
      .map(([k, v]) => `${k} ${attributeBytes(k, v)}`)
      .join(', ')}`,
  );
  for (const dataBytes of [137, 300, 450, 600, 800]) {
    const b = itemBytes(typicalLogItem(dataBytes, p.excerptBytes));
    out.push(`  data ${dataBytes} B: log item ${b} B = ${writeUnits(b)} WRU`);
  }
  const catalog = catalogItemSizes(p.excerptBytes);
  const sizes = catalog.map((c) => c.itemBytes);
  out.push(
    `  catalog examples (${catalog.length} types): data ${Math.min(...catalog.map((c) => c.dataBytes))}–${Math.max(...catalog.map((c) => c.dataBytes))} B, items ${Math.min(...sizes)}–${Math.max(...sizes)} B`,
  );
  for (const c of catalog) out.push(`    ${c.eventType}: data ${c.dataBytes} B, item ${c.itemBytes} B`);
  for (const failures of [1, 2, 4, 8]) {
    const b = itemBytes(failingLogItem(p, failures));
    out.push(`  after ${failures} failed attempt(s): item ${b} B = ${writeUnits(b)} WRU`);
  }
  const summary = ['| subscribers | scenario | as deployed | lean |', '| --- | --- | --- | --- |'];
  for (const subscribers of [1, 10]) {
    for (const s of [scenarios.load, scenarios.low]) {
      const q = { ...p, subscribers };
      const lines = deliveryCost(q, s);
      out.push('', `## ${subscribers} subscriber(s) per event, ${s.name}`, '', table(lines), '');
      out.push(
        byService(lines)
          .map(([svc, v]) => `${svc} ${dollars(v)}`)
          .join('; '),
      );
      out.push(
        `top: ${topLines(lines)
          .map((l) => `${l.what} ${dollars(l.usd)}`)
          .join('; ')}`,
      );
      summary.push(
        `| ${subscribers} | ${s.name} | ${dollars(total(lines), 2)} | ${dollars(total(deliveryCost(leanParameters(q), s)), 2)} |`,
      );
    }
  }
  out.push('', '## Summary', '', ...summary, '');
  for (const s of [scenarios.load, scenarios.low]) {
    const { perDelivery, perEvent } = split(p, s);
    const lean = split(leanParameters(p), s);
    out.push(
      `${s.name}: ${dollars(perDelivery)} + ${dollars(perEvent)} / subscribers; at or under $2.50 from ${subscribersForTarget(p, s, 2.5) ?? 'never'} subscriber(s)` +
        `; lean ${dollars(lean.perDelivery)} + ${dollars(lean.perEvent)} / subscribers, from ${subscribersForTarget(leanParameters(p), s, 2.5) ?? 'never'}`,
    );
  }
  out.push(
    '',
    '## Levers (under load)',
    '',
    '| lever | 1 subscriber | 10 subscribers |',
    '| --- | --- | --- |',
  );
  for (const lever of levers) {
    const delta = (subscribers: number) => {
      const q = { ...p, subscribers };
      return total(deliveryCost(lever.apply(q), scenarios.load)) - total(deliveryCost(q, scenarios.load));
    };
    out.push(`| ${lever.name} | ${dollars(delta(1))} | ${dollars(delta(10))} |`);
  }
  for (const [what, ms] of [
    ['answered 503 in 100 ms', 100],
    ['timed out at 15 s', 15_000],
  ] as const) {
    for (const s of [scenarios.load, scenarios.low]) {
      out.push(
        '',
        `## A million failed attempts, ${what}, ${s.name}`,
        '',
        table(failedAttemptCost(p, s, ms, 1)),
      );
    }
  }
  for (const [miss, traced] of [
    [0.01, 0.05],
    [1, 1],
  ] as const) {
    out.push(
      '',
      `## A million API requests, authorizer misses ${miss}, traced ${traced}`,
      '',
      table(apiCost(p, miss, traced)),
    );
  }
  console.log(out.join('\n'));
}

if (require.main === module) main();
