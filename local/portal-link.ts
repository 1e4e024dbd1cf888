import { createHeraldClient } from '../clients/typescript/src/index';

/** How long the session `npm start` prints lasts: a working day and more, unlike a platform's hour. */
export const demoPortalSessionSeconds = 86_400;

/**
 * A ready-made portal link for `tenant` (`npm start` prints one for `demo`): a session opened with
 * its key through the client, exactly as a platform opens one for its customer. Apart from
 * local/ui.ts, which the tests' global setup loads without the client's module mapping.
 */
export async function portalLink(apiUrl: string, tenant: string, apiKey: string): Promise<string> {
  const client = createHeraldClient({ baseUrl: apiUrl, tenant, apiKey, auth: 'key' });
  const session = await client.portalSessions.create({ expires_in: demoPortalSessionSeconds });
  return session.data.attributes.url;
}
