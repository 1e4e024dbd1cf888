import { looksLikeAccessToken, signAccessToken, verifyAccessToken } from '../access-token';
import { hashApiKey, tenantPattern } from '../api-key';
import { UnauthorizedError } from '../errors';
import { type PortalCapability, revokedBy, verifyPortalToken } from '../portal-session';
import type { ApiKeyStore, Clock, SigningKeyProvider } from '../ports';

/**
 * Who is calling: the tenant a key belongs to, and the key's id. A portal session's holder also
 * has its session id and capabilities, and may do only what they allow; a key or access token
 * has no capabilities listed and may do everything on its tenant.
 */
export interface Principal {
  tenant: string;
  keyId: string;
  portal?: { sessionId: string; capabilities: PortalCapability[] };
}

export interface AuthDeps {
  keys: ApiKeyStore;
  signingKey: SigningKeyProvider;
  clock: Clock;
  accessTokenTtlSeconds: number;
}

/** Reads `Authorization: Bearer <token>`; the scheme is case-insensitive. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^\s*Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

/**
 * Maps a bearer credential (an API key, or an access token from the key exchange) to its
 * principal. Anything else, including a revoked key or a token of a revoked key, is 401.
 */
export async function authenticate(deps: AuthDeps, authorization: string | undefined): Promise<Principal> {
  const token = bearerToken(authorization);
  if (!token || token.length > 4096) throw new UnauthorizedError();
  if (looksLikeAccessToken(token)) {
    const signingKey = await deps.signingKey.get();
    const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
    const claims = verifyAccessToken(token, signingKey, nowSeconds);
    if (claims) {
      const key = await deps.keys.findById(claims.tenant, claims.sub);
      if (!key || key.revokedAt)
        throw new UnauthorizedError('The API key behind this access token was revoked.');
      return { tenant: key.tenant, keyId: key.keyId };
    }
    const session = verifyPortalToken(token, signingKey, nowSeconds);
    if (!session) throw new UnauthorizedError('The access token is invalid or has expired.');
    const [key, revokedAt] = await Promise.all([
      deps.keys.findById(session.tenant, session.sub),
      deps.keys.portalSessionsRevokedAt(session.tenant),
    ]);
    if (!key || key.revokedAt || revokedBy(session.iat_ms, revokedAt)) {
      throw new UnauthorizedError('This portal session has ended.');
    }
    return {
      tenant: key.tenant,
      keyId: key.keyId,
      portal: { sessionId: session.sid, capabilities: session.cap },
    };
  }
  const key = await deps.keys.findByHash(hashApiKey(token));
  if (!key || key.revokedAt) throw new UnauthorizedError();
  return { tenant: key.tenant, keyId: key.keyId };
}

export interface AccessTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/**
 * The platform's key exchange (`CredoClientLite.authenticate()`): `{api_token, tenant}` for a
 * short-lived access token.
 */
export async function exchangeApiKey(
  deps: AuthDeps,
  request: { api_token: string; tenant: string },
): Promise<AccessTokenResponse> {
  const { tenant, api_token: apiToken } = request;
  // Only an API key buys a token; a token cannot extend itself.
  if (looksLikeAccessToken(apiToken)) throw new UnauthorizedError('api_token must be an API key.');
  const principal = await authenticate(deps, `Bearer ${apiToken}`);
  // A key for another tenant is as good as no key here: say nothing about either tenant.
  if (!tenantPattern.test(tenant) || principal.tenant !== tenant) throw new UnauthorizedError();
  const iat = Math.floor(deps.clock.now().getTime() / 1000);
  const token = signAccessToken(
    { sub: principal.keyId, tenant, iat, exp: iat + deps.accessTokenTtlSeconds, iss: 'herald' },
    await deps.signingKey.get(),
  );
  return { access_token: token, token_type: 'Bearer', expires_in: deps.accessTokenTtlSeconds };
}
