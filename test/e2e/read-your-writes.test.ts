import { resourceOf } from './support/api';
import { useLocalHerald } from './support/local';
import { type Hit, isSignedBy, useReceiver } from './support/receiver';
import { until } from './support/wait';

/**
 * Edits are read-your-writes for deliveries (DESIGN "Management API"): once a PATCH, a rotation or
 * a status change has answered, every delivery attempted after it, a retry queued before it
 * included, uses the new webhook. Each test first delivers once, so a delivery function that kept
 * webhooks between invocations would hold the old one.
 */
const receiver = useReceiver();
const local = useLocalHerald('ryw', {
  // The first retry waits 3 s: time enough for a PATCH to land before it on a loaded machine.
  retrySchedule: '3s,1s,1s',
  deliveryTimeoutMs: 2000,
});
const { api, createWebhook, sendTest } = local;

const waitMs = 15_000;
const url = (path: string) => `${receiver().url}${path}`;

const hitOf = (path: string, deliveryId: string) => (): Hit | undefined =>
  receiver()
    .at(path)
    .find((h) => h.headers['webhook-id'] === deliveryId);

async function patch(id: string, attributes: Record<string, unknown>): Promise<void> {
  const { status } = await api('PATCH', `/webhooks/${id}`, { data: { type: 'webhook', id, attributes } });
  expect(status).toBe(200);
}

describe('read-your-writes for deliveries', () => {
  it('sends the next delivery to the new url as soon as the PATCH has answered', async () => {
    const { id } = await createWebhook({ url: url('/ryw/old') });
    await until(hitOf('/ryw/old', await sendTest(id)), { ms: waitMs });
    await patch(id, { url: url('/ryw/new') });
    const next = await sendTest(id);
    await until(hitOf('/ryw/new', next), { ms: waitMs });
    expect(hitOf('/ryw/old', next)()).toBeUndefined();
  }, 30_000);

  it('signs the next delivery with the rotated secret as soon as the rotation has answered', async () => {
    const { id, secret: old } = await createWebhook({ url: url('/ryw/rotate') });
    await until(hitOf('/ryw/rotate', await sendTest(id)), { ms: waitMs });
    const rotated = await api('POST', `/webhooks/${id}/secret/rotate`, {
      data: { attributes: { grace_period_seconds: 0 } },
    });
    expect(rotated.status).toBe(200);
    const fresh = String(resourceOf(rotated).attributes.key);
    const hit = await until(hitOf('/ryw/rotate', await sendTest(id)), { ms: waitMs });
    expect(isSignedBy(fresh, hit)).toBe(true);
    expect(isSignedBy(old, hit)).toBe(false);
  }, 30_000);

  it('sends a retry queued before the PATCH to the new url', async () => {
    const { id } = await createWebhook({ url: url('/ryw/failing') });
    receiver().answers.set('/ryw/failing', 503);
    const deliveryId = await sendTest(id);
    // The first attempt failed: its retry is on the queue, due in about a second.
    await until(hitOf('/ryw/failing', deliveryId), { ms: waitMs });
    await patch(id, { url: url('/ryw/fixed') });
    const retried = await until(hitOf('/ryw/fixed', deliveryId), { ms: waitMs });
    expect(retried.headers['webhook-id']).toBe(deliveryId);
    expect(
      receiver()
        .at('/ryw/failing')
        .filter((h) => h.headers['webhook-id'] === deliveryId),
    ).toHaveLength(1);
  }, 30_000);

  it('holds a retry queued before the webhook was disabled, and logs it as failed', async () => {
    const { id } = await createWebhook({ url: url('/ryw/disable') });
    receiver().answers.set('/ryw/disable', 503);
    const deliveryId = await sendTest(id);
    await until(hitOf('/ryw/disable', deliveryId), { ms: waitMs });
    await patch(id, { status: 'disabled' });
    // Wait for the retry's outcome in the log rather than for time to pass.
    const record = await until(
      async () => {
        const res = await api('GET', `/webhooks/${id}/deliveries/${deliveryId}`);
        const attributes = res.status === 200 ? resourceOf(res).attributes : undefined;
        return attributes?.status === 'failed' ? attributes : undefined;
      },
      { ms: waitMs, everyMs: 100 },
    );
    // After the 503 the delivery was `retrying`; only the held retry makes it `failed`, with no second attempt.
    expect(record.attempt_count).toBe(1);
    expect(receiver().at('/ryw/disable')).toHaveLength(1);
  }, 30_000);
});
