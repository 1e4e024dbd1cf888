import { useEffect, useRef, useState } from 'preact/hooks';
import {
  type CreatedWebhookDocument,
  type EventType,
  HeraldApiError,
  type WebhookResource,
} from '../../../clients/typescript/src/index';
import { CopyButton } from '../components/copy-button';
import { ErrorNotice } from '../components/error-notice';
import {
  describedBy,
  describedControl,
  ErrorSummary,
  FieldError,
  FieldHint,
  type SummaryItem,
  TextField,
  type TextFieldProps,
} from '../components/form-fields';
import { Loading } from '../components/loading';
import { usePageTitle } from '../components/page-title';
import { DeleteSection, StatusSection } from '../components/webhook-actions';
import { routes } from '../routes';
import { can, type PageProps } from '../session';
import {
  createAttributes,
  deliveredTypeOf,
  emptyValues,
  type FieldName,
  type FieldProblem,
  fieldNames,
  problemsOf,
  updateAttributes,
  valuesOf,
  type WebhookFormValues,
} from '../webhook-form-model';
import { controlFieldIds, DeliveryControls } from './delivery-controls';

/**
 * `#/webhooks/new` and `#/webhooks/:id/edit`: every attribute of the seed's table, the API's error
 * for each field shown beside it (and in a summary that links to it), the OAuth payload write-only;
 * on edit also enable/disable with a reason, and delete. A session without `write` gets neither.
 */

type Props = PageProps & { webhookId?: string };

export function WebhookFormPage(props: Props) {
  const editing = props.webhookId !== undefined;
  if (!can(props.session, 'write')) return <ReadOnly {...props} editing={editing} />;
  return <WebhookEditor {...props} />;
}

function ReadOnly({ session, editing }: Props & { editing: boolean }) {
  usePageTitle('Read-only session', session);
  return (
    <>
      <h1>Read-only session</h1>
      <p>
        This session may look at webhooks but not {editing ? 'change them' : 'create them'}. Ask{' '}
        {session.theme.name ?? 'your platform'} for a session that may edit webhooks.
      </p>
      <p>
        <a href={routes.webhooks}>Back to webhooks</a>
      </p>
    </>
  );
}

type Load =
  | { kind: 'loading' }
  | { kind: 'failed'; error: unknown }
  | { kind: 'not-found' }
  | { kind: 'ready'; eventTypes: EventType[]; webhook: WebhookResource | undefined };

function useFormData(client: PageProps['client'], webhookId: string | undefined) {
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  useEffect(() => {
    let current = true;
    Promise.all([
      client.eventTypes.list(),
      webhookId === undefined ? undefined : client.webhooks.get(webhookId),
    ]).then(
      ([catalog, webhook]) => {
        if (current) setLoad({ kind: 'ready', eventTypes: catalog.data, webhook: webhook?.data });
      },
      (error: unknown) => {
        if (!current) return;
        // Another tenant's webhook is not found either: the path names this session's tenant.
        setLoad(
          error instanceof HeraldApiError && error.status === 404
            ? { kind: 'not-found' }
            : { kind: 'failed', error },
        );
      },
    );
    return () => {
      current = false;
    };
  }, [client, webhookId]);
  return [load, setLoad] as const;
}

function WebhookEditor({ session, client, webhookId }: Props) {
  const editing = webhookId !== undefined;
  const title = editing ? 'Edit webhook' : 'New webhook';
  const [load, setLoad] = useFormData(client, webhookId);
  const [created, setCreated] = useState<CreatedWebhookDocument>();
  usePageTitle(
    created ? 'Webhook created' : load.kind === 'not-found' ? 'Webhook not found' : title,
    session,
  );

  if (created) return <Created session={session} created={created} />;
  if (load.kind === 'not-found') return <WebhookNotFound />;
  if (load.kind !== 'ready')
    return (
      <>
        <h1>{title}</h1>
        {load.kind === 'loading' ? <Loading label="Loading the form" /> : <ErrorNotice error={load.error} />}
      </>
    );
  const { webhook } = load;
  const replace = (next: WebhookResource) => setLoad({ ...load, webhook: next });
  return (
    <>
      <p class="crumbs">
        <a href={routes.webhooks}>Webhooks</a>
        {webhook && (
          <>
            {' / '}
            <a href={routes.webhook(webhook.id)}>{webhook.attributes.description}</a>
          </>
        )}
      </p>
      <h1>{title}</h1>
      <WebhookForm
        client={client}
        eventTypes={load.eventTypes}
        webhook={webhook}
        onCreated={setCreated}
        onUpdated={replace}
      />
      {webhook && <StatusSection client={client} webhook={webhook} onChanged={replace} />}
      {webhook && <DeleteSection client={client} webhook={webhook} />}
    </>
  );
}

export function WebhookNotFound() {
  return (
    <>
      <h1>Webhook not found</h1>
      <p>There is no such webhook here: it may have been deleted, or the link is wrong.</p>
      <p>
        <a href={routes.webhooks}>Back to webhooks</a>
      </p>
    </>
  );
}

// --- The form ----------------------------------------------------------------------------------

const fieldId = (field: FieldName) =>
  field === 'rate_limit' || field === 'filter' || field === 'ordering'
    ? controlFieldIds[field]
    : `field-${field.replace(/_/g, '-')}`;

const labels: Record<FieldName, string> = {
  description: 'Description',
  url: 'Endpoint URL',
  event_types: 'Event types',
  event_type_prefix: 'Type prefix',
  event_type_suffix: 'Type suffix',
  environment: 'Environment',
  authentication_method: 'Authentication',
  authentication_payload: 'Token request payload (JSON)',
  authentication_payload_type: 'Payload encoding',
  authentication_server: 'Token server URL',
  rate_limit: 'Rate limit (deliveries per second)',
  filter: 'Payload filter (JSON)',
  ordering: 'Order',
};

/** A text field of the form, named and labelled by its attribute. */
function AttributeField({
  field,
  ...props
}: { field: FieldName } & Omit<TextFieldProps, 'id' | 'name' | 'label'>) {
  return <TextField id={fieldId(field)} name={field} label={labels[field]} {...props} />;
}

const groupNames: Record<string, string> = {
  use_case_metadata: 'Use case metadata',
  use_case_custom_field: 'Custom fields',
  review: 'Reviews',
  operational: 'Operational events (about your webhooks)',
};

interface CatalogEntry {
  name: string;
  description: string;
  deprecated: boolean;
}

/** The catalog by group, in its order; stored types the catalog no longer has come last. */
function groupsOf(eventTypes: EventType[], chosen: readonly string[]): Array<[string, CatalogEntry[]]> {
  const groups = new Map<string, CatalogEntry[]>();
  for (const { attributes: t } of eventTypes) {
    const name = groupNames[t.group] ?? t.group;
    groups.set(name, [...(groups.get(name) ?? []), t]);
  }
  const known = new Set(eventTypes.map((t) => t.attributes.name));
  const unknown = chosen.filter((c) => !known.has(c));
  if (unknown.length > 0)
    groups.set(
      'Not in the catalog',
      unknown.map((name) => ({ name, description: 'No longer in the catalog.', deprecated: true })),
    );
  return [...groups];
}

function EventTypesField({
  eventTypes,
  values,
  onChange,
  errors,
}: {
  eventTypes: EventType[];
  values: WebhookFormValues;
  onChange: (chosen: string[]) => void;
  errors: readonly string[];
}) {
  const toggle = (name: string, checked: boolean) =>
    onChange(checked ? [...values.eventTypes, name] : values.eventTypes.filter((n) => n !== name));
  let first = true;
  return (
    <fieldset
      class="field checkboxes"
      aria-describedby={describedBy(fieldId('event_types'), true, errors)}
      aria-invalid={errors.length > 0 ? true : undefined}
    >
      <legend>{labels.event_types}</legend>
      <FieldHint id={fieldId('event_types')}>
        The events delivered to this endpoint: at least one. Each is delivered as{' '}
        <code>{deliveredTypeOf(values, 'event_type')}</code>.
      </FieldHint>
      <FieldError id={fieldId('event_types')} errors={errors} />
      {groupsOf(eventTypes, values.eventTypes).map(([group, entries]) => (
        <fieldset key={group} class="group">
          <legend>{group}</legend>
          {entries.map((entry) => {
            const id = first ? fieldId('event_types') : `event-type-${entry.name}`;
            first = false;
            return (
              <div class="checkbox" key={entry.name}>
                <input
                  type="checkbox"
                  id={id}
                  name="event_types"
                  value={entry.name}
                  checked={values.eventTypes.includes(entry.name)}
                  aria-describedby={`${id}-about`}
                  onChange={(e) => toggle(entry.name, e.currentTarget.checked)}
                />
                <label for={id}>
                  <code>{entry.name}</code>
                  {entry.deprecated && <span class="badge badge-warn">deprecated</span>}
                </label>
                <p id={`${id}-about`} class="hint">
                  {entry.description}
                </p>
              </div>
            );
          })}
        </fieldset>
      ))}
    </fieldset>
  );
}

/** The summary's items in the form's order; what points at no field of the form (a quota, a conflict) last. */
function summaryOf(problems: FieldProblem[]): SummaryItem[] {
  const ordered = [
    ...fieldNames.flatMap((f) => problems.filter((p) => p.field === f)),
    ...problems.filter((p) => p.field === undefined),
  ];
  return ordered.map(({ field, message }) =>
    field ? { message, field: { label: labels[field], id: fieldId(field) } } : { message },
  );
}

function WebhookForm({
  client,
  eventTypes,
  webhook,
  onCreated,
  onUpdated,
}: {
  client: PageProps['client'];
  eventTypes: EventType[];
  webhook: WebhookResource | undefined;
  onCreated: (created: CreatedWebhookDocument) => void;
  onUpdated: (webhook: WebhookResource) => void;
}) {
  const [values, setValues] = useState(() => (webhook ? valuesOf(webhook.attributes) : emptyValues()));
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [failure, setFailure] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState('');
  // Bumped on each refused submit, so the summary takes focus again even with the same problems.
  const [refusals, setRefusals] = useState(0);
  const summary = useRef<HTMLElement>(null);
  useEffect(() => {
    if (refusals > 0) summary.current?.focus();
  }, [refusals]);

  const set =
    <K extends keyof WebhookFormValues>(key: K) =>
    (value: WebhookFormValues[K]) =>
      setValues((v) => ({ ...v, [key]: value }));
  const errorsOf = (field: FieldName) => problems.filter((p) => p.field === field).map((p) => p.message);
  const refuse = (found: FieldProblem[]) => {
    setProblems(found);
    setRefusals((n) => n + 1);
  };

  /** Sends the form: answers the problems to show, none when it went through. */
  const send = async (): Promise<FieldProblem[]> => {
    if (webhook) {
      const parsed = updateAttributes(values);
      if (!parsed.ok) return parsed.problems;
      const updated = await client.webhooks.update(webhook.id, parsed.value);
      setValues(valuesOf(updated.data.attributes));
      onUpdated(updated.data);
      setSaved('Changes saved.');
      return [];
    }
    const parsed = createAttributes(values);
    if (!parsed.ok) return parsed.problems;
    onCreated(await client.webhooks.create(parsed.value));
    return [];
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setSaved('');
    setFailure(undefined);
    setBusy(true);
    try {
      const found = await send();
      if (found.length > 0) refuse(found);
      else setProblems([]);
    } catch (error) {
      // The API's word on the fields; a lost connection, an outage or the session's end is no field's fault.
      if (
        error instanceof HeraldApiError &&
        error.status < 500 &&
        error.status !== 401 &&
        error.status !== 429
      )
        refuse(problemsOf(error.errors));
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  const oauth = values.method === 'o_auth';
  const payloadHint = !webhook
    ? 'A JSON object Herald posts to the token server for a token, e.g. {"client_id": "…", "client_secret": "…"}. Never shown again.'
    : webhook.attributes.has_authentication_payload
      ? 'A payload is stored and never shown. Leave empty to keep it; enter it again if you change the endpoint URL or the token server.'
      : 'No payload is stored: enter the JSON object Herald posts to the token server.';

  return (
    <form
      class="webhook-form"
      onSubmit={submit}
      noValidate
      aria-label={webhook ? 'Edit webhook' : 'New webhook'}
    >
      <ErrorSummary items={summaryOf(problems)} summaryRef={summary} />
      <ErrorNotice error={failure} />
      <fieldset class="section">
        <legend>Endpoint</legend>
        <AttributeField
          field="description"
          value={values.description}
          onInput={set('description')}
          errors={errorsOf('description')}
          required
          maxLength={1024}
          hint="What the webhook is for, as your team will recognise it."
        />
        <AttributeField
          field="url"
          type="url"
          value={values.url}
          onInput={set('url')}
          errors={errorsOf('url')}
          required
          maxLength={2048}
          placeholder="https://"
          hint="Where deliveries are POSTed: an https address on the public internet."
        />
      </fieldset>
      <EventTypesField
        eventTypes={eventTypes}
        values={values}
        onChange={set('eventTypes')}
        errors={errorsOf('event_types')}
      />
      <fieldset class="section">
        <legend>Delivered type and environment</legend>
        <AttributeField
          field="event_type_prefix"
          value={values.prefix}
          onInput={set('prefix')}
          errors={errorsOf('event_type_prefix')}
          maxLength={64}
          hint="Put before the event type with a dot. Letters, digits, _ . - only."
        />
        <AttributeField
          field="event_type_suffix"
          value={values.suffix}
          onInput={set('suffix')}
          errors={errorsOf('event_type_suffix')}
          maxLength={64}
          hint="Put after the event type with a dot, e.g. v1."
        />
        <AttributeField
          field="environment"
          value={values.environment}
          onInput={set('environment')}
          errors={errorsOf('environment')}
          hint="Only events of this environment, e.g. production. Empty: every environment."
        />
      </fieldset>
      <fieldset class="section">
        <legend>Authentication</legend>
        <fieldset
          class="field radios"
          aria-describedby={describedBy(
            fieldId('authentication_method'),
            false,
            errorsOf('authentication_method'),
          )}
        >
          <legend>How deliveries authenticate to your endpoint</legend>
          <FieldError id={fieldId('authentication_method')} errors={errorsOf('authentication_method')} />
          <div class="checkbox">
            <input
              type="radio"
              id={fieldId('authentication_method')}
              name="authentication_method"
              value="none"
              checked={!oauth}
              onChange={() => set('method')('none')}
            />
            <label for={fieldId('authentication_method')}>Signature only</label>
          </div>
          <div class="checkbox">
            <input
              type="radio"
              id="field-authentication-method-o-auth"
              name="authentication_method"
              value="o_auth"
              checked={oauth}
              onChange={() => set('method')('o_auth')}
            />
            <label for="field-authentication-method-o-auth">
              OAuth: a bearer token from your token server
            </label>
          </div>
        </fieldset>
        {oauth && (
          <>
            <AttributeField
              field="authentication_server"
              type="url"
              value={values.server}
              onInput={set('server')}
              errors={errorsOf('authentication_server')}
              required
              maxLength={2048}
              placeholder="https://"
              hint="Herald posts the payload here and sends the token it answers as Authorization: Bearer."
            />
            <div class="field">
              <label for={fieldId('authentication_payload')}>{labels.authentication_payload}</label>
              <FieldHint id={fieldId('authentication_payload')}>{payloadHint}</FieldHint>
              <FieldError
                id={fieldId('authentication_payload')}
                errors={errorsOf('authentication_payload')}
              />
              <textarea
                {...describedControl(
                  fieldId('authentication_payload'),
                  true,
                  errorsOf('authentication_payload'),
                )}
                name="authentication_payload"
                rows={4}
                spellcheck={false}
                autocomplete="off"
                value={values.payload}
                onInput={(e) => set('payload')(e.currentTarget.value)}
              />
            </div>
            <div class="field">
              <label for={fieldId('authentication_payload_type')}>{labels.authentication_payload_type}</label>
              <FieldError
                id={fieldId('authentication_payload_type')}
                errors={errorsOf('authentication_payload_type')}
              />
              <select
                {...describedControl(
                  fieldId('authentication_payload_type'),
                  false,
                  errorsOf('authentication_payload_type'),
                )}
                name="authentication_payload_type"
                value={values.payloadType}
                onChange={(e) =>
                  set('payloadType')(
                    e.currentTarget.value === 'application/x-www-form-urlencoded'
                      ? 'application/x-www-form-urlencoded'
                      : 'application/json',
                  )
                }
              >
                <option value="application/json">JSON (application/json)</option>
                <option value="application/x-www-form-urlencoded">
                  Form (application/x-www-form-urlencoded)
                </option>
              </select>
            </div>
          </>
        )}
      </fieldset>
      <DeliveryControls
        client={client}
        eventTypes={eventTypes}
        values={values}
        onRateLimit={set('rateLimit')}
        onFilter={set('filter')}
        onOrdering={set('ordering')}
        errorsOf={errorsOf}
        onFilterProblems={(found) =>
          setProblems((all) => [...all.filter((p) => p.field !== 'filter'), ...found])
        }
      />
      <div class="form-actions">
        <button type="submit" class="button button-primary" disabled={busy}>
          {webhook ? 'Save changes' : 'Create webhook'}
        </button>
        <a href={webhook ? routes.webhook(webhook.id) : routes.webhooks}>Cancel</a>
        <p role="status" class="saved">
          {busy ? 'Saving…' : saved}
        </p>
      </div>
    </form>
  );
}

// --- After create ------------------------------------------------------------------------------

function Created({ session, created }: { session: PageProps['session']; created: CreatedWebhookDocument }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const { id, attributes } = created.data;
  return (
    <>
      <h1 tabIndex={-1} ref={heading}>
        Webhook created
      </h1>
      <p>
        <strong>{attributes.description}</strong> now receives {attributes.event_types.join(', ')} at{' '}
        <code class="wrap">{attributes.url}</code>.
      </p>
      <section class="secret" aria-labelledby="secret-heading">
        <h2 id="secret-heading">Signing secret</h2>
        {can(session, 'secrets') && attributes.signing_secret ? (
          <>
            <p>
              Your endpoint verifies each delivery's signature with this secret (Standard Webhooks). It is
              shown once here; keep it with your endpoint's configuration.
            </p>
            <p class="secret-value">
              <code>{attributes.signing_secret}</code>{' '}
              <CopyButton text={attributes.signing_secret} label="Copy the signing secret" />
            </p>
          </>
        ) : (
          <p>
            Hidden: this session may not see secrets. Ask {session.theme.name ?? 'your platform'} for the
            signing secret, or for a session that may see it.
          </p>
        )}
      </section>
      <p class="form-actions">
        <a class="button button-primary" href={routes.webhook(id)}>
          Go to the webhook
        </a>
        <a href={routes.webhooks}>Back to webhooks</a>
      </p>
    </>
  );
}
