import type { InboxDelivery, Verification } from '../../local/inbox-model';

const verdicts: Record<Verification['status'], string> = {
  verified: 'verified',
  not_verified: 'not verified',
  no_webhook: 'no webhook with this URL',
};

export function verdict(verification: Verification): string {
  return verdicts[verification.status];
}

/** The body as a reader wants it: JSON pretty-printed, anything else as it came. */
export function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

function VerificationNote({ verification }: { verification: Verification }) {
  if (verification.status === 'verified')
    return <p>Signed with a current secret of webhook {verification.verified_by}.</p>;
  if (verification.status === 'no_webhook')
    return <p>No webhook has this inbox's URL, so there is no secret to check the signature with.</p>;
  return (
    <p>
      Checked against {verification.webhooks.join(', ')}: {verification.detail}
    </p>
  );
}

/** One delivery: a summary line, and everything it carried behind a disclosure. */
export function DeliveryItem({ delivery, showInbox }: { delivery: InboxDelivery; showInbox: boolean }) {
  const received = new Date(delivery.received_at);
  return (
    <li class="delivery">
      <details>
        <summary>
          <span class="delivery-type">{delivery.event_type ?? '(no event type)'}</span>
          <span class={`verdict verdict-${delivery.verification.status}`}>
            {verdict(delivery.verification)}
          </span>
          <span class="delivery-meta">
            <span class="delivery-id">{delivery.webhook_id ?? '(no webhook-id)'}</span>
            <time dateTime={delivery.received_at} title={delivery.received_at}>
              {received.toLocaleTimeString()}
            </time>
            {showInbox && <span class="delivery-inbox">to {delivery.inbox}</span>}
          </span>
        </summary>
        <div class="delivery-detail">
          <VerificationNote verification={delivery.verification} />
          <h3>Headers</h3>
          <dl class="headers">
            {delivery.headers.map(([name, value], index) => (
              // Headers may repeat and never reorder: their place is their identity.
              <div key={index}>
                <dt>{name}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
          <h3>
            Body{' '}
            <span class="muted">
              ({delivery.body_bytes} bytes{delivery.truncated ? ', cut short' : ''})
            </span>
          </h3>
          <pre class="body">{prettyBody(delivery.body)}</pre>
        </div>
      </details>
    </li>
  );
}
