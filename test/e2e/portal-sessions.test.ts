import { z } from 'zod';
import { createHeraldClient, HeraldApiError } from '../../clients/typescript/src';
import { seedBodies } from '../helpers';
import type { Api } from './support/api';
import { useLocalHerald } from './support/local';

/**
 * Portal sessions through local mode: made with a tenant's key, they open the tenant's routes
 * their capabilities allow (the authorizer's policy, as API Gateway applies it, and the API's own
 * check), nothing of any other tenant, and end when the tenant revokes them or its key.
 */
const local = useLocalHerald('portal-sessions');

const sessionSchema = z.object({
  data: z.object({
    type: z.literal('portal-session'),
    id: z.string().regex(/^ps_/),
    attributes: z.object({
      url: z.string(),
      token: z.string(),
      expires_at: z.string(),
      capabilities: z.array(z.string()),
    }),
  }),
});

/** Opens a session with `attributes` using `api` (a tenant key's); answers it and an Api with its token. */
async function openSession(api: Api, attributes?: Record<string, unknown>) {
  const res = await api('POST', '/portal-sessions', attributes ? { data: { attributes } } : undefined);
  expect(res.status).toBe(201);
  const session = sessionSchema.parse(res.body).data;
  const asSession: Api = (method, path, body, options = {}) =>
    api(method, path, body, { ...options, key: session.attributes.token });
  return { session, asSession };
}

describe('portal sessions', () => {
  it('opens a session for an hour with every capability, its token in the URL fragment of local mode’s portal', async () => {
    const before = Date.now();
    const { session } = await openSession(local.api);
    const { url, token, expires_at: expiresAt, capabilities } = session.attributes;
    expect(url).toBe(`${local.herald.apiUrl}/portal/#token=${token}`);
    expect(capabilities).toEqual(['read', 'write', 'secrets']);
    const lifetime = Date.parse(expiresAt) - before;
    expect(lifetime).toBeGreaterThan(3_590_000);
    expect(lifetime).toBeLessThanOrEqual(3_601_000);
  });

  it('lets a full session do what the portal does: list, create, read the secret, send a test', async () => {
    const { asSession } = await openSession(local.api, { expires_in: 600 });
    const created = await asSession('POST', '/webhooks', structuredClone(seedBodies.none));
    expect(created.status).toBe(201);
    const id = z.object({ id: z.string() }).parse(created.body.data).id;
    expect((await asSession('GET', '/webhooks')).status).toBe(200);
    expect((await asSession('GET', `/webhooks/${id}/secret`)).status).toBe(200);
    expect((await asSession('GET', '/webhook-event-types')).status).toBe(200);
    expect((await asSession('GET', `/webhooks/${id}/deliveries`)).status).toBe(200);
  });

  it('keeps a read-only session to reading: no change, no test, no secret', async () => {
    const { id } = await local.createWebhook();
    const { session, asSession } = await openSession(local.api, { capabilities: ['read'] });
    expect(session.attributes.capabilities).toEqual(['read']);
    expect((await asSession('GET', `/webhooks/${id}`)).status).toBe(200);
    expect((await asSession('GET', `/webhooks/${id}/deliveries`)).status).toBe(200);
    const refused = [
      await asSession('POST', '/webhooks', structuredClone(seedBodies.none)),
      await asSession('PATCH', `/webhooks/${id}`, { data: { attributes: { description: 'changed' } } }),
      await asSession('DELETE', `/webhooks/${id}`),
      await asSession('POST', `/webhooks/${id}/test`, {
        data: { attributes: { event_type: 'use_case_name_updated' } },
      }),
      await asSession('GET', `/webhooks/${id}/secret`),
      await asSession('POST', `/webhooks/${id}/secret/rotate`),
      await asSession('POST', `/webhooks/${id}/recover`, {
        data: { attributes: { since: '2026-01-01T00:00:00Z' } },
      }),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403, 403]);
    // Nothing changed behind the refusals.
    const after = await local.api('GET', `/webhooks/${id}`);
    expect(after.status).toBe(200);
    expect(JSON.stringify(after.body)).toContain(seedBodies.none.data.attributes.description);
  });

  it('keeps a session without `secrets` from revealing or rotating a secret while it may edit', async () => {
    const { id } = await local.createWebhook();
    const { asSession } = await openSession(local.api, { capabilities: ['read', 'write'] });
    const patched = await asSession('PATCH', `/webhooks/${id}`, {
      data: { attributes: { description: 'edited' } },
    });
    expect(patched.status).toBe(200);
    expect((await asSession('GET', `/webhooks/${id}/secret`)).status).toBe(403);
    expect((await asSession('POST', `/webhooks/${id}/secret/rotate`)).status).toBe(403);
    // Nor does a webhook it creates show its secret.
    const created = await asSession('POST', '/webhooks', structuredClone(seedBodies.none));
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain('signing_secret');
    expect(JSON.stringify(created.body)).not.toContain('whsec_');
  });

  it('does not let a session open or end sessions, nor buy an access token', async () => {
    const { session, asSession } = await openSession(local.api);
    expect((await asSession('POST', '/portal-sessions')).status).toBe(403);
    expect((await asSession('DELETE', '/portal-sessions')).status).toBe(403);
    const exchange = await local.root('POST', '/auth/exchange', {
      body: { api_token: session.attributes.token, tenant: 'demo' },
    });
    expect(exchange.status).toBe(401);
  });

  it('reaches nothing of another tenant', async () => {
    const other = await local.newTenant();
    const { id } = await local.createWebhook(undefined, other.api);
    const { asSession } = await openSession(local.api);
    const res = await local.root('GET', `/api/v2/${other.tenant}/webhooks/${id}`, {
      key: (await openSession(local.api)).session.attributes.token,
    });
    expect(res.status).toBe(403);
    expect((await asSession('GET', `${local.herald.apiUrl}/api/v2/${other.tenant}/webhooks`)).status).toBe(
      403,
    );
  });

  it('ends every session of the tenant on DELETE, and a new one works after', async () => {
    const tenant = await local.newTenant();
    const first = await openSession(tenant.api);
    const second = await openSession(tenant.api, { capabilities: ['read'] });
    const otherTenants = await openSession(local.api);
    expect((await first.asSession('GET', '/webhooks')).status).toBe(200);
    expect((await tenant.api('DELETE', '/portal-sessions')).status).toBe(204);
    expect((await first.asSession('GET', '/webhooks')).status).toBe(401);
    expect((await second.asSession('GET', '/webhooks')).status).toBe(401);
    // Another tenant's sessions are untouched.
    expect((await otherTenants.asSession('GET', '/webhooks')).status).toBe(200);
    const fresh = await openSession(tenant.api);
    expect((await fresh.asSession('GET', '/webhooks')).status).toBe(200);
  });

  it('ends the sessions a key made when the key is revoked', async () => {
    const tenant = await local.newTenant();
    const { asSession } = await openSession(tenant.api);
    expect((await asSession('GET', '/webhooks')).status).toBe(200);
    await local.revokeKey(tenant.tenant, tenant.keyId);
    expect((await asSession('GET', '/webhooks')).status).toBe(401);
  });

  it('refuses a tampered token', async () => {
    const { session } = await openSession(local.api, { capabilities: ['read'] });
    const [head = '', payload = '', signature = ''] = session.attributes.token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const widened = Buffer.from(JSON.stringify({ ...claims, cap: ['read', 'write', 'secrets'] })).toString(
      'base64url',
    );
    const res = await local.api('GET', '/webhooks', undefined, { key: `${head}.${widened}.${signature}` });
    expect(res.status).toBe(401);
  });

  it('answers 422 pointing at each bad option', async () => {
    const bad = async (attributes: Record<string, unknown>) => {
      const res = await local.api('POST', '/portal-sessions', { data: { attributes } });
      expect(res.status).toBe(422);
      return res.body.errors?.map((e) => e.source?.pointer);
    };
    expect(await bad({ expires_in: 10 })).toEqual(['/data/attributes/expires_in']);
    expect(await bad({ expires_in: 8 * 86_400 })).toEqual(['/data/attributes/expires_in']);
    expect(await bad({ capabilities: ['write'] })).toEqual(['/data/attributes/capabilities']);
    expect(await bad({ capabilities: ['read', 'admin'] })).toEqual(['/data/attributes/capabilities/1']);
    expect(await bad({ return_url: 'javascript:alert(1)' })).toEqual(['/data/attributes/return_url']);
    expect(await bad({ theme: { accent_color: 'red' } })).toEqual(['/data/attributes/theme/accent_color']);
    expect(await bad({ theme: { logo_url: 'data:text/html,x' } })).toEqual([
      '/data/attributes/theme/logo_url',
    ]);
    expect(await bad({ owner: 'me' })).toEqual(['/data/attributes/owner']);
  });

  it('are opened and ended through the TypeScript client, whose session then works as a client of its own', async () => {
    const tenant = await local.newTenant();
    const platform = createHeraldClient({
      baseUrl: local.herald.apiUrl,
      tenant: tenant.tenant,
      apiKey: tenant.key,
    });
    const { data } = await platform.portalSessions.create({ capabilities: ['read'], expires_in: 300 });
    expect(data.attributes.capabilities).toEqual(['read']);
    const customer = createHeraldClient({
      baseUrl: local.herald.apiUrl,
      tenant: tenant.tenant,
      apiKey: data.attributes.token,
      auth: 'key',
    });
    expect((await customer.webhooks.list()).data).toEqual([]);
    const attributes = seedBodies.none.data.attributes;
    const refused = await customer.webhooks
      .create({ ...attributes, event_types: [...attributes.event_types] })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HeraldApiError);
    expect(refused).toMatchObject({ status: 403 });
    await platform.portalSessions.revokeAll();
    await expect(customer.webhooks.list()).rejects.toMatchObject({ status: 401 });
  });
});
