import type { z } from 'zod/v4';
import type { DeliveryQuery } from '../domain/delivery-log';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  type HeraldError,
  type Problem,
  ValidationError,
} from '../domain/errors';
import { maxRotationGraceSeconds, pageSizes } from '../domain/use-cases/webhooks';
import {
  type CreateAttributes,
  fieldProblems,
  jsonTypeOf,
  type PatchAttributes,
  valueAt,
} from '../domain/webhook';
import {
  type CreatePortalSessionBody,
  createPortalSessionBody,
  createWebhookBody,
  deliveryListQuery,
  type FilterTestAttributes,
  filterTestAttributes,
  type KeyExchangeBody,
  keyExchangeBody,
  recoverBody,
  rotateSecretBody,
  testEventBody,
  updateWebhookBody,
  webhookListQuery,
} from './api-contract';

/**
 * Requests parsed at the edge with the contract's schemas, into the typed input the use cases
 * take. zod finds what is wrong; this file says it the way the API always has: the JSON:API
 * status, code and pointer (or parameter) of each problem.
 */

type Issue = z.core.$ZodIssue;

const attributesPointer = '/data/attributes';

function documentProblem(code: string, detail: string, pointer: string): Problem {
  return { code, title: 'Invalid document', detail, source: { pointer } };
}

/**
 * The error for a webhook document's issues. What is wrong with the document around the
 * attributes answers alone (400, or 409 for the wrong type, 403 for a client id), in the order a
 * reader meets it; otherwise every attribute problem answers at once (422).
 */
function webhookDocumentError(issues: readonly Issue[], body: unknown, create: boolean): HeraldError {
  // Unknown keys are reported on the object that has them: the attributes' are attribute problems.
  const at = (...path: string[]) =>
    issues.find(
      (i) =>
        i.code !== 'unrecognized_keys' &&
        i.path.length === path.length &&
        path.every((p, n) => i.path[n] === p),
    );
  if (at())
    return new BadRequestError([documentProblem('invalid_document', 'The body must be a JSON object.', '')]);
  if (at('data'))
    return new BadRequestError([
      documentProblem('invalid_document', 'The body must have a data object holding the webhook.', '/data'),
    ]);
  if (at('data', 'type'))
    return new ConflictError([
      {
        code: 'type_mismatch',
        title: 'Wrong resource type',
        detail: `data.type must be "webhook", not ${JSON.stringify(valueAt(body, ['data', 'type']))}.`,
        source: { pointer: '/data/type' },
      },
    ]);
  const id = valueAt(body, ['data', 'id']);
  if (at('data', 'id')) {
    if (!create || typeof id !== 'string')
      return new BadRequestError([
        {
          code: 'invalid_type',
          title: 'Wrong type',
          detail: 'data.id must be a string.',
          source: { pointer: '/data/id' },
        },
      ]);
    return new ForbiddenError('Webhook ids are assigned by Herald; leave data.id out.', {
      code: 'client_generated_id',
      source: { pointer: '/data/id' },
    });
  }
  if (at('data', 'attributes')) {
    const attributes = valueAt(body, ['data', 'attributes']);
    return new ValidationError([
      attributes === undefined
        ? {
            code: 'required',
            title: 'Missing attributes',
            detail: 'data.attributes is required.',
            source: { pointer: attributesPointer },
          }
        : {
            code: 'invalid_type',
            title: 'Wrong type',
            detail: `data.attributes must be an object, not ${jsonTypeOf(attributes)}.`,
            source: { pointer: attributesPointer },
          },
    ]);
  }
  const attributeIssues = issues.map((i) => ({ ...i, path: i.path.slice(2) }));
  return new ValidationError(
    fieldProblems(attributeIssues, valueAt(body, ['data', 'attributes']), attributesPointer),
  );
}

/** `POST /webhooks`: `{ data: { type?, attributes } }` with the seed's field table. */
export function parseCreateWebhook(body: unknown): CreateAttributes {
  const parsed = createWebhookBody.safeParse(body);
  if (!parsed.success) throw webhookDocumentError(parsed.error.issues, body, true);
  return parsed.data.data.attributes;
}

/**
 * `PATCH /webhooks/{id}`: `{ data: { type?, id?, attributes? } }`, any subset of attributes; an
 * id in the document must be the path's.
 */
export function parseUpdateWebhook(body: unknown, pathId: string): PatchAttributes {
  const parsed = updateWebhookBody.safeParse(body);
  if (!parsed.success) throw webhookDocumentError(parsed.error.issues, body, false);
  const { id, attributes = {} } = parsed.data.data;
  if (id !== undefined && id !== pathId) {
    throw new ConflictError([
      {
        code: 'id_mismatch',
        title: 'Id mismatch',
        detail: `data.id ${id} does not match the webhook ${pathId} in the path.`,
        source: { pointer: '/data/id' },
      },
    ]);
  }
  return attributes;
}

/** `POST .../secret/rotate`: the optional grace period; undefined when the body leaves it out. */
export function parseRotation(body: unknown): number | undefined {
  const parsed = rotateSecretBody.safeParse(body);
  if (parsed.success) return parsed.data?.data?.attributes?.grace_period_seconds;
  const [issue] = parsed.error.issues;
  const path = (issue?.path ?? []).map(String);
  const pointer = (parts: string[]) => (parts.length > 0 ? `/${parts.join('/')}` : '');
  const detail =
    issue?.code === 'unrecognized_keys'
      ? `${issue.keys[0]} is not an attribute of a rotation.`
      : path.length === 0
        ? 'The body must be a JSON object.'
        : path.length < 3
          ? `${path.join('.')} must be an object.`
          : `grace_period_seconds must be a whole number from 0 to ${maxRotationGraceSeconds}.`;
  const where = issue?.code === 'unrecognized_keys' ? [...path, String(issue.keys[0])] : path;
  throw new ValidationError([
    { code: 'invalid_attribute', title: 'Invalid attribute', detail, source: { pointer: pointer(where) } },
  ]);
}

/** `POST .../recover`: the time range, `until` not before `since`. */
export function parseRecovery(body: unknown): { since: string; until: string | null } {
  const parsed = recoverBody.safeParse(body);
  const problems: Problem[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [, , name] = issue.path.map(String);
      if (name === undefined && issue.code !== 'unrecognized_keys')
        return fail({
          code: 'required',
          title: 'Missing attributes',
          detail: 'The body must be { "data": { "attributes": { "since": "<RFC 3339>" } } }.',
          source: { pointer: attributesPointer },
        });
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys)
          problems.push({
            code: 'unknown_attribute',
            title: 'Unknown attribute',
            detail: `${key} is not an attribute of a recovery.`,
            source: { pointer: `${attributesPointer}/${key}` },
          });
      } else if (valueAt(body, issue.path) == null) {
        problems.push({
          code: 'required',
          title: 'Missing attribute',
          detail: `${name} is required.`,
          source: { pointer: `${attributesPointer}/${name}` },
        });
      } else {
        problems.push({
          code: 'invalid_attribute',
          title: 'Invalid attribute',
          detail: `${name} must be an RFC 3339 date-time, e.g. 2026-11-24T09:00:00Z.`,
          source: { pointer: `${attributesPointer}/${name}` },
        });
      }
    }
    throw new ValidationError(problems);
  }
  const { since, until = null } = parsed.data.data.attributes;
  if (until !== null && Date.parse(until) < Date.parse(since))
    return fail({
      code: 'invalid_attribute',
      title: 'Invalid attribute',
      detail: 'until must not be before since.',
      source: { pointer: `${attributesPointer}/until` },
    });
  return { since, until };
}

function fail(problem: Problem): never {
  throw new ValidationError([problem]);
}

/** `POST .../test`: the event type named; whether the catalog has it is the domain's to say. */
export function parseTestEvent(body: unknown): string {
  const parsed = testEventBody.safeParse(body);
  if (parsed.success) return parsed.data.data.attributes.event_type;
  const missing = valueAt(body, ['data', 'attributes', 'event_type']) === undefined;
  throw new ValidationError([
    {
      code: missing ? 'required' : 'unknown_event_type',
      title: missing ? 'Missing attribute' : 'Unknown event type',
      detail: missing
        ? 'event_type is required: { "data": { "attributes": { "event_type": "use_case_name_updated" } } }.'
        : 'event_type must be one of GET /webhook-event-types.',
      source: { pointer: `${attributesPointer}/event_type` },
    },
  ]);
}

/** `POST .../webhooks/filter-test`: a filter, checked as on a webhook, and an event to try it on. */
export function parseFilterTest(body: unknown): FilterTestAttributes {
  const attributes = valueAt(body, ['data', 'attributes']);
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    return fail({
      code: 'required',
      title: 'Missing attributes',
      detail:
        'The body must be { "data": { "attributes": { "filter": {...}, "event": { "type", "data" } } } }.',
      source: { pointer: attributesPointer },
    });
  }
  const parsed = filterTestAttributes.safeParse(attributes);
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    fieldProblems(parsed.error.issues, attributes, attributesPointer, 'filter-test attribute'),
  );
}

/** `POST /auth/exchange`: `{ api_token, tenant }`, both non-empty strings. */
export function parseKeyExchange(body: unknown): KeyExchangeBody {
  const parsed = keyExchangeBody.safeParse(body);
  if (parsed.success) return parsed.data;
  const wrong = new Set(parsed.error.issues.map((i) => String(i.path[0] ?? '')));
  const names = (['api_token', 'tenant'] as const).filter((name) => wrong.has(name) || wrong.has(''));
  throw new BadRequestError(
    names.map((name) => ({
      code: 'required',
      title: 'Missing field',
      detail: `${name} is required and must be a string.`,
      source: { pointer: `/${name}` },
    })),
  );
}

/** `POST /portal-sessions`: every attribute optional; a body may be left out. */
export function parsePortalSession(
  body: unknown,
): NonNullable<NonNullable<CreatePortalSessionBody['data']>['attributes']> {
  const parsed = createPortalSessionBody.safeParse(body ?? {});
  if (parsed.success) return parsed.data.data?.attributes ?? {};
  throw new ValidationError(fieldProblems(parsed.error.issues, body, '', 'portal session attribute'));
}

type Query = Record<string, string | undefined>;

/** `GET /webhooks`: `page[size]` and `page[after]`. */
export function parseWebhookListQuery(query: Query): { limit: number; after?: string } {
  const parsed = webhookListQuery.safeParse(query);
  if (!parsed.success) {
    const size = parsed.error.issues.some((i) => i.path[0] === 'page[size]');
    throw new BadRequestError([
      size
        ? {
            code: 'invalid_page_size',
            title: 'Invalid page size',
            detail: `page[size] must be a whole number from 1 to ${pageSizes.max}.`,
            source: { parameter: 'page[size]' },
          }
        : {
            code: 'invalid_cursor',
            title: 'Invalid cursor',
            detail: 'page[after] must be a cursor from a links.next of this list.',
            source: { parameter: 'page[after]' },
          },
    ]);
  }
  const { 'page[size]': limit = pageSizes.default, 'page[after]': after } = parsed.data;
  return after === undefined ? { limit } : { limit, after };
}

const deliveryFilters = ['status', 'event_type', 'since', 'until'] as const;

function parameterProblem(parameter: string, detail: string): Problem {
  return { code: 'invalid_parameter', title: 'Invalid parameter', detail, source: { parameter } };
}

const deliveryParameterDetail: Record<string, (value: string) => string> = {
  'page[size]': () => `page[size] must be a whole number from 1 to ${pageSizes.max}.`,
  'page[after]': () => 'page[after] must be a cursor from a links.next of this list.',
  'filter[status]': () => 'status must be one of: pending, retrying, succeeded, failed.',
  'filter[event_type]': (value) => `${value.slice(0, 100)} is not an event type Herald knows.`,
  'filter[since]': () => 'filter[since] must be an RFC 3339 date-time, e.g. 2026-11-24T09:00:00Z.',
  'filter[until]': () => 'filter[until] must be an RFC 3339 date-time, e.g. 2026-11-24T09:00:00Z.',
};

/**
 * `GET .../deliveries`: the page and the filters (`filter[status]` or plain `status`, and so on),
 * every bad parameter named at once.
 */
export function parseDeliveryListQuery(query: Query): DeliveryQuery {
  const named: Query = { 'page[size]': query['page[size]'], 'page[after]': query['page[after]'] };
  for (const name of deliveryFilters) named[`filter[${name}]`] = query[`filter[${name}]`] ?? query[name];
  const parsed = deliveryListQuery.safeParse(named);
  if (!parsed.success) {
    const parameters = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))];
    throw new BadRequestError(
      parameters.map((p) =>
        parameterProblem(p, (deliveryParameterDetail[p] ?? (() => `${p} is invalid.`))(named[p] ?? '')),
      ),
    );
  }
  const q = parsed.data;
  const since = q['filter[since]'];
  const until = q['filter[until]'];
  if (since && until && Date.parse(until) < Date.parse(since))
    throw new BadRequestError([parameterProblem('filter[until]', 'until must not be before since.')]);
  return {
    limit: q['page[size]'] ?? pageSizes.default,
    ...(q['page[after]'] !== undefined ? { after: q['page[after]'] } : {}),
    ...(q['filter[status]'] !== undefined ? { status: q['filter[status]'] } : {}),
    ...(q['filter[event_type]'] !== undefined ? { eventType: q['filter[event_type]'] } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
  };
}
