import { monitorEventLoopDelay } from 'node:perf_hooks';
import { eventDetail, mostOverRate, seedReviewData } from '../helpers';
import { attributesOf, errorsOf, resourceOf, resourcesOf } from './support/api';
import { useLocalHerald } from './support/local';
import { useReceiver, verifySignature } from './support/receiver';
import { until } from './support/wait';

/**
 * A webhook's rate limit end to end, in local mode: a burst of 50 events to a webhook limited to
 * 5 a second arrives whole, never faster than the bucket allows, with no delivery failed or
 * retried for waiting; and bad limits are refused with a pointer.
 */
const receiver = useReceiver();
const local = useLocalHerald('rate-limit');
const { api, createWebhook, publish } = local;

const reviewStatusUpdated = 'use_case_review_status_updated';
const perSecond = 5;
const burst = 50;

it('holds 5/s under a burst of 50: all arrive, none faster than 5 + 5·t in t seconds, none failed, no attempt spent', async () => {
  const limited = await createWebhook({ url: `${receiver().url}/limited`, rate_limit: perSecond });
  await createWebhook({ url: `${receiver().url}/free` });

  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  await Promise.all(
    Array.from({ length: burst }, (_, i) =>
      publish(reviewStatusUpdated, eventDetail({ ...seedReviewData, n: i })),
    ),
  );

  // While the burst drains, the log shows the waiting deliveries as pending, never failed.
  await until(() => (receiver().at('/limited').length >= 10 ? true : undefined), { ms: 30_000 });
  const midway = resourcesOf(await api('GET', `/webhooks/${limited.id}/deliveries?page[size]=100`));
  expect(midway.filter((d) => d.attributes.status === 'pending').length).toBeGreaterThan(0);
  expect(midway.filter((d) => !['pending', 'succeeded'].includes(String(d.attributes.status)))).toEqual([]);

  const hits = await until(
    () => (receiver().at('/limited').length >= burst ? receiver().at('/limited') : undefined),
    {
      ms: 60_000,
      what: `${burst} deliveries to the limited webhook`,
    },
  );
  // Every event once: the receiver saw 50 distinct events, each signed.
  const events = new Set(hits.map((hit) => (verifySignature(limited.secret, hit).data as { n: number }).n));
  expect(events.size).toBe(burst);
  expect(new Set(hits.map((hit) => hit.headers['webhook-id'])).size).toBe(burst);

  // The bucket counts when each delivery is sent; the receiver stamps it when it has arrived and
  // this process's event loop, shared with local mode's Herald, gets to it. What a window of
  // receipts can show beyond the limit is perSecond × the spread of that lag: the loop's longest
  // stall (measured here: it bunches everything sent during it), plus the HTTP exchange, allowed
  // 400 ms (two tokens at 5/s) on a busy machine. Idle, the loop stalls ~10 ms; with a CI run
  // beside it, 360 to 700 ms have been measured, and excesses of 0.8 to 2.4.
  const times = hits.map((hit) => hit.at).sort((a, b) => a - b);
  const excess = mostOverRate(times, perSecond);
  const maxStallMs = loopDelay.max / 1e6;
  const tolerance = 2 + (perSecond * maxStallMs) / 1000;
  const spanSeconds = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000;
  const busiestSecond = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
  console.log(
    `rate limit ${perSecond}/s, burst of ${burst}: ${spanSeconds.toFixed(1)} s first to last (${((burst - 1) / spanSeconds).toFixed(2)}/s), busiest second ${busiestSecond}, largest excess over 5 + 5t ${excess.toFixed(2)} (tolerance ${tolerance.toFixed(2)}, event loop stalled up to ${maxStallMs.toFixed(0)} ms)`,
  );
  expect(excess).toBeLessThanOrEqual(tolerance);
  // 50 at 5/s after a burst of 5 takes at least 9 s: it was limited, not just lucky.
  expect(spanSeconds).toBeGreaterThanOrEqual((burst - perSecond) / perSecond - 0.25);

  // The unlimited webhook, on the same events, was not held back by its neighbour's limit.
  await until(() => (receiver().at('/free').length >= burst ? true : undefined), { ms: 30_000 });
  const freeTimes = receiver()
    .at('/free')
    .map((hit) => hit.at);
  expect(Math.max(...freeTimes) - Math.min(...freeTimes)).toBeLessThan(spanSeconds * 1000);

  // Nothing failed and no attempt went to waiting: each delivery succeeded on its first attempt.
  const logged = await until(
    async () => {
      const page = resourcesOf(await api('GET', `/webhooks/${limited.id}/deliveries?page[size]=100`));
      return page.length === burst && page.every((d) => d.attributes.status === 'succeeded')
        ? page
        : undefined;
    },
    { ms: 15_000, what: 'every delivery logged succeeded' },
  );
  expect(logged.map((d) => d.attributes.attempt_count)).toEqual(Array(burst).fill(1));
  const one = resourceOf(await api('GET', `/webhooks/${limited.id}/deliveries/${logged[0]?.id}`));
  expect((one.attributes.attempts as Array<{ attempt: number }>).map((a) => a.attempt)).toEqual([1]);
}, 120_000);

it('shows the limit, changes it and removes it with null', async () => {
  const { id } = await createWebhook({ url: `${receiver().url}/patched`, rate_limit: 10 });
  expect(attributesOf(await api('GET', `/webhooks/${id}`)).rate_limit).toBe(10);
  const changed = await api('PATCH', `/webhooks/${id}`, { data: { attributes: { rate_limit: 1000 } } });
  expect(attributesOf(changed).rate_limit).toBe(1000);
  const removed = await api('PATCH', `/webhooks/${id}`, { data: { attributes: { rate_limit: null } } });
  expect(attributesOf(removed).rate_limit).toBeNull();
});

it.each([
  [0, 'out_of_range'],
  [1001, 'out_of_range'],
  [2.5, 'invalid_type'],
  ['5', 'invalid_type'],
])('refuses rate_limit %p with a 422 pointing at it', async (value, code) => {
  const created = await api('POST', '/webhooks', {
    data: {
      attributes: {
        description: 'Bad limit',
        url: `${receiver().url}/bad`,
        event_types: [reviewStatusUpdated],
        authentication_method: 'none',
        rate_limit: value,
      },
    },
  });
  expect(created.status).toBe(422);
  expect(errorsOf(created).map((e) => [e.code, e.source?.pointer])).toEqual([
    [code, '/data/attributes/rate_limit'],
  ]);
});
