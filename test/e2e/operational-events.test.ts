import type { PlatformEvent } from '../../local/events-endpoint';
import { eventDetail, seedReviewData } from '../helpers';
import { errorsOf } from './support/api';
import { useLocalHerald } from './support/local';
import { useReceiver, verifySignature } from './support/receiver';
import { until } from './support/wait';

/**
 * Operational events end to end, in local mode: a "watcher" webhook subscribed to the five
 * operational types watches a "watched" one whose receiver fails, recovers, is disabled by hand,
 * enabled, and then answers 410. Each event reaches the watcher (signed, like any delivery) and
 * the bus: local mode's `PutEvents` endpoint, where the functions publish them as deployed, hands
 * every event it takes to `onEvent`, which records them here. The watched webhook, subscribed to
 * the same types, never receives one about itself.
 */
const busEvents: Array<{ event: PlatformEvent; matched: boolean }> = [];
const receiver = useReceiver();
const local = useLocalHerald('opevents', {
  // Five attempts a second apart: the fourth failure is `webhook.failing`, the fifth exhausts.
  retrySchedule: '1s,1s,1s,1s',
  onEvent: (event, matched) => busEvents.push({ event, matched }),
});
const { api, createWebhook, publish } = local;

const operationalTypes = [
  'webhook.failing',
  'delivery.exhausted',
  'webhook.recovered',
  'webhook.disabled',
  'webhook.enabled',
] as const;
const reviewStatusUpdated = 'use_case_review_status_updated';

it('reports each operational event to a subscribed webhook and on the bus, never to the webhook it is about', async () => {
  const plain = { environment: null, event_type_prefix: '', event_type_suffix: '' };
  const watched = await createWebhook({
    ...plain,
    url: `${receiver().url}/watched`,
    event_types: [reviewStatusUpdated, ...operationalTypes],
  });
  const watcher = await createWebhook({
    ...plain,
    url: `${receiver().url}/watcher`,
    event_types: [...operationalTypes],
  });
  receiver().answers.set('/watched', 500);

  /** The operational events the watcher has received, verified, in order. */
  const received = () =>
    receiver()
      .at('/watcher')
      .map((hit) => verifySignature(watcher.secret, hit));
  const receivedType = (type: string, n = 1) =>
    until(() => (received().filter((body) => body.type === type).length >= n ? received() : undefined), {
      ms: 30_000,
      what: `${type} at the watcher`,
    });

  // Failing, then out of attempts: one event, five failed attempts.
  await publish(reviewStatusUpdated, eventDetail(seedReviewData));
  await receivedType('delivery.exhausted');
  expect(received().map((body) => body.type)).toEqual(['webhook.failing', 'delivery.exhausted']);

  // Back: the next success is `webhook.recovered`.
  receiver().answers.set('/watched', 200);
  await publish(reviewStatusUpdated, eventDetail(seedReviewData));
  await receivedType('webhook.recovered');

  // By hand: disabled with a reason, then enabled.
  const disable = await api('PATCH', `/webhooks/${watched.id}`, {
    data: {
      type: 'webhook',
      id: watched.id,
      attributes: { status: 'disabled', disabled_reason: 'maintenance' },
    },
  });
  expect(disable.status).toBe(200);
  await receivedType('webhook.disabled');
  const enable = await api('PATCH', `/webhooks/${watched.id}`, {
    data: { type: 'webhook', id: watched.id, attributes: { status: 'enabled' } },
  });
  expect(enable.status).toBe(200);
  await receivedType('webhook.enabled');

  // By Herald: a 410 disables it at once.
  receiver().answers.set('/watched', 410);
  await publish(reviewStatusUpdated, eventDetail(seedReviewData));
  await receivedType('webhook.disabled', 2);

  const bodies = received();
  expect(bodies.map((body) => body.type)).toEqual([
    'webhook.failing',
    'delivery.exhausted',
    'webhook.recovered',
    'webhook.disabled',
    'webhook.enabled',
    'webhook.disabled',
  ]);
  for (const body of bodies) {
    expect(body).toMatchObject({
      source: 'herald',
      data: { tenant: 'demo', webhook: { id: watched.id, url: `${receiver().url}/watched` } },
    });
  }
  const data = bodies.map((body) => body.data);
  expect(data[0]).toMatchObject({
    trigger: 'automatic',
    counts: { consecutive_failures: 4, attempts: null },
    last_attempt: { status_code: 500, error: 'endpoint answered 500' },
  });
  expect(data[1]).toMatchObject({ counts: { attempts: 5 }, delivery: { event_type: reviewStatusUpdated } });
  expect(data[2]).toMatchObject({ last_attempt: { status_code: 200, error: null } });
  expect(data[3]).toMatchObject({ trigger: 'manual', reason: 'maintenance' });
  expect(data[4]).toMatchObject({ trigger: 'manual', reason: null });
  expect(data[5]).toMatchObject({ trigger: 'automatic', reason: expect.stringContaining('410') });

  // The bus saw the same six, from source herald, matched by the router's rule.
  const onBus = busEvents.filter(({ event }) => event.source === 'herald');
  expect(onBus.map(({ event }) => event['detail-type'])).toEqual(bodies.map((body) => body.type));
  for (const { event, matched } of onBus) {
    expect(matched).toBe(true);
    expect(event.detail).toMatchObject({
      tenant: 'demo',
      environment: null,
      data: { webhook: { id: watched.id } },
    });
  }

  // The watched webhook, subscribed to all five, got only the platform's events.
  const watchedTypes = receiver()
    .at('/watched')
    .map((hit) => verifySignature(watched.secret, hit).type);
  expect(new Set(watchedTypes)).toEqual(new Set([reviewStatusUpdated]));
}, 90_000);

it('lists the operational types in the catalog and still refuses an unknown type with a 422', async () => {
  const catalog = await api('GET', '/webhook-event-types');
  expect(catalog.status).toBe(200);
  const names = (catalog.body.data as Array<{ id: string; attributes: { group: string } }>)
    .filter((t) => t.attributes.group === 'operational')
    .map((t) => t.id);
  expect(names.sort()).toEqual([...operationalTypes].sort());

  const refused = await api('POST', '/webhooks', {
    data: {
      type: 'webhook',
      attributes: {
        description: 'x',
        url: `${receiver().url}/x`,
        event_types: ['webhook.exploded'],
        authentication_method: 'none',
      },
    },
  });
  expect(refused.status).toBe(422);
  expect(errorsOf(refused)[0]?.source).toEqual({ pointer: '/data/attributes/event_types/0' });
});
