import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Short-lived access tokens from `POST /auth/exchange`: compact JWTs signed with HMAC-SHA256 under
 * a key the stack generates and keeps in Secrets Manager. They name the API key they came from,
 * so revoking the key revokes its tokens too.
 */
export interface AccessTokenClaims {
  /** The API key id. */
  sub: string;
  tenant: string;
  iat: number;
  exp: number;
  iss: 'herald';
}

const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

function mac(key: string, input: string): Buffer {
  return createHmac('sha256', key).update(input).digest();
}

/** Signs any claims as a compact JWT (HS256): access tokens and portal session tokens. */
export function signToken(claims: object, key: string): string {
  const body = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${body}.${mac(key, body).toString('base64url')}`;
}

export function signAccessToken(claims: AccessTokenClaims, key: string): string {
  return signToken(claims, key);
}

/** True when the string has the shape of a JWT, so it is not mistaken for an API key. */
export function looksLikeAccessToken(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

/**
 * The payload of a token signed with `key` and unexpired at `nowSeconds`, for `isClaims` to
 * check; undefined for anything else.
 */
export function verifySignedToken<T extends { exp: number }>(
  token: string,
  key: string,
  nowSeconds: number,
  isClaims: (value: unknown) => value is T,
): T | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== header) return undefined;
  const [, payload = '', signature = ''] = parts;
  const expected = mac(key, `${header}.${payload}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isClaims(claims) || claims.exp <= nowSeconds) return undefined;
  return claims;
}

/** The claims of a valid, unexpired access token; undefined for anything else (a portal token too). */
export function verifyAccessToken(
  token: string,
  key: string,
  nowSeconds: number,
): AccessTokenClaims | undefined {
  return verifySignedToken(token, key, nowSeconds, isClaims);
}

function isClaims(value: unknown): value is AccessTokenClaims {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    c.iss === 'herald' &&
    // A portal session's token has an audience and narrower rights: never a full access token.
    c.aud === undefined &&
    typeof c.sub === 'string' &&
    typeof c.tenant === 'string' &&
    typeof c.iat === 'number' &&
    typeof c.exp === 'number'
  );
}
