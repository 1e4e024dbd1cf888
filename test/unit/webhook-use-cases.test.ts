import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  type HeraldError,
  NotFoundError,
  ValidationError,
} from '../../functions/domain/errors';
import { newId, webhookIdPattern } from '../../functions/domain/ids';
import {
  type Clock,
  IdempotencyKeyTaken,
  type IdempotencyRecord,
  type Page,
  type Route,
  StaleWebhook,
  type WebhookStore,
} from '../../functions/domain/ports';
import { defaultAllowedPorts, parseAllowedPorts } from '../../functions/domain/target-ports';
import {
  createWebhook as createFromAttributes,
  deleteWebhook,
  getWebhook,
  listWebhooks,
  rotateSigningSecret as rotateWithGrace,
  updateWebhook as updateWithAttributes,
  type WebhookDeps,
} from '../../functions/domain/use-cases/webhooks';
import { signingSecretsAt, type Webhook, type WebhookRules } from '../../functions/domain/webhook';
import {
  parseCreateWebhook,
  parseRotation,
  parseUpdateWebhook,
  parseWebhookListQuery as readPageParameters,
} from '../../functions/shared/api-requests';
import { seedBodies } from '../helpers';

/*
 * The use cases take typed input; the JSON:API document is parsed at the edge. These wrappers
 * compose the two as the API's routes do, so the documents below still exercise both.
 */
async function createWebhook(
  deps: WebhookDeps,
  input: { tenant: string; body: unknown; idempotencyKey?: string },
) {
  const { tenant, idempotencyKey } = input;
  return createFromAttributes(deps, { tenant, attributes: parseCreateWebhook(input.body), idempotencyKey });
}

async function updateWebhook(deps: WebhookDeps, input: { tenant: string; id: string; body: unknown }) {
  const { tenant, id } = input;
  return updateWithAttributes(deps, { tenant, id, attributes: parseUpdateWebhook(input.body, id) });
}

async function rotateSigningSecret(deps: WebhookDeps, input: { tenant: string; id: string; body: unknown }) {
  const { tenant, id } = input;
  return rotateWithGrace(deps, { tenant, id, gracePeriodSeconds: parseRotation(input.body) });
}

/**
 * An in-memory WebhookStore with the port's contract: atomic create with its idempotency record
 * (reusable once expired), optimistic concurrency on the version, routes derived from webhooks.
 */
class InMemoryWebhookStore implements WebhookStore {
  readonly webhooks = new Map<string, Webhook>();
  readonly idempotency = new Map<string, IdempotencyRecord>();
  getCalls = 0;

  private static key(tenant: string, id: string): string {
    return `${tenant}#${id}`;
  }

  async create(webhook: Webhook, idempotency?: IdempotencyRecord): Promise<void> {
    const key = InMemoryWebhookStore.key(webhook.tenant, webhook.id);
    if (this.webhooks.has(key)) throw new Error(`webhook ${webhook.id} exists`);
    if (idempotency) {
      const recordKey = InMemoryWebhookStore.key(idempotency.tenant, idempotency.key);
      const existing = this.idempotency.get(recordKey);
      const nowSeconds = Math.floor(Date.parse(idempotency.createdAt) / 1000);
      if (existing && existing.expiresAt > nowSeconds) throw new IdempotencyKeyTaken(idempotency.key);
      this.idempotency.set(recordKey, structuredClone(idempotency));
    }
    this.webhooks.set(key, structuredClone(webhook));
  }

  async get(tenant: string, id: string): Promise<Webhook | undefined> {
    this.getCalls += 1;
    const found = this.webhooks.get(InMemoryWebhookStore.key(tenant, id));
    return found && structuredClone(found);
  }

  async list(tenant: string, options: { limit: number; after?: string }): Promise<Page<Webhook>> {
    const after = options.after;
    const all = [...this.webhooks.values()]
      .filter((w) => w.tenant === tenant && (after === undefined || w.id > after))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const items = all.slice(0, options.limit).map((w) => structuredClone(w));
    const last = items[items.length - 1];
    return all.length > options.limit && last ? { items, next: last.id } : { items };
  }

  async update(previous: Webhook, next: Webhook): Promise<void> {
    const key = InMemoryWebhookStore.key(previous.tenant, previous.id);
    if (this.webhooks.get(key)?.version !== previous.version) throw new StaleWebhook(previous.id);
    this.webhooks.set(key, structuredClone(next));
  }

  async delete(webhook: Webhook): Promise<void> {
    const key = InMemoryWebhookStore.key(webhook.tenant, webhook.id);
    if (this.webhooks.get(key)?.version !== webhook.version) throw new StaleWebhook(webhook.id);
    this.webhooks.delete(key);
  }

  async findRoutes(tenant: string, eventType: string, environment: string | null): Promise<Route[]> {
    return [...this.webhooks.values()]
      .filter(
        (w) =>
          w.tenant === tenant &&
          w.attributes.event_types.includes(eventType) &&
          (w.attributes.environment === null || w.attributes.environment === environment),
      )
      .map((w) => ({
        tenant,
        eventType,
        environment: w.attributes.environment,
        webhookId: w.id,
        status: w.status,
        filter: w.attributes.filter,
        ordering: w.attributes.ordering,
      }));
  }

  async getIdempotencyRecord(tenant: string, key: string): Promise<IdempotencyRecord | undefined> {
    const found = this.idempotency.get(InMemoryWebhookStore.key(tenant, key));
    return found && structuredClone(found);
  }
}

class FixedClock implements Clock {
  constructor(private current: Date) {}

  now(): Date {
    return new Date(this.current);
  }

  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

const rules: WebhookRules = {
  allowedEnvironments: ['production', 'staging', 'qa', 'development', 'sandbox'],
  allowPrivateTargets: false,
  allowedPorts: parseAllowedPorts(defaultAllowedPorts),
  defaultTypePrefix: '',
};
const start = new Date('2025-08-08T05:56:32.136Z');
const tenant = 'acme';
/** A well-formed webhook id that no test stores. */
const missingId = newId('wh', start);

let store: InMemoryWebhookStore;
let clock: FixedClock;
let deps: WebhookDeps;

beforeEach(() => {
  store = new InMemoryWebhookStore();
  clock = new FixedClock(start);
  deps = { store, clock, rules, idempotencyTtlSeconds: 3600 };
});

async function rejection(promise: Promise<unknown>): Promise<HeraldError> {
  try {
    await promise;
  } catch (error) {
    return error as HeraldError;
  }
  throw new Error('expected the promise to reject');
}

/** A fresh, mutable copy of a seed body. */
const body = (seed: keyof typeof seedBodies = 'none') => structuredClone(seedBodies[seed]) as unknown;

describe('createWebhook', () => {
  it('creates an enabled webhook with a Herald id and a Standard Webhooks signing secret', async () => {
    const { webhook, warnings, replayed } = await createWebhook(deps, { tenant, body: body() });
    expect(webhook.id).toMatch(webhookIdPattern);
    expect(webhook).toMatchObject({
      tenant,
      status: 'enabled',
      disabledReason: null,
      version: 1,
      createdAt: start.toISOString(),
      updatedAt: start.toISOString(),
    });
    expect(webhook.attributes.url).toBe('https://your-event-server.com/webhook');
    expect(webhook.signingSecret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(webhook.signingSecret.slice('whsec_'.length), 'base64').length).toBeGreaterThanOrEqual(
      24,
    );
    expect(warnings).toEqual([]);
    expect(replayed).toBe(false);
    await expect(store.get(tenant, webhook.id)).resolves.toEqual(webhook);
  });

  it('gives every webhook its own id and secret', async () => {
    const first = await createWebhook(deps, { tenant, body: body() });
    const second = await createWebhook(deps, { tenant, body: body() });
    expect(first.webhook.id).not.toBe(second.webhook.id);
    expect(first.webhook.signingSecret).not.toBe(second.webhook.signingSecret);
  });

  it('accepts the o_auth seed body, which has no data.type', async () => {
    const { webhook } = await createWebhook(deps, { tenant, body: body('oAuth') });
    expect(webhook.attributes.authentication_method).toBe('o_auth');
    expect(store.webhooks.size).toBe(1);
  });

  it('returns the warnings for a deprecated event type', async () => {
    const document = {
      data: {
        attributes: {
          ...seedBodies.none.data.attributes,
          event_types: ['use_case_governance_status_updated'],
        },
      },
    };
    const { warnings } = await createWebhook(deps, { tenant, body: document });
    expect(warnings).toEqual([expect.objectContaining({ code: 'deprecated_event_type' })]);
  });

  it.each(['webhooks', 'Webhook', 42])('refuses data.type %p with a conflict at /data/type', async (type) => {
    const document = { data: { ...seedBodies.none.data, type } };
    const error = await rejection(createWebhook(deps, { tenant, body: document }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.problems).toEqual([expect.objectContaining({ source: { pointer: '/data/type' } })]);
    expect(store.webhooks.size).toBe(0);
  });

  it.each<[string, unknown, string]>([
    ['a string', 'webhook', ''],
    ['a number', 42, ''],
    ['null', null, ''],
    ['nothing at all', undefined, ''],
    ['an array', [seedBodies.none], ''],
    ['an object without data', { attributes: seedBodies.none.data.attributes }, '/data'],
    ['data that is not an object', { data: 'webhook' }, '/data'],
    ['data that is an array', { data: [seedBodies.none.data] }, '/data'],
  ])('answers %s with a bad request', async (_case, document, at) => {
    const error = await rejection(createWebhook(deps, { tenant, body: document }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.problems).toEqual([expect.objectContaining({ source: { pointer: at } })]);
  });

  it('refuses a client-generated data.id as forbidden', async () => {
    const document = { data: { ...seedBodies.none.data, id: missingId } };
    const error = await rejection(createWebhook(deps, { tenant, body: document }));
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.problems).toEqual([
      expect.objectContaining({ code: 'client_generated_id', source: { pointer: '/data/id' } }),
    ]);
    expect(store.webhooks.size).toBe(0);
  });

  it('refuses a document without attributes', async () => {
    const error = await rejection(createWebhook(deps, { tenant, body: { data: { type: 'webhook' } } }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.problems).toEqual([
      expect.objectContaining({ code: 'required', source: { pointer: '/data/attributes' } }),
    ]);
  });

  it('stores nothing when the attributes are invalid', async () => {
    const document = {
      data: { attributes: { ...seedBodies.none.data.attributes, url: 'https://10.0.0.1/' } },
    };
    await expect(createWebhook(deps, { tenant, body: document })).rejects.toBeInstanceOf(ValidationError);
    expect(store.webhooks.size).toBe(0);
  });

  describe('with an Idempotency-Key', () => {
    const idempotencyKey = 'create-7f3a9c1e';

    it('replays the same webhook for the same key and body, storing no second one', async () => {
      const first = await createWebhook(deps, { tenant, body: body(), idempotencyKey });
      const again = await createWebhook(deps, { tenant, body: body(), idempotencyKey });
      expect(again.replayed).toBe(true);
      expect(again.webhook).toEqual(first.webhook);
      expect(store.webhooks.size).toBe(1);
    });

    it('treats the same body with its keys in another order as the same request', async () => {
      const first = await createWebhook(deps, { tenant, body: body(), idempotencyKey });
      const { type, attributes } = seedBodies.none.data;
      const reordered = {
        data: { attributes: Object.fromEntries(Object.entries(attributes).reverse()), type },
      };
      const again = await createWebhook(deps, { tenant, body: reordered, idempotencyKey });
      expect(again).toMatchObject({ replayed: true, webhook: { id: first.webhook.id } });
    });

    it('refuses the same key with a different body', async () => {
      await createWebhook(deps, { tenant, body: body(), idempotencyKey });
      const error = await rejection(createWebhook(deps, { tenant, body: body('oAuth'), idempotencyKey }));
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.problems).toEqual([
        expect.objectContaining({ code: 'idempotency_key_reused', source: { header: 'Idempotency-Key' } }),
      ]);
      expect(store.webhooks.size).toBe(1);
    });

    it('refuses to replay a key whose webhook has since been deleted', async () => {
      const { webhook } = await createWebhook(deps, { tenant, body: body(), idempotencyKey });
      await deleteWebhook(deps, tenant, webhook.id);
      const error = await rejection(createWebhook(deps, { tenant, body: body(), idempotencyKey }));
      expect(error).toBeInstanceOf(ConflictError);
      expect(error.problems[0]?.code).toBe('idempotency_key_reused');
    });

    it('keeps keys apart per tenant', async () => {
      const acme = await createWebhook(deps, { tenant, body: body(), idempotencyKey });
      const globex = await createWebhook(deps, { tenant: 'globex', body: body(), idempotencyKey });
      expect(globex.replayed).toBe(false);
      expect(globex.webhook.id).not.toBe(acme.webhook.id);
    });

    it('makes a new webhook once the key has expired', async () => {
      const first = await createWebhook(deps, { tenant, body: body(), idempotencyKey });
      clock.advance(3600);
      const later = await createWebhook(deps, { tenant, body: body('oAuth'), idempotencyKey });
      expect(later.replayed).toBe(false);
      expect(later.webhook.id).not.toBe(first.webhook.id);
      expect(store.webhooks.size).toBe(2);
    });

    it('answers a concurrent create with the same key as the winner did', async () => {
      const [a, b] = await Promise.all([
        createWebhook(deps, { tenant, body: body(), idempotencyKey }),
        createWebhook(deps, { tenant, body: body(), idempotencyKey }),
      ]);
      expect(a.webhook.id).toBe(b.webhook.id);
      expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
      expect(store.webhooks.size).toBe(1);
    });

    it.each<[string, string]>([
      ['empty', ''],
      ['too long', 'k'.repeat(256)],
      ['with a newline', 'key\n'],
      ['with a NUL', 'key\u0000x'],
      ['with a space', 'my key'],
      ['with a non-ASCII letter', 'clé'],
    ])('refuses a key that is %s', async (_case, key) => {
      const error = await rejection(createWebhook(deps, { tenant, body: body(), idempotencyKey: key }));
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error.problems).toEqual([
        expect.objectContaining({ code: 'invalid_idempotency_key', source: { header: 'Idempotency-Key' } }),
      ]);
      expect(store.webhooks.size).toBe(0);
    });

    it('accepts a key of 255 visible characters', async () => {
      const { replayed } = await createWebhook(deps, {
        tenant,
        body: body(),
        idempotencyKey: '~'.repeat(255),
      });
      expect(replayed).toBe(false);
    });
  });
});

describe('getWebhook', () => {
  it('reads a webhook of the tenant', async () => {
    const { webhook } = await createWebhook(deps, { tenant, body: body() });
    await expect(getWebhook(deps, tenant, webhook.id)).resolves.toEqual(webhook);
  });

  it("does not show one tenant another tenant's webhook", async () => {
    const { webhook } = await createWebhook(deps, { tenant, body: body() });
    await expect(getWebhook(deps, 'globex', webhook.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it.each([
    'not-an-id',
    'wh_123',
    missingId.toUpperCase(),
    `${missingId.slice(0, -1)}i`,
    `${missingId} `,
    `${missingId}/../x`,
    "wh_' OR '1'='1",
    '',
  ])('answers the id %p, which Herald never issues, with not found and no read', async (id) => {
    await expect(getWebhook(deps, tenant, id)).rejects.toBeInstanceOf(NotFoundError);
    expect(store.getCalls).toBe(0);
  });

  it('answers a well-formed id that does not exist with not found', async () => {
    await expect(getWebhook(deps, tenant, missingId)).rejects.toBeInstanceOf(NotFoundError);
    expect(store.getCalls).toBe(1);
  });
});

describe('updateWebhook', () => {
  it('applies a patch, bumping the version and updatedAt', async () => {
    const { webhook } = await createWebhook(deps, { tenant, body: body() });
    clock.advance(60);
    const { webhook: updated } = await updateWebhook(deps, {
      tenant,
      id: webhook.id,
      body: { data: { type: 'webhook', id: webhook.id, attributes: { description: 'Renamed' } } },
    });
    expect(updated).toEqual({
      ...webhook,
      attributes: { ...webhook.attributes, description: 'Renamed' },
      version: 2,
      updatedAt: new Date(start.getTime() + 60_000).toISOString(),
    });
    await expect(store.get(tenant, webhook.id)).resolves.toEqual(updated);
  });

  it('disables by hand with a reason and clears it on re-enable', async () => {
    const { webhook } = await createWebhook(deps, { tenant, body: body() });
    const disabled = await updateWebhook(deps, {
      tenant,
      id: webhook.id,
      body: { data: { attributes: { status: 'disabled' } } },
    });
    expect(disabled.webhook).toMatchObject({
      status: 'disabled',
      disabledReason: 'disabled by the customer',
    });
    const enabled = await updateWebhook(deps, {
      tenant,
      id: webhook.id,
      body: { data: { attributes: { status: 'enabled' } } },
    });
    expect(enabled.webhook).toMatchObject({ status: 'enabled', disabledReason: null, version: 3 });
  });

  it("keeps the customer's own disabled_reason, and refuses one on an enabled webhook", async () => {
    const { webhook } = await createWebhook(deps, { tenant, body: body() });
    const disabled = await updateWebhook(deps, {
      tenant,
      id: webhook.id,
      body: { data: { attributes: { status: 'disabled', disabled_reason: 'maintenance until Monday' } } },
    });
    expect(disabled.webhook).toMatchObject({
      disabledReason: 'maintenance until Monday',
      disabledAt: expect.any(String),
    });
    const error = await rejection(
      updateWebhook(deps, {
        tenant,
        id: webhook.id,
        body: { data: { attributes: { status: 'enabled', disabled_reason: 'why not' } } },
      }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.problems).toEqual([
      expect.objectContaining({ source: { pointer: '/data/attributes/disabled_reason' } }),
    ]);
  });

  it('forgets the failure streak when a disabled webhook is enabled again', async () => {
    const { webhook } = await createWebhook(deps, { tenant, body: body() });
    const failing = {
      ...webhook,
      status: 'disabled' as const,
      disabledReason: 'The endpoint answered 410 Gone.',
      disabledAt: webhook.createdAt,
      health: {
        consecutiveFailures: 9,
        failingSince: webhook.createdAt,
        lastFailureAt: webhook.createdAt,
        lastFailureReason: 'endpoint answered 410',
      },
      version: webhook.version + 1,
    };
    await deps.store.update(webhook, failing);
    const { webhook: enabled } = await updateWebhook(deps, {
      tenant,
      id: webhook.id,
      body: { data: { attributes: { status: 'enabled' } } },
    });
    expect(enabled).toMatchObject({ status: 'enabled', disabledReason: null, disabledAt: null });
    expect(enabled.health).toEqual({
      consecutiveFailures: 0,
      failingSince: null,
      lastFailureAt: null,
      lastFailureReason: null,
    });
  });

  it('refuses a data.id that does not match the path', async () => {
    const { webhook } = await createWebhook(deps, { tenant, body: body() });
    const error = await rejection(
      updateWebhook(deps, {
        tenant,
        id: webhook.id,
        body: { data: { id: missingId, attributes: { description: 'x' } } },
      }),
    );
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.problems).toEqual([
      expect.objectContaining({ code: 'id_mismatch', source: { pointer: '/data/id' } }),
    ]);
    await expect(store.get(tenant, webhook.id)).resolves.toEqual(webhook);
  });

  it('answers an update of a missing webhook with not found', async () => {
    await expect(
      updateWebhook(deps, {
        tenant,
        id: missingId,
        body: { data: { attributes: { description: 'x' } } },
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a patch that leaves the webhook invalid, changing nothing', async () => {
    const { webhook } = await createWebhook(deps, { tenant, body: body() });
    const error = await rejection(
      updateWebhook(deps, {
        tenant,
        id: webhook.id,
        body: { data: { attributes: { authentication_method: 'o_auth' } } },
      }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    await expect(store.get(tenant, webhook.id)).resolves.toEqual(webhook);
  });

  it('answers a lost race with another update with a conflict', async () => {
    const { webhook } = await createWebhook(deps, { tenant, body: body() });
    const patch = (description: string) =>
      updateWebhook(deps, { tenant, id: webhook.id, body: { data: { attributes: { description } } } });
    const results = await Promise.allSettled([patch('first'), patch('second')]);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    const error = rejected[0]?.reason as HeraldError;
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.problems[0]?.code).toBe('concurrent_modification');
  });
});

describe('deleteWebhook', () => {
  it('deletes a webhook, which then cannot be read', async () => {
    const { webhook } = await createWebhook(deps, { tenant, body: body() });
    await deleteWebhook(deps, tenant, webhook.id);
    await expect(getWebhook(deps, tenant, webhook.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(store.webhooks.size).toBe(0);
  });

  it('answers a second delete with not found', async () => {
    const { webhook } = await createWebhook(deps, { tenant, body: body() });
    await deleteWebhook(deps, tenant, webhook.id);
    await expect(deleteWebhook(deps, tenant, webhook.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('answers the loser of two concurrent deletes with not found', async () => {
    const { webhook } = await createWebhook(deps, { tenant, body: body() });
    const results = await Promise.allSettled([
      deleteWebhook(deps, tenant, webhook.id),
      deleteWebhook(deps, tenant, webhook.id),
    ]);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toBeInstanceOf(NotFoundError);
  });
});

describe('listWebhooks', () => {
  it("lists only the tenant's webhooks", async () => {
    const { webhook } = await createWebhook(deps, { tenant, body: body() });
    await createWebhook(deps, { tenant: 'globex', body: body() });
    const page = await listWebhooks(deps, tenant, { limit: 20 });
    expect(page.items.map((w) => w.id)).toEqual([webhook.id]);
  });
});

describe('readPageParameters', () => {
  it('defaults to 20 items from the start', () => {
    expect(readPageParameters({})).toStrictEqual({ limit: 20 });
  });

  it.each<[string, number]>([
    ['1', 1],
    ['50', 50],
    ['100', 100],
  ])('reads page[size] %p as %p', (size, limit) => {
    expect(readPageParameters({ 'page[size]': size })).toStrictEqual({ limit });
  });

  it('reads a cursor from page[after]', () => {
    const after = missingId;
    expect(after).toMatch(webhookIdPattern);
    expect(readPageParameters({ 'page[size]': '5', 'page[after]': after })).toStrictEqual({
      limit: 5,
      after,
    });
  });

  function errorFrom(run: () => unknown): HeraldError {
    try {
      run();
    } catch (error) {
      return error as HeraldError;
    }
    throw new Error('expected an error');
  }

  it.each(['0', '101', 'abc', '1e3', '-1', '', ' 5', '10.5', '0x10', '99999'])(
    'refuses page[size] %p',
    (size) => {
      const error = errorFrom(() => readPageParameters({ 'page[size]': size }));
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error.problems).toEqual([
        expect.objectContaining({ code: 'invalid_page_size', source: { parameter: 'page[size]' } }),
      ]);
    },
  );

  it.each(['abc', '', 'wh_123', "wh_' OR 1=1"])('refuses the cursor %p', (after) => {
    const error = errorFrom(() => readPageParameters({ 'page[after]': after }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.problems).toEqual([
      expect.objectContaining({ code: 'invalid_cursor', source: { parameter: 'page[after]' } }),
    ]);
  });
});

describe('rotateSigningSecret', () => {
  it('keeps the old secret signing for 24 h by default, and for the grace period asked', async () => {
    const { webhook } = await createWebhook(deps, { tenant, body: body() });
    const first = await rotateSigningSecret(deps, { tenant, id: webhook.id, body: undefined });
    expect(first.webhook.signingSecret).not.toBe(webhook.signingSecret);
    expect(first.webhook.previousSecrets).toEqual([
      { secret: webhook.signingSecret, expiresAt: new Date(start.getTime() + 86_400_000).toISOString() },
    ]);
    const second = await rotateSigningSecret(deps, {
      tenant,
      id: webhook.id,
      body: { data: { attributes: { grace_period_seconds: 60 } } },
    });
    // Both earlier secrets still sign: the newest rotation's first.
    expect(second.webhook.previousSecrets.map((p) => p.secret)).toEqual([
      first.webhook.signingSecret,
      webhook.signingSecret,
    ]);
    expect(second.previousExpiresAt).toBe(new Date(start.getTime() + 60_000).toISOString());
  });

  it('drops the old secret at once with a grace period of 0, and forgets expired ones', async () => {
    const { webhook } = await createWebhook(deps, { tenant, body: body() });
    await rotateSigningSecret(deps, {
      tenant,
      id: webhook.id,
      body: { data: { attributes: { grace_period_seconds: 10 } } },
    });
    clock.advance(11);
    const { webhook: rotated } = await rotateSigningSecret(deps, {
      tenant,
      id: webhook.id,
      body: { data: { attributes: { grace_period_seconds: 0 } } },
    });
    expect(rotated.previousSecrets).toEqual([]);
  });

  it('ends every older secret at once with a grace period of 0, those still in their grace too', async () => {
    const { webhook } = await createWebhook(deps, { tenant, body: body() });
    const first = await rotateSigningSecret(deps, {
      tenant,
      id: webhook.id,
      body: { data: { attributes: { grace_period_seconds: 3600 } } },
    });
    expect(signingSecretsAt(first.webhook, clock.now())).toEqual([
      first.webhook.signingSecret,
      webhook.signingSecret,
    ]);
    const compromised = await rotateSigningSecret(deps, {
      tenant,
      id: webhook.id,
      body: { data: { attributes: { grace_period_seconds: 0 } } },
    });
    const stored = await store.get(tenant, webhook.id);
    expect(stored?.previousSecrets).toEqual([]);
    expect(stored && signingSecretsAt(stored, clock.now())).toEqual([compromised.webhook.signingSecret]);
    expect(compromised.previousExpiresAt).toBe(start.toISOString());
  });

  it.each([
    [{ data: { attributes: { grace_period_seconds: -1 } } }, '/data/attributes/grace_period_seconds'],
    [{ data: { attributes: { grace_period_seconds: 1.5 } } }, '/data/attributes/grace_period_seconds'],
    [{ data: { attributes: { grace_period_seconds: '60' } } }, '/data/attributes/grace_period_seconds'],
    [{ data: { attributes: { grace_period_seconds: 604_801 } } }, '/data/attributes/grace_period_seconds'],
    [{ data: { attributes: { key: 'whsec_mine' } } }, '/data/attributes/key'],
    [{ data: { attributes: [] } }, '/data/attributes'],
    [{ data: 'x' }, '/data'],
    [[], ''],
  ])('refuses %j with 422 pointing at %s, and keeps the secret', async (input, pointer) => {
    const { webhook } = await createWebhook(deps, { tenant, body: body() });
    const error = await rejection(rotateSigningSecret(deps, { tenant, id: webhook.id, body: input }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.problems[0]?.source).toEqual({ pointer });
    expect((await store.get(tenant, webhook.id))?.signingSecret).toBe(webhook.signingSecret);
  });
});
