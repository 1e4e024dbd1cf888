import { useState } from 'preact/hooks';
import type { DeliveryDetail } from '../../../clients/typescript/src/index';
import { prettyJson } from '../log/format';
import { useLoaded, useTitle } from '../log/hooks';
import { can, ErrorNotice, Loading, type PageProps, Time } from '../log/shell';
import { usePolling } from '../log/use-polling';
import { StatusBadge } from './delivery-log';
import './log.css';

/**
 * One delivery: what was sent (the envelope, pretty-printed), every attempt with what the endpoint
 * answered, and a retry. While the delivery is on its way the page looks again every second.
 */

type Attempt = DeliveryDetail['attributes']['attempts'][number];

const triggers: Record<Attempt['trigger'], string> = {
  event: 'Event',
  retry: 'Retry',
  recover: 'Recovery',
  test: 'Test event',
};

function AttemptItem({ attempt }: { attempt: Attempt }) {
  return (
    <li class="log-card">
      <h3 class="log-card-title">
        Attempt {attempt.attempt}{' '}
        <span class={`log-badge ${attempt.outcome === 'succeeded' ? 'log-badge-ok' : 'log-badge-bad'}`}>
          {attempt.outcome === 'succeeded' ? 'Succeeded' : 'Failed'}
        </span>
      </h3>
      <dl class="log-fields">
        <div>
          <dt>Time</dt>
          <dd>
            <Time value={attempt.time} />
          </dd>
        </div>
        <div>
          <dt>Status code</dt>
          <dd>{attempt.status_code ?? <span class="muted">no answer</span>}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{attempt.duration_ms} ms</dd>
        </div>
        <div>
          <dt>Trigger</dt>
          <dd>{triggers[attempt.trigger]}</dd>
        </div>
        {attempt.error && (
          <div>
            <dt>Error</dt>
            <dd>{attempt.error}</dd>
          </div>
        )}
      </dl>
      {attempt.response_excerpt !== null && (
        <>
          <h4>Response excerpt</h4>
          <pre class="log-json">{attempt.response_excerpt || '(empty body)'}</pre>
        </>
      )}
    </li>
  );
}

export function DeliveryDetailPage({
  session,
  client,
  webhookId,
  deliveryId,
}: PageProps & { webhookId: string; deliveryId: string }) {
  useTitle(`Delivery ${deliveryId}`, session);
  const [loaded, reload] = useLoaded(
    async () => (await client.deliveries.get(webhookId, deliveryId)).data,
    `${webhookId}/${deliveryId}`,
  );
  const [retryError, setRetryError] = useState<unknown>();
  const [retried, setRetried] = useState(0);
  const delivery = loaded.state === 'loaded' ? loaded.value : undefined;
  const onItsWay = delivery?.attributes.status === 'pending' || delivery?.attributes.status === 'retrying';
  usePolling({ active: onItsWay, look: reload, round: retried, budget: 60 });

  const retry = async () => {
    setRetryError(undefined);
    try {
      await client.deliveries.retry(webhookId, deliveryId);
      setRetried((n) => n + 1);
      await reload();
    } catch (e) {
      setRetryError(e);
    }
  };

  return (
    <div class="log-page">
      <p>
        <a href={`#/webhooks/${webhookId}`}>Back to the webhook</a>
      </p>
      <h1>
        Delivery <code class="log-wrap">{deliveryId}</code>
      </h1>
      {loaded.state === 'loading' && <Loading label="Loading the delivery" />}
      {loaded.state === 'failed' && <ErrorNotice error={loaded.error} />}
      {delivery && (
        <>
          <dl class="log-fields">
            <div>
              <dt>Status</dt>
              <dd>
                <StatusBadge status={delivery.attributes.status} />
              </dd>
            </div>
            <div>
              <dt>Event type</dt>
              <dd>
                <code>{delivery.attributes.event_type}</code>
              </dd>
            </div>
            <div>
              <dt>Event id</dt>
              <dd>
                <code class="log-wrap">{delivery.attributes.event_id}</code>
              </dd>
            </div>
            <div>
              <dt>Environment</dt>
              <dd>{delivery.attributes.environment ?? <span class="muted">none</span>}</dd>
            </div>
            <div>
              <dt>Attempts</dt>
              <dd>{delivery.attributes.attempt_count}</dd>
            </div>
            <div>
              <dt>Last status code</dt>
              <dd>{delivery.attributes.last_status_code ?? <span class="muted">none</span>}</dd>
            </div>
            {delivery.attributes.last_error && (
              <div>
                <dt>Last error</dt>
                <dd>{delivery.attributes.last_error}</dd>
              </div>
            )}
            {delivery.attributes.next_attempt_at && (
              <div>
                <dt>Next attempt</dt>
                <dd>
                  <Time value={delivery.attributes.next_attempt_at} />
                </dd>
              </div>
            )}
            <div>
              <dt>Logged</dt>
              <dd>
                <Time value={delivery.attributes.created_at} />
              </dd>
            </div>
            <div>
              <dt>Last changed</dt>
              <dd>
                <Time value={delivery.attributes.updated_at} />
              </dd>
            </div>
          </dl>
          {can(session, 'write') && (
            <p class="log-actions">
              <button
                type="button"
                class="button"
                onClick={retry}
                disabled={delivery.attributes.status === 'pending'}
              >
                Retry delivery
              </button>
            </p>
          )}
          <p role="status" class="muted">
            {retried > 0 && `Retry queued: ${delivery.attributes.status}.`}
          </p>
          <ErrorNotice error={retryError} />
          <section aria-labelledby="payload-heading" class="log-section">
            <h2 id="payload-heading">Payload</h2>
            <p class="hint">
              The body your endpoint receives, signed. Its <code>id</code> is the event's; the delivery id
              above is its <code>webhook-id</code> header, the same on every attempt.
            </p>
            <pre class="log-json">{prettyJson(delivery.attributes.payload)}</pre>
          </section>
          <section aria-labelledby="attempts-heading" class="log-section">
            <h2 id="attempts-heading">Attempts</h2>
            {delivery.attributes.attempts.length === 0 ? (
              <p>No attempt yet: it is queued.</p>
            ) : (
              <ol class="log-cards">
                {delivery.attributes.attempts.map((a) => (
                  <AttemptItem key={a.attempt} attempt={a} />
                ))}
              </ol>
            )}
          </section>
        </>
      )}
    </div>
  );
}
