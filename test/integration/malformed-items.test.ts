import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbApiKeyStore } from '../../functions/adapters/aws/dynamodb-api-key-store';
import { DynamoDbDeliveryLog, deliveryKeys } from '../../functions/adapters/aws/dynamodb-delivery-log';
import { DynamoDbWebhookStore, keys } from '../../functions/adapters/aws/dynamodb-webhook-store';
import { MalformedItem } from '../../functions/adapters/aws/stored-item';
import { hashApiKey, newApiKey } from '../../functions/domain/api-key';
import { deliveryIdFor } from '../../functions/domain/delivery-id';
import type { Webhook } from '../../functions/domain/webhook';
import { freshTable, storedWebhook } from '../helpers';

/**
 * Items that do not have their kind's shape (written by hand, by an older Herald, half-migrated),
 * put with the raw client: each adapter refuses them with an error that names the item's key and
 * the failing field, and never a secret.
 */
let table: Awaited<ReturnType<typeof freshTable>>;
let webhooks: DynamoDbWebhookStore;
let apiKeys: DynamoDbApiKeyStore;
let log: DynamoDbDeliveryLog;

beforeAll(async () => {
  table = await freshTable();
  webhooks = new DynamoDbWebhookStore(table.client, table.tableName);
  apiKeys = new DynamoDbApiKeyStore(table.client, table.tableName);
  log = new DynamoDbDeliveryLog(table.client, table.tableName, 86_400);
});

afterAll(() => table.raw.destroy());

async function put(item: Record<string, unknown>): Promise<void> {
  await table.client.send(new PutCommand({ TableName: table.tableName, Item: item }));
}

async function stored(key: { pk: string; sk: string }): Promise<Record<string, unknown>> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: key }));
  if (!Item) throw new Error(`no item at ${key.pk} ${key.sk}`);
  return Item;
}

/** What the promise rejected with, which must be a MalformedItem. */
async function malformed(promise: Promise<unknown>): Promise<MalformedItem> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof MalformedItem)) throw new Error(`expected a MalformedItem, got ${String(error)}`);
  return error;
}

function webhook(tenant: string): Webhook {
  return storedWebhook(
    {
      url: 'https://example.com/hook?token=url-secret',
      authentication_method: 'o_auth',
      authentication_payload: { client_secret: 'payload-secret' },
      authentication_payload_type: 'application/json',
      authentication_server: 'https://auth.example.com/token',
    },
    { tenant, now: new Date('2026-11-24T10:00:00Z') },
  );
}

/** Stores a good webhook through the store, then rewrites its item with `change` applied. */
async function storedThenBroken(
  tenant: string,
  change: (item: Record<string, unknown>) => void,
): Promise<{ webhook: Webhook; key: { pk: string; sk: string } }> {
  const w = webhook(tenant);
  await webhooks.create(w);
  const key = keys.webhook(tenant, w.id);
  const item = await stored(key);
  change(item);
  await put(item);
  return { webhook: w, key };
}

function expectNoSecrets(error: Error, w: Webhook): void {
  for (const secret of [w.signingSecret, 'payload-secret', 'url-secret']) {
    expect(error.message).not.toContain(secret);
  }
}

describe('webhook items', () => {
  it('refuses a webhook whose url is not a string, naming the item and the field', async () => {
    const { webhook: w, key } = await storedThenBroken('t-url', (item) => {
      (item.attributes as Record<string, unknown>).url = 42;
    });

    const error = await malformed(webhooks.get('t-url', w.id));

    expect(error.message).toBe(
      `Malformed webhook item (pk=${key.pk} sk=${key.sk}): attributes.url: Expected string, received number`,
    );
    expectNoSecrets(error, w);
  });

  it('names an unknown status without repeating the value found', async () => {
    const { webhook: w } = await storedThenBroken('t-status', (item) => {
      item.status = 'paused-by-payload-secret';
    });

    const error = await malformed(webhooks.get('t-status', w.id));

    expect(error.message).toContain('status: expected one of "enabled", "disabled"');
    expect(error.message).not.toContain('paused');
  });

  it('names every failing field, nested ones by path, and no secret', async () => {
    const { webhook: w } = await storedThenBroken('t-many', (item) => {
      item.signingSecret = undefined;
      item.previousSecrets = [{ secret: 'whsec_old-secret', expiresAt: 1234 }];
      item.version = 'one';
    });

    const error = await malformed(webhooks.get('t-many', w.id));

    expect(error.problems).toEqual([
      'signingSecret: Required',
      'previousSecrets.0.expiresAt: Expected string, received number',
      'version: Expected number, received string',
    ]);
    expectNoSecrets(error, w);
    expect(error.message).not.toContain('old-secret');
  });

  it('refuses a list page holding a malformed webhook, naming that one', async () => {
    await webhooks.create(webhook('t-list'));
    const { key } = await storedThenBroken('t-list', (item) => {
      item.attributes = undefined;
    });

    const error = await malformed(webhooks.list('t-list', { limit: 10 }));

    expect(error.key).toBe(`pk=${key.pk} sk=${key.sk}`);
    expect(error.problems).toEqual(['attributes: Required']);
  });

  it('still reads an item written before disabledAt, disabledReason and previousSecrets existed', async () => {
    const { webhook: w } = await storedThenBroken('t-old', (item) => {
      item.disabledAt = undefined;
      item.disabledReason = undefined;
      item.previousSecrets = undefined;
    });

    expect(await webhooks.get('t-old', w.id)).toEqual(w);
  });
});

describe('route items', () => {
  it('refuses a route without a status, naming the route and the field', async () => {
    const w = webhook('t-route');
    await webhooks.create(w);
    const key = keys.route('t-route', 'use_case_review_status_updated', 'production', w.id);
    const item = await stored(key);
    item.status = undefined;
    await put(item);

    const error = await malformed(
      webhooks.findRoutes('t-route', 'use_case_review_status_updated', 'production'),
    );

    expect(error.message).toBe(`Malformed route item (pk=${key.pk} sk=${key.sk}): status: Required`);
  });
});

describe('idempotency records', () => {
  it('refuses a record whose expiry is not a number', async () => {
    const key = keys.idempotency('t-idem', 'key-1');
    await put({
      ...key,
      kind: 'idempotency',
      tenant: 't-idem',
      key: 'key-1',
      requestHash: 'h',
      webhookId: 'wh_1',
      createdAt: '2026-11-24T10:00:00Z',
      expiresAt: '1700000000',
    });

    const error = await malformed(webhooks.getIdempotencyRecord('t-idem', 'key-1'));

    expect(error.message).toBe(
      `Malformed idempotency item (pk=${key.pk} sk=${key.sk}): expiresAt: Expected number, received string`,
    );
  });
});

describe('API key items', () => {
  it('refuses a key without a tenant, and names it by key id and a hash prefix only', async () => {
    const { key, record } = newApiKey('t-key', new Date('2026-11-24T10:00:00Z'));
    await apiKeys.create(record);
    const byHash = { pk: `APIKEY#${record.hash}`, sk: 'APIKEY' };
    const item = await stored(byHash);
    item.tenant = undefined;
    await put(item);

    const error = await malformed(apiKeys.findByHash(hashApiKey(key)));

    expect(error.message).toBe(
      `Malformed api-key item (pk=APIKEY#${record.hash.slice(0, 8)}… sk=APIKEY): tenant: Required`,
    );
    expect(error.message).not.toContain(record.hash);
    expect(error.message).not.toContain(key);
  });
});

describe('delivery items', () => {
  it('refuses a delivery whose attempt has an unknown outcome, in a lookup and in a list', async () => {
    const webhookId = 'wh_log';
    const time = '2026-11-24T10:00:00.000Z';
    const deliveryId = deliveryIdFor('evt_1', webhookId, time);
    await log.record({
      message: {
        deliveryId,
        eventId: 'evt_1',
        eventType: 'use_case_review_status_updated',
        tenant: 't-log',
        environment: 'production',
        webhookId,
        time,
        source: 'CredoAI',
        data: { reviewId: 'r' },
      },
      status: 'failed',
      attempt: {
        attempt: 1,
        time,
        outcome: 'failed',
        statusCode: 500,
        durationMs: 3,
        error: 'endpoint answered 500',
        responseExcerpt: null,
        origin: 'event',
      },
      error: null,
      nextAttemptAt: null,
      at: time,
    });
    const key = deliveryKeys.of('t-log', webhookId, deliveryId);
    if (!key) throw new Error('not a delivery id');
    const item = await stored(key);
    (item.attempts as Array<Record<string, unknown>>)[0] = {
      ...(item.attempts as Array<Record<string, unknown>>)[0],
      ok: 'maybe',
    };
    await put(item);
    const expected = `Malformed delivery item (pk=${key.pk} sk=${key.sk}): attempts.0.ok: Invalid literal value, expected true`;

    expect((await malformed(log.get('t-log', webhookId, deliveryId))).message).toBe(expected);
    expect((await malformed(log.list('t-log', webhookId, { limit: 10 }))).message).toBe(expected);
  });
});
