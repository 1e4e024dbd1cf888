import { eventDetail, seedReviewData } from '../helpers';
import { resourceOf, resourcesOf } from './support/api';
import { useLocalHerald } from './support/local';
import { useReceiver, verifySignature } from './support/receiver';
import { sleep, until } from './support/wait';

/**
 * Events end to end: PutEvents from the AWS SDK → the rule → the router → SQS → the delivery
 * handler → a receiver on loopback, in local mode with a short retry schedule.
 */
const receiver = useReceiver();
const local = useLocalHerald('delivery', { retrySchedule: '1s,1s', deliveryTimeoutMs: 2000 });
const { api, createWebhook, publish } = local;

const waitMs = 15_000;
const url = (path: string) => `${receiver().url}${path}`;
const reviewStatusUpdated = 'use_case_review_status_updated';

it('delivers the seed event, signed so standardwebhooks verifies it, with the seed’s type', async () => {
  const { secret } = await createWebhook({ url: url('/seed') });
  await publish(reviewStatusUpdated, eventDetail(seedReviewData));
  const delivery = await until(() => receiver().at('/seed')[0], { ms: waitMs });
  expect(verifySignature(secret, delivery)).toMatchObject({
    data: seedReviewData,
    type: 'CredoAI.use_case_review_status_updated.v1',
    source: 'CredoAI',
    subject: 'use_case_review_status_updated',
    specversion: '1.0',
  });
  expect(delivery.headers['content-type']).toBe('application/json');
  expect(delivery.headers['svix-id']).toBe(delivery.headers['webhook-id']);
});

it('gives a platform retry with the same detail.id and Time the same webhook-id', async () => {
  await createWebhook({ url: url('/dedupe') });
  const detail = eventDetail(seedReviewData, { id: `evt-${Date.now()}` });
  // The delivery id carries the event time: a retry sends the event's own Time again.
  const time = new Date(Math.floor(Date.now() / 1000) * 1000 - 5000);
  await publish(reviewStatusUpdated, detail, { time });
  await publish(reviewStatusUpdated, detail, { time });
  const both = await until(
    () => {
      const hits = receiver().at('/dedupe');
      return hits.length >= 2 ? hits : undefined;
    },
    { ms: waitMs },
  );
  expect(both[0]?.headers['webhook-id']).toBe(both[1]?.headers['webhook-id']);
});

it('retries a failing receiver on schedule, then dead-letters the delivery', async () => {
  receiver().answers.set('/down', 503);
  const { id } = await createWebhook({ url: url('/down') });
  await publish(reviewStatusUpdated, eventDetail(seedReviewData));
  // One attempt and two retries (schedule 1s,1s).
  const attempts = await until(
    () => {
      const hits = receiver().at('/down');
      return hits.length >= 3 ? hits : undefined;
    },
    { ms: 20_000 },
  );
  expect(new Set(attempts.map((a) => a.headers['webhook-id'])).size).toBe(1);
  const body = await local.findMessage(
    local.herald.queues.deadLetters,
    (b) => b.includes('"eventType":"use_case_review_status_updated"'),
    40,
  );
  expect(body).toBeDefined();
  const hits = receiver().at('/down');
  expect(hits).toHaveLength(3);
  // On schedule: each retry comes after its delay (1 s each here), not at once.
  expect((hits[1]?.at ?? 0) - (hits[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
  expect((hits[2]?.at ?? 0) - (hits[1]?.at ?? 0)).toBeGreaterThanOrEqual(900);

  // Every attempt is in the delivery log, read through the API.
  const listed = resourcesOf(await api('GET', `/webhooks/${id}/deliveries`));
  expect(listed).toHaveLength(1);
  expect(listed[0]?.attributes).toMatchObject({
    status: 'failed',
    attempt_count: 3,
    last_status_code: 503,
  });
  const one = resourceOf(await api('GET', `/webhooks/${id}/deliveries/${listed[0]?.id}`));
  const attemptsLogged = one.attributes.attempts as Array<Record<string, unknown>>;
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
  await createWebhook({ url: url('/invalid') });
  await publish(reviewStatusUpdated, eventDetail({ ...seedReviewData, reviewId: 42 }));
  const kept = await local.findMessage(local.herald.queues.rejectedEvents, (b) => b.includes('reviewId'), 20);
  expect(kept).toBeDefined();
  expect(receiver().at('/invalid')).toHaveLength(0);
}, 30_000);

it('names the type with each prefix and suffix combination', async () => {
  await createWebhook({ url: url('/affix-none'), event_type_prefix: null, event_type_suffix: null });
  await createWebhook({ url: url('/affix-prefix'), event_type_prefix: 'Acme', event_type_suffix: null });
  await createWebhook({ url: url('/affix-suffix'), event_type_prefix: null, event_type_suffix: 'v2' });
  await publish(reviewStatusUpdated, eventDetail(seedReviewData));
  const typeAt = async (path: string) =>
    JSON.parse((await until(() => receiver().at(path)[0], { ms: waitMs })).body).type;
  expect(await typeAt('/affix-none')).toBe('use_case_review_status_updated');
  expect(await typeAt('/affix-prefix')).toBe('Acme.use_case_review_status_updated');
  expect(await typeAt('/affix-suffix')).toBe('use_case_review_status_updated.v2');
});

it('delivers only to webhooks of the event’s tenant, type and environment', async () => {
  await createWebhook({ url: url('/env-qa'), environment: 'qa' });
  await createWebhook({ url: url('/env-any'), environment: null });
  await createWebhook({ url: url('/other-type'), event_types: ['use_case_review_comment'] });
  await publish(reviewStatusUpdated, eventDetail(seedReviewData, { environment: 'staging' }));
  await publish(
    reviewStatusUpdated,
    eventDetail(seedReviewData, { tenant: 'someone-else', environment: 'qa' }),
  );
  await until(() => receiver().at('/env-any')[0], { ms: waitMs });
  // The staging event reached the environment-less webhook; give any stray delivery time to land.
  await sleep(1000);
  expect(receiver().at('/env-any')).toHaveLength(1);
  expect(receiver().at('/env-qa')).toHaveLength(0);
  expect(receiver().at('/other-type')).toHaveLength(0);
});
