import { useState } from 'preact/hooks';
import { createHeraldClient, HeraldApiError } from '../../../clients/typescript/src/index';
import { ErrorNotice } from '../components/error-notice';
import { usePageTitle } from '../components/page-title';
import { keepSession, type PortalSession, sessionFromToken } from '../session';

/**
 * Local mode only: a developer opens the portal without a platform by trading a tenant's API key
 * for a session (`POST /portal-sessions`), as a platform would. The key is sent once and kept
 * nowhere: not in storage, and not in the form once it has been sent.
 */
export function SignInPage({
  tenant: suggested,
  onSignedIn,
}: {
  tenant: string;
  onSignedIn: (session: PortalSession) => void;
}) {
  usePageTitle('Sign in', undefined);
  const [tenant, setTenant] = useState(suggested);
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const submit = async (event: Event) => {
    event.preventDefault();
    const apiKey = key.trim();
    setKey('');
    setBusy(true);
    setError(undefined);
    try {
      const client = createHeraldClient({
        baseUrl: location.origin,
        tenant: tenant.trim(),
        apiKey,
        auth: 'key',
      });
      const opened = await client.portalSessions.create({});
      const session = sessionFromToken(opened.data.attributes.token);
      if (!session) throw new Error('The API answered a token that is no portal session.');
      keepSession(session);
      onSignedIn(session);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const refused = error instanceof HeraldApiError && (error.status === 401 || error.status === 403);
  return (
    <div class="narrow">
      <h1>Sign in to the webhooks portal</h1>
      <p>
        Local mode: open a session with a tenant's API key, as a platform does for its customers.{' '}
        <code>npm start</code> also prints a ready-made session link.
      </p>
      {refused ? (
        <div class="notice notice-error" role="alert">
          <p>That key does not open tenant {tenant}: check both.</p>
        </div>
      ) : (
        <ErrorNotice error={error} />
      )}
      <form onSubmit={submit} aria-label="Sign in">
        <div class="field">
          <label for="sign-in-tenant">Tenant</label>
          <input
            id="sign-in-tenant"
            name="tenant"
            autocomplete="off"
            spellcheck={false}
            required
            value={tenant}
            onInput={(e) => setTenant(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="sign-in-key">API key</label>
          <p id="sign-in-key-hint" class="hint">
            Used once to open the session, then forgotten.
          </p>
          <input
            id="sign-in-key"
            name="api_key"
            type="password"
            autocomplete="off"
            spellcheck={false}
            required
            value={key}
            aria-describedby="sign-in-key-hint"
            onInput={(e) => setKey(e.currentTarget.value)}
          />
        </div>
        <button type="submit" class="button button-primary" disabled={busy}>
          Open the portal
        </button>
      </form>
    </div>
  );
}
