import { ForbiddenError, NotFoundError } from '../errors';
import {
  issuePortalSession,
  type PortalCapability,
  type PortalSession,
  type PortalTheme,
} from '../portal-session';
import type { ApiKeyStore, Clock, SigningKeyProvider } from '../ports';
import type { Principal } from './auth';

export interface PortalDeps {
  keys: ApiKeyStore;
  signingKey: SigningKeyProvider;
  clock: Clock;
  /** The portal's base URL: the stack's distribution, or local mode's `/portal/`; none, no portal. */
  portalUrl: string | undefined;
}

export interface PortalSessionInput {
  expires_in?: number;
  capabilities?: PortalCapability[];
  return_url?: string;
  theme?: PortalTheme;
}

/** Only the tenant's own credential opens or ends sessions: a session cannot extend itself. */
function requireTenantCredential(principal: Principal): void {
  if (principal.portal) throw new ForbiddenError('A portal session cannot manage portal sessions.');
}

/** A new session for the caller's tenant, made by the caller's key. */
export async function createPortalSession(
  deps: PortalDeps,
  principal: Principal,
  input: PortalSessionInput,
): Promise<PortalSession> {
  requireTenantCredential(principal);
  if (!deps.portalUrl) throw new NotFoundError('This deployment serves no portal.');
  return issuePortalSession(
    {
      tenant: principal.tenant,
      keyId: principal.keyId,
      expiresInSeconds: input.expires_in,
      capabilities: input.capabilities,
      returnUrl: input.return_url,
      theme: input.theme,
    },
    await deps.signingKey.get(),
    deps.clock.now(),
    deps.portalUrl,
  );
}

/**
 * Ends every session of the caller's tenant issued until now. Deployed, API Gateway may still
 * answer from its cache of the authorizer's decision for up to `herald.authorizerCacheSeconds`.
 */
export async function revokePortalSessions(deps: PortalDeps, principal: Principal): Promise<Date> {
  requireTenantCredential(principal);
  const at = deps.clock.now();
  await deps.keys.revokePortalSessions(principal.tenant, at);
  return at;
}
