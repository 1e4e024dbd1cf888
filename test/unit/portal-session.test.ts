import type { APIGatewayProxyEvent } from 'aws-lambda';
import { signAccessToken, verifyAccessToken } from '../../functions/domain/access-token';
import { newApiKey } from '../../functions/domain/api-key';
import { ForbiddenError, UnauthorizedError } from '../../functions/domain/errors';
import {
  issuePortalSession,
  type PortalCapability,
  revokedBy,
  verifyPortalToken,
} from '../../functions/domain/portal-session';
import type { ApiKeyStore } from '../../functions/domain/ports';
import { authenticate, type Principal } from '../../functions/domain/use-cases/auth';
import { type ApiDeps, principalOf, routeTenantRequest } from '../../functions/shared/api-routes';
import { policyAllows, tenantPolicy } from '../../functions/shared/authorizer-policy';

const signingKey = 'portal-test-signing-key-0123456789';
const now = new Date('2026-11-27T12:00:00.000Z');
const nowSeconds = now.getTime() / 1000;

function session(capabilities?: PortalCapability[], expiresInSeconds?: number) {
  return issuePortalSession(
    { tenant: 'acme', keyId: 'key_acme', capabilities, expiresInSeconds },
    signingKey,
    now,
    'https://portal.example.com/',
  );
}

describe('portal session tokens', () => {
  it('verify until they expire, and not after', () => {
    const { token, expiresAt } = session(undefined, 600);
    expect(expiresAt.toISOString()).toBe('2026-11-27T12:10:00.000Z');
    expect(verifyPortalToken(token, signingKey, nowSeconds + 599)).toMatchObject({
      tenant: 'acme',
      sub: 'key_acme',
      cap: ['read', 'write', 'secrets'],
    });
    expect(verifyPortalToken(token, signingKey, nowSeconds + 600)).toBeUndefined();
    expect(verifyPortalToken(token, 'another-key-0123456789abcdef', nowSeconds)).toBeUndefined();
  });

  it('are never taken for access tokens, nor access tokens for them', () => {
    const portal = session(['read']).token;
    expect(verifyAccessToken(portal, signingKey, nowSeconds)).toBeUndefined();
    const access = signAccessToken(
      { sub: 'key_acme', tenant: 'acme', iat: nowSeconds, exp: nowSeconds + 900, iss: 'herald' },
      signingKey,
    );
    expect(verifyPortalToken(access, signingKey, nowSeconds)).toBeUndefined();
  });

  it('list capabilities once each, in a fixed order, and carry the link in the fragment', () => {
    const made = session(['secrets', 'read', 'read']);
    expect(made.capabilities).toEqual(['read', 'secrets']);
    expect(made.url).toBe(`https://portal.example.com/#token=${made.token}`);
  });

  it('are void when issued at or before the tenant’s revocation', () => {
    expect(revokedBy(1000, undefined)).toBe(false);
    expect(revokedBy(1000, new Date(999))).toBe(false);
    expect(revokedBy(1000, new Date(1000))).toBe(true);
    expect(revokedBy(1000, new Date(5000))).toBe(true);
  });
});

describe('authenticating a portal session', () => {
  const { record } = newApiKey('acme', now);
  let revokedAt: Date | undefined;
  const keys: ApiKeyStore = {
    create: async () => undefined,
    findByHash: async () => undefined,
    findById: async (tenant, keyId) => (tenant === 'acme' && keyId === record.keyId ? record : undefined),
    list: async () => [record],
    revoke: async () => true,
    portalSessionsRevokedAt: async () => revokedAt,
    revokePortalSessions: async (_tenant, at) => {
      revokedAt = at;
    },
  };
  let clock = now;
  const deps = {
    keys,
    signingKey: { get: async () => signingKey },
    clock: { now: () => clock },
    accessTokenTtlSeconds: 900,
  };
  const token = () =>
    issuePortalSession({ tenant: 'acme', keyId: record.keyId, capabilities: ['read'] }, signingKey, now, '/')
      .token;

  beforeEach(() => {
    revokedAt = undefined;
    clock = now;
  });

  it('answers the tenant, key, session and capabilities', async () => {
    const principal = await authenticate(deps, `Bearer ${token()}`);
    expect(principal).toMatchObject({
      tenant: 'acme',
      keyId: record.keyId,
      portal: { capabilities: ['read'] },
    });
    expect(principal.portal?.sessionId).toMatch(/^ps_/);
  });

  it('refuses it once expired or revoked', async () => {
    const issued = token();
    clock = new Date(now.getTime() + 3_600_000);
    await expect(authenticate(deps, `Bearer ${issued}`)).rejects.toBeInstanceOf(UnauthorizedError);
    clock = now;
    revokedAt = new Date(now.getTime() + 1);
    await expect(authenticate(deps, `Bearer ${issued}`)).rejects.toBeInstanceOf(UnauthorizedError);
  });
});

describe('a portal session’s policy, as API Gateway applies it', () => {
  const arn = (method: string, path: string) =>
    `arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/live/${method}${path}`;
  const principal = (capabilities: PortalCapability[]): Principal => ({
    tenant: 'acme',
    keyId: 'key_acme',
    portal: { sessionId: 'ps_1', capabilities },
  });
  const allows = (capabilities: PortalCapability[], method: string, path: string) =>
    policyAllows(tenantPolicy(arn(method, path), principal(capabilities)), arn(method, path));

  it.each<[string, string]>([
    ['GET', '/api/v2/acme/webhooks'],
    ['GET', '/api/v2/acme/webhooks/wh_1'],
    ['GET', '/api/v2/acme/webhooks/wh_1/deliveries'],
    ['GET', '/api/v2/acme/webhooks/wh_1/deliveries/dl_1'],
    ['GET', '/api/v2/acme/webhook-event-types'],
  ])('lets a read-only session %s %s', (method, path) => {
    expect(allows(['read'], method, path)).toBe(true);
  });

  it.each<[string, string]>([
    ['POST', '/api/v2/acme/webhooks'],
    ['PATCH', '/api/v2/acme/webhooks/wh_1'],
    ['DELETE', '/api/v2/acme/webhooks/wh_1'],
    ['POST', '/api/v2/acme/webhooks/wh_1/test'],
    ['POST', '/api/v2/acme/webhooks/wh_1/recover'],
    ['POST', '/api/v2/acme/webhooks/wh_1/deliveries/dl_1/retry'],
    ['GET', '/api/v2/acme/webhooks/wh_1/secret'],
    ['POST', '/api/v2/acme/webhooks/wh_1/secret/rotate'],
    ['POST', '/api/v2/acme/portal-sessions'],
    ['GET', '/api/v2/globex/webhooks'],
  ])('keeps a read-only session from %s %s', (method, path) => {
    expect(allows(['read'], method, path)).toBe(false);
  });

  it('gives `secrets` the secret routes, and never the session routes', () => {
    expect(allows(['read', 'write'], 'GET', '/api/v2/acme/webhooks/wh_1/secret')).toBe(false);
    expect(allows(['read', 'secrets'], 'GET', '/api/v2/acme/webhooks/wh_1/secret')).toBe(true);
    expect(allows(['read', 'secrets'], 'POST', '/api/v2/acme/webhooks/wh_1/secret/rotate')).toBe(false);
    expect(allows(['read', 'write', 'secrets'], 'POST', '/api/v2/acme/webhooks/wh_1/secret/rotate')).toBe(
      true,
    );
    expect(allows(['read', 'write', 'secrets'], 'POST', '/api/v2/acme/portal-sessions')).toBe(false);
    expect(allows(['read', 'write', 'secrets'], 'DELETE', '/api/v2/acme/portal-sessions')).toBe(false);
  });

  it('lets the tenant’s own key manage sessions', () => {
    const key: Principal = { tenant: 'acme', keyId: 'key_acme' };
    const path = '/api/v2/acme/portal-sessions';
    expect(policyAllows(tenantPolicy(arn('POST', path), key), arn('POST', path))).toBe(true);
  });
});

describe('the API’s own check of a portal session (the second lock)', () => {
  const event = (method: string, path: string, context: Record<string, string>) =>
    ({
      httpMethod: method,
      path,
      headers: {},
      body: null,
      isBase64Encoded: false,
      queryStringParameters: null,
      requestContext: { authorizer: context },
    }) as unknown as APIGatewayProxyEvent;

  it('reads the session from the authorizer’s context', () => {
    const read = event('GET', '/api/v2/acme/webhooks', {
      tenant: 'acme',
      keyId: 'key_acme',
      portalSession: 'ps_1',
      capabilities: 'read,bogus',
    });
    expect(principalOf(read)).toEqual({
      tenant: 'acme',
      keyId: 'key_acme',
      portal: { sessionId: 'ps_1', capabilities: ['read'] },
    });
    expect(principalOf(event('GET', '/', { tenant: 'acme', keyId: 'k' }))).toEqual({
      tenant: 'acme',
      keyId: 'k',
    });
  });

  it('refuses a route the capabilities do not cover before any use case runs', async () => {
    // Deps that throw if touched: the refusal must come before them.
    const untouchable = new Proxy({} as ApiDeps, {
      get: () => {
        throw new Error('a use case ran');
      },
    });
    const post = event('POST', '/api/v2/acme/webhooks', {
      tenant: 'acme',
      keyId: 'key_acme',
      portalSession: 'ps_1',
      capabilities: 'read',
    });
    const refusal = routeTenantRequest(untouchable, post, principalOf(post));
    await expect(refusal).rejects.toBeInstanceOf(ForbiddenError);
    await expect(refusal).rejects.toMatchObject({ problems: [{ code: 'capability_missing' }] });
  });
});
