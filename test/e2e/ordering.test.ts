import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { z } from 'zod';
import { orderedGiveUp } from '../../functions/domain/use-cases/deliver';
import { eventDetail, seedReviewData } from '../helpers';
import { attributesOf, errorsOf, resourceOf, resourcesOf } from './support/api';
import { busName, eventSource, useLocalHerald } from './support/local';
import { type Hit, useReceiver, verifySignature } from './support/receiver';
import { until } from './support/wait';

/**
 * Ordered (FIFO) delivery end to end, in local mode on fauxqs's FIFO queue: a webhook with
 * `ordering: fifo` receives 100 events in publish order through a failing spell, a neighbour
 * without ordering is not held up by it, a delivery out of attempts is dead-lettered, logged, and
 * the next goes; bad values are refused with a pointer; and the throughput of one such webhook.
 */

/** Per path, how many more requests to answer 500, from the hit of event `from` on. */
const spells = new Map<string, { from: number; failures: number }>();
/** Per path, event numbers always answered 500. */
const doomed = new Map<string, Set<number>>();
/** Each hit's answer, by hit. */
const answered = new Map<Hit, number>();

const numbered = z.object({ data: z.object({ n: z.number() }) });
/** The `n` the test put in an event's data. */
const eventNumber = (hit: Hit): number => numbered.parse(JSON.parse(hit.body)).data.n;

const receiver = useReceiver({
  respond: (hit, response) => {
    const n = eventNumber(hit);
    const spell = spells.get(hit.path);
    let status = 200;
    if (doomed.get(hit.path)?.has(n)) status = 500;
    else if (spell && n >= spell.from && spell.failures > 0) {
      spell.failures--;
      status = 500;
    }
    answered.set(hit, status);
    response.writeHead(status, { 'Content-Type': 'text/plain' }).end(`answer ${status}`);
  },
});
// Three retries a second apart: a spell of two failures is survived, four failures are not.
const local = useLocalHerald('ordering', { retrySchedule: '1s,1s,1s', deliveryTimeoutMs: 2000 });
const { api, createWebhook } = local;

const reviewStatusUpdated = 'use_case_review_status_updated';

/** Publishes events `from`..`to - 1` one by one, each routed before the next is published. */
async function publishInOrder(from: number, to: number, options: { tenant?: string } = {}): Promise<void> {
  for (let n = from; n < to; n++) {
    await local.publish(reviewStatusUpdated, eventDetail({ ...seedReviewData, n }, options));
    await local.herald.routed();
  }
}

const successes = (path: string) =>
  receiver()
    .at(path)
    .filter((hit) => answered.get(hit) === 200);

it('delivers 100 events to a fifo webhook in publish order through a failing spell, none lost, while an unordered neighbour goes on', async () => {
  const fifo = await createWebhook({ url: `${receiver().url}/fifo`, ordering: 'fifo' });
  await createWebhook({ url: `${receiver().url}/free` });
  expect(attributesOf(await api('GET', `/webhooks/${fifo.id}`)).ordering).toBe('fifo');
  // Event 30 fails twice: its delivery is retried twice, and everything after it waits.
  spells.set('/fifo', { from: 30, failures: 2 });

  let freeAtSpellEnd: number | undefined;
  const watch = until(
    () => {
      const spell = spells.get('/fifo');
      if (spell && spell.failures === 0 && successes('/fifo').some((hit) => eventNumber(hit) === 30))
        freeAtSpellEnd ??= receiver().at('/free').length;
      return freeAtSpellEnd;
    },
    { ms: 90_000, everyMs: 10, what: 'the end of the failing spell' },
  );
  await publishInOrder(0, 100);
  await watch;

  const hits = await until(() => (successes('/fifo').length >= 100 ? receiver().at('/fifo') : undefined), {
    ms: 60_000,
    what: '100 successful deliveries to the fifo webhook',
  });
  // Every request the fifo webhook got, failed or not, in arrival order: never an event before an
  // earlier one had succeeded.
  const arrivals = hits.map(eventNumber);
  expect(arrivals).toEqual([...arrivals].sort((a, b) => a - b));
  // First successful receipt of each event in publish order; none lost, none twice.
  expect(successes('/fifo').map(eventNumber)).toEqual(Array.from({ length: 100 }, (_, n) => n));
  for (const hit of hits) verifySignature(fifo.secret, hit);
  expect(hits.filter((hit) => answered.get(hit) === 500).map(eventNumber)).toEqual([30, 30]);

  // The unordered webhook was not held up: when event 30 finally went through, it had already
  // received events past 30.
  expect(freeAtSpellEnd).toBeGreaterThan(31);
  await until(() => (receiver().at('/free').length >= 100 ? true : undefined), { ms: 30_000 });

  // The log shows the retried delivery's three attempts.
  const log = resourcesOf(await api('GET', `/webhooks/${fifo.id}/deliveries?page[size]=100`));
  expect(log).toHaveLength(100);
  const counts = log.map((d) => d.attributes.attempt_count);
  expect(counts.filter((c) => c === 3)).toHaveLength(1);
  expect(counts.filter((c) => c === 1)).toHaveLength(99);
}, 180_000);

it('dead-letters a fifo delivery out of attempts, logs it failed saying the next was released, and sends the next', async () => {
  const tenant = await local.newTenant();
  const on = tenant.api;
  const hook = await createWebhook({ url: `${receiver().url}/doomed`, ordering: 'fifo' }, on);
  doomed.set('/doomed', new Set([0]));
  await publishInOrder(0, 3, { tenant: tenant.tenant });

  const hits = await until(() => (successes('/doomed').length >= 2 ? receiver().at('/doomed') : undefined), {
    ms: 60_000,
    what: 'the two deliveries after the dead-lettered one',
  });
  // Four attempts at event 0 (the first and three retries), then 1 and 2 in order.
  expect(hits.map(eventNumber)).toEqual([0, 0, 0, 0, 1, 2]);

  const deliveries = resourcesOf(await on('GET', `/webhooks/${hook.id}/deliveries`));
  const failed = deliveries.find((d) => d.attributes.status === 'failed');
  expect(failed?.attributes.attempt_count).toBe(4);
  expect(failed?.attributes.last_error).toBe(`endpoint answered 500; ${orderedGiveUp}`);
  const body = await local.findMessage(
    local.herald.queues.orderedDeadLetters,
    (b) => b.includes(hook.id) && b.includes('"n":0'),
    10,
  );
  expect(body).toBeDefined();
}, 90_000);

it('refuses an ordering other than none and fifo with a 422 pointing at it, on create and update', async () => {
  const created = await api('POST', '/webhooks', {
    data: {
      attributes: {
        description: 'Bad ordering',
        url: `${receiver().url}/bad`,
        event_types: [reviewStatusUpdated],
        authentication_method: 'none',
        ordering: 'lifo',
      },
    },
  });
  expect(created.status).toBe(422);
  expect(errorsOf(created).map((e) => e.source?.pointer)).toEqual(['/data/attributes/ordering']);
  const { id } = await createWebhook({ url: `${receiver().url}/patched` });
  expect(attributesOf(await api('GET', `/webhooks/${id}`)).ordering).toBe('none');
  const patched = await api('PATCH', `/webhooks/${id}`, { data: { attributes: { ordering: 'FIFO' } } });
  expect(patched.status).toBe(422);
  expect(errorsOf(patched).map((e) => e.source?.pointer)).toEqual(['/data/attributes/ordering']);
  const fifo = await api('PATCH', `/webhooks/${id}`, { data: { attributes: { ordering: 'fifo' } } });
  expect(resourceOf(fifo).attributes.ordering).toBe('fifo');
});

it('measures one fifo webhook’s throughput to a fast receiver', async () => {
  const tenant = await local.newTenant();
  await createWebhook({ url: `${receiver().url}/fast`, ordering: 'fifo' }, tenant.api);
  const total = 200;
  // Published in PutEvents calls of ten, all at once: order is not the point here.
  const entries = (from: number): PutEventsRequestEntry[] =>
    Array.from({ length: 10 }, (_, i) => ({
      EventBusName: busName,
      Source: eventSource,
      DetailType: reviewStatusUpdated,
      Detail: JSON.stringify(eventDetail({ ...seedReviewData, n: from + i }, { tenant: tenant.tenant })),
    }));
  await Promise.all(Array.from({ length: total / 10 }, (_, k) => local.putEvents(entries(k * 10))));
  const hits = await until(
    () => (receiver().at('/fast').length >= total ? receiver().at('/fast') : undefined),
    {
      ms: 120_000,
      what: `${total} deliveries to the fast fifo webhook`,
    },
  );
  const times = hits.map((hit) => hit.at);
  const seconds = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000;
  const perSecond = (total - 1) / seconds;
  console.log(
    `fifo throughput, one webhook, local mode: ${total} deliveries in ${seconds.toFixed(2)} s = ${perSecond.toFixed(1)}/s`,
  );
  expect(new Set(hits.map(eventNumber)).size).toBe(total);
}, 180_000);
