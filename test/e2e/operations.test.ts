import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { DeliveryMessage } from '../../functions/domain/delivery';
import { deliveryIdFor } from '../../functions/domain/envelope';
import { findEventType } from '../../functions/domain/event-catalog';
import { localAwsConfig } from '../../local/emulators';
import { type LocalHerald, startLocalHerald } from '../../local/herald';
import { emulatorEndpoints, seedBodies, uniqueName } from '../helpers';

/**
 * Operating deliveries through local mode, as a customer does it over the API: the delivery log,
 * test events, retry and recovery, secret rotation, endpoint health with automatic disabling.
 * Receivers are loopback servers whose answer each test sets per path.
 */
interface Hit {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

let herald: LocalHerald;
let server: Server;
let base: string;
const hits: Hit[] = [];
/** The status each path answers; 200 when unset. */
const answers = new Map<string, number>();
/** Long enough that the other tests' short failure streaks (three attempts, ~2 s) never reach it. */
const autoDisableAfterSeconds = 6;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      hits.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const status = answers.get(path) ?? 200;
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(`answer ${status} from ${path}`);
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
    dataDir: mkdtempSync(join(tmpdir(), 'herald-operations-')),
    busName: 'herald',
    eventSource: 'CredoAI',
    allowPrivateTargets: true,
    dynamoDbEndpoint: dynamoDb,
    sqsEndpoint: sqs,
    tableName: uniqueName('herald-operations'),
    queuePrefix: uniqueName('operations'),
    retrySchedule: '1s,1s',
    deliveryTimeoutMs: 2000,
    autoDisableAfterSeconds,
    logLevel: 'ERROR',
  });
});

afterAll(async () => {
  await herald?.stop();
  server?.closeAllConnections();
  server?.close();
});

type Json = Record<string, unknown>;
interface Resource {
  id: string;
  attributes: Json;
  links?: { self?: string };
}

async function api(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; doc: { data?: unknown; errors?: Json[]; links?: Json } }> {
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

async function createWebhook(path: string, attributes: Json = {}): Promise<{ id: string; secret: string }> {
  const body = structuredClone(seedBodies.none) as { data: { attributes: Json } };
  Object.assign(body.data.attributes, { url: `${base}${path}`, ...attributes });
  const { status, doc } = await api('POST', '/webhooks', body);
  expect(status).toBe(201);
  const data = doc.data as Resource;
  return { id: data.id, secret: String(data.attributes.signing_secret) };
}

const events = () => new EventBridgeClient({ ...localAwsConfig, endpoint: herald.eventsUrl, maxAttempts: 1 });

/** Publishes the seed's review event; returns the platform's event id (detail.id). */
async function publish(options: { time?: Date; reviewId?: string } = {}): Promise<string> {
  const id = uniqueName('evt');
  const out = await events().send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: 'herald',
          Source: 'CredoAI',
          DetailType: 'use_case_review_status_updated',
          Time: options.time,
          Detail: JSON.stringify({
            tenant: 'demo',
            environment: 'production',
            id,
            data: {
              reviewId: options.reviewId ?? 'pu7BDgxfVnK4RTQyb88uL',
              status: 'in_progress',
              useCaseId: 'ZiSPid3wLeXWTe4VTRjbq9',
              user: { email: 'steven@credo.ai', userId: 'FSZqZLT8eFUUp53uTM6Ref' },
            },
          }),
        },
      ],
    }),
  );
  expect(out.FailedEntryCount).toBe(0);
  return id;
}

async function until<T>(find: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const found = await find();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out waiting');
}

const hitsAt = (path: string) => hits.filter((h) => h.path === path);

async function deliveries(webhookId: string, query = ''): Promise<Resource[]> {
  const { status, doc } = await api('GET', `/webhooks/${webhookId}/deliveries${query}`);
  expect(status).toBe(200);
  return doc.data as Resource[];
}

async function delivery(webhookId: string, deliveryId: string): Promise<Json> {
  const { status, doc } = await api('GET', `/webhooks/${webhookId}/deliveries/${deliveryId}`);
  expect(status).toBe(200);
  return (doc.data as Resource).attributes;
}

/** Waits until the delivery's log says `status` (the log is written just after the receiver answers). */
function logSays(webhookId: string, deliveryId: string, status: string, attempts?: number) {
  return until(async () => {
    const { status: code, doc } = await api('GET', `/webhooks/${webhookId}/deliveries/${deliveryId}`);
    if (code !== 200) return undefined;
    const attributes = (doc.data as Resource).attributes;
    return attributes.status === status && (attempts === undefined || attributes.attempt_count === attempts)
      ? attributes
      : undefined;
  });
}

function verify(secret: string, hit: Hit): unknown {
  return new StandardWebhook(secret).verify(hit.body, {
    'webhook-id': String(hit.headers['webhook-id']),
    'webhook-timestamp': String(hit.headers['webhook-timestamp']),
    'webhook-signature': String(hit.headers['webhook-signature']),
  });
}

describe('the delivery log', () => {
  it('lists deliveries newest first and shows one with every attempt, its status, duration, error and excerpt', async () => {
    const { id } = await createWebhook('/log');
    answers.set('/log', 500);
    const failing = await publish({ time: new Date('2026-11-20T10:00:00Z') });
    await until(() => (hitsAt('/log').length >= 3 ? true : undefined));
    const failedId = deliveryIdFor(failing, id);
    await logSays(id, failedId, 'failed', 3);
    answers.set('/log', 204);
    const ok = await publish({ time: new Date('2026-11-21T10:00:00Z') });
    const okId = deliveryIdFor(ok, id);
    await logSays(id, okId, 'succeeded', 1);

    const listed = await deliveries(id);
    expect(listed.map((d) => d.id)).toEqual([okId, failedId]);
    expect(listed[1]?.attributes).toMatchObject({
      event_id: failing,
      event_type: 'use_case_review_status_updated',
      environment: 'production',
      event_time: '2026-11-20T10:00:00Z',
      status: 'failed',
      attempt_count: 3,
      last_status_code: 500,
      last_error: 'endpoint answered 500',
      next_attempt_at: null,
    });

    const detail = await delivery(id, failedId);
    const attempts = detail.attempts as Json[];
    expect(attempts.map((a) => [a.attempt, a.outcome, a.status_code, a.error, a.response_excerpt])).toEqual([
      [1, 'failed', 500, 'endpoint answered 500', 'answer 500 from /log'],
      [2, 'failed', 500, 'endpoint answered 500', 'answer 500 from /log'],
      [3, 'failed', 500, 'endpoint answered 500', 'answer 500 from /log'],
    ]);
    for (const a of attempts) expect(a.duration_ms).toEqual(expect.any(Number));
    // What was sent: the body the receiver got, as the log rebuilds it.
    const sent = JSON.parse(hitsAt('/log')[0]?.body ?? '{}');
    expect(detail.payload).toEqual(sent);
  }, 40_000);

  it('filters by status, event type and time, and pages with a cursor that keeps the filters', async () => {
    const { id } = await createWebhook('/filters');
    const times = [
      '2026-11-01T08:00:00Z',
      '2026-11-02T08:00:00Z',
      '2026-11-03T08:00:00Z',
      '2026-11-04T08:00:00Z',
    ];
    const ids: string[] = [];
    // One after another, so their created_at follow the same order as their event times.
    for (const time of times) {
      const deliveryId = deliveryIdFor(await publish({ time: new Date(time) }), id);
      ids.push(deliveryId);
      await logSays(id, deliveryId, 'succeeded');
    }

    const newestFirst = [...ids].reverse();
    expect((await deliveries(id)).map((d) => d.id)).toEqual(newestFirst);
    expect((await deliveries(id, '?filter[status]=succeeded')).map((d) => d.id)).toEqual(newestFirst);
    expect(await deliveries(id, '?filter[status]=failed')).toEqual([]);
    expect(await deliveries(id, '?filter[event_type]=use_case_name_updated')).toEqual([]);
    // The time filters compare created_at (when each was logged, in order here), not the event time.
    const created = await Promise.all(ids.map(async (d) => String((await delivery(id, d)).created_at)));
    const range = `?filter[since]=${encodeURIComponent(created[1] ?? '')}&filter[until]=${encodeURIComponent(created[2] ?? '')}`;
    expect((await deliveries(id, range)).map((d) => d.id)).toEqual([ids[2], ids[1]]);

    const first = await api('GET', `/webhooks/${id}/deliveries?page[size]=3&filter[status]=succeeded`);
    expect((first.doc.data as Resource[]).map((d) => d.id)).toEqual(newestFirst.slice(0, 3));
    const next = String(first.doc.links?.next ?? '');
    expect(next).toContain('filter%5Bstatus%5D=succeeded');
    const res = await fetch(next, { headers: { Authorization: `Bearer ${herald.demoApiKey}` } });
    const second = (await res.json()) as { data: Resource[]; links: Json };
    expect(second.data.map((d) => d.id)).toEqual(newestFirst.slice(3));
    expect(second.links.next).toBeUndefined();
  }, 40_000);

  it('refuses bad filters and cursors with a JSON:API error naming the parameter', async () => {
    const { id } = await createWebhook('/bad-filters');
    for (const [query, parameter] of [
      ['?filter[status]=lost', 'filter[status]'],
      ['?filter[event_type]=nope', 'filter[event_type]'],
      ['?filter[since]=yesterday', 'filter[since]'],
      ['?page[after]=not-a-cursor', 'page[after]'],
      ['?page[size]=1000', 'page[size]'],
    ] as const) {
      const { status, doc } = await api('GET', `/webhooks/${id}/deliveries${query}`);
      expect({ query, status }).toEqual({ query, status: 400 });
      expect(doc.errors?.[0]).toMatchObject({ source: { parameter } });
    }
    expect((await api('GET', `/webhooks/${id}/deliveries/msg_AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
    expect((await api('GET', '/webhooks/wh_01kb4x7s9rm3q8k2n6v0d5c1hz/deliveries')).status).toBe(404);
  });
});

describe('test events', () => {
  it("sends the catalog's example of the chosen type, signed, and logs it", async () => {
    const { id, secret } = await createWebhook('/test-event');
    const { status, doc } = await api('POST', `/webhooks/${id}/test`, {
      data: { attributes: { event_type: 'use_case_name_updated' } },
    });
    expect(status).toBe(202);
    const sent = doc.data as Resource;
    expect(sent.attributes).toMatchObject({ status: 'pending', event_type: 'use_case_name_updated' });
    const hit = await until(() => hitsAt('/test-event')[0]);
    expect(hit.headers['webhook-id']).toBe(sent.id);
    expect(verify(secret, hit)).toMatchObject({
      type: 'CredoAI.use_case_name_updated.v1',
      data: findEventType('use_case_name_updated')?.example,
    });
    const logged = await logSays(id, sent.id, 'succeeded', 1);
    expect((logged.attempts as Json[])[0]).toMatchObject({ status_code: 200, trigger: 'test' });
  });

  it('refuses an unknown or missing event type', async () => {
    const { id } = await createWebhook('/test-bad');
    for (const body of [{ data: { attributes: { event_type: 'nope' } } }, { data: { attributes: {} } }]) {
      const { status, doc } = await api('POST', `/webhooks/${id}/test`, body);
      expect(status).toBe(422);
      expect(doc.errors?.[0]).toMatchObject({ source: { pointer: '/data/attributes/event_type' } });
    }
    expect(hitsAt('/test-bad')).toEqual([]);
  });
});

describe('retry and recovery', () => {
  it('retries one delivery: a new attempt with the same webhook-id', async () => {
    const { id } = await createWebhook('/retry-one');
    const deliveryId = deliveryIdFor(await publish(), id);
    await logSays(id, deliveryId, 'succeeded', 1);

    const { status, doc } = await api('POST', `/webhooks/${id}/deliveries/${deliveryId}/retry`);
    expect(status).toBe(202);
    expect((doc.data as Resource).attributes.status).toBe('pending');
    const logged = await logSays(id, deliveryId, 'succeeded', 2);
    expect((logged.attempts as Json[]).map((a) => [a.attempt, a.trigger])).toEqual([
      [1, 'event'],
      [2, 'retry'],
    ]);
    const received = hitsAt('/retry-one');
    expect(received).toHaveLength(2);
    expect(received[1]?.headers['webhook-id']).toBe(received[0]?.headers['webhook-id']);
  });

  it('recovers everything that failed since a time, once, even when asked twice at once', async () => {
    const { id } = await createWebhook('/recover');
    answers.set('/recover', 503);
    const before = await publish({ time: new Date('2026-10-01T00:00:00Z') });
    // Logged (created) before the others are published, so a range can leave it out.
    await logSays(id, deliveryIdFor(before, id), 'failed', 3);
    const inside = [
      await publish({ time: new Date('2026-11-10T00:00:00Z') }),
      await publish({ time: new Date('2026-11-11T00:00:00Z') }),
    ];
    const all = [before, ...inside].map((e) => deliveryIdFor(e, id));
    for (const deliveryId of all) await logSays(id, deliveryId, 'failed', 3);
    const failedHits = hitsAt('/recover').length;
    expect(failedHits).toBe(9);

    answers.set('/recover', 200);
    // Since the first of the two was logged, as its created_at shows: `before` was logged earlier.
    const since = String((await delivery(id, all[1] ?? '')).created_at);
    expect(Date.parse(since)).toBeGreaterThan(
      Date.parse(String((await delivery(id, all[0] ?? '')).created_at)),
    );
    const recover = () => api('POST', `/webhooks/${id}/recover`, { data: { attributes: { since } } });
    const [a, b] = await Promise.all([recover(), recover()]);
    expect([a.status, b.status]).toEqual([202, 202]);
    const queued = [a, b].map((r) => (r.doc.data as Resource).attributes);
    // Between them, each failed delivery in the range was queued exactly once (log and DLQ together).
    const total = queued.reduce((n, q) => n + Number(q.queued) + Number(q.queued_from_dead_letter_queue), 0);
    expect(total).toBe(2);

    for (const deliveryId of all.slice(1)) {
      const logged = await logSays(id, deliveryId, 'succeeded', 4);
      expect((logged.attempts as Json[])[3]).toMatchObject({
        attempt: 4,
        trigger: 'recover',
        status_code: 200,
      });
    }
    // Give a duplicate time to show up, then count: one new request per recovered delivery.
    await new Promise((r) => setTimeout(r, 1500));
    const recovered = hitsAt('/recover').slice(failedHits);
    expect(recovered.map((h) => h.headers['webhook-id']).sort()).toEqual(all.slice(1).sort());
    expect((await delivery(id, all[0] ?? '')).status).toBe('failed');
  }, 60_000);

  it('recovers a delivery only the dead-letter queue holds, and refuses a bad range', async () => {
    const { id } = await createWebhook('/recover-dlq');
    const eventId = uniqueName('evt-dlq');
    const message: DeliveryMessage = {
      deliveryId: deliveryIdFor(eventId, id),
      eventId,
      eventType: 'use_case_review_status_updated',
      tenant: 'demo',
      environment: 'production',
      webhookId: id,
      time: '2026-11-12T00:00:00Z',
      source: 'CredoAI',
      data: { reviewId: 'r1', status: 'done', useCaseId: 'u1', user: { email: 'a@b.c', userId: 'x' } },
    };
    // As the queue's redrive leaves it after Herald's own errors: in the DLQ, never in the log.
    const sqs = new SQSClient({
      ...localAwsConfig,
      endpoint: herald.sqsEndpoint,
      useQueueUrlAsEndpoint: false,
    });
    await sqs.send(
      new SendMessageCommand({ QueueUrl: herald.queues.deadLetters, MessageBody: JSON.stringify(message) }),
    );

    const bad = await api('POST', `/webhooks/${id}/recover`, {
      data: { attributes: { since: 'last week' } },
    });
    expect(bad.status).toBe(422);
    expect(bad.doc.errors?.[0]).toMatchObject({ source: { pointer: '/data/attributes/since' } });

    const { status, doc } = await api('POST', `/webhooks/${id}/recover`, {
      data: { attributes: { since: '2026-11-01T00:00:00Z' } },
    });
    expect(status).toBe(202);
    expect((doc.data as Resource).attributes).toMatchObject({ queued: 0, queued_from_dead_letter_queue: 1 });
    const hit = await until(() => hitsAt('/recover-dlq')[0]);
    expect(hit.headers['webhook-id']).toBe(message.deliveryId);
    await logSays(id, message.deliveryId, 'succeeded', 1);
  }, 30_000);
});

describe('secret rotation', () => {
  it('signs with both secrets during the grace period, then with the new one only', async () => {
    const { id, secret: old } = await createWebhook('/rotate');
    const { status, doc } = await api('POST', `/webhooks/${id}/secret/rotate`, {
      data: { attributes: { grace_period_seconds: 3 } },
    });
    expect(status).toBe(200);
    const rotated = (doc.data as Resource).attributes;
    const fresh = String(rotated.key);
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(old);
    expect(Date.parse(String(rotated.previous_key_expires_at))).toBeGreaterThan(Date.now());
    const secretView = await api('GET', `/webhooks/${id}/secret`);
    expect((secretView.doc.data as Resource).attributes).toEqual({
      key: fresh,
      previous_keys: [{ expires_at: rotated.previous_key_expires_at }],
    });
    expect(JSON.stringify(secretView.doc)).not.toContain(old);

    await api('POST', `/webhooks/${id}/test`, {
      data: { attributes: { event_type: 'use_case_name_updated' } },
    });
    const during = await until(() => hitsAt('/rotate')[0]);
    // Not delivered before, so the delivery function reads the rotated webhook, not a cached one.
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(fresh, during)).toBeDefined();
    expect(verify(old, during)).toBeDefined();
    await new Promise((r) => setTimeout(r, 3200));
    await api('POST', `/webhooks/${id}/test`, {
      data: { attributes: { event_type: 'use_case_name_updated' } },
    });
    const after = await until(() => hitsAt('/rotate')[1]);
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verify(fresh, after)).toBeDefined();
    expect(() => verify(old, after)).toThrow();
  }, 40_000);
});

describe('endpoint health', () => {
  it('disables a webhook at once on 410 Gone, keeps its deliveries for recovery, and recovers them once enabled', async () => {
    const { id } = await createWebhook('/gone');
    answers.set('/gone', 410);
    const first = deliveryIdFor(await publish(), id);
    await logSays(id, first, 'failed', 1);
    const { doc } = await api('GET', `/webhooks/${id}`);
    const attributes = (doc.data as Resource).attributes;
    expect(attributes).toMatchObject({
      status: 'disabled',
      disabled_reason: expect.stringContaining('410 Gone'),
      disabled_at: expect.any(String),
    });
    expect(hitsAt('/gone')).toHaveLength(1);

    // While disabled, new events are kept as failed deliveries, never sent.
    const held = deliveryIdFor(await publish(), id);
    const heldLog = await logSays(id, held, 'failed', 0);
    expect(heldLog.last_error).toBe('webhook is disabled');
    expect(hitsAt('/gone')).toHaveLength(1);
    expect(
      (
        await api('POST', `/webhooks/${id}/test`, {
          data: { attributes: { event_type: 'use_case_name_updated' } },
        })
      ).status,
    ).toBe(409);

    answers.set('/gone', 200);
    const enabled = await api('PATCH', `/webhooks/${id}`, { data: { attributes: { status: 'enabled' } } });
    expect((enabled.doc.data as Resource).attributes).toMatchObject({
      status: 'enabled',
      disabled_reason: null,
    });
    const since = new Date(Date.now() - 3600_000).toISOString();
    const recovered = await api('POST', `/webhooks/${id}/recover`, { data: { attributes: { since } } });
    expect((recovered.doc.data as Resource).attributes).toMatchObject({ queued: 2 });
    // The delivery function's cache may still say disabled for up to 30 s: the record shows it.
    await logSays(id, first, 'succeeded');
    await logSays(id, held, 'succeeded');
  }, 60_000);

  it('disables a webhook whose endpoint fails every attempt for the auto-disable period, saying why', async () => {
    const { id } = await createWebhook('/failing');
    answers.set('/failing', 500);
    const first = deliveryIdFor(await publish(), id);
    await logSays(id, first, 'failed', 3);
    expect((await api('GET', `/webhooks/${id}`)).doc.data).toMatchObject({
      attributes: { status: 'enabled' },
    });
    // The streak began with the first attempt; the next failure after the period disables.
    const firstFailure = hitsAt('/failing')[0]?.at ?? Date.now();
    await new Promise((r) =>
      setTimeout(r, Math.max(0, firstFailure + autoDisableAfterSeconds * 1000 + 200 - Date.now())),
    );
    await publish();
    const disabled = await until(async () => {
      const { doc } = await api('GET', `/webhooks/${id}`);
      const attributes = (doc.data as Resource).attributes;
      return attributes.status === 'disabled' ? attributes : undefined;
    }, 30_000);
    expect(disabled.disabled_reason).toMatch(/Every attempt has failed since .* endpoint answered 500/);
    expect(disabled.health).toMatchObject({
      consecutive_failures: expect.any(Number),
      failing_since: expect.any(String),
      last_failure_reason: 'endpoint answered 500',
    });
    expect(Number((disabled.health as Json).consecutive_failures)).toBeGreaterThanOrEqual(2);
  }, 40_000);

  it('lets a customer disable with a reason of their own and enable again', async () => {
    const { id } = await createWebhook('/by-hand');
    const off = await api('PATCH', `/webhooks/${id}`, {
      data: { attributes: { status: 'disabled', disabled_reason: 'maintenance' } },
    });
    expect((off.doc.data as Resource).attributes).toMatchObject({
      status: 'disabled',
      disabled_reason: 'maintenance',
    });
    const on = await api('PATCH', `/webhooks/${id}`, { data: { attributes: { status: 'enabled' } } });
    expect((on.doc.data as Resource).attributes).toMatchObject({
      status: 'enabled',
      disabled_reason: null,
      disabled_at: null,
    });
  });
});
