import type { ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { SqsDeliveryQueue } from '../../functions/adapters/aws/sqs-delivery-queue';
import { deliveryIdFor } from '../../functions/domain/delivery-id';
import { type EventTypeDefinition, eventCatalog } from '../../functions/domain/event-catalog';
import { localAwsConfig } from '../../local/emulators';
import { startSqsPoller } from '../../local/sqs-poller';
import { deliveryMessage, eventDetail, uniqueName } from '../helpers';
import { resourceOf } from './support/api';
import { useLocalHerald } from './support/local';
import { type Hit, type Receiver, type Respond, startReceiver, verifySignature } from './support/receiver';
import { atLeast, sleep, until } from './support/wait';

/**
 * Receivers that misbehave, through local mode: down, slow past the timeout, 500, 410, 429 with
 * Retry-After, a redirect, a huge or endless body, garbage instead of HTTP; and a delivery
 * function that crashes between sending and deleting the message. Every receiver is a real
 * server on 127.0.0.1, one per fault, and beside each a healthy receiver on the same event
 * shows the fault does not hold other webhooks' deliveries back. Assertions are on what the
 * receivers saw; the delivery log is read in one helper only.
 */

/** Retry delays 1 s then 2 s: with ±20% jitter rounded to whole seconds, exactly 1 s and 2 s. */
const retrySchedule = '1s,2s';
const retryDelaysMs = [1000, 2000];
/** The per-attempt delivery timeout (herald.deliveryTimeoutMs), short for tests. */
const timeoutMs = 1000;
/** Timer and clock slack on a busy machine: a delay may look this much shorter than it is. */
const slackMs = 150;
/** How long past the schedule a retry may come: the visibility timeout plus a long poll. */
const lateMs = 2500;

const local = useLocalHerald('faults', { retrySchedule, deliveryTimeoutMs: timeoutMs });
const { api } = local;

const openReceivers = new Set<{ close(): Promise<void> }>();

afterEach(async () => {
  await Promise.all([...openReceivers].map((r) => r.close()));
  openReceivers.clear();
});

// --- Receivers -------------------------------------------------------------------------------

/** A receiver for this test only (on `port` when given, to come back where it was): closed after it. */
async function receiverFor(respond: Respond, port?: number): Promise<Receiver> {
  const receiver = await startReceiver({ respond, port });
  openReceivers.add(receiver);
  return receiver;
}

const ok: Respond = (_hit, res) => {
  res.writeHead(200).end('ok');
};

/**
 * Writes a body of `totalBytes` (or without end when `Infinity`), as fast as the client reads it,
 * until the client goes away or `maxMs` passes. Returns what was written so far, live.
 */
function streamBody(
  response: ServerResponse,
  options: { totalBytes: number; maxMs: number; everyMs?: number; chunk?: Buffer },
): { written: number } {
  const chunk = options.chunk ?? Buffer.alloc(64 * 1024, 0x78);
  const deadline = Date.now() + options.maxMs;
  const stats = { written: 0 };
  const more = (): void => {
    if (response.destroyed) return;
    if (Date.now() > deadline || stats.written >= options.totalBytes) {
      response.end();
      return;
    }
    const part = chunk.subarray(0, Math.min(chunk.length, options.totalBytes - stats.written));
    stats.written += part.length;
    const flushed = response.write(part);
    if (options.everyMs !== undefined) setTimeout(more, options.everyMs);
    else if (flushed) setImmediate(more);
    else response.once('drain', more);
  };
  response.on('close', () => response.removeAllListeners('drain'));
  more();
  return stats;
}

// --- Herald's API and the bus ----------------------------------------------------------------

/** Event types of the catalog, one per test, so each test's webhooks see only its own events. */
const eventTypes = eventCatalog.filter((t) => !t.deprecated);
let nextType = 0;
function takeEventType(): EventTypeDefinition {
  const type = eventTypes[nextType++];
  if (!type) throw new Error('out of event types: add fewer tests or reuse one');
  return type;
}

const createWebhook = (url: string, eventType: string) =>
  local.createWebhook({ url, event_types: [eventType] });

/** Publishes one event of `type` with its catalog example; returns the event id, when it was sent, and its time. */
async function publish(type: EventTypeDefinition): Promise<{ eventId: string; at: number; time: string }> {
  const eventId = uniqueName(`evt-${type.name}`);
  const at = Date.now();
  // Whole seconds, as EventBridge gives them: the delivery id is made from the event time.
  const time = new Date(Math.floor(at / 1000) * 1000);
  await local.publish(type.name, eventDetail(type.example, { id: eventId }), { time });
  return { eventId, at, time: time.toISOString() };
}

const loggedAttemptsSchema = z.array(
  z
    .object({ outcome: z.string(), status_code: z.number().nullable(), error: z.string().nullable() })
    .passthrough(),
);
type LoggedAttempt = z.infer<typeof loggedAttemptsSchema>[number];

/**
 * The attempts Herald logged for a delivery, read through the API's delivery log. The only place
 * this file reads the log: its storage is being redesigned, so adapt here.
 */
async function loggedAttempts(webhookId: string, deliveryId: string): Promise<LoggedAttempt[]> {
  const res = await api('GET', `/webhooks/${webhookId}/deliveries/${deliveryId}`);
  if (res.status === 404) return [];
  expect(res.status).toBe(200);
  return loggedAttemptsSchema.parse(resourceOf(res).attributes.attempts);
}

/**
 * A healthy webhook on the same event as a faulty one: its one delivery arrives at once, signed,
 * whatever the faulty receiver does.
 */
async function healthySibling(type: EventTypeDefinition) {
  const receiver = await receiverFor(ok);
  const webhook = await createWebhook(`${receiver.url}/healthy`, type.name);
  return {
    receiver,
    /** Waits for its delivery and checks it came within `withinMs` of `since`, and only once. */
    async expectPromptDelivery(since: number, withinMs: number): Promise<Hit> {
      const hit = await until(() => receiver.hits[0], {
        ms: 10_000,
        what: 'the healthy delivery',
        everyMs: 25,
      });
      verifySignature(webhook.secret, hit);
      expect(hit.at - since).toBeLessThan(withinMs);
      return hit;
    },
  };
}

/** Every hit carries the delivery's one `webhook-id`, and each verifies with the webhook's secret. */
function expectSameDelivery(hits: Hit[], deliveryId: string, secret: string): void {
  for (const hit of hits) {
    expect(hit.headers['webhook-id']).toBe(deliveryId);
    expect(hit.headers['svix-id']).toBe(deliveryId);
    verifySignature(secret, hit);
  }
}

/** Gaps between consecutive hits, in ms. */
const gaps = (hits: Array<{ at: number }>) => hits.slice(1).map((hit, i) => hit.at - (hits[i]?.at ?? 0));

// --- Faults ----------------------------------------------------------------------------------

describe('a receiver that fails', () => {
  it('is retried while down (connection refused) and gets the delivery once it is back', async () => {
    const type = takeEventType();
    // Take a port, then free it: nothing listens there until the receiver comes back.
    const gone = await receiverFor(ok);
    const port = gone.port;
    await gone.close();
    openReceivers.delete(gone);
    const webhook = await createWebhook(`http://127.0.0.1:${port}/down`, type.name);
    const healthy = await healthySibling(type);

    const { eventId, at, time } = await publish(type);
    const healthyHit = await healthy.expectPromptDelivery(at, 3000);
    const deliveryId = deliveryIdFor(eventId, webhook.id, time);
    // Come back once the first attempt has found nothing listening.
    const refused = await until(
      async () => {
        const attempts = await loggedAttempts(webhook.id, deliveryId);
        return attempts.length > 0 ? attempts : undefined;
      },
      { ms: 10_000, what: 'the first attempt to be logged' },
    );
    expect(refused[0]).toEqual(
      expect.objectContaining({ outcome: 'failed', error: expect.stringMatching(/connection_refused/) }),
    );
    const back = await receiverFor(ok, port);

    const [hit] = await until(() => atLeast(back.hits, 1), {
      ms: 10_000,
      what: 'the delivery after the receiver came back',
      everyMs: 25,
    });
    if (!hit) throw new Error('unreachable');
    expectSameDelivery([hit], deliveryId, webhook.secret);
    // A retry on schedule, not the first attempt.
    expect(hit.at - healthyHit.at).toBeGreaterThanOrEqual((retryDelaysMs[0] ?? 0) - slackMs);
    await sleep(1500);
    expect(back.hits).toHaveLength(1);
    expect(healthy.receiver.hits).toHaveLength(1);
    const attempts = await loggedAttempts(webhook.id, deliveryId);
    expect(attempts[attempts.length - 1]).toEqual(
      expect.objectContaining({ outcome: 'succeeded', status_code: 200 }),
    );
  }, 30_000);

  it('is cut off at the delivery timeout when it answers too slowly, and retried on schedule', async () => {
    const type = takeEventType();
    // Holds every request without answering until Herald gives up (or the test ends).
    const slow = await receiverFor(() => undefined);
    const webhook = await createWebhook(`${slow.url}/slow`, type.name);
    const healthy = await healthySibling(type);

    const { eventId, at, time } = await publish(type);
    const attempts = await until(() => atLeast(slow.hits, 3), {
      ms: 25_000,
      what: 'three attempts at the slow receiver',
      everyMs: 25,
    });
    const healthyHit = await healthy.expectPromptDelivery(at, 3000);
    // Sent together: the slow receiver did not hold the healthy one back.
    expect(Math.abs(healthyHit.at - (attempts[0]?.at ?? 0))).toBeLessThan(timeoutMs / 2);

    await until(() => (attempts[2]?.abortedAt ? true : undefined), {
      ms: 5000,
      what: 'the last attempt to be cut off',
      everyMs: 25,
    });
    for (const attempt of attempts) {
      // Herald hung up at its timeout, not before and not much later.
      const heldMs = (attempt.abortedAt ?? Number.POSITIVE_INFINITY) - attempt.at;
      expect(heldMs).toBeGreaterThanOrEqual(timeoutMs - slackMs);
      expect(heldMs).toBeLessThan(timeoutMs + 1500);
    }
    // Each retry waits for the timeout, then the schedule's delay.
    gaps(attempts).forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual(timeoutMs + (retryDelaysMs[i] ?? 0) - slackMs);
      expect(gap).toBeLessThan(timeoutMs + (retryDelaysMs[i] ?? 0) + lateMs);
    });
    expectSameDelivery(attempts, deliveryIdFor(eventId, webhook.id, time), webhook.secret);
    // Out of attempts: no fourth.
    await sleep((retryDelaysMs[1] ?? 0) + 500);
    expect(slow.hits).toHaveLength(3);
    expect(healthy.receiver.hits).toHaveLength(1);
  }, 40_000);

  it('is retried on schedule when it answers 500, with the same webhook-id each time, then given up', async () => {
    const type = takeEventType();
    const failing = await receiverFor((_hit, res) => {
      res.writeHead(500, { 'Content-Type': 'text/plain' }).end('boom');
    });
    const webhook = await createWebhook(`${failing.url}/500`, type.name);
    const healthy = await healthySibling(type);

    const { eventId, at, time } = await publish(type);
    const attempts = await until(() => atLeast(failing.hits, 3), {
      ms: 15_000,
      what: 'three attempts',
      everyMs: 25,
    });
    const healthyHit = await healthy.expectPromptDelivery(at, 3000);
    expect(Math.abs(healthyHit.at - (attempts[0]?.at ?? 0))).toBeLessThan(500);
    gaps(attempts).forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual((retryDelaysMs[i] ?? 0) - slackMs);
      expect(gap).toBeLessThan((retryDelaysMs[i] ?? 0) + lateMs);
    });
    expectSameDelivery(attempts, deliveryIdFor(eventId, webhook.id, time), webhook.secret);
    await sleep((retryDelaysMs[1] ?? 0) + 1000);
    expect(failing.hits).toHaveLength(3);
    expect(healthy.receiver.hits).toHaveLength(1);
  }, 30_000);

  it('is never retried when it answers 410 Gone: exactly one request', async () => {
    const type = takeEventType();
    const gone = await receiverFor((_hit, res) => {
      res.writeHead(410).end('gone');
    });
    const webhook = await createWebhook(`${gone.url}/410`, type.name);
    const healthy = await healthySibling(type);

    const { eventId, at, time } = await publish(type);
    const [hit] = await until(() => atLeast(gone.hits, 1), {
      ms: 10_000,
      what: 'the 410 attempt',
      everyMs: 25,
    });
    if (!hit) throw new Error('unreachable');
    await healthy.expectPromptDelivery(at, 3000);
    expectSameDelivery([hit], deliveryIdFor(eventId, webhook.id, time), webhook.secret);
    // Longer than the whole retry schedule, with a poll to spare.
    await sleep(retryDelaysMs.reduce((a, b) => a + b, 0) + 1000);
    expect(gone.hits).toHaveLength(1);
    expect(healthy.receiver.hits).toHaveLength(1);
  }, 30_000);

  it('is retried no sooner than its Retry-After when it answers 429', async () => {
    const type = takeEventType();
    // Retry-After 2 s, longer than the schedule's first delay (1 s): honouring it shows.
    const retryAfterSeconds = 2;
    const limited = await receiverFor((hit, res) => {
      if (limited.hits.indexOf(hit) === 0) {
        res.writeHead(429, { 'Retry-After': String(retryAfterSeconds) }).end('slow down');
      } else {
        res.writeHead(200).end('ok');
      }
    });
    const webhook = await createWebhook(`${limited.url}/429`, type.name);
    const healthy = await healthySibling(type);

    const { eventId, at, time } = await publish(type);
    const attempts = await until(() => atLeast(limited.hits, 2), {
      ms: 15_000,
      what: 'the retry after 429',
      everyMs: 25,
    });
    await healthy.expectPromptDelivery(at, 3000);
    const [gap = 0] = gaps(attempts);
    expect(gap).toBeGreaterThanOrEqual(retryAfterSeconds * 1000 - slackMs);
    expect(gap).toBeLessThan(retryAfterSeconds * 1000 + lateMs);
    expectSameDelivery(attempts, deliveryIdFor(eventId, webhook.id, time), webhook.secret);
    // Delivered on the retry: nothing more.
    await sleep((retryDelaysMs[1] ?? 0) + 500);
    expect(limited.hits).toHaveLength(2);
  }, 30_000);

  it('is not followed when it redirects: the target is never called and each 302 is a failed attempt', async () => {
    const type = takeEventType();
    const target = await receiverFor(ok);
    const redirecting = await receiverFor((_hit, res) => {
      res.writeHead(302, { Location: `${target.url}/landing` }).end();
    });
    const webhook = await createWebhook(`${redirecting.url}/302`, type.name);
    const healthy = await healthySibling(type);

    const { eventId, at, time } = await publish(type);
    const attempts = await until(() => atLeast(redirecting.hits, 3), {
      ms: 15_000,
      what: 'three attempts at the redirect',
      everyMs: 25,
    });
    await healthy.expectPromptDelivery(at, 3000);
    gaps(attempts).forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual((retryDelaysMs[i] ?? 0) - slackMs);
    });
    expectSameDelivery(attempts, deliveryIdFor(eventId, webhook.id, time), webhook.secret);
    await sleep((retryDelaysMs[1] ?? 0) + 500);
    expect(redirecting.hits).toHaveLength(3);
    expect(target.hits).toHaveLength(0);
  }, 30_000);
});

describe('a receiver that answers with too much', () => {
  it('has a 50 MB body cut short: the attempt completes within the timeout and Herald reads little of it', async () => {
    const type = takeEventType();
    const totalBytes = 50 * 1024 * 1024;
    let stats = { written: 0 };
    const huge = await receiverFor((_hit, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': String(totalBytes) });
      stats = streamBody(res, { totalBytes, maxMs: 20_000 });
    });
    const webhook = await createWebhook(`${huge.url}/huge`, type.name);
    const healthy = await healthySibling(type);

    const { eventId, at, time } = await publish(type);
    const [hit] = await until(() => atLeast(huge.hits, 1), { ms: 10_000, what: 'the attempt', everyMs: 25 });
    if (!hit) throw new Error('unreachable');
    await healthy.expectPromptDelivery(at, 3000);
    await until(() => hit.abortedAt, {
      ms: timeoutMs + 2000,
      what: 'Herald to hang up on the 50 MB body',
      everyMs: 25,
    });
    expect((hit.abortedAt ?? 0) - hit.at).toBeLessThan(timeoutMs + 500);
    // What the socket buffers took (about 4 MB on loopback), not the whole body: Herald did not read it all.
    expect(stats.written).toBeLessThan(totalBytes / 4);
    expectSameDelivery([hit], deliveryIdFor(eventId, webhook.id, time), webhook.secret);
    // A 200, however long its body: delivered, not retried.
    await sleep((retryDelaysMs[0] ?? 0) + 1000);
    expect(huge.hits).toHaveLength(1);
  }, 30_000);

  it('has an endless body, fast or dripping, cut short within the timeout; the delivery still completes', async () => {
    const type = takeEventType();
    const endless = await receiverFor((_hit, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      streamBody(res, { totalBytes: Number.POSITIVE_INFINITY, maxMs: 20_000 });
    });
    const dripping = await receiverFor((_hit, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      streamBody(res, {
        totalBytes: Number.POSITIVE_INFINITY,
        maxMs: 20_000,
        everyMs: 50,
        chunk: Buffer.from('.'),
      });
    });
    const fast = await createWebhook(`${endless.url}/endless`, type.name);
    const drip = await createWebhook(`${dripping.url}/drip`, type.name);
    const healthy = await healthySibling(type);

    const { eventId, at, time } = await publish(type);
    const [fastHit] = await until(() => atLeast(endless.hits, 1), {
      ms: 10_000,
      what: 'the endless attempt',
      everyMs: 25,
    });
    const [dripHit] = await until(() => atLeast(dripping.hits, 1), {
      ms: 10_000,
      what: 'the dripping attempt',
      everyMs: 25,
    });
    if (!fastHit || !dripHit) throw new Error('unreachable');
    await healthy.expectPromptDelivery(at, 3000);
    await until(() => fastHit.abortedAt, {
      ms: timeoutMs + 2000,
      what: 'Herald to hang up on the endless body',
      everyMs: 25,
    });
    await until(() => dripHit.abortedAt, {
      ms: timeoutMs + 2000,
      what: 'Herald to hang up on the dripping body',
      everyMs: 25,
    });
    expect((fastHit.abortedAt ?? 0) - fastHit.at).toBeLessThan(timeoutMs + 500);
    // A drip never fills the excerpt: the timeout ends it.
    expect((dripHit.abortedAt ?? 0) - dripHit.at).toBeGreaterThanOrEqual(timeoutMs - slackMs);
    expect((dripHit.abortedAt ?? 0) - dripHit.at).toBeLessThan(timeoutMs + 1000);
    expectSameDelivery([fastHit], deliveryIdFor(eventId, fast.id, time), fast.secret);
    expectSameDelivery([dripHit], deliveryIdFor(eventId, drip.id, time), drip.secret);
    // The status came before the body went on: each delivered once, not retried.
    await sleep((retryDelaysMs[0] ?? 0) + 1000);
    expect(endless.hits).toHaveLength(1);
    expect(dripping.hits).toHaveLength(1);
    expect(healthy.receiver.hits).toHaveLength(1);
  }, 30_000);
});

describe('a receiver that does not speak HTTP', () => {
  it('is retried on schedule when it answers garbage bytes, and Herald carries on', async () => {
    const type = takeEventType();
    const requests: Array<{ at: number; head: string; body: string }> = [];
    const sockets = new Set<Socket>();
    const garbage = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      let received = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        const end = received.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = received.subarray(0, end).toString('latin1');
        const length = Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? 0);
        const body = received.subarray(end + 4);
        if (body.length < length) return;
        requests.push({ at: Date.now(), head, body: body.subarray(0, length).toString('utf8') });
        socket.end(
          Buffer.concat([
            Buffer.from('\u0000\u00ffNOT HTTP AT ALL\r\n\r\n', 'latin1'),
            Buffer.alloc(256, 0xfe),
          ]),
        );
        received = Buffer.alloc(0);
      });
    });
    await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
    const address = garbage.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    openReceivers.add({
      close: () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          garbage.close(() => resolve());
        }),
    });
    const webhook = await createWebhook(`http://127.0.0.1:${port}/garbage`, type.name);
    const healthy = await healthySibling(type);

    const { eventId, at, time } = await publish(type);
    const attempts = await until(() => atLeast(requests, 3), {
      ms: 15_000,
      what: 'three attempts at the garbage server',
      everyMs: 25,
    });
    await healthy.expectPromptDelivery(at, 3000);
    gaps(attempts).forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual((retryDelaysMs[i] ?? 0) - slackMs);
      expect(gap).toBeLessThan((retryDelaysMs[i] ?? 0) + lateMs);
    });
    const deliveryId = deliveryIdFor(eventId, webhook.id, time);
    for (const request of attempts) {
      expect(request.head).toMatch(/^POST \/garbage HTTP\/1\.1\r\n/);
      const header = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'im').exec(request.head)?.[1]?.trim();
      expect(header('webhook-id')).toBe(deliveryId);
      verifySignature(webhook.secret, {
        body: request.body,
        headers: {
          'webhook-id': header('webhook-id'),
          'webhook-timestamp': header('webhook-timestamp'),
          'webhook-signature': header('webhook-signature'),
        },
      });
    }
    await sleep((retryDelaysMs[1] ?? 0) + 500);
    expect(requests).toHaveLength(3);
    // Herald is fine: the API answers and other deliveries go on.
    expect((await api('GET', `/webhooks/${webhook.id}`)).status).toBe(200);
    expect(healthy.receiver.hits).toHaveLength(1);
  }, 30_000);
});

describe('a delivery function that crashes between sending and deleting the message', () => {
  it('delivers again, with the same webhook-id and a valid signature: at least once', async () => {
    const type = takeEventType();
    const receiver = await receiverFor(ok);
    const webhook = await createWebhook(`${receiver.url}/crash`, type.name);
    const { sqs } = local;
    const queueName = uniqueName('crash-deliveries');
    // A short visibility timeout, so the message a crashed invocation left comes back soon.
    const { QueueUrl: queueUrl = '' } = await sqs.send(
      new CreateQueueCommand({ QueueName: queueName, Attributes: { VisibilityTimeout: '1' } }),
    );
    // The delivery function as local mode loaded it: its configuration, clients and batch logic.
    const { handler: deliveryHandler } = await import('../../functions/handlers/delivery');
    let invocations = 0;
    const pollerLog: string[] = [];
    const poller = startSqsPoller({
      client: sqs,
      queueUrl,
      queueArn: `arn:aws:sqs:${localAwsConfig.region}:000000000000:${queueName}`,
      functionName: 'herald-delivery',
      log: (line) => pollerLog.push(line),
      concurrency: 1,
      // The real handler runs (the POST is sent), then the invocation dies before the poller deletes.
      handler: async (event, context) => {
        const response = await deliveryHandler(event, context);
        invocations += 1;
        if (invocations === 1) throw new Error('crashed after sending, before the delete');
        return response;
      },
    });
    try {
      const message = deliveryMessage({
        eventId: uniqueName('evt-crash'),
        webhookId: webhook.id,
        eventType: type.name,
        time: new Date().toISOString(),
        data: { ...type.example },
        origin: 'event',
      });
      await new SqsDeliveryQueue(sqs, queueUrl).enqueue([message]);

      const hits = await until(() => atLeast(receiver.hits, 2), {
        ms: 15_000,
        what: 'the delivery to be sent again',
        everyMs: 25,
      });
      expectSameDelivery(hits, message.deliveryId, webhook.secret);
      const bodies = hits.map((hit) => verifySignature(webhook.secret, hit));
      expect(bodies[1]).toEqual(bodies[0]);
      // Sent again only once the crashed invocation's message became visible again (1 s), not at once.
      const [gap = 0] = gaps(hits);
      expect(gap).toBeGreaterThanOrEqual(500);
      expect(pollerLog.some((line) => line.includes('crashed after sending'))).toBe(true);
      // The second invocation succeeded and the message was deleted: no third delivery.
      await sleep(2500);
      expect(receiver.hits).toHaveLength(2);
      expect(invocations).toBe(2);
    } finally {
      await poller.stop();
    }
  }, 30_000);
});
