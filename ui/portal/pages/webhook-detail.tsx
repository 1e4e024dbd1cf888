import { useState } from 'preact/hooks';
import type { WebhookResource } from '../../../clients/typescript/src/index';
import { ConfirmDialog } from '../log/confirm-dialog';
import { defaultGraceSeconds, gracePeriods } from '../log/grace-periods';
import { useLoaded, useTitle } from '../log/hooks';
import {
  CopyButton,
  can,
  ErrorNotice,
  Loading,
  type PageProps,
  Time,
  WebhookHealth,
  WebhookStatus,
} from '../log/shell';
import { DeliveryLog } from './delivery-log';
import './log.css';

/**
 * One webhook: what it is and how it is doing, its signing secret (with the capability
 * `secrets`), a test event to send and watch arrive, and its delivery log.
 */

function WebhookFields({ webhook }: { webhook: WebhookResource }) {
  const a = webhook.attributes;
  return (
    <dl class="log-fields">
      <div>
        <dt>Status</dt>
        <dd>
          <WebhookStatus webhook={a} />
        </dd>
      </div>
      <div>
        <dt>Health</dt>
        <dd>
          <WebhookHealth webhook={a} />
        </dd>
      </div>
      <div>
        <dt>URL</dt>
        <dd>
          <code class="log-wrap">{a.url}</code>
        </dd>
      </div>
      <div>
        <dt>Event types</dt>
        <dd>
          <ul class="log-inline-list">
            {a.event_types.map((t) => (
              <li key={t}>
                <code>{t}</code>
              </li>
            ))}
          </ul>
        </dd>
      </div>
      <div>
        <dt>Delivered type</dt>
        <dd>
          <code>{[a.event_type_prefix, '<event type>', a.event_type_suffix].filter(Boolean).join('.')}</code>
        </dd>
      </div>
      <div>
        <dt>Environment</dt>
        <dd>{a.environment ?? <span class="muted">Every environment</span>}</dd>
      </div>
      <div>
        <dt>Authentication</dt>
        <dd>
          {a.authentication_method === 'o_auth' ? (
            <>
              OAuth: tokens from <code class="log-wrap">{a.authentication_server}</code> (
              {a.authentication_payload_type}); credential{' '}
              {a.has_authentication_payload ? 'stored, never shown' : 'missing'}
            </>
          ) : (
            'None (signature only)'
          )}
        </dd>
      </div>
      <div>
        <dt>Rate limit</dt>
        <dd>
          {a.rate_limit === null ? (
            <span class="muted">None</span>
          ) : (
            `${a.rate_limit} ${a.rate_limit === 1 ? 'delivery' : 'deliveries'} per second`
          )}
        </dd>
      </div>
      <div>
        <dt>Order</dt>
        <dd>{a.ordering === 'fifo' ? 'In order, one at a time (FIFO)' : 'Any order'}</dd>
      </div>
      <div>
        <dt>Payload filter</dt>
        <dd>
          {a.filter === null ? (
            <span class="muted">None: every event of its types</span>
          ) : (
            <pre class="log-json">{JSON.stringify(a.filter, null, 2)}</pre>
          )}
        </dd>
      </div>
      <div>
        <dt>Created</dt>
        <dd>
          <Time value={a.created_at} />
        </dd>
      </div>
      <div>
        <dt>Last changed</dt>
        <dd>
          <Time value={a.updated_at} />
        </dd>
      </div>
    </dl>
  );
}

/** The signing secret: hidden until asked for, then shown with a copy button; and its rotation. */
function SigningSecret({
  client,
  webhookId,
  canRotate,
}: PageProps & { webhookId: string; canRotate: boolean }) {
  const [secret, setSecret] = useState<{ key: string; previous: string[] } | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [grace, setGrace] = useState(defaultGraceSeconds);
  const [confirming, setConfirming] = useState(false);
  const [rotated, setRotated] = useState<
    { key: string; oldUntil: string; graceSeconds: number } | undefined
  >();

  const reveal = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { attributes } = (await client.webhooks.secret(webhookId)).data;
      setSecret({ key: attributes.key, previous: attributes.previous_keys.map((k) => k.expires_at) });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const rotate = async () => {
    setConfirming(false);
    setBusy(true);
    setError(undefined);
    try {
      const { attributes } = (await client.webhooks.rotateSecret(webhookId, { gracePeriodSeconds: grace }))
        .data;
      setRotated({ key: attributes.key, oldUntil: attributes.previous_key_expires_at, graceSeconds: grace });
      // What was revealed is the old secret now.
      setSecret(undefined);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const graceLabel = gracePeriods.find((g) => g.seconds === grace)?.label ?? `${grace} s`;

  return (
    <section aria-labelledby="secret-heading" class="log-section">
      <h2 id="secret-heading">Signing secret</h2>
      <p>
        Herald signs every delivery with this secret (Standard Webhooks): your endpoint verifies the{' '}
        <code>webhook-signature</code> header with it.
      </p>
      {secret ? (
        <div class="log-secret">
          <code class="log-wrap" id="signing-secret">
            {secret.key}
          </code>
          <div class="log-actions">
            <CopyButton text={secret.key} label="Copy signing secret" />
            <button type="button" class="button" onClick={() => setSecret(undefined)}>
              Hide secret
            </button>
          </div>
          {secret.previous.length > 0 && (
            <p class="hint">
              Older secrets still signing until:{' '}
              {secret.previous.map((until, i) => (
                <span key={until}>
                  {i > 0 && ', '}
                  <Time value={until} />
                </span>
              ))}
              .
            </p>
          )}
        </div>
      ) : (
        <p>
          <button type="button" class="button" onClick={reveal} disabled={busy}>
            Reveal signing secret
          </button>
        </p>
      )}
      {canRotate && (
        <form
          class="log-form"
          onSubmit={(e) => {
            e.preventDefault();
            setConfirming(true);
          }}
        >
          <h3>Rotate the secret</h3>
          <div class="log-field">
            <label for="grace-period">Old secret keeps signing for</label>
            <select id="grace-period" value={grace} onChange={(e) => setGrace(Number(e.currentTarget.value))}>
              {gracePeriods.map((g) => (
                <option key={g.seconds} value={g.seconds}>
                  {g.label}
                </option>
              ))}
            </select>
          </div>
          <p class="hint">
            While both sign, each delivery carries two signatures, so your endpoint keeps verifying until it
            has the new secret. Choose none if the old one leaked.
          </p>
          <button type="submit" class="button" disabled={busy}>
            Rotate secret…
          </button>
        </form>
      )}
      <ConfirmDialog
        open={confirming}
        title="Rotate the signing secret?"
        confirmLabel="Rotate"
        onConfirm={rotate}
        onCancel={() => setConfirming(false)}
      >
        <p>
          A new secret signs from now on. The old one keeps signing for: <strong>{graceLabel}</strong>.
        </p>
      </ConfirmDialog>
      {/* In the page from the start, so a screen reader hears it change; the secret itself is not read out. */}
      <p role="status">{rotated && 'Rotated. The new signing secret is below.'}</p>
      {rotated && (
        <div class="log-result">
          <p>The new signing secret:</p>
          <code class="log-wrap" id="new-signing-secret">
            {rotated.key}
          </code>
          <CopyButton text={rotated.key} label="Copy new signing secret" />
          <p>
            {rotated.graceSeconds === 0 ? (
              'The old secret no longer signs.'
            ) : (
              <>
                The old secret signs beside it until <Time value={rotated.oldUntil} />.
              </>
            )}
          </p>
        </div>
      )}
      <ErrorNotice error={error} />
    </section>
  );
}

/** Sends a test event of one of the webhook's types; the log below then watches for it. */
function TestEvent({
  client,
  webhook,
  onSent,
}: Omit<PageProps, 'session'> & { webhook: WebhookResource; onSent: (deliveryId: string) => void }) {
  const types = webhook.attributes.event_types;
  const [eventType, setEventType] = useState(types[0] ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [sent, setSent] = useState<string | undefined>();
  const send = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const { data } = await client.webhooks.test(webhook.id, eventType);
      setSent(data.id);
      onSent(data.id);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="test-heading" class="log-section">
      <h2 id="test-heading">Send a test event</h2>
      <form class="log-form log-form-row" onSubmit={send}>
        <div class="log-field">
          <label for="test-event-type">Test event type</label>
          <select
            id="test-event-type"
            value={eventType}
            onChange={(e) => setEventType(e.currentTarget.value)}
          >
            {types.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="button button-primary" disabled={busy || !eventType}>
          Send test event
        </button>
      </form>
      <p class="hint">The catalog's example of the type, signed and delivered like any event.</p>
      <p role="status">{sent && `Test event sent: delivery ${sent}. It appears in the log below.`}</p>
      <ErrorNotice error={error} />
    </section>
  );
}

export function WebhookDetailPage({ session, client, webhookId }: PageProps & { webhookId: string }) {
  const [loaded, reload] = useLoaded(async () => (await client.webhooks.get(webhookId)).data, webhookId);
  const [waitFor, setWaitFor] = useState<string | undefined>();
  const title = loaded.state === 'loaded' ? `Webhook ${loaded.value.attributes.description}` : 'Webhook';
  useTitle(title, session);
  const canWrite = can(session, 'write');
  return (
    <div class="log-page">
      <p>
        <a href="#/webhooks">All webhooks</a>
      </p>
      <h1>{title}</h1>
      {loaded.state === 'loading' && <Loading label="Loading the webhook" />}
      {loaded.state === 'failed' && <ErrorNotice error={loaded.error} />}
      {loaded.state === 'loaded' && (
        <>
          <p class="muted">
            <code>{loaded.value.id}</code>
            {canWrite && (
              <>
                {' · '}
                <a href={`#/webhooks/${webhookId}/edit`}>Edit webhook</a>
              </>
            )}
          </p>
          <WebhookFields webhook={loaded.value} />
          {can(session, 'secrets') && (
            <SigningSecret session={session} client={client} webhookId={webhookId} canRotate={canWrite} />
          )}
          {canWrite && (
            <TestEvent
              client={client}
              webhook={loaded.value}
              onSent={(id) => {
                setWaitFor(id);
                // The webhook's health moves with what the test meets.
                void reload();
              }}
            />
          )}
          <DeliveryLog
            session={session}
            client={client}
            webhookId={webhookId}
            eventTypes={loaded.value.attributes.event_types}
            waitFor={waitFor}
            onChange={reload}
          />
        </>
      )}
    </div>
  );
}
