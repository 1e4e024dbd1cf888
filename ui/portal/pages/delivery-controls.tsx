import { useState } from 'preact/hooks';
import { type EventType, HeraldApiError } from '../../../clients/typescript/src/index';
import { ErrorNotice } from '../components/error-notice';
import { describedBy, describedControl, FieldError, FieldHint, TextField } from '../components/form-fields';
import type { PageProps } from '../session';
import {
  type FieldProblem,
  type Ordering,
  parseFilter,
  problemsOf,
  type WebhookFormValues,
} from '../webhook-form-model';

/**
 * The webhook form's delivery controls: a rate limit and a payload filter, with a place to try the
 * filter on an event before saving. The try goes to the API's own matcher
 * (`POST /webhooks/filter-test`), so its answer is what delivery would do.
 */

export const controlFieldIds = {
  rate_limit: 'field-rate-limit',
  filter: 'field-filter',
  ordering: 'field-ordering',
} as const;

export function DeliveryControls({
  client,
  eventTypes,
  values,
  onRateLimit,
  onFilter,
  onOrdering,
  errorsOf,
  onFilterProblems,
}: {
  client: PageProps['client'];
  eventTypes: EventType[];
  values: WebhookFormValues;
  onRateLimit: (text: string) => void;
  onFilter: (text: string) => void;
  onOrdering: (ordering: Ordering) => void;
  errorsOf: (field: 'rate_limit' | 'filter' | 'ordering') => string[];
  /** The filter's own problems found while trying it, shown at the filter field. */
  onFilterProblems: (problems: FieldProblem[]) => void;
}) {
  const filterErrors = errorsOf('filter');
  return (
    <fieldset class="section">
      <legend>Delivery controls</legend>
      <TextField
        id={controlFieldIds.rate_limit}
        name="rate_limit"
        label="Rate limit (deliveries per second)"
        inputMode="numeric"
        value={values.rateLimit}
        onInput={onRateLimit}
        errors={errorsOf('rate_limit')}
        maxLength={4}
        hint="At most this many deliveries a second, 1 to 1,000; more wait their turn and are not counted as failures. Empty: no limit."
      />
      <div class="field">
        <label for={controlFieldIds.filter}>
          Payload filter (JSON)<span class="optional"> (optional)</span>
        </label>
        <FieldHint id={controlFieldIds.filter}>
          Deliver only events that match this pattern on their <code>type</code>, <code>environment</code> and{' '}
          <code>data</code>, in EventBridge's content-filtering syntax: exact values, <code>prefix</code>,{' '}
          <code>suffix</code>, <code>anything-but</code>, <code>numeric</code>, <code>exists</code>,{' '}
          <code>equals-ignore-case</code>. Empty: every event of the chosen types.
        </FieldHint>
        <FieldError id={controlFieldIds.filter} errors={filterErrors} />
        <textarea
          {...describedControl(controlFieldIds.filter, true, filterErrors)}
          name="filter"
          rows={5}
          spellcheck={false}
          autocomplete="off"
          placeholder={'{"data": {"status": ["approved"]}}'}
          value={values.filter}
          onInput={(e) => onFilter(e.currentTarget.value)}
        />
      </div>
      <FilterTry
        client={client}
        eventTypes={eventTypes}
        values={values}
        onFilterProblems={onFilterProblems}
      />
      <fieldset
        class="field radios"
        aria-describedby={describedBy(controlFieldIds.ordering, true, errorsOf('ordering'))}
      >
        <legend>Order</legend>
        <FieldHint id={controlFieldIds.ordering}>
          In order: one delivery at a time, in the order events reached Herald; a failing delivery holds the
          ones behind it until it succeeds or runs out of attempts. Slower, and retries take longer.
        </FieldHint>
        <FieldError id={controlFieldIds.ordering} errors={errorsOf('ordering')} />
        <div class="checkbox">
          <input
            type="radio"
            id={controlFieldIds.ordering}
            name="ordering"
            value="none"
            checked={values.ordering !== 'fifo'}
            onChange={() => onOrdering('none')}
          />
          <label for={controlFieldIds.ordering}>As fast as possible (any order)</label>
        </div>
        <div class="checkbox">
          <input
            type="radio"
            id="field-ordering-fifo"
            name="ordering"
            value="fifo"
            checked={values.ordering === 'fifo'}
            onChange={() => onOrdering('fifo')}
          />
          <label for="field-ordering-fifo">In order (first in, first out)</label>
        </div>
      </fieldset>
    </fieldset>
  );
}

type Verdict =
  | { kind: 'idle' }
  | { kind: 'trying' }
  | { kind: 'answered'; matches: boolean; eventType: string }
  | { kind: 'refused'; messages: string[] }
  | { kind: 'failed'; error: unknown };

/** The event a filter is tried on: a type of the catalog and its example data, editable. */
function FilterTry({
  client,
  eventTypes,
  values,
  onFilterProblems,
}: {
  client: PageProps['client'];
  eventTypes: EventType[];
  values: WebhookFormValues;
  onFilterProblems: (problems: FieldProblem[]) => void;
}) {
  const exampleOf = (name: string) =>
    JSON.stringify(eventTypes.find((t) => t.attributes.name === name)?.attributes.example ?? {}, null, 2);
  const first = values.eventTypes[0] ?? eventTypes[0]?.attributes.name ?? '';
  const [eventType, setEventType] = useState(first);
  const [data, setData] = useState(() => exampleOf(first));
  const [environment, setEnvironment] = useState('');
  const [verdict, setVerdict] = useState<Verdict>({ kind: 'idle' });

  const chooseType = (name: string) => {
    setEventType(name);
    setData(exampleOf(name));
    setVerdict({ kind: 'idle' });
  };

  const tryIt = async () => {
    const filter = parseFilter(values.filter);
    if (!filter.ok) {
      onFilterProblems(filter.problems);
      setVerdict({ kind: 'refused', messages: filter.problems.map((p) => p.message) });
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      setVerdict({ kind: 'refused', messages: ['The event data must be a JSON object.'] });
      return;
    }
    setVerdict({ kind: 'trying' });
    try {
      const answer = await client.webhooks.filterTest(filter.value ?? null, {
        type: eventType,
        environment: environment.trim() === '' ? null : environment.trim(),
        data: { ...parsed },
      });
      onFilterProblems([]);
      setVerdict({ kind: 'answered', matches: answer.data.attributes.matches, eventType });
    } catch (error) {
      if (error instanceof HeraldApiError && error.status === 422) {
        const problems = problemsOf(error.errors);
        onFilterProblems(problems.filter((p) => p.field === 'filter'));
        setVerdict({ kind: 'refused', messages: problems.map((p) => p.message) });
      } else setVerdict({ kind: 'failed', error });
    }
  };

  return (
    <details class="filter-try">
      <summary>Try the filter on an event</summary>
      <div class="field">
        <label for="filter-try-type">Event type</label>
        <select id="filter-try-type" value={eventType} onChange={(e) => chooseType(e.currentTarget.value)}>
          {eventTypes.map(({ attributes: t }) => (
            <option key={t.name} value={t.name}>
              {t.name}
            </option>
          ))}
        </select>
      </div>
      <TextField
        id="filter-try-environment"
        name="filter_try_environment"
        label="Event environment"
        value={environment}
        onInput={setEnvironment}
        errors={[]}
        hint="The event's environment, e.g. production. Empty: none."
      />
      <div class="field">
        <label for="filter-try-data">Event data (JSON)</label>
        <FieldHint id="filter-try-data">
          The type's example from the catalog; change it to try other values.
        </FieldHint>
        <textarea
          {...describedControl('filter-try-data', true, [])}
          rows={8}
          spellcheck={false}
          autocomplete="off"
          value={data}
          onInput={(e) => setData(e.currentTarget.value)}
        />
      </div>
      <p>
        <button type="button" class="button" onClick={tryIt} disabled={verdict.kind === 'trying'}>
          Try the filter
        </button>
      </p>
      <div role="status" class="filter-verdict">
        {verdict.kind === 'trying' && 'Trying…'}
        {verdict.kind === 'answered' &&
          (verdict.matches ? (
            <strong class="badge badge-ok">
              Matches: this {verdict.eventType} event would be delivered.
            </strong>
          ) : (
            <strong class="badge badge-warn">
              Does not match: this {verdict.eventType} event would not be delivered.
            </strong>
          ))}
        {verdict.kind === 'refused' && (
          <ul class="error-list">
            {verdict.messages.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        )}
      </div>
      {verdict.kind === 'failed' && <ErrorNotice error={verdict.error} />}
    </details>
  );
}
