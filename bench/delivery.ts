import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { Agent, request } from 'undici';
import { DynamoDbDeliveryLog } from '../functions/adapters/aws/dynamodb-delivery-log';
import { DynamoDbWebhookStore } from '../functions/adapters/aws/dynamodb-webhook-store';
import { createOAuthTokenClient } from '../functions/adapters/http/oauth-token-client';
import { createSafeAgent } from '../functions/adapters/http/safe-dispatcher';
import { createWebhookSender } from '../functions/adapters/http/webhook-sender';
import {
  type DeliveryMessage,
  deliveryMessageSchema,
  parseDeliveryMessage,
} from '../functions/domain/delivery';
import type { DeliveryLogEntry } from '../functions/domain/delivery-log';
import { buildEnvelope, serializeEnvelope } from '../functions/domain/envelope';
import { type DeliveryLog, systemClock, type WebhookSender } from '../functions/domain/ports';
import { defaultRetrySchedule } from '../functions/domain/retry';
import {
  decodeSigningSecret,
  signatureHeaders,
  signedRequestHeaders,
  svixHeaders,
} from '../functions/domain/signing';
import { anyPort } from '../functions/domain/target-ports';
import { type DeliverDeps, deliver } from '../functions/domain/use-cases/deliver';
import type { Webhook } from '../functions/domain/webhook';
import { documentClient } from '../functions/shared/clients';
import { createDeliveryBatchHandler } from '../functions/shared/delivery-batch';
import { logger } from '../functions/shared/logger';
import { freePort, localAwsConfig, startDynamoDbLocal } from '../local/emulators';
import { ensureTable } from '../local/resources';
import { benchWebhook, deliveryMessage, eventData } from './support/fixtures';
import { type LoadResult, runLoad } from './support/load';
import { describeCosts, largest, type ProfileCosts, profileCosts, startProfiler } from './support/profile';
import { startReceiverProcess } from './support/receiver';
import { count, fixed, medianOf, percent, progress, table } from './support/stats';

/**
 * Delivery throughput (issue "Event fan-out and delivery", item 7): Herald's delivery path against
 * a loopback receiver in another process, beside plain undici at the same concurrency, in one run.
 */
const runs = Number(process.env.BENCH_DELIVERY_RUNS ?? 5);
const maxOps = Number(process.env.BENCH_DELIVERY_MAX ?? 20_000);
const maxMs = Number(process.env.BENCH_DELIVERY_SECONDS ?? 10) * 1000;
const warmUpOps = 2_000;
const batchSize = 10;
const batchesInFlight = 5;
const concurrency = batchSize * batchesInFlight;
const tableName = 'herald-bench';

/** A delivery log that only counts: the in-memory fake of case (1). */
class CountingDeliveryLog implements DeliveryLog {
  succeeded = 0;
  other = 0;
  async record(entry: DeliveryLogEntry): Promise<void> {
    if (entry.status === 'succeeded') this.succeeded++;
    else this.other++;
  }
  async recordUnsent(): Promise<void> {
    throw new Error('not used by the delivery function');
  }
  async get(): Promise<undefined> {
    throw new Error('not used by the delivery function');
  }
  async list(): Promise<never> {
    throw new Error('not used by the delivery function');
  }
  async markQueued(): Promise<boolean> {
    throw new Error('not used by the delivery function');
  }
  async unmarkQueued(): Promise<void> {
    throw new Error('not used by the delivery function');
  }
}

/** The webhook store as the fakes case sees it: one webhook, always healthy. */
function fakeStore(webhook: Webhook): DeliverDeps['store'] {
  return {
    get: async () => webhook,
    update: async () => {},
    recordFailure: async () => undefined,
    recordSuccess: async () => undefined,
  };
}

/**
 * The delivery function's own batch logic (functions/shared/delivery-batch.ts) with fakes for
 * its dependencies. What the bench never expects (retry, dead letter) throws, which is reported
 * as a failure and fails the run, instead of going to SQS.
 */
function createDeliveryHandler(deps: DeliverDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const unexpected = async () => {
    throw new Error('the bench expects every delivery to succeed');
  };
  return createDeliveryBatchHandler(
    deps,
    { retryLater: unexpected, deadLetter: unexpected, requeue: unexpected },
    logger,
  );
}

function sqsRecord(message: DeliveryMessage, i: number): SQSRecord {
  const now = String(Date.now());
  return {
    messageId: `m-${i}`,
    receiptHandle: `r-${i}`,
    body: JSON.stringify(message),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: now,
      SenderId: 'bench',
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:herald-deliveries',
    awsRegion: 'us-east-1',
  };
}

/** `n` deliveries of distinct events to `webhook`, made before the clock starts. */
function messages(webhook: Webhook, label: string, n: number): DeliveryMessage[] {
  const data = eventData();
  return Array.from({ length: n }, (_, i) => deliveryMessage(webhook, `evt_${label}_${i}`, data));
}

/** Herald: SQS batches of 10 through the handler, `batchesInFlight` batches at once. */
function heraldBatches(
  handler: (event: SQSEvent) => Promise<SQSBatchResponse>,
  webhook: Webhook,
  label: string,
  ops: number,
): () => Promise<LoadResult> {
  const records = messages(webhook, label, ops).map(sqsRecord);
  return () =>
    runLoad({
      workers: batchesInFlight,
      opsPerTask: batchSize,
      maxOps: ops,
      maxMs,
      task: async (first) => {
        const response = await handler({ Records: records.slice(first, first + batchSize) });
        if (response.batchItemFailures.length > 0) {
          throw new Error(`${label}: ${response.batchItemFailures.length} deliveries of a batch failed`);
        }
      },
    });
}

/** Herald's use case alone: `deliver` with no SQS record around it, 50 independent deliveries. */
function heraldDeliverDirect(
  deps: DeliverDeps,
  webhook: Webhook,
  label: string,
  ops: number,
): () => Promise<LoadResult> {
  const list = messages(webhook, label, ops);
  return () =>
    runLoad({
      workers: concurrency,
      maxOps: ops,
      maxMs,
      task: async (i) => {
        const message = list[i];
        if (!message) throw new Error(`no message ${i}`);
        const outcome = await deliver(deps, message, 1);
        if (outcome.result !== 'delivered') throw new Error(`${label}: ${JSON.stringify(outcome)}`);
      },
    });
}

/** Herald's HTTP adapter alone: `createWebhookSender().send` with the same body and headers. */
function heraldSender(
  sender: WebhookSender,
  url: string,
  body: string,
  headers: Record<string, string>,
  ops: number,
): () => Promise<LoadResult> {
  return () =>
    runLoad({
      workers: concurrency,
      maxOps: ops,
      maxMs,
      task: async () => {
        const result = await sender.send({ url, body, headers });
        if (result.outcome !== 'response' || result.status !== 200) {
          throw new Error(`sender: ${JSON.stringify(result)}`);
        }
      },
    });
}

/** Plain undici: the same body and headers, `request` through an Agent, 50 concurrent. */
function plainUndici(
  agent: Agent,
  url: string,
  body: string,
  headers: Record<string, string>,
  ops: number,
): () => Promise<LoadResult> {
  return () =>
    runLoad({
      workers: concurrency,
      maxOps: ops,
      maxMs,
      task: async () => {
        const response = await request(url, { method: 'POST', body, headers, dispatcher: agent });
        await response.body.text();
        if (response.statusCode !== 200) throw new Error(`undici: receiver answered ${response.statusCode}`);
      },
    });
}

/** Plain undici without the top-level helper: `agent.request({ origin, path })`, no URL to parse. */
function plainDispatcher(
  agent: Agent,
  url: string,
  body: string,
  headers: Record<string, string>,
  ops: number,
): () => Promise<LoadResult> {
  const { origin, pathname } = new URL(url);
  return () =>
    runLoad({
      workers: concurrency,
      maxOps: ops,
      maxMs,
      task: async () => {
        const response = await agent.request({ origin, path: pathname, method: 'POST', body, headers });
        await response.body.text();
        if (response.statusCode !== 200) throw new Error(`undici: receiver answered ${response.statusCode}`);
      },
    });
}

/** The wire request Herald makes for one delivery to `webhook`, for the undici baseline to repeat. */
function sameRequest(webhook: Webhook): { body: string; headers: Record<string, string> } {
  const message = deliveryMessage(webhook, 'evt_baseline', eventData());
  const body = serializeEnvelope(
    buildEnvelope({
      eventId: message.eventId,
      eventType: message.eventType,
      data: message.data,
      time: message.time,
      source: message.source,
      prefix: webhook.attributes.event_type_prefix,
      suffix: webhook.attributes.event_type_suffix,
    }),
  );
  const signed = signatureHeaders({
    id: message.deliveryId,
    timestamp: new Date(),
    body,
    secrets: [webhook.signingSecret],
  });
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Herald-Webhooks/1.0',
      ...signed,
      ...svixHeaders(signed),
    },
  };
}

/** The delivery function's dependencies, as functions/handlers/delivery.ts makes them. */
function deliverDeps(
  agent: Agent,
  webhooks: DeliverDeps['webhooks'],
  store: DeliverDeps['store'],
  log: DeliveryLog,
  timeoutMs = 15_000,
): DeliverDeps {
  return {
    webhooks,
    store,
    sender: createWebhookSender({ agent, totalTimeoutMs: timeoutMs }),
    tokens: createOAuthTokenClient({
      send: createWebhookSender({ agent, totalTimeoutMs: timeoutMs, maxResponseBytes: 64 * 1024 }).send,
    }),
    log,
    // No webhook here has a rate_limit: the bucket is never asked.
    rateLimiter: { take: async () => ({ allowed: true }) },
    clock: systemClock,
    schedule: defaultRetrySchedule,
    sendSvixHeaders: true,
    autoDisableAfterMs: 5 * 86_400_000,
  };
}

interface Row {
  key: string;
  what: string;
  /** Makes the row's deliveries (untimed), then returns the timed run. */
  prepare: (ops: number, label: string) => () => Promise<LoadResult>;
}

interface StepCost {
  what: string;
  micros: number;
}

/** Times `step` alone in a tight loop: microseconds per call, median of 3 rounds of `n`. */
function timeStep(what: string, step: (i: number) => unknown, n = 20_000): StepCost {
  for (let i = 0; i < 2_000; i++) step(i);
  const rounds: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) step(i);
    rounds.push(((performance.now() - t0) * 1000) / n);
  }
  return { what, micros: medianOf(rounds, (x) => x) };
}

/** The CPU-bound steps of one delivery, each alone: which of them cost, in microseconds. */
function stepCosts(webhook: Webhook): StepCost[] {
  const message = deliveryMessage(webhook, 'evt_steps', eventData());
  const record = sqsRecord(message, 0);
  const envelope = () =>
    serializeEnvelope(
      buildEnvelope({
        eventId: message.eventId,
        eventType: message.eventType,
        data: message.data,
        time: message.time,
        source: message.source,
        prefix: webhook.attributes.event_type_prefix,
        suffix: webhook.attributes.event_type_suffix,
      }),
    );
  const body = envelope();
  const now = new Date();
  const keys = { tenant: message.tenant, webhookId: message.webhookId, deliveryId: message.deliveryId };
  const costs = [
    timeStep('`JSON.parse` of the SQS record body', () => JSON.parse(record.body)),
    timeStep("`JSON.parse` + `parseDeliveryMessage` (the handler's hand-written check)", () =>
      parseDeliveryMessage(JSON.parse(record.body)),
    ),
    timeStep(
      '*for comparison*: `JSON.parse` + `deliveryMessageSchema.safeParse` (zod), in its place until now',
      () => deliveryMessageSchema.safeParse(JSON.parse(record.body)),
    ),
    timeStep('`buildEnvelope` + `serializeEnvelope` (`JSON.stringify` of ~1.2 KB)', envelope),
    timeStep(
      '`signatureHeaders` (HMAC-SHA256 of the body, key cached) + `signedRequestHeaders` (svix copies)',
      () =>
        signedRequestHeaders(
          signatureHeaders({
            id: message.deliveryId,
            timestamp: now,
            body,
            secrets: [webhook.signingSecret],
          }),
          true,
        ),
    ),
    timeStep('`decodeSigningSecret` alone (done once per secret, then cached)', () =>
      decodeSigningSecret(webhook.signingSecret),
    ),
    timeStep("the sender's per-request abort signal (`EventEmitter`) + `setTimeout`/`clearTimeout`", () => {
      const abort = new EventEmitter();
      clearTimeout(setTimeout(() => abort.emit('abort'), 15_000));
      return abort;
    }),
    timeStep('*for comparison*: the same with an `AbortController`', () => {
      const controller = new AbortController();
      clearTimeout(setTimeout(() => controller.abort(), 15_000));
      return controller.signal;
    }),
    timeStep('`logger.info` below the level (WARN): the handler\'s "delivered" line, not written', () =>
      logger.info('delivered', { ...keys, status: 200 }),
    ),
  ];
  // A language pattern, not Herald's code: the shape of the attempt record `deliver` builds.
  const base = {
    tenant: 't',
    webhookId: 'wh',
    deliveryId: 'msg',
    eventId: 'evt',
    eventType: 'x',
    attempt: 1,
    time: 'T',
  };
  const fields = {
    outcome: 'ok',
    statusCode: 200,
    durationMs: 3,
    error: null,
    responseExcerpt: 'ok',
    next: 'none',
    retryInSeconds: null,
  };
  costs.push(
    timeStep('*JavaScript on this Node*: `{ ...a, ...b }` of two 7-property objects', () => ({
      ...base,
      ...fields,
    })),
    timeStep('*JavaScript on this Node*: `Object.assign({}, a, b)` of the same', () =>
      Object.assign({}, base, fields),
    ),
  );
  logger.setLogLevel('INFO');
  costs.push(
    timeStep('`logger.info` at INFO (the deployed level), written to /dev/null', () =>
      logger.info('delivered', { ...keys, status: 200 }),
    ),
  );
  logger.setLogLevel('WARN');
  return costs;
}

/** One more run of a row under the CPU profiler: where its CPU goes, per delivery. */
async function profileRow(rows: Row[], key: string, file: string): Promise<ProfileCosts> {
  const row = rows.find((r) => r.key === key);
  if (!row) throw new Error(`no row ${key}`);
  const timed = row.prepare(maxOps, `profile_${key}`);
  const profiler = await startProfiler();
  const result = await timed();
  return profileCosts(await profiler.stop(file), result.ops);
}

export async function run(): Promise<string> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Deployed, the logger runs at INFO: one JSON line per batch, and one per delivery that did not succeed.
  logger.setLogLevel('WARN');
  const receiver = await startReceiverProcess();
  const dynamoPort = await freePort();
  const dynamo = await startDynamoDbLocal({ port: dynamoPort });
  try {
    Object.assign(process.env, {
      AWS_REGION: localAwsConfig.region,
      AWS_ACCESS_KEY_ID: localAwsConfig.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localAwsConfig.credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    });
    const raw = new DynamoDBClient({ ...localAwsConfig, endpoint: dynamo.endpoint });
    await ensureTable(raw, tableName);
    raw.destroy();

    const url = `${receiver.url}/webhook`;
    const webhook = benchWebhook('bench', url);
    const heraldAgent = createSafeAgent({
      allowPrivateTargets: true,
      allowedPorts: anyPort,
      connectTimeoutMs: 5_000,
    });
    const undiciAgent = new Agent();
    const fakeLog = new CountingDeliveryLog();
    const fakes = deliverDeps(heraldAgent, { get: async () => webhook }, fakeStore(webhook), fakeLog);
    const fakesHandler = createDeliveryHandler(fakes);

    // Case (2): the real stores on DynamoDB Local, one document client as the handler makes it.
    const client = documentClient();
    const store = new DynamoDbWebhookStore(client, tableName);
    await store.create(webhook);
    const dynamoLog = new DynamoDbDeliveryLog(client, tableName, 30 * 86_400);
    const dynamoHandler = createDeliveryHandler(deliverDeps(heraldAgent, store, store, dynamoLog));

    const { body, headers } = sameRequest(webhook);
    const atInfo = (timed: () => Promise<LoadResult>) => async (): Promise<LoadResult> => {
      logger.setLogLevel('INFO');
      try {
        return await timed();
      } finally {
        logger.setLogLevel('WARN');
      }
    };
    const rows: Row[] = [
      {
        key: 'undici',
        what: `plain undici \`request\` + \`Agent\`, ${concurrency} concurrent (same body and headers as Herald's)`,
        prepare: (ops) => plainUndici(undiciAgent, url, body, headers, ops),
      },
      {
        key: 'dispatcher',
        what: `*diagnostic*: plain undici \`agent.request({ origin, path })\` (the \`Dispatcher\` method: no \`request(url)\` helper, which parses the URL and copies the options), ${concurrency} concurrent`,
        prepare: (ops) => plainDispatcher(undiciAgent, url, body, headers, ops),
      },
      {
        key: 'fakes',
        what: `**Herald, fakes**: the delivery handler's path, ${batchesInFlight} SQS batches of ${batchSize} in flight, webhook lookup and attempt log in memory`,
        prepare: (ops, label) => heraldBatches(fakesHandler, webhook, label, ops),
      },
      {
        key: 'direct',
        what: `*diagnostic*: \`deliver()\` alone with the same fakes, ${concurrency} independent deliveries (no SQS record to parse, no batch to wait for)`,
        prepare: (ops, label) => heraldDeliverDirect(fakes, webhook, label, ops),
      },
      {
        key: 'sender',
        what: `*diagnostic*: Herald's \`createWebhookSender().send\` alone (safe agent), ${concurrency} concurrent, same body and headers`,
        prepare: (ops) => heraldSender(fakes.sender, url, body, headers, ops),
      },
      {
        key: 'info',
        what: '*diagnostic*: as **Herald, fakes** with the logger at INFO, the deployed level (one JSON line per batch; to /dev/null here)',
        prepare: (ops, label) => atInfo(heraldBatches(fakesHandler, webhook, label, ops)),
      },
      {
        key: 'dynamo',
        what: '**Herald, DynamoDB Local**: as **Herald, fakes** with `DynamoDbWebhookStore` (one strongly consistent GetItem per webhook per batch) and `DynamoDbDeliveryLog` (one UpdateItem per delivery, plus its keys-only index entry)',
        prepare: (ops, label) => heraldBatches(dynamoHandler, webhook, label, ops),
      },
    ];

    progress(`warming up (${warmUpOps} deliveries per row)`);
    for (const row of rows) await row.prepare(warmUpOps, `warm_${row.key}`)();

    const results = new Map<string, LoadResult[]>(rows.map((r) => [r.key, []]));
    for (let r = 1; r <= runs; r++) {
      for (const row of rows) {
        const timed = row.prepare(maxOps, `run${r}_${row.key}`);
        const before = fakeLog.succeeded;
        const result = await timed();
        if (row.key === 'fakes' && fakeLog.succeeded - before !== result.ops) {
          throw new Error('the fake attempt log did not record every delivery as succeeded');
        }
        results.get(row.key)?.push(result);
        progress(
          `run ${r}/${runs} ${row.key}: ${count(result.perSecond)} deliveries/s, ${fixed(result.cpuMicrosPerOp, 0)} µs CPU each (${count(result.ops)} in ${result.seconds.toFixed(2)} s)`,
        );
      }
    }
    if (fakeLog.other > 0) throw new Error(`${fakeLog.other} attempts with fakes did not succeed`);
    // The DynamoDB rows wrote real attempt records: read one back.
    const probe = deliveryMessage(webhook, `evt_run${runs}_dynamo_0`, {});
    const stored = await dynamoLog.get(webhook.tenant, webhook.id, probe.deliveryId);
    if (stored?.status !== 'succeeded' || stored.attempts[0]?.outcome !== 'succeeded')
      throw new Error('no delivery record in DynamoDB Local');

    // One more run each of undici and of Herald with fakes under V8's CPU profiler (not counted above).
    const profileDir = mkdtempSync(join(tmpdir(), 'herald-bench-profile-'));
    const profiles: Record<'undici' | 'fakes', ProfileCosts> = {
      undici: await profileRow(rows, 'undici', join(profileDir, 'delivery-undici.cpuprofile')),
      fakes: await profileRow(rows, 'fakes', join(profileDir, 'delivery-herald-fakes.cpuprofile')),
    };
    progress(`CPU profiles in ${profileDir}`);
    progress(`plain undici:\n${describeCosts(profiles.undici)}`);
    progress(`Herald with fakes:\n${describeCosts(profiles.fakes)}`);

    const steps = stepCosts(webhook);
    for (const step of steps) progress(`${fixed(step.micros, 2)} µs  ${step.what}`);

    undiciAgent.destroy();
    heraldAgent.destroy();
    client.destroy();
    return report(rows, results, profiles, steps, Buffer.byteLength(body));
  } finally {
    await receiver.stop();
    await dynamo.stop();
  }
}

function report(
  rows: Row[],
  results: Map<string, LoadResult[]>,
  profiles: Record<'undici' | 'fakes', ProfileCosts>,
  steps: StepCost[],
  bodyBytes: number,
): string {
  const undici = results.get('undici') ?? [];
  /** The median over runs of this row's throughput over undici's in the same run. */
  const ratio = (key: string) =>
    medianOf(
      (results.get(key) ?? []).map((r, i) => r.perSecond / (undici[i]?.perSecond ?? Number.NaN)),
      (x) => x,
    );
  const lines = rows.map((row) => {
    const list = results.get(row.key) ?? [];
    return [
      row.what,
      count(medianOf(list, (r) => r.perSecond)),
      percent(ratio(row.key)),
      fixed(
        medianOf(list, (r) => r.cpuMicrosPerOp),
        0,
      ),
      list.map((r) => count(r.perSecond)).join(' / '),
    ];
  });
  const fakes = medianOf(results.get('fakes') ?? [], (r) => r.perSecond);
  const undiciRate = medianOf(undici, (r) => r.perSecond);
  const cpu = (key: string) => medianOf(results.get(key) ?? [], (r) => r.cpuMicrosPerOp);
  /** The same ratio from CPU per delivery, in each run: steadier when other processes take CPU. */
  const cpuRatio = (key: string) =>
    medianOf(
      (results.get(key) ?? []).map((r, i) => (undici[i]?.cpuMicrosPerOp ?? Number.NaN) / r.cpuMicrosPerOp),
      (x) => x,
    );
  const places = [
    ...new Set(
      [...largest(profiles.fakes.byPlace, 12), ...largest(profiles.undici.byPlace, 8)].map(([k]) => k),
    ),
  ]
    .map((place) => {
      const a = profiles.undici.byPlace.get(place) ?? 0;
      const b = profiles.fakes.byPlace.get(place) ?? 0;
      return { place, a, b };
    })
    .sort((x, y) => y.b - y.a - (x.b - x.a));
  const us = (v: number) => fixed(v, 1);
  const signed = (v: number) => `${v >= 0 ? '+' : ''}${us(v)}`;
  const code = (text: string) => `\`${text}\``;
  const heraldCode = (name: string) => / functions\//.test(name) || name.startsWith('handleRecord ');
  return `Each delivery POSTs a 1,024-byte event \`data\` in its envelope (${count(bodyBytes)} bytes) to a receiver on
127.0.0.1 in **another process** (\`bench/receiver.mjs\`: node:http, 200 "ok" to every POST). Every row
runs ${count(maxOps)} deliveries or ${maxMs / 1000} s, whichever comes first, after a warm-up of ${count(warmUpOps)}; the rows take
turns within each of ${runs} runs; figures are medians of the runs (each run listed), and "of undici" is the
median of the per-run ratios. Herald uses the real \`createSafeAgent({ allowPrivateTargets: true })\`,
\`createWebhookSender\` and \`createOAuthTokenClient\`, a fixed webhook (\`authentication_method: none\`, svix
headers on, as deployed), and the delivery function's own batch logic
(\`createDeliveryBatchHandler\` from \`functions/shared/delivery-batch.ts\`, what the handler runs, given fakes):
JSON parse and check (\`parseDeliveryMessage\`) of each SQS record, \`deliver\`, a log line for anything but
success and one per batch, the batch response; only middy is left out. The logger is at WARN
unless a row says otherwise. "CPU" is this process's CPU time (user + system) per delivery.

The machine has 2 cores: the receiver (and in the last row DynamoDB Local's JVM) competes with the
sender for them, for Herald and undici alike, and so does anything else running on the machine. The
sender is CPU-bound in every row, so throughput follows CPU per delivery, which is the steadier figure.

${table(['what', 'deliveries/s', 'of undici', 'CPU µs/delivery', 'runs'], lines)}

**Herald with fakes reaches ${percent(ratio('fakes'))} of plain undici's throughput** (${count(fakes)} vs ${count(undiciRate)} deliveries/s);
from CPU per delivery (${fixed(cpu('fakes'), 0)} vs ${fixed(cpu('undici'), 0)} µs) the ratio is ${percent(cpuRatio('fakes'))}. The issue's target is at least 80%.

### Where Herald's extra CPU goes

V8's CPU profiler over one more run each of the undici row and the **Herald, fakes** row (not counted
above; profiling adds some overhead to both): self time in µs of CPU per delivery, by where the code
lives, largest difference first. \`npm run bench -- delivery\` prints the full summaries and the paths of the
\`.cpuprofile\` files (open them in Chrome DevTools).

${table(
  ['code', 'undici µs/delivery', 'Herald µs/delivery', 'difference'],
  [
    ...places.map(({ place, a, b }) => [place, us(a), us(b), signed(b - a)]),
    [
      '**all (not idle)**',
      us(profiles.undici.busy),
      us(profiles.fakes.busy),
      signed(profiles.fakes.busy - profiles.undici.busy),
    ],
  ],
)}

Herald's functions by time including what they call synchronously (µs per delivery; an \`await\` ends a
stack, so the HTTP round trip is not inside \`deliver\`), and the largest self times of the Herald run:

${table(
  ['Herald function (incl. callees)', 'µs'],
  largest(new Map([...profiles.fakes.inclusive].filter(([k]) => heraldCode(k))), 12).map(([k, v]) => [
    code(k),
    us(v),
  ]),
)}

${table(
  ['function (self time, Herald run)', 'µs'],
  largest(profiles.fakes.byFunction, 15).map(([k, v]) => [code(k), us(v)]),
)}

The CPU-bound steps of one delivery, each timed alone in a loop (µs per call, median of 3 rounds of
20,000; in the real path they cost more, in cache misses and garbage collection):

${table(
  ['step', 'µs'],
  steps.map((s) => [s.what, fixed(s.micros, 2)]),
)}
`;
}
