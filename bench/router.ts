import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDbWebhookStore } from '../functions/adapters/aws/dynamodb-webhook-store';
import { SqsDeliveryQueue } from '../functions/adapters/aws/sqs-delivery-queue';
import { deliveryIdsOf } from '../functions/domain/delivery-id';
import { parsePlatformEvent } from '../functions/domain/platform-event';
import { type RejectedEvent, type Route, systemClock } from '../functions/domain/ports';
import { type RouteDeps, routeEvent } from '../functions/domain/use-cases/route-event';
import { documentClient } from '../functions/shared/clients';
import { freePort, localAwsConfig, startDynamoDbLocal, startFauxqs } from '../local/emulators';
import { ensureTable } from '../local/resources';
import { benchWebhook, busEvent, environment, eventData, eventType } from './support/fixtures';
import { count, fixed, medianOf, ms, percentile, progress, table } from './support/stats';

/**
 * Router fan-out: `routeEvent` with the real DynamoDbWebhookStore (one query for the routes) on
 * DynamoDB Local and the real SqsDeliveryQueue on fauxqs, for events with 1, 10 and 1,000
 * subscribed webhooks. Events go one at a time, as one router container takes them.
 */
const runs = Number(process.env.BENCH_ROUTER_RUNS ?? 3);
const tableName = 'herald-bench-router';

interface Case {
  webhooks: number;
  maxEvents: number;
  maxMs: number;
}

const cases: Case[] = [
  { webhooks: 1, maxEvents: 2_000, maxMs: 5_000 },
  { webhooks: 10, maxEvents: 2_000, maxMs: 5_000 },
  { webhooks: 1_000, maxEvents: 80, maxMs: 10_000 },
];

interface CaseRun {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  deliveriesPerSecond: number;
  p50: number;
  p99: number;
}

/** Refused events would be a bug in the bench's events: kept in memory, and the run fails on one. */
class FailingRejectedSink {
  readonly kept: RejectedEvent[] = [];
  async keep(rejected: RejectedEvent): Promise<void> {
    this.kept.push(rejected);
  }
}

async function createWebhooks(store: DynamoDbWebhookStore, tenant: string, n: number): Promise<void> {
  let next = 0;
  // Ten creates at once: each is one TransactWriteItems (webhook item and route item).
  await Promise.all(
    Array.from({ length: Math.min(10, n) }, async () => {
      while (next < n) {
        next++;
        await store.create(benchWebhook(tenant, 'https://receiver.example.com/webhook'));
      }
    }),
  );
}

async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? Number.NaN);
}

async function routeCase(
  deps: Omit<RouteDeps, 'queue' | 'orderedQueue'>,
  sqs: SQSClient,
  tenant: string,
  c: Case,
  label: string,
): Promise<CaseRun> {
  // A fresh queue for every run: nothing left from another case or run.
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: `bench-router-${label}-${randomUUID().slice(0, 8)}` }),
  );
  if (!QueueUrl) throw new Error('fauxqs gave no queue URL');
  try {
    const queue = new SqsDeliveryQueue(sqs, QueueUrl);
    // The bench's webhooks are unordered: the ordered queue is never used.
    const routeDeps: RouteDeps = { ...deps, queue, orderedQueue: queue };
    const latencies: number[] = [];
    const data = eventData();
    let events = 0;
    const t0 = performance.now();
    while (events < c.maxEvents && performance.now() - t0 < c.maxMs) {
      const started = performance.now();
      const result = await routeEvent(routeDeps, busEvent(tenant, `evt_${label}_${events}`, data));
      latencies.push(performance.now() - started);
      if (result.outcome !== 'routed' || result.deliveries !== c.webhooks) {
        throw new Error(`event ${events}: expected ${c.webhooks} deliveries, got ${JSON.stringify(result)}`);
      }
      events++;
    }
    const seconds = (performance.now() - t0) / 1000;
    const depth = await queueDepth(sqs, QueueUrl);
    if (depth !== events * c.webhooks) {
      throw new Error(`the queue holds ${depth} deliveries, expected ${events * c.webhooks}`);
    }
    return {
      events,
      seconds,
      eventsPerSecond: events / seconds,
      deliveriesPerSecond: (events * c.webhooks) / seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
    };
  } finally {
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  }
}

/** The in-process row: `routeEvent` with in-memory fakes, this many subscribers per event. */
const fakeSubscribers = 10;
const fakeRuns = 3;
const fakeMaxEvents = 200_000;
const fakeMaxMs = 3_000;

interface FakeRun {
  eventsPerSecond: number;
  /** µs per event: the whole `routeEvent`, then its schema check and its delivery ids alone. */
  totalUs: number;
  parseUs: number;
  idsUs: number;
}

/**
 * `routeEvent` with nothing but its own work: the store hands back the routes from memory (a copy,
 * as a query would) and the queue counts what it is given. Serialising the messages is the SQS
 * adapter's work, measured with the emulator rows. Then the same events through
 * `parsePlatformEvent` alone and `deliveryIdsOf` alone (once, then an id per route), for where the time goes.
 */
export async function routeWithFakes(): Promise<FakeRun> {
  const tenant = 'bench-fakes';
  const routes: Route[] = Array.from({ length: fakeSubscribers }, (_, i) => ({
    tenant,
    eventType,
    environment,
    webhookId: `wh_bench${String(i).padStart(18, '0')}`,
    status: 'enabled',
    filter: null,
    ordering: 'none',
  }));
  let queued = 0;
  const deps: RouteDeps = {
    store: { findRoutes: async () => [...routes] },
    queue: {
      enqueue: async (messages) => {
        queued += messages.length;
      },
    },
    orderedQueue: {
      enqueue: async () => {
        throw new Error('the bench routes to unordered webhooks only');
      },
    },
    log: {
      recordUnsent: async () => {
        throw new Error('the bench routes to enabled webhooks only');
      },
    },
    rejected: {
      keep: async (rejected) => {
        throw new Error(`the router rejected a bench event: ${rejected.problems.join('; ')}`);
      },
    },
    clock: systemClock,
  };
  const data = eventData();
  const events = Array.from({ length: fakeMaxEvents }, (_, i) => busEvent(tenant, `evt_fake_${i}`, data));
  let n = 0;
  const t0 = performance.now();
  while (n < events.length && performance.now() - t0 < fakeMaxMs) {
    // 1,000 at a time between clock reads: the loop's own cost stays out of the figure.
    for (const end = Math.min(n + 1_000, events.length); n < end; n++) {
      const event = events[n];
      if (event) await routeEvent(deps, event);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  if (queued !== n * fakeSubscribers) throw new Error(`queued ${queued} deliveries for ${n} events`);
  const timeEach = (work: (event: (typeof events)[number]) => void): number => {
    const t = performance.now();
    for (let i = 0; i < n; i++) {
      const event = events[i];
      if (event) work(event);
    }
    return ((performance.now() - t) * 1000) / n;
  };
  const parseUs = timeEach((event) => parsePlatformEvent(event));
  const idsUs = timeEach((event) => {
    const idOf = deliveryIdsOf(event.id, event.time);
    for (const route of routes) idOf(route.webhookId);
  });
  return { eventsPerSecond: n / seconds, totalUs: (seconds * 1e6) / n, parseUs, idsUs };
}

export async function run(): Promise<string> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // Before the emulators start, so that they take no core from it.
  const fakeResults: FakeRun[] = [];
  for (let r = 1; r <= fakeRuns; r++) {
    const result = await routeWithFakes();
    fakeResults.push(result);
    progress(`in-process run ${r}/${fakeRuns}: ${count(result.eventsPerSecond)} events/s`);
  }
  const fake = {
    eventsPerSecond: medianOf(fakeResults, (x) => x.eventsPerSecond),
    totalUs: medianOf(fakeResults, (x) => x.totalUs),
    parseUs: medianOf(fakeResults, (x) => x.parseUs),
    idsUs: medianOf(fakeResults, (x) => x.idsUs),
  };
  const [dynamo, fauxqs] = await Promise.all([
    freePort().then((port) => startDynamoDbLocal({ port })),
    freePort().then((port) => startFauxqs({ port })),
  ]);
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
    const client = documentClient();
    const store = new DynamoDbWebhookStore(client, tableName);
    // As functions/handlers/router.ts makes it; fauxqs queue URLs name a host that does not resolve.
    const sqs = new SQSClient({ ...localAwsConfig, endpoint: fauxqs.endpoint, useQueueUrlAsEndpoint: false });
    const rejected = new FailingRejectedSink();
    const deps = {
      store,
      rejected,
      clock: systemClock,
      log: {
        recordUnsent: async () => {
          throw new Error('the bench routes to enabled webhooks only');
        },
      },
    };

    for (const c of cases) {
      const t0 = performance.now();
      await createWebhooks(store, `bench-n${c.webhooks}`, c.webhooks);
      progress(`${c.webhooks} webhooks created in ${ms(performance.now() - t0, 0)}`);
    }
    progress('warming up');
    for (const c of cases) {
      await routeCase(deps, sqs, `bench-n${c.webhooks}`, { ...c, maxEvents: 5 }, `warm-n${c.webhooks}`);
    }
    const results = new Map<number, CaseRun[]>(cases.map((c) => [c.webhooks, []]));
    for (let r = 1; r <= runs; r++) {
      for (const c of cases) {
        const result = await routeCase(deps, sqs, `bench-n${c.webhooks}`, c, `r${r}-n${c.webhooks}`);
        results.get(c.webhooks)?.push(result);
        progress(
          `run ${r}/${runs}, ${c.webhooks} webhooks: ${fixed(result.eventsPerSecond, 1)} events/s, ${count(result.deliveriesPerSecond)} deliveries queued/s (${result.events} events)`,
        );
      }
    }
    if (rejected.kept.length > 0) throw new Error(`the router rejected ${rejected.kept.length} events`);
    client.destroy();
    sqs.destroy();

    const rows = cases.map((c) => {
      const list = results.get(c.webhooks) ?? [];
      const eventsPerSecond = medianOf(list, (x) => x.eventsPerSecond);
      return [
        count(c.webhooks),
        eventsPerSecond >= 100 ? count(eventsPerSecond) : fixed(eventsPerSecond, 1),
        count(medianOf(list, (x) => x.deliveriesPerSecond)),
        ms(medianOf(list, (x) => x.p50)),
        ms(medianOf(list, (x) => x.p99)),
        `${count(c.maxEvents)} events or ${c.maxMs / 1000} s`,
        list.map((x) => count(x.events)).join(' / '),
      ];
    });
    return `\`routeEvent\` (schema check of a 1,024-byte \`data\`, one DynamoDB query for the routes, one
delivery message per webhook) with the real \`DynamoDbWebhookStore\` on DynamoDB Local and the real
\`SqsDeliveryQueue\` (\`SendMessageBatch\` of 10, up to 8 batches in flight) on fauxqs; the rejected-events
sink is an in-memory fake (no event is rejected). The N webhooks of each case belong to a tenant of their
own, created through the store's \`create\`, all subscribed to the event type in the event's environment.
Events are routed one at a time (one router container takes one event at a time), each run into a fresh
queue whose depth is checked afterwards; ${runs} runs, medians. DynamoDB Local (Java), fauxqs and the
benchmark share the machine's 2 cores, so this measures Herald plus two emulators, not AWS.

${table(
  [
    'subscribed webhooks',
    'events/s',
    'deliveries queued/s',
    'p50 per event',
    'p99 per event',
    'bound',
    'events per run',
  ],
  rows,
)}

In process, with in-memory fakes: \`routeEvent\` alone on one core, ${fakeSubscribers} subscribers per event, the
same 1,024-byte \`data\`; the store returns the routes from memory and the queue counts the messages (their
JSON is the SQS adapter's work, in the rows above). Events one at a time, ${fakeRuns} runs of up to
${count(fakeMaxEvents)} events or ${fakeMaxMs / 1000} s, before the emulators start; medians. Goal (issue 11):
20,000 events/s. Where the time goes: the same events through \`parsePlatformEvent\` alone and
\`deliveryIdsOf\` once and its ${fakeSubscribers} ids alone; the rest is building the messages and the promises.

${table(
  [
    'subscribed webhooks',
    'events/s',
    'deliveries/s',
    'per event',
    'schema check',
    'delivery ids',
    'the rest',
  ],
  [
    [
      count(fakeSubscribers),
      count(fake.eventsPerSecond),
      count(fake.eventsPerSecond * fakeSubscribers),
      `${fixed(fake.totalUs, 1)} µs`,
      `${fixed(fake.parseUs, 1)} µs`,
      `${fixed(fake.idsUs, 1)} µs (SHA-256 each)`,
      `${fixed(Math.max(0, fake.totalUs - fake.parseUs - fake.idsUs), 1)} µs`,
    ],
  ],
)}
`;
  } finally {
    await Promise.all([dynamo.stop(), fauxqs.stop()]);
  }
}
