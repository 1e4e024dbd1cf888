import type { WebhookAttributes } from '../../clients/typescript/src/index';
import { signToken } from '../../functions/domain/access-token';
import { issuePortalSession } from '../../functions/domain/portal-session';
import { seedBodies } from '../../functions/shared/api-contract';
import { parseRoute, routes } from '../../ui/portal/routes';
import { can, hasExpired, readableOn, sessionFromToken } from '../../ui/portal/session-token';
import {
  createAttributes,
  deliveredTypeOf,
  emptyValues,
  fieldOf,
  parseFilter,
  problemsOf,
  updateAttributes,
  valuesOf,
  type WebhookFormValues,
} from '../../ui/portal/webhook-form-model';

/** The portal's pure parts: the session a token carries, the routes, and the webhook form's model. */

const key = 'test-signing-key';
const now = new Date('2026-11-27T12:00:00Z');

/** A token as the API issues it (the domain's own signer). */
const issue = (request: Partial<Parameters<typeof issuePortalSession>[0]> = {}) =>
  issuePortalSession({ tenant: 'acme', keyId: 'key_1', ...request }, key, now, '/portal/').token;

describe("the portal's session", () => {
  it('reads tenant, expiry, capabilities, return link and theme from a token the API issued', () => {
    const token = issue({
      expiresInSeconds: 600,
      capabilities: ['read'],
      returnUrl: 'https://app.acme.example/settings',
      theme: { name: 'Acme', accent_color: '#7a1fa2', logo_url: 'https://cdn.acme.example/logo.svg' },
    });
    const session = sessionFromToken(token);
    expect(session).toEqual({
      token,
      tenant: 'acme',
      expiresAt: new Date(now.getTime() + 600_000),
      capabilities: ['read'],
      returnUrl: 'https://app.acme.example/settings',
      theme: { name: 'Acme', accentColor: '#7a1fa2', logoUrl: 'https://cdn.acme.example/logo.svg' },
    });
    expect(session && can(session, 'read')).toBe(true);
    expect(session && can(session, 'write')).toBe(false);
  });

  it('expires at `exp`, not a moment before', () => {
    const session = sessionFromToken(issue({ expiresInSeconds: 60 }));
    if (!session) throw new Error('no session');
    expect(hasExpired(session, now.getTime() + 59_999)).toBe(false);
    expect(hasExpired(session, now.getTime() + 60_000)).toBe(true);
  });

  it.each([
    ['an empty string', ''],
    ['an API key', 'hrld_abc'],
    ['a token cut short', issue().split('.').slice(0, 2).join('.')],
    ['a payload that is no JSON', 'eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln'],
    [
      'an access token (no capabilities)',
      signToken({ iss: 'herald', sub: 'k', tenant: 'acme', iat: 1, exp: 2 }, key),
    ],
    ['an unknown capability', signToken({ tenant: 'acme', exp: 2, cap: ['admin'] }, key)],
  ])('is no session for %s', (_, token) => {
    expect(sessionFromToken(token)).toBeUndefined();
  });

  it('drops a return link or logo that is not http(s), and an accent that is not #rrggbb', () => {
    const token = signToken(
      {
        tenant: 'acme',
        exp: 2_000_000_000,
        cap: ['read'],
        return_url: 'javascript:alert(1)',
        theme: { name: '  ', accent_color: 'red;background:url(x)', logo_url: 'data:image/svg+xml,<svg/>' },
      },
      key,
    );
    const session = sessionFromToken(token);
    expect(session?.returnUrl).toBeUndefined();
    expect(session?.theme).toEqual({});
  });

  it('reads a name with characters beyond ASCII', () => {
    expect(sessionFromToken(issue({ theme: { name: 'Crédo · 日本' } }))?.theme.name).toBe('Crédo · 日本');
  });

  it.each([
    ['#ffffff', '#000000'],
    ['#7a1fa2', '#ffffff'],
    ['#0b5cad', '#ffffff'],
    ['#ffd400', '#000000'],
  ] as const)('writes on %s in %s', (background, text) => {
    expect(readableOn(background)).toBe(text);
  });
});

describe("the portal's routes", () => {
  it.each([
    ['', { page: 'webhooks' }],
    ['#/', { page: 'webhooks' }],
    ['#/webhooks', { page: 'webhooks' }],
    ['#/webhooks/', { page: 'webhooks' }],
    ['#/webhooks/new', { page: 'webhook-new' }],
    ['#/webhooks/wh_1', { page: 'webhook', webhookId: 'wh_1' }],
    ['#/webhooks/wh_1/edit', { page: 'webhook-edit', webhookId: 'wh_1' }],
    ['#/webhooks/wh_1/deliveries/dl_2', { page: 'delivery', webhookId: 'wh_1', deliveryId: 'dl_2' }],
    ['#/event-types', { page: 'event-types' }],
    ['#/webhooks/wh_1/nope', { page: 'not-found', path: '/webhooks/wh_1/nope' }],
    ['#/settings', { page: 'not-found', path: '/settings' }],
    ['#/webhooks/%E0%A4%A', { page: 'not-found', path: '/webhooks/%E0%A4%A' }],
  ])('reads %s', (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it('builds the addresses it reads, escaping ids', () => {
    expect(parseRoute(routes.delivery('wh/1', 'dl 2'))).toEqual({
      page: 'delivery',
      webhookId: 'wh/1',
      deliveryId: 'dl 2',
    });
    expect(parseRoute(routes.editWebhook('wh_1'))).toEqual({ page: 'webhook-edit', webhookId: 'wh_1' });
  });
});

describe("the webhook form's model", () => {
  const seed = seedBodies.oAuth.data.attributes;
  const seedValues: WebhookFormValues = {
    description: seed.description,
    url: seed.url,
    eventTypes: [...seed.event_types],
    prefix: seed.event_type_prefix,
    suffix: seed.event_type_suffix,
    environment: seed.environment,
    method: 'o_auth',
    payload: JSON.stringify(seed.authentication_payload),
    payloadType: seed.authentication_payload_type,
    server: seed.authentication_server,
    rateLimit: '',
    filter: '',
    ordering: 'none',
  };

  /** The seed's o_auth webhook as the API answers it, with `overrides` laid over it. */
  const storedSeed = (overrides: Partial<WebhookAttributes> = {}): WebhookAttributes => ({
    ...seed,
    event_types: [...seed.event_types],
    bucket: null,
    filter: null,
    rate_limit: null,
    ordering: 'none',
    has_authentication_payload: true,
    status: 'enabled',
    disabled_reason: null,
    disabled_at: null,
    health: {
      consecutive_failures: 0,
      failing_since: null,
      last_failure_at: null,
      last_failure_reason: null,
    },
    created_at: '',
    updated_at: '',
    ...overrides,
  });

  it("makes the seed's o_auth create request from the form filled in as the seed", () => {
    expect(createAttributes(seedValues)).toEqual({ ok: true, value: seed });
  });

  it('leaves out what was left empty on create, OAuth fields included with `none`', () => {
    const values = {
      ...emptyValues(),
      description: ' Hook ',
      url: 'https://x.example',
      eventTypes: ['a'],
      server: 'x',
    };
    expect(createAttributes(values)).toEqual({
      ok: true,
      value: {
        description: 'Hook',
        url: 'https://x.example',
        event_types: ['a'],
        authentication_method: 'none',
      },
    });
  });

  it('sends emptied fields as null on update, and no payload unless one was typed (it is write-only)', () => {
    const stored = valuesOf(storedSeed());
    expect(stored.payload).toBe('');
    const result = updateAttributes({ ...stored, prefix: '', environment: ' ' });
    expect(result).toEqual({
      ok: true,
      value: {
        description: seed.description,
        url: seed.url,
        event_types: seed.event_types,
        event_type_prefix: null,
        event_type_suffix: 'v1',
        environment: null,
        authentication_method: 'o_auth',
        authentication_payload_type: 'application/json',
        authentication_server: seed.authentication_server,
        rate_limit: null,
        filter: null,
        ordering: 'none',
      },
    });
    // Switching to `none` clears the OAuth fields; the API drops the stored payload.
    expect(updateAttributes({ ...stored, method: 'none' })).toMatchObject({
      ok: true,
      value: {
        authentication_method: 'none',
        authentication_payload_type: null,
        authentication_server: null,
      },
    });
  });

  it.each(['not json', '[1, 2]', '"text"', 'null'])(
    'refuses the payload %s before sending, at its field',
    (payload) => {
      expect(createAttributes({ ...seedValues, payload })).toEqual({
        ok: false,
        problems: [{ field: 'authentication_payload', message: expect.stringContaining('JSON object') }],
      });
    },
  );

  it('sends the rate limit as a number and the filter as a pattern; empties as absent (create) or null (update)', () => {
    const filter = { data: { status: ['approved'] }, environment: [{ prefix: 'prod' }] };
    const values = { ...seedValues, rateLimit: ' 5 ', filter: JSON.stringify(filter) };
    expect(createAttributes(values)).toMatchObject({ ok: true, value: { rate_limit: 5, filter } });
    expect(updateAttributes(values)).toMatchObject({ ok: true, value: { rate_limit: 5, filter } });
    // A number the API refuses still goes to it: the API's 422 says what it allows, at the field.
    expect(createAttributes({ ...seedValues, rateLimit: '2.5' })).toMatchObject({
      ok: true,
      value: { rate_limit: 2.5 },
    });
    const created = createAttributes(seedValues);
    expect(created.ok && 'rate_limit' in created.value).toBe(false);
    expect(created.ok && 'filter' in created.value).toBe(false);
  });

  it('sends ordering on update always, on create only when fifo (the API defaults to none)', () => {
    expect(createAttributes({ ...seedValues, ordering: 'fifo' })).toMatchObject({
      ok: true,
      value: { ordering: 'fifo' },
    });
    const created = createAttributes(seedValues);
    expect(created.ok && 'ordering' in created.value).toBe(false);
    expect(updateAttributes({ ...seedValues, ordering: 'fifo' })).toMatchObject({
      ok: true,
      value: { ordering: 'fifo' },
    });
    expect(updateAttributes(seedValues)).toMatchObject({ ok: true, value: { ordering: 'none' } });
  });

  it('shows a stored filter and rate limit for editing, and empties them back to null', () => {
    const filter = { data: { score: [{ numeric: ['>', 3] }] } };
    const stored = valuesOf(storedSeed({ filter, rate_limit: 20, ordering: 'fifo' }));
    expect(stored.rateLimit).toBe('20');
    expect(stored.ordering).toBe('fifo');
    expect(JSON.parse(stored.filter)).toEqual(filter);
    expect(updateAttributes(stored)).toMatchObject({ ok: true, value: { rate_limit: 20, filter } });
    expect(updateAttributes({ ...stored, rateLimit: '', filter: '  ' })).toMatchObject({
      ok: true,
      value: { rate_limit: null, filter: null },
    });
  });

  it('refuses a filter that is no JSON object and a rate limit that is no number, all at once, at their fields', () => {
    expect(createAttributes({ ...seedValues, payload: 'x', rateLimit: 'five', filter: '["a"]' })).toEqual({
      ok: false,
      problems: [
        { field: 'authentication_payload', message: expect.stringContaining('JSON object') },
        { field: 'rate_limit', message: expect.stringContaining('whole number') },
        { field: 'filter', message: expect.stringContaining('JSON object') },
      ],
    });
    expect(parseFilter('{"data": ')).toMatchObject({ ok: false });
    expect(parseFilter('')).toEqual({ ok: true, value: undefined });
  });

  it.each([
    ['/data/attributes/filter/data/status/0', 'filter'],
    ['/data/attributes/rate_limit', 'rate_limit'],
    ['/data/attributes/url', 'url'],
    ['/data/attributes/event_types/1', 'event_types'],
    ['/data/attributes/authentication_payload', 'authentication_payload'],
    ['/data/attributes/bucket', undefined],
    ['/data', undefined],
    [undefined, undefined],
  ])('lays the error at %s on %s', (pointer, field) => {
    expect(fieldOf(pointer)).toBe(field);
  });

  it("turns the API's errors into problems of fields and of the form", () => {
    expect(
      problemsOf([
        {
          status: '422',
          code: 'invalid',
          title: 'Invalid attribute',
          detail: 'must be https',
          source: { pointer: '/data/attributes/url' },
        },
        { status: '409', code: 'quota', title: 'Too many webhooks', detail: '' },
      ]),
    ).toEqual([
      { field: 'url', message: 'must be https' },
      { field: undefined, message: 'Too many webhooks' },
    ]);
  });

  it('shows the delivered type as receivers get it', () => {
    expect(deliveredTypeOf({ prefix: 'CredoAI', suffix: 'v1' }, 'use_case_name_updated')).toBe(
      'CredoAI.use_case_name_updated.v1',
    );
    expect(deliveredTypeOf({ prefix: '', suffix: ' ' }, 'x')).toBe('x');
  });
});
