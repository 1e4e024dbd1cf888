import { useEffect, useRef, useState } from 'preact/hooks';
import type { HeraldClient, WebhookResource } from '../../../clients/typescript/src/index';
import { routes } from '../routes';
import { ErrorNotice } from './error-notice';
import { WebhookStatus } from './webhook-status';

/**
 * What a session with `write` may do to a webhook besides editing it: disable it with a reason or
 * enable it again, and delete it after saying so. Used by the edit page; any page may show them.
 */

export function StatusSection({
  client,
  webhook,
  onChanged,
}: {
  client: HeraldClient;
  webhook: WebhookResource;
  onChanged: (webhook: WebhookResource) => void;
}) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [said, setSaid] = useState('');
  const enabled = webhook.attributes.status === 'enabled';
  const change = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const next = enabled
        ? await client.webhooks.disable(webhook.id, reason.trim() || undefined)
        : await client.webhooks.enable(webhook.id);
      setReason('');
      onChanged(next.data);
      setSaid(enabled ? 'Webhook disabled.' : 'Webhook enabled.');
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="section" aria-labelledby="status-heading">
      <h2 id="status-heading">Status</h2>
      <p>
        Now: <WebhookStatus webhook={webhook.attributes} />
      </p>
      <form onSubmit={change} aria-labelledby="status-heading">
        {enabled ? (
          <>
            <p class="hint">A disabled webhook receives nothing until it is enabled again.</p>
            <div class="field">
              <label for="disable-reason">
                Reason <span class="optional">(optional)</span>
              </label>
              <input
                id="disable-reason"
                name="disabled_reason"
                maxLength={256}
                value={reason}
                onInput={(e) => setReason(e.currentTarget.value)}
              />
            </div>
            <button type="submit" class="button" disabled={busy}>
              Disable webhook
            </button>
          </>
        ) : (
          <button type="submit" class="button button-primary" disabled={busy}>
            Enable webhook
          </button>
        )}
      </form>
      <ErrorNotice error={error} />
      <p role="status" class="saved">
        {said}
      </p>
    </section>
  );
}

export function DeleteSection({ client, webhook }: { client: HeraldClient; webhook: WebhookResource }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const confirm = useRef<HTMLButtonElement>(null);
  const start = useRef<HTMLButtonElement>(null);
  const shown = useRef(false);
  useEffect(() => {
    // Focus follows the question, and back to where it was asked when it is withdrawn.
    if (confirming) confirm.current?.focus();
    else if (shown.current) start.current?.focus();
    shown.current = confirming;
  }, [confirming]);
  const remove = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await client.webhooks.delete(webhook.id);
      location.hash = routes.webhooks;
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };
  return (
    <section class="section danger" aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete</h2>
      {confirming ? (
        <div>
          <p id="delete-question">
            Delete “{webhook.attributes.description}”? Deliveries to it stop at once, and this cannot be
            undone.
          </p>
          <div class="form-actions">
            <button
              type="button"
              class="button button-danger"
              ref={confirm}
              aria-describedby="delete-question"
              disabled={busy}
              onClick={remove}
            >
              Delete for good
            </button>
            <button type="button" class="button" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </div>
        </div>
      ) : (
        <button type="button" class="button button-danger" ref={start} onClick={() => setConfirming(true)}>
          Delete webhook…
        </button>
      )}
      <ErrorNotice error={error} />
    </section>
  );
}
