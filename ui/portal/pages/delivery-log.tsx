import { useEffect, useRef, useState } from 'preact/hooks';
import type {
  DeliveryListQuery,
  DeliveryResource,
  RecoveryDocument,
} from '../../../clients/typescript/src/index';
import { ConfirmDialog } from '../log/confirm-dialog';
import { counted, localInputToRfc3339, toLocalInput } from '../log/format';
import {
  appendPage,
  awaitingChange,
  cursorOf,
  deliveryStatuses,
  type LogFilters,
  type LogPage,
  landedMessage,
  logChanged,
  mergeFirstPage,
  noFilters,
  queryOf,
} from '../log/log-state';
import { can, ErrorNotice, Loading, type PageProps, Time } from '../log/shell';
import { usePolling } from '../log/use-polling';
import './log.css';

/**
 * A webhook's delivery log, newest first: filters, "Load more" pages, and for a session that may
 * write, a retry per delivery and the recovery of every failure since a time. While a delivery is
 * on its way (a test just sent, a retry queued) it looks again every second, for a bounded while.
 */

export interface DeliveryLogProps extends PageProps {
  webhookId: string;
  /** The webhook's event types: the event type filter's choices. */
  eventTypes: readonly string[];
  /** A delivery just queued (a test event) that the log should show as soon as it is logged. */
  waitFor?: string;
  /** Called when a look found something new or changed: the webhook's health may have moved. */
  onChange?: () => void;
}

const statusLabels: Record<DeliveryResource['attributes']['status'], string> = {
  pending: 'Pending',
  retrying: 'Retrying',
  succeeded: 'Succeeded',
  failed: 'Failed',
};

const statusBadge: Record<DeliveryResource['attributes']['status'], string> = {
  pending: 'log-badge-neutral',
  retrying: 'log-badge-warn',
  succeeded: 'log-badge-ok',
  failed: 'log-badge-bad',
};

export function StatusBadge({ status }: { status: DeliveryResource['attributes']['status'] }) {
  return <span class={`log-badge ${statusBadge[status]}`}>{statusLabels[status]}</span>;
}

function Filters(props: { eventTypes: readonly string[]; onApply: (filters: LogFilters) => void }) {
  const [draft, setDraft] = useState<LogFilters>(noFilters);
  const [invalid, setInvalid] = useState<'since' | 'until' | undefined>();
  const set = (change: Partial<LogFilters>) => setDraft({ ...draft, ...change });
  const apply = (e: Event) => {
    e.preventDefault();
    const result = queryOf(draft);
    setInvalid('invalid' in result ? result.invalid : undefined);
    if (!('invalid' in result)) props.onApply(draft);
  };
  const clear = () => {
    setDraft(noFilters);
    setInvalid(undefined);
    props.onApply(noFilters);
  };
  return (
    <form class="log-filters" onSubmit={apply} aria-label="Filter deliveries">
      <div class="log-field">
        <label for="filter-status">Status</label>
        <select
          id="filter-status"
          value={draft.status}
          onChange={(e) => {
            const status = deliveryStatuses.find((s) => s === e.currentTarget.value) ?? '';
            set({ status });
          }}
        >
          <option value="">Any status</option>
          {deliveryStatuses.map((s) => (
            <option key={s} value={s}>
              {statusLabels[s]}
            </option>
          ))}
        </select>
      </div>
      <div class="log-field">
        <label for="filter-event-type">Event type</label>
        <select
          id="filter-event-type"
          value={draft.eventType}
          onChange={(e) => set({ eventType: e.currentTarget.value })}
        >
          <option value="">Any event type</option>
          {props.eventTypes.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </div>
      {(['since', 'until'] as const).map((bound) => (
        <div class="log-field" key={bound}>
          <label for={`filter-${bound}`}>{bound === 'since' ? 'Since' : 'Until'}</label>
          <input
            id={`filter-${bound}`}
            type="datetime-local"
            value={draft[bound]}
            aria-invalid={invalid === bound ? true : undefined}
            aria-describedby={invalid === bound ? 'filter-time-error' : undefined}
            onInput={(e) => set({ [bound]: e.currentTarget.value })}
          />
        </div>
      ))}
      <div class="log-actions">
        <button type="submit" class="button button-primary">
          Apply filters
        </button>
        <button type="button" class="button" onClick={clear}>
          Clear filters
        </button>
      </div>
      <p id="filter-time-error" class="error" role="alert">
        {invalid && `${invalid === 'since' ? 'Since' : 'Until'} is not a complete date and time.`}
      </p>
    </form>
  );
}

function Recovery({
  client,
  webhookId,
  onQueued,
}: { onQueued: () => void } & Omit<PageProps, 'session'> & { webhookId: string }) {
  const [since, setSince] = useState(() => toLocalInput(new Date(Date.now() - 86_400_000)));
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<RecoveryDocument['data']['attributes'] | undefined>();
  const sinceTime = localInputToRfc3339(since);
  const recover = async () => {
    setConfirming(false);
    if (sinceTime === undefined) return;
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      setResult((await client.deliveries.recover(webhookId, { since: sinceTime })).data.attributes);
      onQueued();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="log-form"
      aria-labelledby="recover-heading"
      onSubmit={(e) => {
        e.preventDefault();
        if (sinceTime !== undefined) setConfirming(true);
      }}
    >
      <h3 id="recover-heading">Recover failures</h3>
      <p class="hint">
        Sends again every delivery that failed since the time you choose, including those out of attempts (the
        dead-letter queue). Receivers see the same <code>webhook-id</code>, so they can skip what they already
        have.
      </p>
      <div class="log-form-row">
        <div class="log-field">
          <label for="recover-since">Recover failures since</label>
          <input
            id="recover-since"
            type="datetime-local"
            required
            value={since}
            aria-invalid={sinceTime === undefined ? true : undefined}
            onInput={(e) => setSince(e.currentTarget.value)}
          />
        </div>
        <button type="submit" class="button" disabled={busy || sinceTime === undefined}>
          Recover failures…
        </button>
      </div>
      <ConfirmDialog
        open={confirming}
        title="Send failed deliveries again?"
        confirmLabel="Recover"
        onConfirm={recover}
        onCancel={() => setConfirming(false)}
      >
        <p>
          Every delivery of this webhook that failed since <Time value={sinceTime ?? null} /> is queued again.
        </p>
      </ConfirmDialog>
      <p role="status" class="log-recovery-result">
        {result &&
          `Queued ${counted(result.queued, 'delivery', 'deliveries')} again, ${result.queued_from_dead_letter_queue} from the dead-letter queue.${
            result.more ? ' More failed deliveries remain: recover again to queue them.' : ''
          }`}
      </p>
      <ErrorNotice error={error} />
    </form>
  );
}

export function DeliveryLog({ session, client, webhookId, eventTypes, waitFor, onChange }: DeliveryLogProps) {
  const [filters, setFilters] = useState<LogFilters>(noFilters);
  const [page, setPage] = useState<LogPage | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [round, setRound] = useState(0);
  const [resting, setResting] = useState(false);
  const [retryError, setRetryError] = useState<unknown>();
  const generation = useRef(0);
  const canWrite = can(session, 'write');

  const query = (): DeliveryListQuery => {
    const result = queryOf(filters);
    return 'query' in result ? result.query : {};
  };
  const firstPage = async (): Promise<LogPage> => {
    const document = await client.deliveries.list(webhookId, query());
    return { items: document.data, next: document.links.next };
  };

  // A new filter starts the log again; answers to an older one are dropped.
  useEffect(() => {
    const mine = ++generation.current;
    setPage(undefined);
    setError(undefined);
    firstPage().then(
      (fresh) => mine === generation.current && setPage(fresh),
      (e: unknown) => mine === generation.current && setError(e),
    );
  }, [webhookId, filters]);

  const refresh = async () => {
    const mine = generation.current;
    try {
      const fresh = await firstPage();
      if (mine !== generation.current) return;
      setError(undefined);
      setPage((shown) => {
        if (!shown) return fresh;
        const merged = mergeFirstPage(shown, fresh);
        if (logChanged(shown.items, merged.items)) onChange?.();
        return merged;
      });
    } catch (e) {
      if (mine === generation.current) setError(e);
    }
  };

  const loadMore = async () => {
    const next = page?.next;
    const cursor = next === undefined ? undefined : cursorOf(next);
    if (cursor === undefined) return;
    const mine = generation.current;
    setBusy(true);
    try {
      const document = await client.deliveries.list(webhookId, { ...query(), 'page[after]': cursor });
      if (mine === generation.current)
        setPage((shown) => shown && appendPage(shown, { items: document.data, next: document.links.next }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const watchAgain = () => {
    setResting(false);
    setRound((r) => r + 1);
  };
  useEffect(() => {
    if (waitFor !== undefined) watchAgain();
  }, [waitFor]);

  const retry = async (delivery: DeliveryResource) => {
    setRetryError(undefined);
    try {
      const { data } = await client.deliveries.retry(webhookId, delivery.id);
      setPage((shown) => shown && { ...shown, items: shown.items.map((d) => (d.id === data.id ? data : d)) });
      watchAgain();
    } catch (e) {
      setRetryError(e);
    }
  };

  const active = page !== undefined && awaitingChange(page.items, waitFor, Date.now());
  usePolling({ active, look: refresh, round, onExhausted: () => setResting(true) });

  return (
    <section aria-labelledby="log-heading" class="log-section">
      <h2 id="log-heading">Delivery log</h2>
      <Filters eventTypes={eventTypes} onApply={setFilters} />
      <div class="log-toolbar">
        <button
          type="button"
          class="button"
          onClick={() => {
            void refresh();
            watchAgain();
          }}
        >
          Refresh log
        </button>
        <span class="muted">
          {active && !resting
            ? 'Refreshing every second while deliveries are on their way.'
            : resting
              ? 'Stopped refreshing by itself: use Refresh log.'
              : ''}
        </span>
      </div>
      <p class="visually-hidden" aria-live="polite">
        {page ? landedMessage(page.items, waitFor) : ''}
      </p>
      <ErrorNotice error={error} />
      <ErrorNotice error={retryError} />
      {page === undefined && error === undefined && <Loading label="Loading deliveries" />}
      {page !== undefined && page.items.length === 0 && (
        <p>
          {Object.values(filters).every((v) => v === '')
            ? 'No deliveries yet. Send a test event to see one here.'
            : 'No deliveries match these filters.'}
        </p>
      )}
      {page !== undefined && page.items.length > 0 && (
        // A region of its own that scrolls sideways on a narrow screen; focusable, so a keyboard scrolls it.
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus to be scrolled by keyboard.
        <section class="log-table-wrap" aria-label="Deliveries, newest first" tabIndex={0}>
          <table class="log-table">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event type</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last status code</th>
                <th scope="col">Delivery</th>
                {canWrite && (
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {page.items.map((d) => (
                <tr key={d.id} class={d.id === waitFor ? 'log-row-new' : undefined}>
                  <td>
                    <Time value={d.attributes.created_at} />
                  </td>
                  <td>
                    <code>{d.attributes.event_type}</code>
                  </td>
                  <td>
                    <StatusBadge status={d.attributes.status} />
                  </td>
                  <td>{d.attributes.attempt_count}</td>
                  <td>{d.attributes.last_status_code ?? <span class="muted">none</span>}</td>
                  <td>
                    <a href={`#/webhooks/${webhookId}/deliveries/${d.id}`}>{d.id}</a>
                  </td>
                  {canWrite && (
                    <td>
                      <button
                        type="button"
                        class="button"
                        aria-label={`Retry delivery ${d.id}`}
                        onClick={() => retry(d)}
                        disabled={d.attributes.status === 'pending'}
                      >
                        Retry
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {page?.next !== undefined && (
        <p>
          <button type="button" class="button" onClick={loadMore} disabled={busy}>
            Load more deliveries
          </button>
        </p>
      )}
      {canWrite && (
        <Recovery client={client} webhookId={webhookId} onQueued={() => void refresh().then(watchAgain)} />
      )}
    </section>
  );
}
