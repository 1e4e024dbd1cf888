import type { EventType } from '../../../clients/typescript/src/index';
import { prettyJson } from '../log/format';
import { useLoaded, useTitle } from '../log/hooks';
import { ErrorNotice, Loading, type PageProps } from '../log/shell';
import './log.css';

/**
 * The event catalog: every type a webhook can subscribe to, grouped as the platform's guide groups
 * them, each with its description, deprecation, the JSON Schema of its `data` (what Herald checks
 * before delivering) and an example.
 */

const groups: ReadonlyArray<{ id: EventType['attributes']['group']; title: string; intro: string }> = [
  {
    id: 'use_case_metadata',
    title: 'Use case metadata',
    intro: 'One event type per metadata field of a use case, sent when that field changes.',
  },
  {
    id: 'use_case_custom_field',
    title: 'Custom fields',
    intro: 'Sent when a custom field of a use case changes.',
  },
  { id: 'review', title: 'Reviews', intro: 'Comments, status changes and tasks of a use case review.' },
  {
    id: 'operational',
    title: 'Operational events',
    intro:
      "Herald's own reports on your webhooks: disabled, enabled, failing, recovered, a delivery out of attempts. A webhook never receives those about itself.",
  },
];

function EventTypeEntry({ eventType }: { eventType: EventType }) {
  const { name, description, deprecated, example, schema } = eventType.attributes;
  const headingId = `event-type-${name}`;
  return (
    <li class="log-card">
      <h3 id={headingId} class="log-card-title">
        <code>{name}</code>
        {deprecated && <span class="log-badge log-badge-neutral">Deprecated</span>}
      </h3>
      <p>{description}</p>
      {deprecated && (
        <p class="hint">
          Still delivered, and a webhook may still subscribe to it (the API warns); prefer its replacement in
          new webhooks.
        </p>
      )}
      <h4>
        Schema of <code>data</code>
      </h4>
      <p class="hint">
        JSON Schema (2020-12): the fields Herald checks before delivering. Receivers should accept fields they
        do not know.
      </p>
      <details class="log-example">
        <summary>
          Schema of <code>data</code> of {name}
        </summary>
        <pre class="log-json">{prettyJson(schema)}</pre>
      </details>
      <details class="log-example">
        <summary>
          Example <code>data</code> of {name}
        </summary>
        <pre class="log-json">{prettyJson(example)}</pre>
      </details>
    </li>
  );
}

export function EventTypesPage({ session, client }: PageProps) {
  useTitle('Event types', session);
  const [loaded] = useLoaded(async () => (await client.eventTypes.list()).data, 'event-types');
  return (
    <div class="log-page">
      <h1>Event types</h1>
      <p>
        The events a webhook can subscribe to. Each delivery's body carries the event's <code>data</code>{' '}
        inside the envelope, with its <code>type</code> (the webhook's prefix and suffix around the event
        type's name), <code>time</code>, <code>source</code> and <code>id</code>.
      </p>
      {loaded.state === 'loading' && <Loading label="Loading the event types" />}
      {loaded.state === 'failed' && <ErrorNotice error={loaded.error} />}
      {loaded.state === 'loaded' &&
        groups.map((group) => {
          const types = loaded.value.filter((t) => t.attributes.group === group.id);
          if (types.length === 0) return null;
          return (
            <section key={group.id} aria-labelledby={`group-${group.id}`}>
              <h2 id={`group-${group.id}`}>
                {group.title} <span class="muted">({types.length})</span>
              </h2>
              <p>{group.intro}</p>
              <ul class="log-cards">
                {types.map((t) => (
                  <EventTypeEntry key={t.id} eventType={t} />
                ))}
              </ul>
            </section>
          );
        })}
    </div>
  );
}
