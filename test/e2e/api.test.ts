import type { PlatformEvent } from '../../local/events-endpoint';
import { runKeys } from '../../scripts/keys';
import { seedBodies, webhookBody } from '../helpers';
import {
  type ApiResponse,
  errorsOf,
  jsonApi,
  type RequestOptions,
  resourceOf,
  resourcesOf,
} from './support/api';
import { useLocalHerald } from './support/local';

/**
 * The management API end to end: local mode over real HTTP, the same handlers and authorizer as
 * the stack, DynamoDB Local behind them. Private targets are refused here, as in the stack.
 */
const events: Array<{ event: PlatformEvent; matched: boolean }> = [];
const local = useLocalHerald('api', {
  allowPrivateTargets: false,
  onEvent: (event, matched) => events.push({ event, matched }),
});
const call = (method: string, path: string, options?: RequestOptions) => local.root(method, path, options);

const demo = '/api/v2/demo';
let key: string;
let otherKey: string;
const keysTarget = () => ['--table', local.herald.tableName, '--endpoint', local.herald.dynamoDbEndpoint];
const createKey = (tenant: string) => local.createKey(tenant);
/** `links.next` of a list, when there is one. */
const nextLink = (res: ApiResponse) => {
  const next = res.body.links?.next;
  return typeof next === 'string' ? next : undefined;
};

beforeAll(async () => {
  key = local.herald.demoApiKey;
  otherKey = (await createKey('acme')).key;
});

describe('creating webhooks with the seed requests', () => {
  it('creates the seed’s "none" webhook and returns it with its signing secret once', async () => {
    const res = await call('POST', `${demo}/webhooks`, { key, body: seedBodies.none });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe(jsonApi);
    const data = resourceOf(res);
    expect(data.type).toBe('webhook');
    expect(data.id).toMatch(/^wh_[0-9a-z]{26}$/);
    expect(res.headers.get('location')).toBe(`${local.herald.apiUrl}${demo}/webhooks/${data.id}`);
    expect(data.attributes).toMatchObject({
      ...seedBodies.none.data.attributes,
      status: 'enabled',
      has_authentication_payload: false,
    });
    expect(data.attributes.created_at).toEqual(data.attributes.updated_at);
    const secret = String(data.attributes.signing_secret);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);

    const read = await call('GET', `${demo}/webhooks/${data.id}`, { key });
    expect(read.status).toBe(200);
    expect(resourceOf(read).attributes.signing_secret).toBeUndefined();
    const revealed = await call('GET', `${demo}/webhooks/${data.id}/secret`, { key });
    expect(revealed.status).toBe(200);
    expect(resourceOf(revealed).attributes.key).toBe(secret);
  });

  it('creates the seed’s o_auth webhook (no data.type) and never returns the authentication payload', async () => {
    const res = await call('POST', `${demo}/webhooks`, { key, body: seedBodies.oAuth });
    expect(res.status).toBe(201);
    const { authentication_payload: _payload, ...visible } = seedBodies.oAuth.data.attributes;
    expect(resourceOf(res).attributes).toMatchObject({ ...visible, has_authentication_payload: true });
    expect(JSON.stringify(res.body)).not.toContain('secret_key_value');
    const list = await call('GET', `${demo}/webhooks`, { key });
    expect(JSON.stringify(list.body)).not.toContain('secret_key_value');
  });

  it('accepts what the platform’s own clients send: bucket, OAuth fields with none, a url with a query', async () => {
    const res = await call('POST', `${demo}/webhooks`, {
      key,
      contentType: 'application/json',
      body: {
        data: {
          type: 'webhook',
          attributes: {
            description: 'CredoClientLite webhook',
            url: 'https://hooks.example.com/in?token=abc&x=1',
            event_types: ['use_case_custom_field_updated'],
            environment: 'production',
            bucket: 'use_case_events',
            authentication_method: 'none',
            authentication_payload: {},
            authentication_payload_type: 'application/json',
            authentication_server: '',
          },
        },
      },
    });
    expect(res.status).toBe(201);
    expect(resourceOf(res).attributes).toMatchObject({
      url: 'https://hooks.example.com/in?token=abc&x=1',
      bucket: 'use_case_events',
      authentication_method: 'none',
    });
  });

  it('flags the deprecated event type in meta but accepts it', async () => {
    const body = webhookBody({
      event_types: ['use_case_name_updated', 'use_case_governance_status_updated'],
    });
    const res = await call('POST', `${demo}/webhooks`, { key, body });
    expect(res.status).toBe(201);
    expect(res.body.meta).toEqual({
      warnings: [
        expect.objectContaining({
          code: 'deprecated_event_type',
          source: { pointer: '/data/attributes/event_types/1' },
        }),
      ],
    });
  });
});

describe('reading, updating and deleting', () => {
  let id: string;
  beforeAll(async () => {
    const res = await call('POST', `${demo}/webhooks`, { key, body: seedBodies.oAuth });
    id = resourceOf(res).id;
  });

  it('updates only the attributes a PATCH names, keeping the OAuth payload', async () => {
    const res = await call('PATCH', `${demo}/webhooks/${id}`, {
      key,
      body: { data: { type: 'webhook', id, attributes: { description: 'renamed' } } },
    });
    expect(res.status).toBe(200);
    expect(resourceOf(res).attributes).toMatchObject({
      description: 'renamed',
      authentication_method: 'o_auth',
      has_authentication_payload: true,
      event_types: seedBodies.oAuth.data.attributes.event_types,
    });
    expect(resourceOf(res).attributes.updated_at).not.toEqual(resourceOf(res).attributes.created_at);
  });

  it('accepts a full-attribute PATCH with data.id, as the platform’s client sends it', async () => {
    const attributes = {
      ...seedBodies.none.data.attributes,
      bucket: 'use_case_events',
      event_types: ['use_case_review_comment'],
    };
    const res = await call('PATCH', `${demo}/webhooks/${id}`, {
      key,
      body: { data: { type: 'webhook', id, attributes } },
    });
    expect(res.status).toBe(200);
    expect(resourceOf(res).attributes).toMatchObject(attributes);
  });

  it('re-validates the whole webhook after a PATCH', async () => {
    const plain = await call('POST', `${demo}/webhooks`, { key, body: seedBodies.none });
    const res = await call('PATCH', `${demo}/webhooks/${resourceOf(plain).id}`, {
      key,
      body: { data: { type: 'webhook', attributes: { authentication_method: 'o_auth' } } },
    });
    expect(res.status).toBe(422);
    expect(
      errorsOf(res)
        .map((e) => e.source?.pointer)
        .sort(),
    ).toEqual([
      '/data/attributes/authentication_payload',
      '/data/attributes/authentication_payload_type',
      '/data/attributes/authentication_server',
    ]);
  });

  it('refuses a PATCH whose data.id is another webhook (409)', async () => {
    const res = await call('PATCH', `${demo}/webhooks/${id}`, {
      key,
      body: {
        data: { type: 'webhook', id: 'wh_00000000000000000000000000', attributes: { description: 'x' } },
      },
    });
    expect(res.status).toBe(409);
    expect(errorsOf(res)[0]).toMatchObject({
      status: '409',
      code: 'id_mismatch',
      source: { pointer: '/data/id' },
    });
  });

  it('deletes with 204, after which the webhook is 404 everywhere', async () => {
    const made = await call('POST', `${demo}/webhooks`, { key, body: seedBodies.none });
    const gone = resourceOf(made).id;
    expect((await call('DELETE', `${demo}/webhooks/${gone}`, { key })).status).toBe(204);
    for (const [method, path] of [
      ['GET', `${demo}/webhooks/${gone}`],
      ['DELETE', `${demo}/webhooks/${gone}`],
      ['GET', `${demo}/webhooks/${gone}/secret`],
    ] as const) {
      const res = await call(method, path, { key });
      expect(res.status).toBe(404);
      expect(errorsOf(res)[0]?.code).toBe('not_found');
    }
    const list = await call('GET', `${demo}/webhooks?page[size]=100`, { key });
    expect(resourcesOf(list).map((w) => w.id)).not.toContain(gone);
  });

  it('pages through the list with page[size] and links.next', async () => {
    const { key: pagingKey } = await createKey('paging');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call('POST', '/api/v2/paging/webhooks', {
        key: pagingKey,
        body: seedBodies.none,
      });
      ids.push(resourceOf(res).id);
    }
    const seen: string[] = [];
    let next: string | undefined = '/api/v2/paging/webhooks?page%5Bsize%5D=2';
    let pages = 0;
    while (next) {
      const page: ApiResponse = await call('GET', next, { key: pagingKey });
      expect(page.status).toBe(200);
      seen.push(...resourcesOf(page).map((w) => w.id));
      next = nextLink(page);
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
    const bad = await call('GET', '/api/v2/paging/webhooks?page[size]=500', { key: pagingKey });
    expect(bad.status).toBe(400);
    expect(errorsOf(bad)[0]?.source).toEqual({ parameter: 'page[size]' });
  });

  it('publishes the event type catalog with the deprecated type flagged', async () => {
    const res = await call('GET', `${demo}/webhook-event-types`, { key });
    expect(res.status).toBe(200);
    // The seeds' fifteen and Herald's five operational events.
    expect(res.body.data).toHaveLength(20);
    expect(
      resourcesOf(res)
        .filter((t) => t.attributes.deprecated === true)
        .map((t) => t.id),
    ).toEqual(['use_case_governance_status_updated']);
  });
});

describe('bad input gets a JSON:API error with a pointer, never a 5xx', () => {
  const valid = seedBodies.none.data.attributes;
  const withAttributes = (attributes: Record<string, unknown>) => ({ data: { type: 'webhook', attributes } });
  const without = (field: string) => {
    const { [field as keyof typeof valid]: _dropped, ...rest } = valid;
    return withAttributes(rest);
  };

  it.each([
    ['description missing', without('description'), 422, 'required', '/data/attributes/description'],
    ['url missing', without('url'), 422, 'required', '/data/attributes/url'],
    ['event_types missing', without('event_types'), 422, 'required', '/data/attributes/event_types'],
    [
      'authentication_method missing',
      without('authentication_method'),
      422,
      'required',
      '/data/attributes/authentication_method',
    ],
    [
      'description not a string',
      withAttributes({ ...valid, description: 42 }),
      422,
      'invalid_type',
      '/data/attributes/description',
    ],
    [
      'event_types not an array',
      withAttributes({ ...valid, event_types: 'use_case_review_comment' }),
      422,
      'invalid_type',
      '/data/attributes/event_types',
    ],
    [
      'event_types empty',
      withAttributes({ ...valid, event_types: [] }),
      422,
      'too_short',
      '/data/attributes/event_types',
    ],
    [
      'unknown event type',
      withAttributes({ ...valid, event_types: ['use_case_review_comment', 'order_created'] }),
      422,
      'unknown_event_type',
      '/data/attributes/event_types/1',
    ],
    [
      'duplicate event type',
      withAttributes({ ...valid, event_types: ['use_case_review_comment', 'use_case_review_comment'] }),
      422,
      'duplicate_event_type',
      '/data/attributes/event_types/1',
    ],
    [
      'bad prefix',
      withAttributes({ ...valid, event_type_prefix: 'Credo AI!' }),
      422,
      'invalid_value',
      '/data/attributes/event_type_prefix',
    ],
    [
      'bad suffix type',
      withAttributes({ ...valid, event_type_suffix: 1 }),
      422,
      'invalid_type',
      '/data/attributes/event_type_suffix',
    ],
    [
      'unknown environment',
      withAttributes({ ...valid, environment: 'moon' }),
      422,
      'invalid_environment',
      '/data/attributes/environment',
    ],
    [
      'unknown method',
      withAttributes({ ...valid, authentication_method: 'basic' }),
      422,
      'invalid_value',
      '/data/attributes/authentication_method',
    ],
    [
      'o_auth without server',
      withAttributes({ ...seedBodies.oAuth.data.attributes, authentication_server: undefined }),
      422,
      'required',
      '/data/attributes/authentication_server',
    ],
    [
      'o_auth without payload',
      withAttributes({ ...seedBodies.oAuth.data.attributes, authentication_payload: undefined }),
      422,
      'required',
      '/data/attributes/authentication_payload',
    ],
    [
      'o_auth without payload type',
      withAttributes({ ...seedBodies.oAuth.data.attributes, authentication_payload_type: undefined }),
      422,
      'required',
      '/data/attributes/authentication_payload_type',
    ],
    [
      'bad payload type',
      withAttributes({ ...seedBodies.oAuth.data.attributes, authentication_payload_type: 'text/xml' }),
      422,
      'invalid_value',
      '/data/attributes/authentication_payload_type',
    ],
    [
      'payload not an object',
      withAttributes({ ...seedBodies.oAuth.data.attributes, authentication_payload: 'key=1' }),
      422,
      'invalid_type',
      '/data/attributes/authentication_payload',
    ],
    [
      'relative url',
      withAttributes({ ...valid, url: '/webhook' }),
      422,
      'invalid_url',
      '/data/attributes/url',
    ],
    [
      'http url',
      withAttributes({ ...valid, url: 'http://example.com/hook' }),
      422,
      'insecure_url',
      '/data/attributes/url',
    ],
    [
      'metadata url',
      withAttributes({ ...valid, url: 'https://169.254.169.254/latest/meta-data' }),
      422,
      'forbidden_target',
      '/data/attributes/url',
    ],
    [
      'loopback url in decimal',
      withAttributes({ ...valid, url: 'https://2130706433/' }),
      422,
      'forbidden_target',
      '/data/attributes/url',
    ],
    [
      'url on a well-known port',
      withAttributes({ ...valid, url: 'https://hooks.example.com:22/in' }),
      422,
      'forbidden_port',
      '/data/attributes/url',
    ],
    [
      'OAuth server on a well-known port',
      withAttributes({
        ...seedBodies.oAuth.data.attributes,
        authentication_server: 'https://auth.example.com:25/token',
      }),
      422,
      'forbidden_port',
      '/data/attributes/authentication_server',
    ],
    [
      'private OAuth server',
      withAttributes({
        ...seedBodies.oAuth.data.attributes,
        authentication_server: 'https://10.1.2.3/token',
      }),
      422,
      'forbidden_target',
      '/data/attributes/authentication_server',
    ],
    [
      'url too long',
      withAttributes({ ...valid, url: `https://example.com/${'a'.repeat(2100)}` }),
      422,
      'invalid_url',
      '/data/attributes/url',
    ],
    [
      'unknown attribute',
      withAttributes({ ...valid, retries: 3 }),
      422,
      'unknown_attribute',
      '/data/attributes/retries',
    ],
    [
      'wrong data.type',
      { data: { type: 'webhooks', attributes: valid } },
      409,
      'type_mismatch',
      '/data/type',
    ],
    ['no data', { webhook: valid }, 400, 'invalid_document', '/data'],
    [
      'attributes not an object',
      { data: { type: 'webhook', attributes: [] } },
      422,
      'invalid_type',
      '/data/attributes',
    ],
  ])('%s', async (_name, body, status, code, pointer) => {
    const res = await call('POST', `${demo}/webhooks`, { key, body });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe(jsonApi);
    expect(errorsOf(res)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ status: String(status), code, source: { pointer } }),
      ]),
    );
    for (const error of errorsOf(res)) expect(error.title && error.detail).toBeTruthy();
  });

  it('answers malformed JSON with 400', async () => {
    const res = await call('POST', `${demo}/webhooks`, { key, raw: '{"data": {' });
    expect(res.status).toBe(400);
    expect(errorsOf(res)[0]).toMatchObject({ code: 'malformed_json', source: { pointer: '' } });
  });

  it('answers a wrong content type with 415', async () => {
    const res = await call('POST', `${demo}/webhooks`, {
      key,
      raw: JSON.stringify(seedBodies.none),
      contentType: 'text/plain',
    });
    expect(res.status).toBe(415);
    expect(errorsOf(res)[0]?.source).toEqual({ header: 'Content-Type' });
  });

  it('answers an oversized body with 413', async () => {
    const body = withAttributes({ ...valid, description: 'x'.repeat(70 * 1024) });
    const res = await call('POST', `${demo}/webhooks`, { key, body });
    expect(res.status).toBe(413);
    expect(errorsOf(res)[0]?.code).toBe('payload_too_large');
  });

  it('answers an unknown route with 404 and a wrong method with 405', async () => {
    expect((await call('GET', `${demo}/nothing-here`, { key })).status).toBe(404);
    expect(errorsOf(await call('GET', '/elsewhere', { key }))[0]?.code).toBe('not_found');
    expect((await call('PUT', `${demo}/webhooks`, { key, body: seedBodies.none })).status).toBe(405);
  });

  it('answers an id Herald never issued with 404', async () => {
    const res = await call('GET', `${demo}/webhooks/..%2F..%2Fetc`, { key });
    expect(res.status).toBe(404);
  });
});

describe('keys and tenants', () => {
  it('answers a missing or unknown key with 401', async () => {
    for (const auth of [undefined, 'nope', 'hrld_x_y', 'a.b.c']) {
      const res = await call('GET', `${demo}/webhooks`, auth ? { key: auth } : {});
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe(jsonApi);
      expect(errorsOf(res)[0]?.code).toBe('unauthorized');
    }
  });

  it('lets a key reach only its own tenant (403 elsewhere) and shows no other tenant’s webhooks', async () => {
    const theirs = await call('POST', '/api/v2/acme/webhooks', { key: otherKey, body: seedBodies.none });
    expect(theirs.status).toBe(201);
    const forbidden = await call('GET', `${demo}/webhooks`, { key: otherKey });
    expect(forbidden.status).toBe(403);
    expect(errorsOf(forbidden)[0]?.code).toBe('forbidden');
    expect((await call('POST', `${demo}/webhooks`, { key: otherKey, body: seedBodies.none })).status).toBe(
      403,
    );
    expect((await call('GET', `/api/v2/acme/webhooks/${resourceOf(theirs).id}`, { key })).status).toBe(403);

    const mine = await call('GET', `${demo}/webhooks?page[size]=100`, { key });
    expect(resourcesOf(mine).map((w) => w.id)).not.toContain(resourceOf(theirs).id);
    // Another tenant's webhook id under one's own tenant is simply not there.
    expect((await call('GET', `${demo}/webhooks/${resourceOf(theirs).id}`, { key })).status).toBe(404);
    expect((await call('DELETE', `${demo}/webhooks/${resourceOf(theirs).id}`, { key })).status).toBe(404);
  });

  it('stops a revoked key at once', async () => {
    const made = await createKey('revoking');
    expect((await call('GET', '/api/v2/revoking/webhooks', { key: made.key })).status).toBe(200);
    await runKeys(['revoke', 'revoking', made.keyId, ...keysTarget()], () => undefined);
    expect((await call('GET', '/api/v2/revoking/webhooks', { key: made.key })).status).toBe(401);
    const listed: string[] = [];
    await runKeys(['list', 'revoking', ...keysTarget()], (l) => listed.push(l));
    expect(listed.join('\n')).toMatch(new RegExp(`${made.keyId}.*revoked`));
  });

  it('exchanges a key for an access token that works like the key, as CredoClientLite.authenticate() does', async () => {
    const exchange = await call('POST', '/auth/exchange', {
      contentType: 'application/json',
      body: { api_token: otherKey, tenant: 'acme' },
    });
    expect(exchange.status).toBe(200);
    expect(exchange.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 900,
    });
    const token = String(exchange.body.access_token);
    expect((await call('GET', '/api/v2/acme/webhooks', { key: token })).status).toBe(200);
    expect((await call('GET', `${demo}/webhooks`, { key: token })).status).toBe(403);

    const wrongTenant = await call('POST', '/auth/exchange', {
      contentType: 'application/json',
      body: { api_token: otherKey, tenant: 'demo' },
    });
    expect(wrongTenant.status).toBe(401);
    const missing = await call('POST', '/auth/exchange', {
      contentType: 'application/json',
      body: { tenant: 'acme' },
    });
    expect(missing.status).toBe(400);
    expect(errorsOf(missing)[0]?.source).toEqual({ pointer: '/api_token' });
    const tampered = `${token.slice(0, -4)}AAAA`;
    expect((await call('GET', '/api/v2/acme/webhooks', { key: tampered })).status).toBe(401);
  });

  it('revoking a key also stops the access tokens made from it', async () => {
    const made = await createKey('tokens');
    const exchange = await call('POST', '/auth/exchange', {
      contentType: 'application/json',
      body: { api_token: made.key, tenant: 'tokens' },
    });
    expect(
      (await call('GET', '/api/v2/tokens/webhooks', { key: String(exchange.body.access_token) })).status,
    ).toBe(200);
    await runKeys(['revoke', 'tokens', made.keyId, ...keysTarget()], () => undefined);
    expect(
      (await call('GET', '/api/v2/tokens/webhooks', { key: String(exchange.body.access_token) })).status,
    ).toBe(401);
  });
});

describe('Idempotency-Key on create', () => {
  it('returns the first response for a retry with the same key and body, and refuses another body', async () => {
    const headers = { 'Idempotency-Key': `create-${Date.now()}` };
    const first = await call('POST', `${demo}/webhooks`, { key, body: seedBodies.none, headers });
    const retry = await call('POST', `${demo}/webhooks`, { key, body: seedBodies.none, headers });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.data).toEqual(first.body.data);

    const other = await call('POST', `${demo}/webhooks`, { key, body: seedBodies.oAuth, headers });
    expect(other.status).toBe(409);
    expect(errorsOf(other)[0]).toMatchObject({
      code: 'idempotency_key_reused',
      source: { header: 'Idempotency-Key' },
    });
  });

  it('makes exactly one webhook when the same request races itself', async () => {
    const { key: raceKey } = await createKey('racing');
    const headers = { 'Idempotency-Key': 'race-1' };
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        call('POST', '/api/v2/racing/webhooks', { key: raceKey, body: seedBodies.none, headers }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(results.map((r) => resourceOf(r).id)).size).toBe(1);
    const list = await call('GET', '/api/v2/racing/webhooks', { key: raceKey });
    expect(list.body.data).toHaveLength(1);
  });
});

describe('the PutEvents endpoint', () => {
  it('takes a platform event from @aws-sdk/client-eventbridge and hands it to the rule’s target', async () => {
    const detail = {
      tenant: 'demo',
      environment: 'production',
      id: 'evt-1',
      data: { reviewId: 'r', status: 'in_progress', useCaseId: 'u' },
    };
    const out = await local.putEvents([
      {
        EventBusName: 'herald',
        Source: 'CredoAI',
        DetailType: 'use_case_review_status_updated',
        Detail: JSON.stringify(detail),
      },
    ]);
    expect(out.FailedEntryCount).toBe(0);
    const eventId = out.Entries?.[0]?.EventId;
    expect(eventId).toBeDefined();
    const received = events.find((e) => e.event.id === eventId);
    expect(received).toMatchObject({
      matched: true,
      event: { source: 'CredoAI', 'detail-type': 'use_case_review_status_updated', detail },
    });
  });

  it('reports entries for another bus or with malformed detail as failed, and lets unknown types match no rule', async () => {
    const out = await local.putEvents([
      {
        EventBusName: 'other-bus',
        Source: 'CredoAI',
        DetailType: 'use_case_review_comment',
        Detail: '{}',
      },
      {
        EventBusName: 'herald',
        Source: 'CredoAI',
        DetailType: 'use_case_review_comment',
        Detail: '{not json',
      },
      {
        EventBusName: 'herald',
        Source: 'CredoAI',
        DetailType: 'order_created',
        Detail: '{"tenant":"demo"}',
      },
    ]);
    expect(out.FailedEntryCount).toBe(2);
    expect(out.Entries?.map((e) => e.ErrorCode)).toEqual(['NotFoundException', 'MalformedDetail', undefined]);
    const unmatched = events.find((e) => e.event.id === out.Entries?.[2]?.EventId);
    expect(unmatched?.matched).toBe(false);
  });
});
