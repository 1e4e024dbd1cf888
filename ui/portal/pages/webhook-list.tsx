import { useEffect, useState } from 'preact/hooks';
import type { WebhookResource } from '../../../clients/typescript/src/index';
import { ErrorNotice } from '../components/error-notice';
import { Loading } from '../components/loading';
import { usePageTitle } from '../components/page-title';
import { WebhookHealth, WebhookStatus } from '../components/webhook-status';
import { routes } from '../routes';
import { can, type PageProps } from '../session';

type State =
  | { kind: 'loading' }
  | { kind: 'loaded'; webhooks: WebhookResource[] }
  | { kind: 'failed'; error: unknown };

/** Every webhook of the tenant (a tenant has a quota of them, so all pages are read at once). */
function useWebhooks(client: PageProps['client']): State {
  const [state, setState] = useState<State>({ kind: 'loading' });
  useEffect(() => {
    let current = true;
    (async () => {
      try {
        const webhooks: WebhookResource[] = [];
        for await (const webhook of client.webhooks.listAll({ 'page[size]': '100' })) webhooks.push(webhook);
        if (current) setState({ kind: 'loaded', webhooks });
      } catch (error) {
        if (current) setState({ kind: 'failed', error });
      }
    })();
    return () => {
      current = false;
    };
  }, [client]);
  return state;
}

function WebhookItem({ webhook, writable }: { webhook: WebhookResource; writable: boolean }) {
  const { attributes: a } = webhook;
  const headingId = `webhook-${webhook.id}`;
  return (
    <li>
      <article class="card" aria-labelledby={headingId}>
        <h2 id={headingId} class="card-title">
          <a href={routes.webhook(webhook.id)}>{a.description}</a>
        </h2>
        <p class="url">
          <code>{a.url}</code>
        </p>
        <dl class="facts">
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
            <dt>Event types</dt>
            <dd>{a.event_types.length === 1 ? a.event_types[0] : `${a.event_types.length} event types`}</dd>
          </div>
        </dl>
        {writable && (
          <p class="card-actions">
            <a href={routes.editWebhook(webhook.id)} aria-label={`Edit ${a.description}`}>
              Edit
            </a>
          </p>
        )}
      </article>
    </li>
  );
}

/** `#/webhooks`: the tenant's webhooks with their status and health, each linking to its page. */
export function WebhookListPage({ session, client }: PageProps) {
  usePageTitle('Webhooks', session);
  const state = useWebhooks(client);
  const writable = can(session, 'write');
  return (
    <>
      <div class="page-head">
        <h1>Webhooks</h1>
        {writable && (
          <a class="button button-primary" href={routes.newWebhook}>
            New webhook
          </a>
        )}
      </div>
      {state.kind === 'loading' && <Loading label="Loading webhooks" />}
      {state.kind === 'failed' && <ErrorNotice error={state.error} />}
      {state.kind === 'loaded' && state.webhooks.length === 0 && (
        <p class="empty">
          No webhooks yet.{' '}
          {writable
            ? 'Create one to receive events at your endpoint.'
            : 'This session is read-only: ask for one that may create webhooks.'}
        </p>
      )}
      {state.kind === 'loaded' && state.webhooks.length > 0 && (
        <ul class="cards" aria-label={`${state.webhooks.length} webhooks`}>
          {state.webhooks.map((webhook) => (
            <WebhookItem key={webhook.id} webhook={webhook} writable={writable} />
          ))}
        </ul>
      )}
    </>
  );
}
