import type { PortalCapability } from './portal-session';

/**
 * What each API route asks of a portal session: the capabilities it needs, or `tenant` where
 * only the tenant's own credential (an API key or its access token) will do. A key or access
 * token may call every route of its tenant. The authorizer's policy and the API's second check
 * are both made from this one table.
 */
export type RouteAccess = readonly PortalCapability[] | 'tenant';

export type RouteMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Route patterns below `/api/v2/{tenant}/`, `:id` standing for one path segment. */
export const routeAccess: Readonly<Record<string, Partial<Record<RouteMethod, RouteAccess>>>> = {
  webhooks: { GET: ['read'], POST: ['write'] },
  // Before `webhooks/:id`, which would otherwise take it for a webhook id. Reads nothing stored,
  // changes nothing: a read-only session may try filters.
  'webhooks/filter-test': { POST: ['read'] },
  'webhooks/:id': { GET: ['read'], PATCH: ['write'], DELETE: ['write'] },
  'webhooks/:id/deliveries': { GET: ['read'] },
  'webhooks/:id/deliveries/:id': { GET: ['read'] },
  'webhooks/:id/deliveries/:id/retry': { POST: ['write'] },
  'webhooks/:id/recover': { POST: ['write'] },
  'webhooks/:id/test': { POST: ['write'] },
  'webhooks/:id/secret': { GET: ['read', 'secrets'] },
  // The answer shows the new secret.
  'webhooks/:id/secret/rotate': { POST: ['write', 'secrets'] },
  'webhook-event-types': { GET: ['read'] },
  // A session cannot open another, nor end its platform's sessions.
  'portal-sessions': { POST: 'tenant', DELETE: 'tenant' },
};

/** Whether a caller with `capabilities` (undefined: the tenant's own credential) may use a route. */
export function accessAllows(
  access: RouteAccess | undefined,
  capabilities: readonly PortalCapability[] | undefined,
) {
  if (capabilities === undefined) return true;
  if (access === undefined || access === 'tenant') return false;
  return access.every((needed) => capabilities.includes(needed));
}
