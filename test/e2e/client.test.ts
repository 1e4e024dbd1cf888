import {
  createHeraldClient,
  HeraldApiError,
  type HeraldClientOptions,
  type WebhookCreateAttributes,
} from '../../clients/typescript/src';
import { runKeys } from '../../scripts/keys';
import { seedBodies } from '../helpers';
import { type LocalSession, useLocalHerald } from './support/local';
import { useReceiver } from './support/receiver';
import { until } from './support/wait';

/**
 * The TypeScript client (clients/typescript) against local mode over real HTTP: every operation,
 * the seed's creates, errors, paging, retried creates, and the key exchange's tokens.
 */
const local = useLocalHerald('client');
const receiver = useReceiver();

/** The seed's two create requests' attributes, as a caller would write them. */
const seedNone = (): WebhookCreateAttributes => ({
  ...seedBodies.none.data.attributes,
  event_types: [...seedBodies.none.data.attributes.event_types],
});
const seedOAuth = (): WebhookCreateAttributes => ({
  ...seedBodies.oAuth.data.attributes,
  event_types: [...seedBodies.oAuth.data.attributes.event_types],
  authentication_payload: { ...seedBodies.oAuth.data.attributes.authentication_payload },
});

interface Sent {
  method: string;
  path: string;
  headers: Headers;
}

/**
 * The real fetch, recording each request the client sends; `intercept` may answer in its place or
 * lose the answer (`forward` sends it on).
 */
function recordingFetch(
  intercept: (request: Request, forward: () => Promise<Response>) => Promise<Response> = (
    _request,
    forward,
  ) => forward(),
) {
  const sent: Sent[] = [];
  const recording: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    sent.push({ method: request.method, path: new URL(request.url).pathname, headers: request.headers });
    return intercept(request, () => fetch(request));
  };
  const count = (method: string, pathEnd: string) =>
    sent.filter((s) => s.method === method && s.path.endsWith(pathEnd)).length;
  return { fetch: recording, sent, count, exchanges: () => count('POST', '/auth/exchange') };
}

const clientFor = (session: LocalSession, options: Partial<HeraldClientOptions> = {}) =>
  createHeraldClient({
    baseUrl: session.herald.apiUrl,
    tenant: session.herald.demoTenant,
    apiKey: session.herald.demoApiKey,
    ...options,
  });

/** The error a call rejects with, which must be a HeraldApiError. */
async function apiErrorOf(call: Promise<unknown>): Promise<HeraldApiError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof HeraldApiError)) throw new Error(`expected a HeraldApiError, got ${String(error)}`);
  return error;
}

describe('webhooks through the client', () => {
  it('creates the seed’s none and o_auth webhooks', async () => {
    const client = clientFor(local);
    const none = await client.webhooks.create(seedNone());
    expect(none.data.attributes).toMatchObject({ ...seedBodies.none.data.attributes, status: 'enabled' });
    expect(none.data.attributes.signing_secret).toMatch(/^whsec_/);

    const oAuth = await client.webhooks.create(seedOAuth());
    const { authentication_payload: _payload, ...visible } = seedBodies.oAuth.data.attributes;
    expect(oAuth.data.attributes).toMatchObject({ ...visible, has_authentication_payload: true });
    expect(JSON.stringify(oAuth)).not.toContain('secret_key_value');
  });

  it('reads, updates, disables, enables, reveals and rotates the secret of, and deletes a webhook', async () => {
    const client = clientFor(local);
    const { data: created } = await client.webhooks.create(seedNone());
    const id = created.id;

    expect((await client.webhooks.get(id)).data).toMatchObject({ id, type: 'webhook' });
    const updated = await client.webhooks.update(id, { description: 'Renamed by the client' });
    expect(updated.data.attributes.description).toBe('Renamed by the client');

    const disabled = await client.webhooks.disable(id, 'maintenance');
    expect(disabled.data.attributes).toMatchObject({ status: 'disabled', disabled_reason: 'maintenance' });
    expect((await client.webhooks.enable(id)).data.attributes.status).toBe('enabled');

    const secret = await client.webhooks.secret(id);
    expect(secret.data.attributes.key).toBe(created.attributes.signing_secret);
    const rotated = await client.webhooks.rotateSecret(id, { gracePeriodSeconds: 600 });
    expect(rotated.data.attributes.key).not.toBe(created.attributes.signing_secret);
    const afterRotation = await client.webhooks.secret(id);
    expect(afterRotation.data.attributes.key).toBe(rotated.data.attributes.key);
    expect(afterRotation.data.attributes.previous_keys).toEqual([
      { expires_at: rotated.data.attributes.previous_key_expires_at },
    ]);
    expect((await client.webhooks.rotateSecret(id)).data.attributes.key).not.toBe(
      rotated.data.attributes.key,
    );

    await client.webhooks.delete(id);
    const gone = await apiErrorOf(client.webhooks.get(id));
    expect(gone).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('lists the event types with their examples, and reads the OpenAPI document', async () => {
    const client = clientFor(local);
    const types = await client.eventTypes.list();
    const names = types.data.map((t) => t.attributes.name);
    expect(names).toContain('use_case_review_status_updated');
    expect(types.data[0]?.attributes.example).toEqual(expect.any(Object));
    expect(await client.openApi()).toMatchObject({ openapi: '3.1.0', paths: expect.any(Object) });
  });

  it('pages through a list with `for await`, following links.next', async () => {
    const tenant = await local.newTenant();
    const recording = recordingFetch();
    const client = clientFor(local, { tenant: tenant.tenant, apiKey: tenant.key, fetch: recording.fetch });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await client.webhooks.create(seedNone())).data.id);

    const first = await client.webhooks.list({ 'page[size]': '2' });
    expect(first.data.map((w) => w.id)).toEqual(ids.slice(0, 2));
    expect(first.links.next).toEqual(expect.any(String));

    const before = recording.count('GET', '/webhooks');
    const listed: string[] = [];
    for await (const webhook of client.webhooks.listAll({ 'page[size]': '2' })) listed.push(webhook.id);
    expect(listed).toEqual(ids);
    expect(recording.count('GET', '/webhooks') - before).toBe(3);
  });
});

describe('deliveries through the client', () => {
  it('sends a test event, lists and reads its delivery, retries it, and recovers', async () => {
    const client = clientFor(local);
    const { data: webhook } = await client.webhooks.create({
      ...seedNone(),
      url: `${receiver().url}/client-deliveries`,
    });
    // No event type given: the webhook's first one.
    const test = await client.webhooks.test(webhook.id);
    expect(test.data.attributes.event_type).toBe('use_case_review_status_updated');
    const deliveryId = test.data.id;
    await until(() => receiver().at('/client-deliveries')[0], { what: 'the test delivery' });

    const delivered = await until(
      async () => {
        const { data } = await client.deliveries.get(webhook.id, deliveryId);
        return data.attributes.status === 'succeeded' ? data : undefined;
      },
      { what: 'the delivery logged as succeeded' },
    );
    expect(delivered.attributes.attempts).toHaveLength(1);
    expect((await client.deliveries.list(webhook.id)).data.map((d) => d.id)).toEqual([deliveryId]);

    const retried = await client.deliveries.retry(webhook.id, deliveryId);
    expect(retried.data.id).toBe(deliveryId);
    await until(() => receiver().at('/client-deliveries')[1], { what: 'the retried delivery' });

    const all = [];
    for await (const delivery of client.deliveries.listAll(webhook.id, { 'page[size]': '1' }))
      all.push(delivery);
    expect(all.map((d) => d.id)).toEqual([deliveryId]);

    const recovery = await client.deliveries.recover(webhook.id, { since: delivered.attributes.created_at });
    expect(recovery.data.attributes).toMatchObject({ queued: 0, more: false });
  });
});

describe('errors', () => {
  it('throws a HeraldApiError carrying the JSON:API errors, a bad field with its pointer', async () => {
    const client = clientFor(local);
    const error = await apiErrorOf(client.webhooks.create({ ...seedNone(), url: 'not a url' }));
    expect(error.status).toBe(422);
    expect(error.errors[0]?.source?.pointer).toBe('/data/attributes/url');
    expect(error.message).toBe(`${error.errors[0]?.title}: ${error.errors[0]?.detail}`);
  });

  it('answers 404 for another tenant’s webhook', async () => {
    const other = await local.newTenant();
    const { id } = await local.createWebhook({}, other.api);
    const error = await apiErrorOf(clientFor(local).webhooks.get(id));
    expect(error).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('lets a network failure through, and retries only creates after one', async () => {
    const recording = recordingFetch();
    // Nothing listens on port 1 of the loopback: every connection is refused.
    const client = createHeraldClient({
      baseUrl: 'http://127.0.0.1:1',
      tenant: 'demo',
      apiKey: 'hrld_unused',
      auth: 'key',
      fetch: recording.fetch,
      retry: { attempts: 2, baseDelayMs: 1 },
    });
    await expect(client.webhooks.get('wh_01jf0d8y3ywq3f1c0v9w8x7z6a')).rejects.toThrow('fetch failed');
    await expect(client.webhooks.delete('wh_01jf0d8y3ywq3f1c0v9w8x7z6a')).rejects.toThrow('fetch failed');
    await expect(client.webhooks.create(seedNone())).rejects.toThrow('fetch failed');
    expect(recording.sent.map((s) => s.method)).toEqual(['GET', 'DELETE', 'POST', 'POST']);
  });
});

describe('creates, retried with their Idempotency-Key', () => {
  const overloaded = () =>
    new Response(
      JSON.stringify({ errors: [{ status: '503', code: 'unavailable', title: 'T', detail: 'D' }] }),
      {
        status: 503,
        headers: { 'Content-Type': 'application/vnd.api+json', 'Retry-After': '0' },
      },
    );

  it('makes one webhook through a 503 and a lost answer, every try with the same key', async () => {
    const tenant = await local.newTenant();
    let creates = 0;
    const recording = recordingFetch(async (request, forward) => {
      if (request.method !== 'POST' || !request.url.endsWith('/webhooks')) return forward();
      creates += 1;
      if (creates === 1) return overloaded();
      const response = await forward();
      if (creates === 2) {
        // The webhook was made, but its answer never reaches the client.
        await response.body?.cancel();
        throw new TypeError('fetch failed');
      }
      return response;
    });
    const client = clientFor(local, {
      tenant: tenant.tenant,
      apiKey: tenant.key,
      fetch: recording.fetch,
      retry: { baseDelayMs: 1 },
    });

    const created = await client.webhooks.create(seedNone());
    const keys = recording.sent
      .filter((s) => s.path.endsWith('/webhooks'))
      .map((s) => s.headers.get('idempotency-key'));
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const { data } = await client.webhooks.list();
    expect(data.map((w) => w.id)).toEqual([created.data.id]);
  });

  it('sends the caller’s key, and answers the first webhook when the same create is made again', async () => {
    const client = clientFor(local);
    const first = await client.webhooks.create(seedNone(), { idempotencyKey: 'client-test-same-key' });
    const again = await client.webhooks.create(seedNone(), { idempotencyKey: 'client-test-same-key' });
    expect(again.data.id).toBe(first.data.id);
  });

  it('gives up at once when Retry-After asks for longer than it waits, and never retries an update', async () => {
    const recording = recordingFetch(async (request, forward) => {
      if (request.method === 'PATCH') return overloaded();
      if (request.method !== 'POST' || !request.url.endsWith('/webhooks')) return forward();
      return new Response(
        JSON.stringify({ errors: [{ status: '429', code: 'rate_limited', title: 'T', detail: 'D' }] }),
        { status: 429, headers: { 'Content-Type': 'application/vnd.api+json', 'Retry-After': '60' } },
      );
    });
    const client = clientFor(local, { fetch: recording.fetch, retry: { maxDelayMs: 1000 } });
    expect(await apiErrorOf(client.webhooks.create(seedNone()))).toMatchObject({
      status: 429,
      code: 'rate_limited',
    });
    expect(recording.count('POST', '/webhooks')).toBe(1);

    const { id } = await local.createWebhook();
    expect(await apiErrorOf(client.webhooks.update(id, { description: 'x' }))).toMatchObject({ status: 503 });
    expect(recording.count('PATCH', `/webhooks/${id}`)).toBe(1);
  });
});

describe('access tokens from the key exchange', () => {
  it('exchanges the key once, sends the token, and exchanges again only as it nears expiry', async () => {
    const recording = recordingFetch();
    let now = Date.now();
    const client = clientFor(local, { fetch: recording.fetch, now: () => now });

    await client.eventTypes.list();
    await client.webhooks.list();
    expect(recording.exchanges()).toBe(1);
    const bearer = recording.sent.at(-1)?.headers.get('authorization') ?? '';
    expect(bearer).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(bearer).not.toContain(local.herald.demoApiKey);

    // Local mode's tokens live 900 s; the client renews 60 s before.
    now += 835_000;
    await client.webhooks.list();
    expect(recording.exchanges()).toBe(1);
    now += 10_000;
    await client.webhooks.list();
    expect(recording.exchanges()).toBe(2);
  });

  it('shares one exchange among concurrent calls, at the start and at renewal', async () => {
    const recording = recordingFetch();
    let now = Date.now();
    const client = clientFor(local, { fetch: recording.fetch, now: () => now });
    await Promise.all([1, 2, 3, 4, 5].map(() => client.webhooks.list({ 'page[size]': '1' })));
    expect(recording.exchanges()).toBe(1);
    now += 900_000;
    await Promise.all([1, 2, 3, 4, 5].map(() => client.eventTypes.list()));
    expect(recording.exchanges()).toBe(2);
  });

  it('after a 401, exchanges once more and makes the call again', async () => {
    let spoil = false;
    const recording = recordingFetch((request, forward) => {
      if (spoil && !request.url.endsWith('/auth/exchange')) {
        spoil = false;
        // A token the API does not accept (as if its signing key had changed): a real 401.
        request.headers.set('Authorization', 'Bearer e30.e30.e30');
      }
      return forward();
    });
    const client = clientFor(local, { fetch: recording.fetch });
    await client.webhooks.list();
    spoil = true;
    const { id } = await local.createWebhook();
    expect(
      (await client.webhooks.update(id, { description: 'after a 401' })).data.attributes.description,
    ).toBe('after a 401');
    expect(recording.exchanges()).toBe(2);
    expect(recording.count('PATCH', `/webhooks/${id}`)).toBe(2);
  });

  it('throws the 401 when the key itself was revoked, after one exchange that fails', async () => {
    const tenant = await local.newTenant();
    const recording = recordingFetch();
    const client = clientFor(local, { tenant: tenant.tenant, apiKey: tenant.key, fetch: recording.fetch });
    await client.webhooks.list();
    const target = ['--table', local.herald.tableName, '--endpoint', local.herald.dynamoDbEndpoint];
    await runKeys(['revoke', tenant.tenant, tenant.keyId, ...target], () => {});

    expect(await apiErrorOf(client.webhooks.list())).toMatchObject({ status: 401 });
    expect(recording.exchanges()).toBe(2);
    expect(recording.count('GET', '/webhooks')).toBe(2);
  });

  it('sends the key itself with auth "key", and a User-Agent when given', async () => {
    const recording = recordingFetch();
    const client = clientFor(local, { auth: 'key', fetch: recording.fetch, userAgent: 'herald-tests/1.0' });
    await client.webhooks.list();
    expect(recording.exchanges()).toBe(0);
    expect(recording.sent[0]?.headers.get('authorization')).toBe(`Bearer ${local.herald.demoApiKey}`);
    expect(recording.sent[0]?.headers.get('user-agent')).toBe('herald-tests/1.0');
    expect(await client.accessToken()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });
});
