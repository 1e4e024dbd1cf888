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
import type { DeliveryMessage } from '../functions/domain/delivery';
import type { DeliveryLogEntry } from '../functions/domain/delivery-log';
import { buildEnvelope, serializeEnvelope } from '../functions/domain/envelope';
import { type DeliveryLog, systemClock } from '../functions/domain/ports';
import { defaultRetrySchedule } from '../functions/domain/retry';
import { signatureHeaders, svixHeaders } from '../functions/domain/signing';
import { anyPort } from '../functions/domain/target-ports';
import type { DeliverDeps } from '../functions/domain/use-cases/deliver';
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
  async attemptsMade(): Promise<number> {
    // The bench's webhooks are unordered: only ordered deliveries ask.
    throw new Error('not used for unordered deliveries');
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
    const rows: Row[] = [
      {
        key: 'undici',
        what: `plain undici \`request\` + \`Agent\`, ${concurrency} concurrent (same body and headers as Herald's)`,
        prepare: (ops) => plainUndici(undiciAgent, url, body, headers, ops),
      },
      {
        key: 'fakes',
        what: `**Herald, fakes**: the delivery handler's path, ${batchesInFlight} SQS batches of ${batchSize} in flight, webhook lookup and attempt log in memory`,
        prepare: (ops, label) => heraldBatches(fakesHandler, webhook, label, ops),
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

    undiciAgent.destroy();
    heraldAgent.destroy();
    client.destroy();
    return report(rows, results, profiles, Buffer.byteLength(body));
  } finally {
    await receiver.stop();
    await dynamo.stop();
  }
}

function report(
  rows: Row[],
  results: Map<string, LoadResult[]>,
  profiles: Record<'undici' | 'fakes', ProfileCosts>,
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
  return `Each delivery POSTs a 1,024-byte event \`data\` in its envelope (${count(bodyBytes)} bytes) to a receiver on
127.0.0.1 in **another process** (\`bench/receiver.mjs\`: node:http, 200 "ok" to every POST). Every row
runs ${count(maxOps)} deliveries or ${maxMs / 1000} s, whichever comes first, after a warm-up of ${count(warmUpOps)}; the rows take
turns within each of ${runs} runs; figures are medians of the runs (each run listed), and "of undici" is the
median of the per-run ratios. Herald uses the real \`createSafeAgent({ allowPrivateTargets: true })\`,
\`createWebhookSender\` and \`createOAuthTokenClient\`, a fixed webhook (\`authentication_method: none\`, svix
headers on, as deployed), and the delivery function's own batch logic
(\`createDeliveryBatchHandler\` from \`functions/shared/delivery-batch.ts\`, what the handler runs, given fakes):
JSON parse and check (\`parseDeliveryMessage\`) of each SQS record, \`deliver\`, a log line for anything but
success and one per batch, the batch response; only middy is left out. The logger is at
WARN. "CPU" is this process's CPU time (user + system) per delivery.

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
`;
}
