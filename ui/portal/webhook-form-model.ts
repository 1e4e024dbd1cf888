import type {
  JsonApiError,
  WebhookAttributes,
  WebhookCreateAttributes,
  WebhookUpdateAttributes,
} from '../../clients/typescript/src/index';

/**
 * The webhook form's values and what they become: the create and update attributes of the API
 * (docs/api.md "Webhook attributes"), and the API's JSON:API errors laid on the fields they point
 * at. The API decides what is valid; the form checks only what it cannot send otherwise (the OAuth
 * payload and the filter must be JSON, the rate limit a number). No DOM here: unit tests run it in Node.
 */

export type PayloadType = 'application/json' | 'application/x-www-form-urlencoded';
export type AuthenticationMethod = 'none' | 'o_auth';
export type Ordering = 'none' | 'fifo';

export interface WebhookFormValues {
  description: string;
  url: string;
  eventTypes: string[];
  prefix: string;
  suffix: string;
  environment: string;
  method: AuthenticationMethod;
  /** JSON text; on edit empty means "keep the stored payload" (it is write-only, never shown). */
  payload: string;
  payloadType: PayloadType;
  server: string;
  /** Deliveries per second, as typed; empty for no limit. */
  rateLimit: string;
  /** The payload filter as JSON text; empty for none (every event of the chosen types). */
  filter: string;
  /** `fifo`: one delivery at a time, in the order events were routed. */
  ordering: Ordering;
}

/** The attributes the form edits, in the order it shows them (and the error summary lists them). */
export const fieldNames = [
  'description',
  'url',
  'event_types',
  'event_type_prefix',
  'event_type_suffix',
  'environment',
  'authentication_method',
  'authentication_payload',
  'authentication_payload_type',
  'authentication_server',
  'rate_limit',
  'filter',
  'ordering',
] as const;
export type FieldName = (typeof fieldNames)[number];

export interface FieldProblem {
  field: FieldName | undefined;
  message: string;
}

export function emptyValues(): WebhookFormValues {
  return {
    description: '',
    url: '',
    eventTypes: [],
    prefix: '',
    suffix: '',
    environment: '',
    method: 'none',
    payload: '',
    payloadType: 'application/json',
    server: '',
    rateLimit: '',
    filter: '',
    ordering: 'none',
  };
}

/** A stored webhook's values; the payload is empty since the API never returns it. */
export function valuesOf(attributes: WebhookAttributes): WebhookFormValues {
  return {
    description: attributes.description,
    url: attributes.url,
    eventTypes: [...attributes.event_types],
    prefix: attributes.event_type_prefix ?? '',
    suffix: attributes.event_type_suffix ?? '',
    environment: attributes.environment ?? '',
    method: attributes.authentication_method,
    payload: '',
    payloadType: attributes.authentication_payload_type ?? 'application/json',
    server: attributes.authentication_server ?? '',
    rateLimit: attributes.rate_limit === null ? '' : String(attributes.rate_limit),
    filter: attributes.filter === null ? '' : JSON.stringify(attributes.filter, null, 2),
    ordering: attributes.ordering,
  };
}

type Payload = NonNullable<WebhookCreateAttributes['authentication_payload']>;
type Filter = NonNullable<WebhookCreateAttributes['filter']>;
type Parsed<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

/** JSON text as an object: undefined when empty; `problem` unless it is a JSON object. */
function parseObject(text: string, problem: FieldProblem): Parsed<Record<string, unknown> | undefined> {
  if (text.trim() === '') return { ok: true, value: undefined };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problems: [problem] };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, problems: [problem] };
  return { ok: true, value: { ...value } };
}

/** The filter text as a pattern; the API checks the pattern itself (422 with a pointer into it). */
export function parseFilter(text: string): Parsed<Filter | undefined> {
  return parseObject(text, {
    field: 'filter',
    message: 'Enter a JSON object, for example {"data": {"status": ["approved"]}}.',
  });
}

/**
 * The rate limit as a number: undefined when empty. Anything numeric goes to the API, which says
 * what it allows (a whole number from 1 to 1,000); text that is no number cannot be sent at all.
 */
function parseRateLimit(text: string): Parsed<number | undefined> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: undefined };
  const value = Number(trimmed);
  if (!Number.isFinite(value))
    return {
      ok: false,
      problems: [
        { field: 'rate_limit', message: 'Enter a whole number of deliveries per second, 1 to 1,000.' },
      ],
    };
  return { ok: true, value };
}

/** The controls' values, or every problem of the form's own checks at once. */
function parseControls(
  values: WebhookFormValues,
): Parsed<{ payload: Payload | undefined; filter: Filter | undefined; rateLimit: number | undefined }> {
  const payload = parsePayload(values.payload);
  const filter = parseFilter(values.filter);
  const rateLimit = parseRateLimit(values.rateLimit);
  const problems = [payload, rateLimit, filter].flatMap((p) => (p.ok ? [] : p.problems));
  if (!payload.ok || !filter.ok || !rateLimit.ok) return { ok: false, problems };
  return { ok: true, value: { payload: payload.value, filter: filter.value, rateLimit: rateLimit.value } };
}

/** The payload text as an object: undefined when empty; a problem unless it is a JSON object. */
function parsePayload(text: string): Parsed<Payload | undefined> {
  return parseObject(text, {
    field: 'authentication_payload',
    message: 'Enter a JSON object, for example {"client_id": "…", "client_secret": "…"}.',
  });
}

const optional = (text: string) => (text.trim() === '' ? undefined : text.trim());
const nullable = (text: string) => (text.trim() === '' ? null : text.trim());

/** The create request's attributes: only what was filled in (the API's defaults for the rest). */
export function createAttributes(values: WebhookFormValues): Parsed<WebhookCreateAttributes> {
  const controls = parseControls(values);
  if (!controls.ok) return controls;
  const { payload, filter, rateLimit } = controls.value;
  const prefix = optional(values.prefix);
  const suffix = optional(values.suffix);
  const environment = optional(values.environment);
  const server = optional(values.server);
  return {
    ok: true,
    value: {
      description: values.description.trim(),
      url: values.url.trim(),
      event_types: values.eventTypes,
      ...(prefix === undefined ? {} : { event_type_prefix: prefix }),
      ...(suffix === undefined ? {} : { event_type_suffix: suffix }),
      ...(environment === undefined ? {} : { environment }),
      authentication_method: values.method,
      ...(values.method === 'o_auth'
        ? {
            ...(payload === undefined ? {} : { authentication_payload: payload }),
            authentication_payload_type: values.payloadType,
            ...(server === undefined ? {} : { authentication_server: server }),
          }
        : {}),
      ...(rateLimit === undefined ? {} : { rate_limit: rateLimit }),
      ...(filter === undefined ? {} : { filter }),
      ...(values.ordering === 'none' ? {} : { ordering: values.ordering }),
    },
  };
}

/**
 * The update request's attributes: every field the form shows, emptied ones as null. The payload
 * only when one was typed: the API keeps the stored one otherwise, and asks for it (422) when the
 * URL or token server changes. Switching to `none` clears the OAuth fields (the API drops the payload).
 */
export function updateAttributes(values: WebhookFormValues): Parsed<WebhookUpdateAttributes> {
  const controls = parseControls(values);
  if (!controls.ok) return controls;
  const { payload, filter, rateLimit } = controls.value;
  return {
    ok: true,
    value: {
      description: values.description.trim(),
      url: values.url.trim(),
      event_types: values.eventTypes,
      event_type_prefix: nullable(values.prefix),
      event_type_suffix: nullable(values.suffix),
      environment: nullable(values.environment),
      authentication_method: values.method,
      ...(values.method === 'o_auth'
        ? {
            ...(payload === undefined ? {} : { authentication_payload: payload }),
            authentication_payload_type: values.payloadType,
            authentication_server: nullable(values.server),
          }
        : { authentication_payload_type: null, authentication_server: null }),
      rate_limit: rateLimit ?? null,
      filter: filter ?? null,
      ordering: values.ordering,
    },
  };
}

/** The field a JSON:API `source.pointer` names: `/data/attributes/event_types/1` is `event_types`. */
export function fieldOf(pointer: string | undefined): FieldName | undefined {
  const name = pointer?.match(/^\/data\/attributes\/([^/]+)/)?.[1];
  return fieldNames.find((f) => f === name);
}

/** The API's errors as problems of fields (those it points at) and of the form (the rest). */
export function problemsOf(errors: readonly JsonApiError[]): FieldProblem[] {
  return errors.map((e) => ({ field: fieldOf(e.source?.pointer), message: e.detail || e.title }));
}

/** The delivered `type` of `eventType` under this prefix and suffix, as a receiver sees it. */
export function deliveredTypeOf(
  values: Pick<WebhookFormValues, 'prefix' | 'suffix'>,
  eventType: string,
): string {
  return [values.prefix.trim(), eventType, values.suffix.trim()].filter((p) => p !== '').join('.');
}
