import { randomBytes } from 'node:crypto';
import { signToken, verifySignedToken } from './access-token';

/**
 * Portal sessions: what a platform hands its customer to open the portal. A session is a signed
 * token (no item per session): scoped to one tenant, short-lived, with capabilities, and
 * revocable all at once per tenant (a time before which every session of the tenant is void).
 * It names the API key that made it, so revoking that key ends its sessions too. No zod here: the
 * authorizer verifies these and stays small.
 */

/** `read`: see webhooks, the catalog and the log. `write`: change them, test, retry, recover. `secrets`: reveal and rotate signing secrets. */
export const portalCapabilities = ['read', 'write', 'secrets'] as const;
export type PortalCapability = (typeof portalCapabilities)[number];

export const portalSessionLimits = {
  defaultSeconds: 3600,
  minSeconds: 60,
  maxSeconds: 7 * 86_400,
} as const;

/** How the platform dresses the portal for this session. */
export interface PortalTheme {
  name?: string;
  accent_color?: string;
  logo_url?: string;
}

export interface PortalSessionClaims {
  iss: 'herald';
  aud: 'portal';
  /** The session id. */
  sid: string;
  /** The API key that made the session. */
  sub: string;
  tenant: string;
  iat: number;
  /** Issued at, in milliseconds: compared with the tenant's revocation time. */
  iat_ms: number;
  exp: number;
  cap: PortalCapability[];
  /** Where the portal's "back" and "session expired" pages send the customer. */
  return_url?: string;
  theme?: PortalTheme;
}

export interface PortalSessionRequest {
  tenant: string;
  keyId: string;
  expiresInSeconds?: number;
  capabilities?: PortalCapability[];
  returnUrl?: string;
  theme?: PortalTheme;
}

export interface PortalSession {
  id: string;
  token: string;
  url: string;
  expiresAt: Date;
  capabilities: PortalCapability[];
}

/** Signs a new session; `portalUrl` is the portal's base, the token goes in the URL's fragment. */
export function issuePortalSession(
  request: PortalSessionRequest,
  signingKey: string,
  now: Date,
  portalUrl: string,
): PortalSession {
  const nowMs = now.getTime();
  const iat = Math.floor(nowMs / 1000);
  const lifetime = request.expiresInSeconds ?? portalSessionLimits.defaultSeconds;
  // Listed in the catalog's order, each once: the token and the answer say them the same way.
  const capabilities = portalCapabilities.filter((c) =>
    (request.capabilities ?? portalCapabilities).includes(c),
  );
  const claims: PortalSessionClaims = {
    iss: 'herald',
    aud: 'portal',
    sid: `ps_${randomBytes(12).toString('base64url')}`,
    sub: request.keyId,
    tenant: request.tenant,
    iat,
    iat_ms: nowMs,
    exp: iat + lifetime,
    cap: capabilities,
    ...(request.returnUrl ? { return_url: request.returnUrl } : {}),
    ...(request.theme && Object.keys(request.theme).length > 0 ? { theme: request.theme } : {}),
  };
  const token = signToken(claims, signingKey);
  // The fragment never reaches a server: not CloudFront's logs, not a proxy's.
  const url = `${portalUrl}#token=${token}`;
  return { id: claims.sid, token, url, expiresAt: new Date(claims.exp * 1000), capabilities };
}

/** True when the string names a capability. */
function isCapability(value: unknown): value is PortalCapability {
  return typeof value === 'string' && (portalCapabilities as readonly string[]).includes(value);
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

function isTheme(value: unknown): value is PortalTheme {
  if (value === undefined) return true;
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Record<string, unknown>;
  return isOptionalString(t.name) && isOptionalString(t.accent_color) && isOptionalString(t.logo_url);
}

export function isPortalSessionClaims(value: unknown): value is PortalSessionClaims {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    c.iss === 'herald' &&
    c.aud === 'portal' &&
    typeof c.sid === 'string' &&
    typeof c.sub === 'string' &&
    typeof c.tenant === 'string' &&
    typeof c.iat === 'number' &&
    typeof c.iat_ms === 'number' &&
    typeof c.exp === 'number' &&
    Array.isArray(c.cap) &&
    c.cap.every(isCapability) &&
    isOptionalString(c.return_url) &&
    isTheme(c.theme)
  );
}

/** The claims of a valid, unexpired portal session token; undefined for anything else. */
export function verifyPortalToken(
  token: string,
  key: string,
  nowSeconds: number,
): PortalSessionClaims | undefined {
  return verifySignedToken(token, key, nowSeconds, isPortalSessionClaims);
}

/** Whether a session issued at `issuedAtMs` is void because the tenant ended its sessions at or after it. */
export function revokedBy(issuedAtMs: number, revokedAt: Date | undefined): boolean {
  return revokedAt !== undefined && issuedAtMs <= revokedAt.getTime();
}
