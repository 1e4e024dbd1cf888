import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { deliveryIdFor } from '../../functions/domain/delivery-id';
import { findEventType } from '../../functions/domain/event-catalog';
import { deliveryMessage, eventDetail, seedReviewData, uniqueName } from '../helpers';
import { attributesOf, type Resource, resourceOf, resourcesOf } from './support/api';
import { useLocalHerald } from './support/local';
import { useReceiver, verifySignature } from './support/receiver';
import { sleep, until } from './support/wait';

/**
 * Operating deliveries through local mode, as a customer does it over the API: the delivery log,
 * test events, retry and recovery, secret rotation, endpoint health with automatic disabling.
 * Receivers are loopback servers whose answer each test sets per path.
 */
/** Long enough that the other tests' short failure streaks (three attempts, ~2 s) never reach it. */
const autoDisableAfterSeconds = 6;

const receiver = useReceiver();
const local = useLocalHerald('operations', {
  retrySchedule: '1s,1s',
  deliveryTimeoutMs: 2000,
  autoDisableAfterSeconds,
});
const { api } = local;

type Json = Record<string, unknown>;

const hitsAt = (path: string) => receiver().at(path);
const answers = () => receiver().answers;

const createWebhook = (path: string, attributes: Json = {}) =>
  local.createWebhook({ url: `${receiver().url}${path}`, ...attributes });

/** An event as published: the platform's event id (detail.id) and its time. */
interface Published {
  eventId: string;
  time: string;
}

/** Publishes the seed's review event, at `time` or now in whole seconds, as EventBridge gives it. */
async function publish(options: { time?: Date; reviewId?: string } = {}): Promise<Published> {
  const eventId = uniqueName('evt');
  const data = { ...seedReviewData, reviewId: options.reviewId ?? seedReviewData.reviewId };
  const time = options.time ?? new Date(Math.floor(Date.now() / 1000) * 1000);
  await local.publish('use_case_review_status_updated', eventDetail(data, { id: eventId }), { time });
  return { eventId, time: time.toISOString() };
}

/** The delivery id (`webhook-id`) of a published event to a webhook. */
const deliveryOf = (event: Published, webhookId: string) =>
  deliveryIdFor(event.eventId, webhookId, event.time);

async function deliveries(webhookId: string, query = ''): Promise<Resource[]> {
  const res = await api('GET', `/webhooks/${webhookId}/deliveries${query}`);
  expect(res.status).toBe(200);
  return resourcesOf(res);
}

async function delivery(webhookId: string, deliveryId: string): Promise<Json> {
  const res = await api('GET', `/webhooks/${webhookId}/deliveries/${deliveryId}`);
  expect(res.status).toBe(200);
  return resourceOf(res).attributes;
}

/** Waits until the delivery's log says `status` (the log is written just after the receiver answers). */
function logSays(webhookId: string, deliveryId: string, status: string, attempts?: number) {
  return until(
    async () => {
      const res = await api('GET', `/webhooks/${webhookId}/deliveries/${deliveryId}`);
      if (res.status !== 200) return undefined;
      const { attributes } = resourceOf(res);
      return attributes.status === status && (attempts === undefined || attributes.attempt_count === attempts)
        ? attributes
        : undefined;
    },
    { everyMs: 100 },
  );
}

/** The attributes of the webhook `id` as the API shows it. */
const webhook = async (id: string) => resourceOf(await api('GET', `/webhooks/${id}`)).attributes;

describe('the delivery log', () => {
  it('lists deliveries newest first and shows one with every attempt, its status, duration, error and excerpt', async () => {
    const { id } = await createWebhook('/log');
    answers().set('/log', 500);
    const failing = await publish({ time: new Date('2026-11-20T10:00:00Z') });
    await until(() => (hitsAt('/log').length >= 3 ? true : undefined));
    const failedId = deliveryOf(failing, id);
    await logSays(id, failedId, 'failed', 3);
    answers().set('/log', 204);
    const ok = await publish({ time: new Date('2026-11-21T10:00:00Z') });
    const okId = deliveryOf(ok, id);
    await logSays(id, okId, 'succeeded', 1);

    const listed = await deliveries(id);
    expect(listed.map((d) => d.id)).toEqual([okId, failedId]);
    expect(listed[1]?.attributes).toMatchObject({
      event_id: failing.eventId,
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
      const deliveryId = deliveryOf(await publish({ time: new Date(time) }), id);
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
    expect(resourcesOf(first).map((d) => d.id)).toEqual(newestFirst.slice(0, 3));
    const next = String(first.body.links?.next ?? '');
    expect(next).toContain('filter%5Bstatus%5D=succeeded');
    const second = await api('GET', next);
    expect(resourcesOf(second).map((d) => d.id)).toEqual(newestFirst.slice(3));
    expect(second.body.links?.next).toBeUndefined();
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
      const { status, body } = await api('GET', `/webhooks/${id}/deliveries${query}`);
      expect({ query, status }).toEqual({ query, status: 400 });
      expect(body.errors?.[0]).toMatchObject({ source: { parameter } });
    }
    expect((await api('GET', `/webhooks/${id}/deliveries/msg_AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
    expect((await api('GET', '/webhooks/wh_01kb4x7s9rm3q8k2n6v0d5c1hz/deliveries')).status).toBe(404);
  });
});

describe('test events', () => {
  it("sends the catalog's example of the chosen type, signed, and logs it", async () => {
    const { id, secret } = await createWebhook('/test-event');
    const res = await api('POST', `/webhooks/${id}/test`, {
      data: { attributes: { event_type: 'use_case_name_updated' } },
    });
    expect(res.status).toBe(202);
    const sent = resourceOf(res);
    expect(sent.attributes).toMatchObject({ status: 'pending', event_type: 'use_case_name_updated' });
    const hit = await until(() => hitsAt('/test-event')[0]);
    expect(hit.headers['webhook-id']).toBe(sent.id);
    expect(verifySignature(secret, hit)).toMatchObject({
      type: 'CredoAI.use_case_name_updated.v1',
      data: findEventType('use_case_name_updated')?.example,
    });
    const logged = await logSays(id, sent.id, 'succeeded', 1);
    expect((logged.attempts as Json[])[0]).toMatchObject({ status_code: 200, trigger: 'test' });
  });

  it('refuses an unknown or missing event type', async () => {
    const { id } = await createWebhook('/test-bad');
    for (const body of [{ data: { attributes: { event_type: 'nope' } } }, { data: { attributes: {} } }]) {
      const res = await api('POST', `/webhooks/${id}/test`, body);
      expect(res.status).toBe(422);
      expect(res.body.errors?.[0]).toMatchObject({ source: { pointer: '/data/attributes/event_type' } });
    }
    expect(hitsAt('/test-bad')).toEqual([]);
  });
});

describe('retry and recovery', () => {
  it('retries one delivery: a new attempt with the same webhook-id', async () => {
    const { id } = await createWebhook('/retry-one');
    const deliveryId = deliveryOf(await publish(), id);
    await logSays(id, deliveryId, 'succeeded', 1);

    const res = await api('POST', `/webhooks/${id}/deliveries/${deliveryId}/retry`);
    expect(res.status).toBe(202);
    expect(resourceOf(res).attributes.status).toBe('pending');
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
    answers().set('/recover', 503);
    const before = await publish({ time: new Date('2026-10-01T00:00:00Z') });
    // Logged (created) before the others are published, so a range can leave it out.
    await logSays(id, deliveryOf(before, id), 'failed', 3);
    const inside = [
      await publish({ time: new Date('2026-11-10T00:00:00Z') }),
      await publish({ time: new Date('2026-11-11T00:00:00Z') }),
    ];
    const all = [before, ...inside].map((e) => deliveryOf(e, id));
    for (const deliveryId of all) await logSays(id, deliveryId, 'failed', 3);
    const failedHits = hitsAt('/recover').length;
    expect(failedHits).toBe(9);

    answers().set('/recover', 200);
    // On a loaded machine the failures above can span more than this file's short auto-disable
    // window (6 s), which would disable the webhook; recovery is what this test is about.
    expect(
      (await api('PATCH', `/webhooks/${id}`, { data: { attributes: { status: 'enabled' } } })).status,
    ).toBe(200);
    // Since the first of the two was logged, as its created_at shows: `before` was logged earlier.
    const since = String((await delivery(id, all[1] ?? '')).created_at);
    expect(Date.parse(since)).toBeGreaterThan(
      Date.parse(String((await delivery(id, all[0] ?? '')).created_at)),
    );
    const recover = () => api('POST', `/webhooks/${id}/recover`, { data: { attributes: { since } } });
    const [a, b] = await Promise.all([recover(), recover()]);
    expect([a.status, b.status]).toEqual([202, 202]);
    const queued = [a, b].map(attributesOf);
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
    await sleep(1500);
    const recovered = hitsAt('/recover').slice(failedHits);
    expect(recovered.map((h) => h.headers['webhook-id']).sort()).toEqual(all.slice(1).sort());
    expect((await delivery(id, all[0] ?? '')).status).toBe('failed');
  }, 60_000);

  it('recovers a delivery only the dead-letter queue holds, and refuses a bad range', async () => {
    const { id } = await createWebhook('/recover-dlq');
    const message = deliveryMessage({
      eventId: uniqueName('evt-dlq'),
      webhookId: id,
      eventType: 'use_case_review_status_updated',
      time: '2026-11-12T00:00:00Z',
      data: { reviewId: 'r1', status: 'done', useCaseId: 'u1', user: { email: 'a@b.c', userId: 'x' } },
    });
    // As the queue's redrive leaves it after Herald's own errors: in the DLQ, never in the log.
    await local.sqs.send(
      new SendMessageCommand({
        QueueUrl: local.herald.queues.deadLetters,
        MessageBody: JSON.stringify(message),
      }),
    );

    const bad = await api('POST', `/webhooks/${id}/recover`, {
      data: { attributes: { since: 'last week' } },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors?.[0]).toMatchObject({ source: { pointer: '/data/attributes/since' } });

    const res = await api('POST', `/webhooks/${id}/recover`, {
      data: { attributes: { since: '2026-11-01T00:00:00Z' } },
    });
    expect(res.status).toBe(202);
    expect(attributesOf(res)).toMatchObject({ queued: 0, queued_from_dead_letter_queue: 1 });
    const hit = await until(() => hitsAt('/recover-dlq')[0]);
    expect(hit.headers['webhook-id']).toBe(message.deliveryId);
    await logSays(id, message.deliveryId, 'succeeded', 1);
  }, 30_000);
});

describe('secret rotation', () => {
  it('signs with both secrets during the grace period, then with the new one only', async () => {
    const { id, secret: old } = await createWebhook('/rotate');
    const res = await api('POST', `/webhooks/${id}/secret/rotate`, {
      data: { attributes: { grace_period_seconds: 3 } },
    });
    expect(res.status).toBe(200);
    const rotated = resourceOf(res).attributes;
    const fresh = String(rotated.key);
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(old);
    expect(Date.parse(String(rotated.previous_key_expires_at))).toBeGreaterThan(Date.now());
    const secretView = await api('GET', `/webhooks/${id}/secret`);
    expect(resourceOf(secretView).attributes).toEqual({
      key: fresh,
      previous_keys: [{ expires_at: rotated.previous_key_expires_at }],
    });
    expect(JSON.stringify(secretView.body)).not.toContain(old);

    await api('POST', `/webhooks/${id}/test`, {
      data: { attributes: { event_type: 'use_case_name_updated' } },
    });
    const during = await until(() => hitsAt('/rotate')[0]);
    // Not delivered before, so the delivery function reads the rotated webhook, not a cached one.
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifySignature(fresh, during)).toBeDefined();
    expect(verifySignature(old, during)).toBeDefined();
    await sleep(3200);
    await api('POST', `/webhooks/${id}/test`, {
      data: { attributes: { event_type: 'use_case_name_updated' } },
    });
    const after = await until(() => hitsAt('/rotate')[1]);
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verifySignature(fresh, after)).toBeDefined();
    expect(() => verifySignature(old, after)).toThrow();
  }, 40_000);
});

describe('endpoint health', () => {
  it('disables a webhook at once on 410 Gone, keeps its deliveries for recovery, and recovers them once enabled', async () => {
    const { id } = await createWebhook('/gone');
    answers().set('/gone', 410);
    const first = deliveryOf(await publish(), id);
    await logSays(id, first, 'failed', 1);
    expect(await webhook(id)).toMatchObject({
      status: 'disabled',
      disabled_reason: expect.stringContaining('410 Gone'),
      disabled_at: expect.any(String),
    });
    expect(hitsAt('/gone')).toHaveLength(1);

    // While disabled, new events are kept as failed deliveries, never sent.
    const held = deliveryOf(await publish(), id);
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

    answers().set('/gone', 200);
    const enabled = await api('PATCH', `/webhooks/${id}`, { data: { attributes: { status: 'enabled' } } });
    expect(resourceOf(enabled).attributes).toMatchObject({
      status: 'enabled',
      disabled_reason: null,
    });
    const since = new Date(Date.now() - 3600_000).toISOString();
    const recovered = await api('POST', `/webhooks/${id}/recover`, { data: { attributes: { since } } });
    expect(attributesOf(recovered)).toMatchObject({ queued: 2 });
    // The delivery function's cache may still say disabled for up to 30 s: the record shows it.
    await logSays(id, first, 'succeeded');
    await logSays(id, held, 'succeeded');
  }, 60_000);

  it('disables a webhook whose endpoint fails every attempt for the auto-disable period, saying why', async () => {
    const { id } = await createWebhook('/failing');
    answers().set('/failing', 500);
    const first = deliveryOf(await publish(), id);
    await logSays(id, first, 'failed', 3);
    expect(await webhook(id)).toMatchObject({ status: 'enabled' });
    // The streak began with the first attempt; the next failure after the period disables.
    const firstFailure = hitsAt('/failing')[0]?.at ?? Date.now();
    await sleep(Math.max(0, firstFailure + autoDisableAfterSeconds * 1000 + 200 - Date.now()));
    await publish();
    const disabled = await until(
      async () => {
        const attributes = await webhook(id);
        return attributes.status === 'disabled' ? attributes : undefined;
      },
      { ms: 30_000, everyMs: 100 },
    );
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
    expect(resourceOf(off).attributes).toMatchObject({
      status: 'disabled',
      disabled_reason: 'maintenance',
    });
    const on = await api('PATCH', `/webhooks/${id}`, { data: { attributes: { status: 'enabled' } } });
    expect(resourceOf(on).attributes).toMatchObject({
      status: 'enabled',
      disabled_reason: null,
      disabled_at: null,
    });
  });
});
