import { useEffect, useRef, useState } from 'preact/hooks';
import { type Inbox, inboxNamePattern, inboxPaths } from '../../local/inbox-model';
import { CopyButton } from '../shared/copy-button';
import { DeliveryItem, verdict } from './delivery-item';
import { deliveriesOf, type FeedMessage } from './feed-state';
import { type Connection, useFeed } from './use-feed';

/** Links to an inbox, or to every inbox. In the fragment, so choosing one does not load the page again. */
const inboxHash = (name: string) => `#inbox=${name}`;
const allHash = '#all';

/** The chosen inbox lives in the URL (`/inbox#inbox=orders`), so it survives a reload and can be shared. */
function useChosenInbox(): string | undefined {
  const read = () =>
    location.hash.startsWith('#inbox=') ? location.hash.slice('#inbox='.length) : undefined;
  const [chosen, setChosen] = useState(read);
  useEffect(() => {
    const onChange = () => setChosen(read());
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return chosen;
}

const connectionText: Record<Connection, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

function announce(message: FeedMessage | undefined): string {
  if (message?.kind !== 'delivery') return '';
  const { delivery } = message;
  return `New delivery to ${delivery.inbox}: ${delivery.event_type ?? 'no event type'}, ${verdict(delivery.verification)}`;
}

function CreateInbox({ onCreated }: { onCreated: (name: string) => void }) {
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!inboxNamePattern.test(name)) {
      setError('Use letters, digits, ".", "_" and "-" (not first), up to 64.');
      return;
    }
    setBusy(true);
    setError('');
    try {
      const res = await fetch(inboxPaths.inbox(name), { method: 'PUT' });
      if (!res.ok) {
        setError(`Could not create it: ${(await res.text()) || res.statusText}`);
        return;
      }
      setName('');
      onCreated(name);
    } catch {
      setError('Could not reach local mode: is it running?');
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="create" onSubmit={submit} noValidate>
      <label for="inbox-name">New inbox name</label>
      <div class="create-row">
        <input
          id="inbox-name"
          name="name"
          autocomplete="off"
          spellcheck={false}
          required
          maxLength={64}
          value={name}
          aria-describedby="inbox-name-hint inbox-name-error"
          aria-invalid={error ? true : undefined}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <button type="submit" class="button button-primary" disabled={busy}>
          Create inbox
        </button>
      </div>
      <p id="inbox-name-hint" class="hint">
        Letters, digits, ".", "_" and "-". Any webhook may deliver to an inbox's URL.
      </p>
      <p id="inbox-name-error" class="error" role="alert">
        {error}
      </p>
    </form>
  );
}

function InboxNav({ inboxes, chosen }: { inboxes: Inbox[]; chosen: string | undefined }) {
  return (
    <ul class="inboxes">
      <li>
        <a href={allHash} aria-current={chosen === undefined ? 'page' : undefined}>
          All inboxes
        </a>
      </li>
      {inboxes.map((inbox) => (
        <li key={inbox.name}>
          <a href={inboxHash(inbox.name)} aria-current={chosen === inbox.name ? 'page' : undefined}>
            {inbox.name} <span class="count">({inbox.received})</span>
          </a>
        </li>
      ))}
    </ul>
  );
}

export function App() {
  const { state, connection, latest } = useFeed();
  const chosen = useChosenInbox();
  const heading = useRef<HTMLHeadingElement>(null);
  const inbox = state.inboxes.find((i) => i.name === chosen);
  const deliveries = deliveriesOf(state, chosen);
  const onCreated = (name: string) => {
    location.hash = inboxHash(name);
    // Where the new inbox is: keyboard and screen-reader users land on it.
    heading.current?.focus();
  };
  return (
    <>
      <header class="top">
        <h1>Herald inbox</h1>
        <p class={`connection connection-${connection}`} role="status">
          {connectionText[connection]}
        </p>
      </header>
      <div class="layout">
        <nav aria-labelledby="inboxes-heading" class="panel">
          <h2 id="inboxes-heading">Inboxes</h2>
          <InboxNav inboxes={state.inboxes} chosen={chosen} />
          <CreateInbox onCreated={onCreated} />
        </nav>
        <main class="panel" aria-labelledby="deliveries-heading">
          <h2 id="deliveries-heading" tabIndex={-1} ref={heading}>
            {chosen === undefined ? 'Deliveries to every inbox' : `Deliveries to ${chosen}`}
          </h2>
          {inbox && (
            <p class="inbox-url">
              <span>Webhook URL</span> <code>{inbox.url}</code>{' '}
              <CopyButton text={inbox.url} label={`Copy URL of inbox ${inbox.name}`} />
            </p>
          )}
          {chosen !== undefined && !inbox && (
            <p>No inbox named {chosen} yet: create it, or deliver to its URL and it appears.</p>
          )}
          {deliveries.length === 0 ? (
            <p class="empty">
              No deliveries yet. Set a webhook's <code>url</code> to an inbox's URL and send it a test event.
            </p>
          ) : (
            <ol class="deliveries" aria-label="Deliveries, newest first">
              {deliveries.map((d) => (
                <DeliveryItem key={d.id} delivery={d} showInbox={chosen === undefined} />
              ))}
            </ol>
          )}
          <p class="visually-hidden" aria-live="polite">
            {announce(latest)}
          </p>
        </main>
      </div>
    </>
  );
}
