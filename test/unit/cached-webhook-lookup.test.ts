import { CachedWebhookLookup } from '../../functions/adapters/aws/cached-webhook-lookup';
import type { WebhookStore } from '../../functions/domain/ports';
import type { Webhook } from '../../functions/domain/webhook';

function webhook(tenant: string, id: string, url = `https://${tenant}.example.com/hooks`): Webhook {
  return {
    id,
    tenant,
    attributes: {
      description: `${tenant} receiver`,
      url,
      event_types: ['use_case_review_status_updated'],
      event_type_prefix: null,
      event_type_suffix: null,
      environment: null,
      authentication_method: 'none',
      authentication_payload: null,
      authentication_payload_type: null,
      authentication_server: null,
      bucket: null,
    },
    status: 'enabled',
    disabledReason: null,
    disabledAt: null,
    previousSecrets: [],
    health: { consecutiveFailures: 0, failingSince: null, lastFailureAt: null, lastFailureReason: null },
    signingSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    createdAt: '2026-03-01T00:00:00.000Z',
    updatedAt: '2026-03-01T00:00:00.000Z',
    version: 1,
  };
}

/** A store whose contents the test changes, counting reads. */
class CountingStore implements Pick<WebhookStore, 'get'> {
  readonly webhooks = new Map<string, Webhook>();
  readonly reads: Array<[string, string]> = [];

  put(w: Webhook): void {
    this.webhooks.set(`${w.tenant}|${w.id}`, w);
  }

  async get(tenant: string, id: string): Promise<Webhook | undefined> {
    this.reads.push([tenant, id]);
    return this.webhooks.get(`${tenant}|${id}`);
  }
}

const ttlMs = 30_000;

function setup() {
  const store = new CountingStore();
  const clock = { now: 1_000_000 };
  const lookup = new CachedWebhookLookup(store, ttlMs, () => clock.now);
  return { store, clock, lookup };
}

describe('CachedWebhookLookup', () => {
  it('reads one webhook again at once after invalidate, and only that one', async () => {
    const { store, lookup } = setup();
    store.put(webhook('acme', 'wh_1'));
    store.put(webhook('acme', 'wh_2'));
    await lookup.get('acme', 'wh_1');
    await lookup.get('acme', 'wh_2');

    lookup.invalidate('acme', 'wh_1');
    await lookup.get('acme', 'wh_1');
    await lookup.get('acme', 'wh_2');

    expect(store.reads).toEqual([
      ['acme', 'wh_1'],
      ['acme', 'wh_2'],
      ['acme', 'wh_1'],
    ]);
  });

  it('answers from the cache within the TTL, reading the store once', async () => {
    const { store, clock, lookup } = setup();
    store.put(webhook('acme', 'wh_1'));

    const first = await lookup.get('acme', 'wh_1');
    clock.now += ttlMs - 1;
    const second = await lookup.get('acme', 'wh_1');

    expect(first?.id).toBe('wh_1');
    expect(second).toBe(first);
    expect(store.reads).toEqual([['acme', 'wh_1']]);
  });

  it('reads the store again once the TTL has passed, so an edit takes effect', async () => {
    const { store, clock, lookup } = setup();
    store.put(webhook('acme', 'wh_1', 'https://old.example.com/hooks'));
    await lookup.get('acme', 'wh_1');

    store.put(webhook('acme', 'wh_1', 'https://new.example.com/hooks'));
    clock.now += ttlMs;
    const after = await lookup.get('acme', 'wh_1');

    expect(after?.attributes.url).toBe('https://new.example.com/hooks');
    expect(store.reads).toHaveLength(2);
  });

  it('caches a missing webhook too, so a burst for a deleted webhook reads the store once', async () => {
    const { store, clock, lookup } = setup();

    expect(await lookup.get('acme', 'wh_gone')).toBeUndefined();
    clock.now += 1_000;
    expect(await lookup.get('acme', 'wh_gone')).toBeUndefined();

    expect(store.reads).toEqual([['acme', 'wh_gone']]);
  });

  it('keeps tenants apart: the same webhook id under two tenants are two entries', async () => {
    const { store, lookup } = setup();
    store.put(webhook('acme', 'wh_1'));
    store.put(webhook('globex', 'wh_1'));

    const acme = await lookup.get('acme', 'wh_1');
    const globex = await lookup.get('globex', 'wh_1');
    const acmeAgain = await lookup.get('acme', 'wh_1');

    expect(acme?.tenant).toBe('acme');
    expect(globex?.tenant).toBe('globex');
    expect(acmeAgain?.tenant).toBe('acme');
    expect(store.reads).toEqual([
      ['acme', 'wh_1'],
      ['globex', 'wh_1'],
    ]);
  });

  it("does not serve one tenant's miss as another tenant's webhook", async () => {
    const { store, lookup } = setup();
    store.put(webhook('globex', 'wh_1'));

    expect(await lookup.get('acme', 'wh_1')).toBeUndefined();
    expect((await lookup.get('globex', 'wh_1'))?.tenant).toBe('globex');
  });

  it('stays bounded: past the entry limit it starts over rather than growing', async () => {
    const store = new CountingStore();
    const lookup = new CachedWebhookLookup(store, ttlMs, () => 0, 2);
    store.put(webhook('acme', 'wh_1'));
    store.put(webhook('acme', 'wh_2'));
    store.put(webhook('acme', 'wh_3'));

    await lookup.get('acme', 'wh_1');
    await lookup.get('acme', 'wh_2');
    await lookup.get('acme', 'wh_3');
    await lookup.get('acme', 'wh_1');

    expect(store.reads.map(([, id]) => id)).toEqual(['wh_1', 'wh_2', 'wh_3', 'wh_1']);
  });
});
