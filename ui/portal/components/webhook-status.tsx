import type { WebhookAttributes } from '../../../clients/typescript/src/index';
import { Time } from './time';

/** Enabled or disabled, and why and since when it was disabled. */
export function WebhookStatus({ webhook }: { webhook: WebhookAttributes }) {
  if (webhook.status === 'enabled') return <span class="badge badge-ok">Enabled</span>;
  return (
    <span>
      <span class="badge badge-bad">Disabled</span>{' '}
      {webhook.disabled_reason && <span class="reason">{webhook.disabled_reason}</span>}
      {webhook.disabled_at && (
        <span class="muted">
          {' '}
          (since <Time value={webhook.disabled_at} />)
        </span>
      )}
    </span>
  );
}

/** The endpoint's failure streak: healthy, or failing since when, how often, and the last reason. */
export function WebhookHealth({ webhook }: { webhook: WebhookAttributes }) {
  const { consecutive_failures: failures, failing_since, last_failure_reason } = webhook.health;
  if (failures === 0) return <span class="badge badge-ok">Healthy</span>;
  return (
    <span>
      <span class="badge badge-bad">
        Failing: {failures} {failures === 1 ? 'failure' : 'failures'} in a row
      </span>
      {failing_since && (
        <span class="muted">
          {' '}
          since <Time value={failing_since} />
        </span>
      )}
      {last_failure_reason && <span class="last-failure">Last: {last_failure_reason}</span>}
    </span>
  );
}
