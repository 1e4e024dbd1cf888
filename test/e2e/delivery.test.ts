import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { localAwsConfig } from '../../local/emulators';
import { type LocalHerald, startLocalHerald } from '../../local/herald';
import { emulatorEndpoints, seedBodies, uniqueName } from '../helpers';

/**
 * Events end to end: PutEvents from the AWS SDK → the rule → the router → SQS → the delivery
 * handler → a receiver on loopback, in local mode with a short retry schedule.
 */
interface Received {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let herald: LocalHerald;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
/** Paths answered with this status instead of 200. */
const failing = new Map<string, number>();

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({
        at: Date.now(),
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(failing.get(path) ?? 200).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const address = receiver.address();
  receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const { dynamoDb, sqs } = emulatorEndpoints();
  herald = await startLocalHerald({
    apiPort: 0,
    eventsPort: 0,
    memory: true,
    dataDir: mkdtempSync(join(tmpdir(), 'herald-delivery-')),
    busName: 'herald',
    eventSource: 'CredoAI',
    allowPrivateTargets: true,
    dynamoDbEndpoint: dynamoDb,
    sqsEndpoint: sqs,
    tableName: uniqueName('herald-delivery'),
    queuePrefix: uniqueName('delivery'),
    retrySchedule: '1s,1s',
    deliveryTimeoutMs: 2000,
    logLevel: 'ERROR',
  });
});

afterAll(async () => {
  await herald?.stop();
  receiver?.close();
});

async function createWebhook(
  path: string,
  attributes: Record<string, unknown> = {},
): Promise<{ id: string; secret: string }> {
  const body = structuredClone(seedBodies.none) as { data: { attributes: Record<string, unknown> } };
  Object.assign(body.data.attributes, { url: `${receiverUrl}${path}`, ...attributes });
  const res = await fetch(`${herald.apiUrl}/api/v2/demo/webhooks`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${herald.demoApiKey}`, 'Content-Type': 'application/vnd.api+json' },
    body: JSON.stringify(body),
  });
  const doc = (await res.json()) as { data: { id: string; attributes: { signing_secret: string } } };
  expect(res.status).toBe(201);
  return { id: doc.data.id, secret: doc.data.attributes.signing_secret };
}

const reviewData = {
  reviewId: 'pu7BDgxfVnK4RTQyb88uL',
  status: 'in_progress',
  useCaseId: 'ZiSPid3wLeXWTe4VTRjbq9',
  user: { email: 'steven@credo.ai', userId: 'FSZqZLT8eFUUp53uTM6Ref' },
};

async function publish(detailType: string, detail: Record<string, unknown>): Promise<string> {
  const client = new EventBridgeClient({ ...localAwsConfig, endpoint: herald.eventsUrl, maxAttempts: 1 });
  const out = await client.send(
    new PutEventsCommand({
      Entries: [
        { EventBusName: 'herald', Source: 'CredoAI', DetailType: detailType, Detail: JSON.stringify(detail) },
      ],
    }),
  );
  expect(out.FailedEntryCount).toBe(0);
  return out.Entries?.[0]?.EventId ?? '';
}

async function waitFor<T>(find: () => T | undefined, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out waiting');
}

it('delivers the seed event, signed so standardwebhooks verifies it, with the seed’s type', async () => {
  const { secret } = await createWebhook('/seed');
  await publish('use_case_review_status_updated', {
    tenant: 'demo',
    environment: 'production',
    data: reviewData,
  });
  const delivery = await waitFor(() => received.find((r) => r.path === '/seed'));
  const verified = new StandardWebhook(secret).verify(delivery.body, {
    'webhook-id': String(delivery.headers['webhook-id']),
    'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
    'webhook-signature': String(delivery.headers['webhook-signature']),
  }) as Record<string, unknown>;
  expect(verified).toMatchObject({
    data: reviewData,
    type: 'CredoAI.use_case_review_status_updated.v1',
    source: 'CredoAI',
    subject: 'use_case_review_status_updated',
    specversion: '1.0',
  });
  expect(delivery.headers['content-type']).toBe('application/json');
  expect(delivery.headers['svix-id']).toBe(delivery.headers['webhook-id']);
});

it('gives a platform retry with the same detail.id the same webhook-id', async () => {
  await createWebhook('/dedupe');
  const detail = { tenant: 'demo', environment: 'production', id: `evt-${Date.now()}`, data: reviewData };
  await publish('use_case_review_status_updated', detail);
  await publish('use_case_review_status_updated', detail);
  const both = await waitFor(() => {
    const hits = received.filter((r) => r.path === '/dedupe');
    return hits.length >= 2 ? hits : undefined;
  });
  expect(both[0]?.headers['webhook-id']).toBe(both[1]?.headers['webhook-id']);
});

it('retries a failing receiver on schedule, then dead-letters the delivery', async () => {
  failing.set('/down', 503);
  const { id } = await createWebhook('/down');
  await publish('use_case_review_status_updated', {
    tenant: 'demo',
    environment: 'production',
    data: reviewData,
  });
  // One attempt and two retries (schedule 1s,1s).
  const attempts = await waitFor(() => {
    const hits = received.filter((r) => r.path === '/down');
    return hits.length >= 3 ? hits : undefined;
  }, 20_000);
  expect(new Set(attempts.map((a) => a.headers['webhook-id'])).size).toBe(1);
  const sqs = new SQSClient({
    ...localAwsConfig,
    endpoint: herald.sqsEndpoint,
    useQueueUrlAsEndpoint: false,
  });
  let body: string | undefined;
  for (let i = 0; i < 40 && !body; i++) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: herald.queues.deadLetters,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    body = Messages.map((m) => m.Body ?? '').find((b) =>
      b.includes('"eventType":"use_case_review_status_updated"'),
    );
  }
  expect(body).toBeDefined();
  const hits = received.filter((r) => r.path === '/down');
  expect(hits).toHaveLength(3);
  // On schedule: each retry comes after its delay (1 s each here), not at once.
  expect((hits[1]?.at ?? 0) - (hits[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
  expect((hits[2]?.at ?? 0) - (hits[1]?.at ?? 0)).toBeGreaterThanOrEqual(900);

  // Every attempt is in the delivery log, read through the API.
  const list = await fetch(`${herald.apiUrl}/api/v2/demo/webhooks/${id}/deliveries`, {
    headers: { Authorization: `Bearer ${herald.demoApiKey}` },
  });
  const listed = (await list.json()) as { data: Array<{ id: string; attributes: Record<string, unknown> }> };
  expect(listed.data).toHaveLength(1);
  expect(listed.data[0]?.attributes).toMatchObject({
    status: 'failed',
    attempt_count: 3,
    last_status_code: 503,
  });
  const one = await fetch(`${herald.apiUrl}/api/v2/demo/webhooks/${id}/deliveries/${listed.data[0]?.id}`, {
    headers: { Authorization: `Bearer ${herald.demoApiKey}` },
  });
  const attemptsLogged = (
    (await one.json()) as { data: { attributes: { attempts: Array<Record<string, unknown>> } } }
  ).data.attributes.attempts;
  expect(attemptsLogged.map((a) => [a.attempt, a.outcome, a.status_code])).toEqual([
    [1, 'failed', 503],
    [2, 'failed', 503],
    [3, 'failed', 503],
  ]);
  for (const attempt of attemptsLogged) {
    expect(attempt).toEqual(
      expect.objectContaining({
        error: 'endpoint answered 503',
        duration_ms: expect.any(Number),
        trigger: 'event',
      }),
    );
  }
}, 40_000);

it('keeps an event that fails its schema aside instead of delivering it', async () => {
  await createWebhook('/invalid');
  await publish('use_case_review_status_updated', {
    tenant: 'demo',
    environment: 'production',
    data: { ...reviewData, reviewId: 42 },
  });
  const sqs = new SQSClient({
    ...localAwsConfig,
    endpoint: herald.sqsEndpoint,
    useQueueUrlAsEndpoint: false,
  });
  let kept: string | undefined;
  for (let i = 0; i < 20 && !kept; i++) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: herald.queues.rejectedEvents,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    kept = Messages.map((m) => m.Body ?? '').find((b) => b.includes('reviewId'));
  }
  expect(kept).toBeDefined();
  expect(received.filter((r) => r.path === '/invalid')).toHaveLength(0);
}, 30_000);

it('names the type with each prefix and suffix combination', async () => {
  await createWebhook('/affix-none', { event_type_prefix: null, event_type_suffix: null });
  await createWebhook('/affix-prefix', { event_type_prefix: 'Acme', event_type_suffix: null });
  await createWebhook('/affix-suffix', { event_type_prefix: null, event_type_suffix: 'v2' });
  await publish('use_case_review_status_updated', {
    tenant: 'demo',
    environment: 'production',
    data: reviewData,
  });
  const typeAt = async (path: string) =>
    (JSON.parse((await waitFor(() => received.find((r) => r.path === path))).body) as { type: string }).type;
  expect(await typeAt('/affix-none')).toBe('use_case_review_status_updated');
  expect(await typeAt('/affix-prefix')).toBe('Acme.use_case_review_status_updated');
  expect(await typeAt('/affix-suffix')).toBe('use_case_review_status_updated.v2');
});

it('delivers only to webhooks of the event’s tenant, type and environment', async () => {
  await createWebhook('/env-qa', { environment: 'qa' });
  await createWebhook('/env-any', { environment: null });
  await createWebhook('/other-type', { event_types: ['use_case_review_comment'] });
  await publish('use_case_review_status_updated', {
    tenant: 'demo',
    environment: 'staging',
    data: reviewData,
  });
  await publish('use_case_review_status_updated', {
    tenant: 'someone-else',
    environment: 'qa',
    data: reviewData,
  });
  await waitFor(() => received.find((r) => r.path === '/env-any'));
  // The staging event reached the environment-less webhook; give any stray delivery time to land.
  await new Promise((r) => setTimeout(r, 1000));
  expect(received.filter((r) => r.path === '/env-any')).toHaveLength(1);
  expect(received.filter((r) => r.path === '/env-qa')).toHaveLength(0);
  expect(received.filter((r) => r.path === '/other-type')).toHaveLength(0);
});
