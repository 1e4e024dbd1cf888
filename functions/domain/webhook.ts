// A namespace import: `import { z }` hands esbuild zod's namespace object, which holds every
// locale (about 140 KB of the api bundle); property reads on `* as z` let it keep what is used.
import * as z from 'zod/v4';
import { checkTargetUrl } from './address';
import type { ContentFilter } from './content-filter';
import { contentFilterSchema } from './content-filter-schema';
import { type Problem, ValidationError } from './errors';
import { findEventType } from './event-catalog';
import { rateLimitBounds } from './rate-limit';
import type { AllowedPorts } from './target-ports';
import { authenticationMethods, authenticationPayloadTypes } from './webhook-model';

// The delivery path's part of the webhook, kept apart so its bundles need no zod/v4 field table.
export {
  authenticationMethods,
  authenticationPayloadTypes,
  deliveredType,
  signingSecretsAt,
} from './webhook-model';

/**
 * The webhook: the seeds' field table as one zod schema, the cross-field rules around it, and
 * the public view of a stored webhook. Attribute names are the API's (snake_case) everywhere,
 * so a stored webhook, a request and a response read the same.
 */

export const limits = {
  descriptionLength: 1024,
  urlLength: 2048,
  affixLength: 64,
  authenticationPayloadBytes: 4096,
  authenticationPayloadKeys: 50,
} as const;

/** What the deployment allows; from settings, never from the request. */
export interface WebhookRules {
  allowedEnvironments: readonly string[];
  allowPrivateTargets: boolean;
  /** Ports `url` and `authentication_server` may use. */
  allowedPorts: AllowedPorts;
  /** Stored as `event_type_prefix` when a create request leaves it out; '' for none. */
  defaultTypePrefix: string;
}

export type AuthenticationMethod = (typeof authenticationMethods)[number];
export type AuthenticationPayloadType = (typeof authenticationPayloadTypes)[number];

/** A webhook's configuration, as validated and stored. */
export interface WebhookAttributes {
  description: string;
  url: string;
  event_types: string[];
  event_type_prefix: string | null;
  event_type_suffix: string | null;
  environment: string | null;
  authentication_method: AuthenticationMethod;
  authentication_payload: Record<string, unknown> | null;
  authentication_payload_type: AuthenticationPayloadType | null;
  authentication_server: string | null;
  bucket: string | null;
  /** Deliver only events matching this pattern (content-filter.ts); null for every event. */
  filter: ContentFilter | null;
  /** At most this many deliveries a second (rate-limit.ts); null for no limit. */
  rate_limit: number | null;
}

export type WebhookStatus = 'enabled' | 'disabled';

/** How the endpoint has been answering: a streak of failed attempts, or none. */
export interface EndpointHealth {
  consecutiveFailures: number;
  /** When the current streak of failures began; `null` while the endpoint is healthy. */
  failingSince: string | null;
  lastFailureAt: string | null;
  lastFailureReason: string | null;
}

export const healthyEndpoint: EndpointHealth = {
  consecutiveFailures: 0,
  failingSince: null,
  lastFailureAt: null,
  lastFailureReason: null,
};

/** A signing secret replaced by a rotation, still signing until `expiresAt`. */
export interface PreviousSecret {
  secret: string;
  expiresAt: string;
}

export interface Webhook {
  id: string;
  tenant: string;
  attributes: WebhookAttributes;
  status: WebhookStatus;
  disabledReason: string | null;
  /** When the webhook was last disabled, by the customer or automatically. */
  disabledAt: string | null;
  signingSecret: string;
  /** Secrets replaced by a rotation: they keep signing, beside the current one, until they expire. */
  previousSecrets: PreviousSecret[];
  health: EndpointHealth;
  createdAt: string;
  updatedAt: string;
  /** Incremented on every write; updates are conditional on it. */
  version: number;
}

export interface Warning {
  code: string;
  detail: string;
  source: { pointer: string };
}

/** Empty strings and empty objects mean "not set" for the optional fields clients send blank. */
const blankToNull = (v: unknown) =>
  v === '' || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)
    ? null
    : v;

const affix = z.preprocess(
  blankToNull,
  z
    .string()
    .max(limits.affixLength)
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
      'must start with a letter or digit and use only letters, digits, _ . -',
    )
    .nullable(),
);

/** How deep the OAuth payload may nest: DynamoDB stores 32 levels, a token request needs few. */
const maxPayloadDepth = 8;
/** Keys JavaScript objects treat specially: copying them would change a prototype, not a field. */
const reservedKeys = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Why a JSON value cannot be stored and sent back exactly as given, or undefined when it can:
 * too deep for DynamoDB, a key that would become a prototype, or a number DynamoDB or JavaScript
 * cannot hold exactly.
 */
export function storableJsonProblem(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'numbers must be finite';
    if (
      Number.isInteger(value)
        ? !Number.isSafeInteger(value)
        : Math.abs(value) >= 1e125 || Math.abs(value) < 1e-129
    )
      return `the number ${value} cannot be stored exactly (integers up to 2^53, other numbers between 1e-129 and 1e125)`;
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= maxPayloadDepth) return `must nest at most ${maxPayloadDepth} levels`;
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  for (const [key, child] of entries) {
    if (!Array.isArray(value) && reservedKeys.has(key)) return `must not use the key ${key}`;
    const problem = storableJsonProblem(child, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * The OAuth payload: a JSON object of the customer's choosing. The storable check runs before the record copies keys, so
 * a `__proto__` key is refused rather than turned into a prototype. The document describes it as
 * an opaque object: a recursive JSON value breaks generated client types (TOOLCHAIN.md).
 */
const authenticationPayload = z
  .unknown()
  .superRefine((value, ctx) => {
    const problem = storableJsonProblem(value);
    // Abort before the record: zod's record check throws on a `constructor: null` key.
    if (problem) ctx.addIssue({ code: 'custom', message: problem, continue: false });
  })
  .pipe(z.record(z.string(), z.unknown()).nullable())
  .meta({
    override: { type: ['object', 'null'], additionalProperties: true },
    description:
      'Required with `o_auth`: a JSON object (flat for form encoding), at most 4 KB, posted to `authentication_server` for a token. Write-only: never returned (`has_authentication_payload` says whether one is set), and sent only to the server it was given with.',
    example: { client_id: 'herald', client_secret: 's3cret' },
  });

const attributeShape = {
  description: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(limits.descriptionLength)
    .meta({ description: 'What the webhook is for; 1 to 1024 characters.', example: 'Test webhook' }),
  url: z.string().meta({
    description:
      'The endpoint deliveries are POSTed to: absolute https, at most 2048 characters, no credentials or fragment; never a private, loopback, link-local, metadata or other reserved address (in any notation).',
  }),
  event_types: z.array(z.string()).min(1, 'must list at least one event type').meta({
    description:
      'Non-empty, no duplicates, each from GET /webhook-event-types (a deprecated type is accepted with a warning in `meta.warnings`).',
  }),
  event_type_prefix: affix.optional().meta({
    description:
      'Letters, digits, `_ . -`, up to 64; the delivered `type` is `[prefix.]event_type[.suffix]`.',
  }),
  event_type_suffix: affix.optional().meta({
    description: 'Appended to the delivered `type` after a dot; the same rules as `event_type_prefix`.',
  }),
  environment: z.preprocess(blankToNull, z.string().nullable()).optional().meta({
    description: 'Only events of this environment; a webhook without one receives every environment’s.',
  }),
  authentication_method: z
    .enum(authenticationMethods, {
      error: () => `must be one of: ${authenticationMethods.join(', ')}`,
    })
    .meta({ description: '`o_auth`: each delivery carries a bearer token from `authentication_server`.' }),
  authentication_payload: z.preprocess(blankToNull, authenticationPayload).optional(),
  authentication_payload_type: z
    .preprocess(
      blankToNull,
      z
        .enum(authenticationPayloadTypes, {
          error: () => `must be one of: ${authenticationPayloadTypes.join(', ')}`,
        })
        .nullable(),
    )
    .optional()
    .meta({ description: 'Required with `o_auth`: how the payload is encoded.' }),
  authentication_server: z
    .preprocess(blankToNull, z.string().nullable())
    .optional()
    .meta({ description: 'Required with `o_auth`: the token endpoint; the same rules as `url`.' }),
  bucket: z
    .preprocess(
      blankToNull,
      z
        .string()
        .regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be lowercase letters, digits and _ (e.g. use_case_events)')
        .nullable(),
    )
    .optional()
    .meta({ description: 'A grouping the platform’s client sends, e.g. `use_case_events`.' }),
  filter: z.preprocess(blankToNull, contentFilterSchema).optional(),
  rate_limit: z.int().min(rateLimitBounds.min).max(rateLimitBounds.max).nullable().optional().meta({
    description:
      'At most this many deliveries a second to this webhook (1 to 1000), across every delivery container; deliveries over it wait on the queue without using an attempt. Null (the default) for no limit.',
    example: 5,
  }),
};

/** The create request's attributes: the seed's field table; unknown attributes refused. */
export const createAttributesSchema = z.strictObject(attributeShape).meta({ id: 'WebhookCreateAttributes' });

/** A PATCH may carry any subset, plus `status` and `disabled_reason` (enable or disable by hand). */
export const patchAttributesSchema = z
  .strictObject({
    ...attributeShape,
    description: attributeShape.description.optional(),
    url: attributeShape.url.optional(),
    event_types: attributeShape.event_types.optional(),
    authentication_method: attributeShape.authentication_method.optional(),
    status: z
      .enum(['enabled', 'disabled'], { error: () => 'must be one of: enabled, disabled' })
      .optional()
      .meta({ description: 'Enable or disable the webhook by hand.' }),
    disabled_reason: z
      .preprocess(blankToNull, z.string().trim().max(256).nullable())
      .optional()
      .meta({ description: 'Why it was disabled, up to 256 characters.' }),
  })
  .meta({ id: 'WebhookPatchAttributes' });

/** A create request's attributes, as the field table parses them. */
export type CreateAttributes = z.infer<typeof createAttributesSchema>;
/** A PATCH's attributes, as parsed: a subset of them, and status. */
export type PatchAttributes = z.infer<typeof patchAttributesSchema>;

const attributesPointer = '/data/attributes';

/** The JSON type name of a value, as the API's error details say it. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** The value at `path` in `input`, or undefined where the path leaves it. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * The API's error objects for zod's issues with `input`'s fields: unknown fields, missing ones,
 * wrong types and broken rules, each pointing under `base`.
 */
export function fieldProblems(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  base: string,
  noun = 'webhook attribute',
): Problem[] {
  return issues.flatMap((issue): Problem[] => {
    const pointer = [base, ...issue.path.map((p) => pointerSegment(String(p)))].join('/');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        code: 'unknown_attribute',
        title: 'Unknown attribute',
        detail: `${key} is not a ${noun}.`,
        source: { pointer: `${pointer}/${key}` },
      }));
    }
    const field = issue.path.length > 0 ? issue.path.join('.') : 'attributes';
    const value = valueAt(input, issue.path);
    // A closed set of strings answers `invalid_value` for any input: name a missing or
    // non-string value as the type error it is.
    const notAString =
      issue.code === 'invalid_value' &&
      issue.values.every((v) => typeof v === 'string') &&
      typeof value !== 'string';
    if ((issue.code === 'invalid_type' || notAString) && value === undefined) {
      return [
        {
          code: 'required',
          title: 'Missing attribute',
          detail: `${field} is required.`,
          source: { pointer },
        },
      ];
    }
    if (issue.code === 'invalid_type' || notAString) {
      return [
        {
          code: 'invalid_type',
          title: 'Wrong type',
          // A number that is not whole is named by its value: "an integer, not 2.5".
          detail: `${field} must be ${article(issue.code === 'invalid_type' ? issue.expected : 'string')}, not ${typeof value === 'number' ? String(value) : article(jsonTypeOf(value))}.`,
          source: { pointer },
        },
      ];
    }
    // A custom check names its own code (e.g. `unknown_operator`) where the generic one would blur it.
    const own =
      issue.code === 'custom' && typeof issue.params?.code === 'string' ? issue.params.code : undefined;
    const code =
      own ??
      ((issue.code === 'too_big' || issue.code === 'too_small') && issue.origin === 'number'
        ? 'out_of_range'
        : issue.code === 'too_big'
          ? 'too_long'
          : issue.code === 'too_small'
            ? 'too_short'
            : 'invalid_value');
    const message =
      (issue.code === 'too_big' || issue.code === 'too_small') && issue.origin === 'number'
        ? `must be ${issue.code === 'too_big' ? 'at most' : 'at least'} ${String(issue.code === 'too_big' ? issue.maximum : issue.minimum)}`
        : issue.code === 'too_big' || issue.code === 'too_small'
          ? `must have ${issue.code === 'too_big' ? 'at most' : 'at least'} ${String(issue.code === 'too_big' ? issue.maximum : issue.minimum)} ${issue.origin === 'array' ? 'items' : 'characters'}`
          : issue.message;
    return [{ code, title: 'Invalid attribute', detail: `${field} ${message}`, source: { pointer } }];
  });
}

/** A JSON pointer's segment (RFC 6901): `~` and `/` in a key escaped. */
function pointerSegment(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

function zodProblems(error: z.ZodError, input: unknown, base: string): Problem[] {
  return fieldProblems(error.issues, input, base);
}

function article(type: string): string {
  const names: Record<string, string> = {
    object: 'an object',
    array: 'an array',
    integer: 'an integer',
    int: 'an integer',
    record: 'an object',
  };
  return names[type] ?? (type === 'null' ? 'null' : `a ${type}`);
}

function problem(code: string, field: string, detail: string): Problem {
  return { code, title: 'Invalid attribute', detail, source: { pointer: `${attributesPointer}/${field}` } };
}

type ParsedAttributes = z.infer<typeof createAttributesSchema>;

/** The rules no single field can check: the catalog, the environment list, URLs, OAuth. */
function crossCheck(a: ParsedAttributes, rules: WebhookRules): { problems: Problem[]; warnings: Warning[] } {
  const problems: Problem[] = [];
  const warnings: Warning[] = [];
  const seen = new Set<string>();
  a.event_types.forEach((name, index) => {
    const field = `event_types/${index}`;
    const definition = findEventType(name);
    if (!definition) {
      problems.push(
        problem(
          'unknown_event_type',
          field,
          `${name} is not a known event type; see GET /webhook-event-types.`,
        ),
      );
    } else if (definition.deprecated) {
      warnings.push({
        code: 'deprecated_event_type',
        detail: `${name} is deprecated and may stop being published.`,
        source: { pointer: `${attributesPointer}/${field}` },
      });
    }
    if (seen.has(name))
      problems.push(problem('duplicate_event_type', field, `${name} is listed more than once.`));
    seen.add(name);
  });

  const urlPolicy = {
    allowPrivateTargets: rules.allowPrivateTargets,
    allowedPorts: rules.allowedPorts,
    maxLength: limits.urlLength,
  };
  const urlProblem = checkTargetUrl(a.url, urlPolicy);
  if (urlProblem) problems.push(problem(urlProblem.code, 'url', `url ${urlProblem.detail}.`));

  if (a.environment != null && !rules.allowedEnvironments.includes(a.environment)) {
    problems.push(
      problem(
        'invalid_environment',
        'environment',
        `environment must be one of: ${rules.allowedEnvironments.join(', ')}.`,
      ),
    );
  }

  if (a.authentication_server != null) {
    const serverProblem = checkTargetUrl(a.authentication_server, urlPolicy);
    if (serverProblem) {
      problems.push(
        problem(
          serverProblem.code,
          'authentication_server',
          `authentication_server ${serverProblem.detail}.`,
        ),
      );
    }
  }
  if (a.authentication_payload != null) {
    const payload = a.authentication_payload;
    if (Object.keys(payload).length > limits.authenticationPayloadKeys) {
      problems.push(
        problem(
          'too_long',
          'authentication_payload',
          `authentication_payload may have at most ${limits.authenticationPayloadKeys} keys.`,
        ),
      );
    } else if (Buffer.byteLength(JSON.stringify(payload)) > limits.authenticationPayloadBytes) {
      problems.push(
        problem(
          'too_long',
          'authentication_payload',
          `authentication_payload must be at most ${limits.authenticationPayloadBytes} bytes as JSON.`,
        ),
      );
    }
    if (a.authentication_payload_type === 'application/x-www-form-urlencoded') {
      for (const [key, value] of Object.entries(payload)) {
        if (!['string', 'number', 'boolean'].includes(typeof value)) {
          problems.push(
            problem(
              'invalid_type',
              `authentication_payload/${key}`,
              `authentication_payload.${key} must be a string, number or boolean to be sent as a form.`,
            ),
          );
        }
      }
    }
  }
  if (a.authentication_method === 'o_auth') {
    for (const field of [
      'authentication_payload',
      'authentication_payload_type',
      'authentication_server',
    ] as const) {
      if (a[field] == null) {
        problems.push({
          code: 'required',
          title: 'Missing attribute',
          detail: `${field} is required when authentication_method is o_auth.`,
          source: { pointer: `${attributesPointer}/${field}` },
        });
      }
    }
  }
  return { problems, warnings };
}

function toAttributes(a: ParsedAttributes): WebhookAttributes {
  return {
    description: a.description,
    url: a.url,
    event_types: a.event_types,
    event_type_prefix: a.event_type_prefix ?? null,
    event_type_suffix: a.event_type_suffix ?? null,
    environment: a.environment ?? null,
    authentication_method: a.authentication_method,
    authentication_payload: a.authentication_payload ?? null,
    authentication_payload_type: a.authentication_payload_type ?? null,
    authentication_server: a.authentication_server ?? null,
    bucket: a.bucket ?? null,
    filter: a.filter ?? null,
    rate_limit: a.rate_limit ?? null,
  };
}

function validateWhole(
  input: unknown,
  rules: WebhookRules,
): { attributes: WebhookAttributes; warnings: Warning[] } {
  const parsed = createAttributesSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(zodProblems(parsed.error, input, attributesPointer));
  const { problems, warnings } = crossCheck(parsed.data, rules);
  if (problems.length > 0) throw new ValidationError(problems);
  const attributes = toAttributes(parsed.data);
  if (attributes.authentication_method === 'none' && attributes.authentication_payload !== null) {
    // A secret Herald would never use is a secret it should not keep.
    warnings.push({
      code: 'authentication_payload_ignored',
      detail: 'authentication_payload is only used with authentication_method o_auth; it was not stored.',
      source: { pointer: `${attributesPointer}/authentication_payload` },
    });
    attributes.authentication_payload = null;
  }
  return { attributes, warnings };
}

function requireObject(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError([
      {
        code: 'invalid_type',
        title: 'Wrong type',
        detail: 'data.attributes must be an object.',
        source: { pointer: attributesPointer },
      },
    ]);
  }
  return input as Record<string, unknown>;
}

/** Validates a create request's attributes against the field table and the deployment's rules. */
export function validateNewWebhook(
  input: unknown,
  rules: WebhookRules,
): { attributes: WebhookAttributes; warnings: Warning[] } {
  const attributes = requireObject(input);
  const withDefaults =
    rules.defaultTypePrefix && attributes.event_type_prefix === undefined
      ? { ...attributes, event_type_prefix: rules.defaultTypePrefix }
      : attributes;
  return validateWhole(withDefaults, rules);
}

/**
 * Applies a PATCH's attributes to a stored webhook's and validates the result as a whole, so a
 * partial update can never leave an invalid webhook (say, `o_auth` without a server).
 */
export function applyWebhookPatch(
  current: WebhookAttributes,
  input: unknown,
  rules: WebhookRules,
): {
  attributes: WebhookAttributes;
  status: WebhookStatus | undefined;
  disabledReason: string | null | undefined;
  warnings: Warning[];
} {
  const patch = patchAttributesSchema.safeParse(requireObject(input));
  if (!patch.success) throw new ValidationError(zodProblems(patch.error, input, attributesPointer));
  const { status, disabled_reason: disabledReason, ...rest } = patch.data;
  const changes = rest as Partial<ParsedAttributes>;
  const method = changes.authentication_method ?? current.authentication_method;
  // The stored payload may only go where it went before: see payloadMustBeResent.
  const reusesStoredPayload = method === 'o_auth' && changes.authentication_payload == null;
  const mustResend =
    reusesStoredPayload && current.authentication_payload !== null && payloadMustBeResent(current, changes);
  const merged = {
    ...current,
    // No OAuth, no stored payload: a switch to none deletes it.
    ...(method === 'none' || mustResend ? { authentication_payload: null } : {}),
    ...changes,
  };
  try {
    const { attributes, warnings } = validateWhole(merged, rules);
    return { attributes, status, disabledReason: disabledReason as string | null | undefined, warnings };
  } catch (error) {
    if (!(mustResend && error instanceof ValidationError)) throw error;
    throw new ValidationError(
      error.problems.map((p) =>
        p.code === 'required' && p.source?.pointer === payloadPointer ? payloadRequired : p,
      ),
    );
  }
}

const payloadPointer = `${attributesPointer}/authentication_payload`;
const payloadRequired: Problem = {
  code: 'authentication_payload_required',
  title: 'Missing attribute',
  detail:
    'authentication_payload is write-only: send it again to change url or authentication_server of an o_auth webhook, or to switch a webhook to o_auth.',
  source: { pointer: payloadPointer },
};

/**
 * Whether a PATCH of an `o_auth` webhook would send the stored payload, or a token minted with it,
 * somewhere it did not go before: a new `url` (the token), a new `authentication_server` (the
 * payload), or a switch to `o_auth` (a payload kept from before this rule). A value equal to the
 * stored one is no change: clients that PATCH every attribute they read repeat them. A new
 * `authentication_payload_type` alone is allowed: the same server, which issued and holds the
 * credential, gets it in another encoding.
 */
function payloadMustBeResent(current: WebhookAttributes, changes: Partial<ParsedAttributes>): boolean {
  const changed = <K extends 'url' | 'authentication_server' | 'authentication_method'>(field: K) =>
    changes[field] !== undefined && changes[field] !== current[field];
  return changed('url') || changed('authentication_server') || changed('authentication_method');
}

/** The webhook as the API shows it: every attribute but the OAuth payload, which is only flagged. */
export function publicAttributes(webhook: Webhook) {
  const a = webhook.attributes;
  // A fixed order, whatever order storage returns the map in.
  return {
    description: a.description,
    url: a.url,
    event_types: a.event_types,
    event_type_prefix: a.event_type_prefix,
    event_type_suffix: a.event_type_suffix,
    environment: a.environment,
    bucket: a.bucket,
    filter: a.filter,
    rate_limit: a.rate_limit,
    authentication_method: a.authentication_method,
    authentication_payload_type: a.authentication_payload_type,
    authentication_server: a.authentication_server,
    has_authentication_payload: a.authentication_payload !== null,
    status: webhook.status,
    disabled_reason: webhook.disabledReason,
    disabled_at: webhook.disabledAt,
    health: {
      consecutive_failures: webhook.health.consecutiveFailures,
      failing_since: webhook.health.failingSince,
      last_failure_at: webhook.health.lastFailureAt,
      last_failure_reason: webhook.health.lastFailureReason,
    },
    created_at: webhook.createdAt,
    updated_at: webhook.updatedAt,
  };
}
