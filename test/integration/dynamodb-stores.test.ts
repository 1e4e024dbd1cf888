import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbApiKeyStore } from '../../functions/adapters/aws/dynamodb-api-key-store';
import { DynamoDbWebhookStore } from '../../functions/adapters/aws/dynamodb-webhook-store';
import { hashApiKey, newApiKey } from '../../functions/domain/api-key';
import { newId, newSigningSecret } from '../../functions/domain/ids';
import { IdempotencyKeyTaken, StaleWebhook } from '../../functions/domain/ports';
import type { Webhook, WebhookAttributes } from '../../functions/domain/webhook';
import { freshTable } from '../helpers';

let table: Awaited<ReturnType<typeof freshTable>>;
let store: DynamoDbWebhookStore;

beforeAll(async () => {
  table = await freshTable();
  store = new DynamoDbWebhookStore(table.client, table.tableName);
});

afterAll(() => table.raw.destroy());

function attributes(overrides: Partial<WebhookAttributes> = {}): WebhookAttributes {
  return {
    description: 'Test webhook',
    url: 'https://example.com/hook',
    event_types: ['use_case_review_status_updated'],
    event_type_prefix: 'CredoAI',
    event_type_suffix: 'v1',
    environment: 'production',
    authentication_method: 'none',
    authentication_payload: null,
    authentication_payload_type: null,
    authentication_server: null,
    bucket: null,
    filter: null,
    rate_limit: null,
    ordering: 'none',
    ...overrides,
  };
}

let clock = Date.parse('2026-11-24T10:00:00Z');
function webhook(tenant: string, overrides: Partial<WebhookAttributes> = {}): Webhook {
  clock += 1000;
  const now = new Date(clock);
  return {
    id: newId('wh', now),
    tenant,
    attributes: attributes(overrides),
    status: 'enabled',
    disabledReason: null,
    disabledAt: null,
    previousSecrets: [],
    health: { consecutiveFailures: 0, failingSince: null, lastFailureAt: null, lastFailureReason: null },
    signingSecret: newSigningSecret(),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
  };
}

/** Every route item in the table, read the slow way, to check the index against the webhooks. */
async function routeItems(tenant: string): Promise<string[]> {
  const { Items = [] } = await table.client.send(
    new ScanCommand({ TableName: table.tableName, ConsistentRead: true }),
  );
  return Items.filter((i) => i.kind === 'route' && i.tenant === tenant)
    .map((i) => `${i.eventType}|${i.environment ?? '*'}|${i.webhookId}|${i.status}`)
    .sort();
}

function expectedRoutes(webhooks: Webhook[]): string[] {
  return webhooks
    .flatMap((w) =>
      w.attributes.event_types.map((t) => `${t}|${w.attributes.environment ?? '*'}|${w.id}|${w.status}`),
    )
    .sort();
}

describe('DynamoDbWebhookStore', () => {
  it('stores a webhook with one route per event type and reads it back', async () => {
    const w = webhook('t-create', {
      event_types: ['use_case_review_status_updated', 'use_case_custom_field_updated'],
    });
    await store.create(w);
    expect(await store.get('t-create', w.id)).toEqual(w);
    expect(await routeItems('t-create')).toEqual(expectedRoutes([w]));
  });

  it('refuses to create the same webhook id twice', async () => {
    const w = webhook('t-dup');
    await store.create(w);
    await expect(store.create(w)).rejects.toThrow();
    expect(await routeItems('t-dup')).toEqual(expectedRoutes([w]));
  });

  it('finds routes by tenant, event type and environment, with environment-less webhooks matching every environment', async () => {
    const tenant = 't-routes';
    const prod = webhook(tenant, { environment: 'production' });
    const qa = webhook(tenant, { environment: 'qa' });
    const any = webhook(tenant, { environment: null });
    const otherType = webhook(tenant, { event_types: ['use_case_review_comment'] });
    const otherTenant = webhook('t-routes-other');
    for (const w of [prod, qa, any, otherType, otherTenant]) await store.create(w);

    const ids = async (env: string | null) =>
      (await store.findRoutes(tenant, 'use_case_review_status_updated', env)).map((r) => r.webhookId).sort();
    expect(await ids('production')).toEqual([prod.id, any.id].sort());
    expect(await ids('qa')).toEqual([qa.id, any.id].sort());
    expect(await ids('staging')).toEqual([any.id]);
    expect(await ids(null)).toEqual([any.id]);
    expect(await store.findRoutes('t-routes-none', 'use_case_review_status_updated', 'production')).toEqual(
      [],
    );
  });

  it('finds every one of many subscribers to an event type', async () => {
    const tenant = 't-many';
    const made = Array.from({ length: 120 }, () => webhook(tenant));
    await Promise.all(made.map((w) => store.create(w)));
    const routes = await store.findRoutes(tenant, 'use_case_review_status_updated', 'production');
    expect(routes.map((r) => r.webhookId).sort()).toEqual(made.map((w) => w.id).sort());
  });

  it('lists a tenant’s webhooks in creation order, page by page, without gaps or repeats', async () => {
    const tenant = 't-list';
    const made: Webhook[] = [];
    for (let i = 0; i < 5; i++) {
      const w = webhook(tenant, { description: `hook ${i}` });
      await store.create(w);
      made.push(w);
    }
    await store.create(webhook('t-list-other'));
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await store.list(tenant, after ? { limit: 2, after } : { limit: 2 });
      seen.push(...page.items.map((w) => w.id));
      after = page.next;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual(made.map((w) => w.id));
    const exact = await store.list(tenant, { limit: 5 });
    expect(exact.items).toHaveLength(5);
    expect(exact.next).toBeUndefined();
  });

  it('keeps the routing index exact through updates of event types, environment and status', async () => {
    const tenant = 't-update';
    const before = webhook(tenant, {
      event_types: ['use_case_review_status_updated', 'use_case_review_comment'],
    });
    const untouched = webhook(tenant);
    await store.create(before);
    await store.create(untouched);

    const moved: Webhook = {
      ...before,
      attributes: {
        ...before.attributes,
        event_types: ['use_case_review_comment', 'use_case_name_updated'],
        environment: 'qa',
      },
      version: 2,
    };
    await store.update(before, moved);
    expect(await routeItems(tenant)).toEqual(expectedRoutes([moved, untouched]));

    const disabled: Webhook = { ...moved, status: 'disabled', disabledReason: 'by hand', version: 3 };
    await store.update(moved, disabled);
    expect(await routeItems(tenant)).toEqual(expectedRoutes([disabled, untouched]));
    expect(await store.get(tenant, before.id)).toEqual(disabled);
  });

  it('carries the filter on every route item, kept in step by updates, and reads items without one', async () => {
    const tenant = 't-filter';
    const filter = { data: { status: ['approved'], score: [{ numeric: ['>', 0.5, '<=', 5] }] } };
    const filtered = webhook(tenant, {
      event_types: ['use_case_review_status_updated', 'use_case_review_comment'],
      filter,
    });
    await store.create(filtered);
    const filters = async () =>
      (
        await Promise.all(
          filtered.attributes.event_types.map((type) => store.findRoutes(tenant, type, 'production')),
        )
      )
        .flat()
        .map((r) => r.filter);
    expect(await filters()).toEqual([filter, filter]);
    expect((await store.get(tenant, filtered.id))?.attributes.filter).toEqual(filter);

    const changed = { data: { status: [{ 'anything-but': 'approved' }] } };
    const next: Webhook = {
      ...filtered,
      attributes: { ...filtered.attributes, filter: changed },
      version: 2,
    };
    await store.update(filtered, next);
    expect(await filters()).toEqual([changed, changed]);

    const removed: Webhook = { ...next, attributes: { ...next.attributes, filter: null }, version: 3 };
    await store.update(next, removed);
    expect(await filters()).toEqual([null, null]);
    expect(await store.get(tenant, filtered.id)).toEqual(removed);

    // Items written before filters existed have no `filter`: they read as none.
    const legacy = webhook('t-filter-legacy');
    await store.create(legacy);
    await table.client.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { pk: 'ROUTE#t-filter-legacy#use_case_review_status_updated', sk: `production#${legacy.id}` },
        UpdateExpression: 'REMOVE #filter',
        ExpressionAttributeNames: { '#filter': 'filter' },
      }),
    );
    const [route] = await store.findRoutes('t-filter-legacy', 'use_case_review_status_updated', 'production');
    expect(route?.filter).toBeNull();
  });

  it('refuses an update based on a stale version and changes nothing', async () => {
    const tenant = 't-stale';
    const original = webhook(tenant);
    await store.create(original);
    const first: Webhook = {
      ...original,
      attributes: { ...original.attributes, description: 'first' },
      version: 2,
    };
    await store.update(original, first);
    const late: Webhook = {
      ...original,
      attributes: { ...original.attributes, event_types: ['use_case_review_comment'] },
      version: 2,
    };
    await expect(store.update(original, late)).rejects.toBeInstanceOf(StaleWebhook);
    expect(await store.get(tenant, original.id)).toEqual(first);
    expect(await routeItems(tenant)).toEqual(expectedRoutes([first]));
  });

  it('deletes a webhook with its routes, and a second delete fails', async () => {
    const tenant = 't-delete';
    const w = webhook(tenant, { event_types: ['use_case_review_status_updated', 'use_case_icon_updated'] });
    const kept = webhook(tenant);
    await store.create(w);
    await store.create(kept);
    await store.delete(w);
    expect(await store.get(tenant, w.id)).toBeUndefined();
    expect(await routeItems(tenant)).toEqual(expectedRoutes([kept]));
    await expect(store.delete(w)).rejects.toBeInstanceOf(StaleWebhook);
  });

  it('binds an idempotency key to one create, atomically', async () => {
    const tenant = 't-idem';
    const first = webhook(tenant);
    const record = {
      tenant,
      key: 'retry-1',
      requestHash: 'abc',
      webhookId: first.id,
      createdAt: first.createdAt,
      expiresAt: Math.floor(Date.parse(first.createdAt) / 1000) + 3600,
    };
    await store.create(first, record);
    expect(await store.getIdempotencyRecord(tenant, 'retry-1')).toEqual(record);

    const second = webhook(tenant);
    await expect(store.create(second, { ...record, webhookId: second.id })).rejects.toBeInstanceOf(
      IdempotencyKeyTaken,
    );
    expect(await store.get(tenant, second.id)).toBeUndefined();
    expect(await routeItems(tenant)).toEqual(expectedRoutes([first]));
  });

  it('lets an expired idempotency record be taken over', async () => {
    const tenant = 't-idem-expired';
    const first = webhook(tenant);
    const created = Math.floor(Date.parse(first.createdAt) / 1000);
    await store.create(first, {
      tenant,
      key: 'k',
      requestHash: 'a',
      webhookId: first.id,
      createdAt: first.createdAt,
      expiresAt: created + 1,
    });
    const later = { ...webhook(tenant), createdAt: new Date((created + 10) * 1000).toISOString() };
    const record = {
      tenant,
      key: 'k',
      requestHash: 'b',
      webhookId: later.id,
      createdAt: later.createdAt,
      expiresAt: created + 100,
    };
    await store.create(later, record);
    expect(await store.getIdempotencyRecord(tenant, 'k')).toEqual(record);
  });
});

describe('DynamoDbApiKeyStore', () => {
  it('creates, finds by hash and by id, lists and revokes keys', async () => {
    const keys = new DynamoDbApiKeyStore(table.client, table.tableName);
    const one = newApiKey('t-keys', new Date('2026-11-24T10:00:00Z'), 'ci');
    const two = newApiKey('t-keys', new Date('2026-11-24T10:00:01Z'));
    await keys.create(one.record);
    await keys.create(two.record);

    expect(await keys.findByHash(hashApiKey(one.key))).toEqual(one.record);
    expect(await keys.findById('t-keys', two.record.keyId)).toEqual(two.record);
    expect((await keys.list('t-keys')).map((k) => k.keyId)).toEqual([one.record.keyId, two.record.keyId]);

    expect(await keys.revoke('t-keys', one.record.keyId, new Date('2026-11-24T11:00:00Z'))).toBe(true);
    expect((await keys.findByHash(one.record.hash))?.revokedAt).toBe('2026-11-24T11:00:00.000Z');
    expect((await keys.findById('t-keys', one.record.keyId))?.revokedAt).toBe('2026-11-24T11:00:00.000Z');
    expect((await keys.findByHash(two.record.hash))?.revokedAt).toBeNull();
    expect(await keys.revoke('t-keys', 'key_missing', new Date())).toBe(false);
    expect(await keys.revoke('t-other', two.record.keyId, new Date())).toBe(false);
  });

  it('never stores the key itself', async () => {
    const keys = new DynamoDbApiKeyStore(table.client, table.tableName);
    const made = newApiKey('t-secret', new Date());
    await keys.create(made.record);
    const { Items = [] } = await table.client.send(new ScanCommand({ TableName: table.tableName }));
    expect(JSON.stringify(Items)).not.toContain(made.key);
  });
});
