import { createHeraldClient, type HeraldClient } from '../../clients/typescript/src/index';
import type { PortalSession } from './session';

/**
 * The API client of a portal session: the API on the page's own origin (CloudFront forwards
 * `/api/*`; local mode serves both), the session token as the bearer. Any 401 means the session is
 * over (expired, revoked, or its key revoked): the shell hears of it and shows the expiry page.
 */

const ended = new EventTarget();

/** Calls `listener` whenever the API answers 401; answers the function that stops listening. */
export function onSessionEnded(listener: () => void): () => void {
  ended.addEventListener('ended', listener);
  return () => ended.removeEventListener('ended', listener);
}

export function portalClient(session: PortalSession): HeraldClient {
  return createHeraldClient({
    baseUrl: location.origin,
    tenant: session.tenant,
    apiKey: session.token,
    auth: 'key',
    fetch: async (request) => {
      const response = await fetch(request);
      if (response.status === 401) ended.dispatchEvent(new Event('ended'));
      return response;
    },
  });
}
