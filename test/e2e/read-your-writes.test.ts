import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { type LocalHerald, startLocalHerald } from '../../local/herald';
import { emulatorEndpoints, seedBodies, uniqueName } from '../helpers';

/**
 * Edits are read-your-writes for deliveries (DESIGN "Management API"): once a PATCH, a rotation or
 * a status change has answered, every delivery attempted after it, a retry queued before it
 * included, uses the new webhook. Each test first delivers once, so a delivery function that kept
 * webhooks between invocations would hold the old one.
 */
interface Hit {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let herald: LocalHerald;
let server: Server;
let base: string;
const hits: Hit[] = [];
/** The status each path answers; 200 when unset. */
const answers = new Map<string, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      hits.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answers.get(path) ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const { dynamoDb, sqs } = emulatorEndpoints();
  herald = await startLocalHerald({
    apiPort: 0,
    eventsPort: 0,
    memory: true,
    dataDir: mkdtempSync(join(tmpdir(), 'herald-ryw-')),
    busName: 'herald',
    eventSource: 'CredoAI',
    allowPrivateTargets: true,
    dynamoDbEndpoint: dynamoDb,
    sqsEndpoint: sqs,
    tableName: uniqueName('herald-ryw'),
    queuePrefix: uniqueName('ryw'),
    // The first retry waits 3 s: time enough for a PATCH to land before it on a loaded machine.
    retrySchedule: '3s,1s,1s',
    deliveryTimeoutMs: 2000,
    logLevel: 'ERROR',
  });
});

afterAll(async () => {
  await herald?.stop();
  server?.closeAllConnections();
  server?.close();
});

type Json = Record<string, unknown>;

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; doc: Json }> {
  const res = await fetch(`${herald.apiUrl}/api/v2/demo${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${herald.demoApiKey}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/vnd.api+json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, doc: text ? JSON.parse(text) : {} };
}

async function createWebhook(path: string): Promise<{ id: string; secret: string }> {
  const body = structuredClone(seedBodies.none) as { data: { attributes: Json } };
  body.data.attributes.url = `${base}${path}`;
  const { status, doc } = await api('POST', '/webhooks', body);
  expect(status).toBe(201);
  const data = doc.data as { id: string; attributes: Json };
  return { id: data.id, secret: String(data.attributes.signing_secret) };
}

/** Queues a test event and answers its delivery id (the receiver's `webhook-id`). */
async function sendTest(id: string): Promise<string> {
  const { status, doc } = await api('POST', `/webhooks/${id}/test`, {
    data: { attributes: { event_type: 'use_case_name_updated' } },
  });
  expect(status).toBe(202);
  return (doc.data as { id: string }).id;
}

async function until<T>(find: () => T | undefined, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const hitOf = (path: string, deliveryId: string) => () =>
  hits.find((h) => h.path === path && h.headers['webhook-id'] === deliveryId);

function verifies(secret: string, hit: Hit): boolean {
  try {
    new StandardWebhook(secret).verify(hit.body, {
      'webhook-id': String(hit.headers['webhook-id']),
      'webhook-timestamp': String(hit.headers['webhook-timestamp']),
      'webhook-signature': String(hit.headers['webhook-signature']),
    });
    return true;
  } catch {
    return false;
  }
}

async function patch(id: string, attributes: Json): Promise<void> {
  const { status } = await api('PATCH', `/webhooks/${id}`, { data: { type: 'webhook', id, attributes } });
  expect(status).toBe(200);
}

describe('read-your-writes for deliveries', () => {
  it('sends the next delivery to the new url as soon as the PATCH has answered', async () => {
    const { id } = await createWebhook('/ryw/old');
    await until(hitOf('/ryw/old', await sendTest(id)));
    await patch(id, { url: `${base}/ryw/new` });
    const next = await sendTest(id);
    await until(hitOf('/ryw/new', next));
    expect(hitOf('/ryw/old', next)()).toBeUndefined();
  }, 30_000);

  it('signs the next delivery with the rotated secret as soon as the rotation has answered', async () => {
    const { id, secret: old } = await createWebhook('/ryw/rotate');
    await until(hitOf('/ryw/rotate', await sendTest(id)));
    const { status, doc } = await api('POST', `/webhooks/${id}/secret/rotate`, {
      data: { attributes: { grace_period_seconds: 0 } },
    });
    expect(status).toBe(200);
    const fresh = String((doc.data as { attributes: Json }).attributes.key);
    const hit = await until(hitOf('/ryw/rotate', await sendTest(id)));
    expect(verifies(fresh, hit)).toBe(true);
    expect(verifies(old, hit)).toBe(false);
  }, 30_000);

  it('sends a retry queued before the PATCH to the new url', async () => {
    const { id } = await createWebhook('/ryw/failing');
    answers.set('/ryw/failing', 503);
    const deliveryId = await sendTest(id);
    // The first attempt failed: its retry is on the queue, due in about a second.
    await until(hitOf('/ryw/failing', deliveryId));
    await patch(id, { url: `${base}/ryw/fixed` });
    const retried = await until(hitOf('/ryw/fixed', deliveryId));
    expect(retried.headers['webhook-id']).toBe(deliveryId);
    expect(
      hits.filter((h) => h.path === '/ryw/failing' && h.headers['webhook-id'] === deliveryId),
    ).toHaveLength(1);
  }, 30_000);

  it('holds a retry queued before the webhook was disabled, and logs it as failed', async () => {
    const { id } = await createWebhook('/ryw/disable');
    answers.set('/ryw/disable', 503);
    const deliveryId = await sendTest(id);
    await until(hitOf('/ryw/disable', deliveryId));
    await patch(id, { status: 'disabled' });
    // Wait for the retry's outcome in the log rather than for time to pass.
    const record = await untilAsync(async () => {
      const { doc } = await api('GET', `/webhooks/${id}/deliveries/${deliveryId}`);
      const attributes = (doc.data as { attributes: Json } | undefined)?.attributes;
      return attributes?.status === 'failed' ? attributes : undefined;
    });
    // After the 503 the delivery was `retrying`; only the held retry makes it `failed`, with no second attempt.
    expect(record.attempt_count).toBe(1);
    expect(hits.filter((h) => h.path === '/ryw/disable')).toHaveLength(1);
  }, 30_000);
});

async function untilAsync<T>(find: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}
