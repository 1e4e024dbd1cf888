// A namespace import: `import { z }` hands esbuild zod's namespace object, which holds every
// locale (about 140 KB of the api bundle); property reads on `* as z` let it keep what is used.
import * as z from 'zod/v4';
import { contentFilterSchema } from '../domain/content-filter-schema';
import { decodeCursor, deliveryStatuses } from '../domain/delivery-log';
import { rfc3339Pattern } from '../domain/envelope';
import { eventCatalog, eventTypeNames } from '../domain/event-catalog';
import { dataSchemaFor } from '../domain/event-schemas';
import { webhookIdPattern } from '../domain/ids';
import { portalCapabilities, portalSessionLimits } from '../domain/portal-session';
import { maxRotationGraceSeconds, pageSizes } from '../domain/use-cases/webhooks';
import {
  authenticationMethods,
  authenticationPayloadTypes,
  createAttributesSchema,
  deliveryOrderings,
  patchAttributesSchema,
} from '../domain/webhook';
import { type JsonSchema, jsonSchemaOf } from './event-data-schema';

/**
 * The API contract: one zod schema per operation's body, query, path parameters and responses.
 * The edge parses requests with them, and the OpenAPI document (functions/shared/openapi.ts) is
 * generated from them, so what is validated and what is published cannot drift apart.
 */

// --- Shared pieces ---------------------------------------------------------------------------

const dateTime = z.string().meta({ format: 'date-time', example: '2026-11-24T09:00:00.000Z' });
const link = z.string().meta({ format: 'uri' });

export const errorObjectSchema = z
  .object({
    status: z.string().meta({ description: 'The HTTP status, as a string.', example: '422' }),
    code: z.string().meta({ description: 'Stable, machine-readable.', example: 'required' }),
    title: z.string(),
    detail: z.string(),
    source: z
      .object({
        pointer: z.string().optional().meta({ description: 'JSON Pointer into the request document.' }),
        parameter: z.string().optional().meta({ description: 'The query parameter at fault.' }),
        header: z.string().optional().meta({ description: 'The request header at fault.' }),
      })
      .optional(),
  })
  .meta({ id: 'Error' });

export const errorDocumentSchema = z
  .object({ errors: z.array(errorObjectSchema).min(1) })
  .meta({ id: 'ErrorDocument', description: 'JSON:API error objects.' });

const warningSchema = z.object({
  code: z.string(),
  detail: z.string(),
  source: z.object({ pointer: z.string() }),
});

// --- Path and query parameters ---------------------------------------------------------------

const tenantParameter = z
  .string()
  .meta({ description: 'The tenant; must be the credential’s.', example: 'demo' });
const webhookIdParameter = z
  .string()
  .meta({ description: 'A webhook id, as Herald issued it.', example: 'wh_01jf0d8y3ywq3f1c0v9w8x7z6a' });
const deliveryIdParameter = z
  .string()
  .meta({ description: 'A delivery id (the `webhook-id` header it was sent with).' });

export const tenantPath = z.object({ tenant: tenantParameter });
export const webhookPath = z.object({ tenant: tenantParameter, webhook_id: webhookIdParameter });
export const deliveryPath = z.object({
  tenant: tenantParameter,
  webhook_id: webhookIdParameter,
  delivery_id: deliveryIdParameter,
});

const pageSize = z
  .string()
  .regex(/^\d{1,4}$/)
  .transform(Number)
  .pipe(z.number().int().min(1).max(pageSizes.max))
  .optional()
  .meta({ description: `Items per page, 1 to ${pageSizes.max} (default ${pageSizes.default}).` });

/** RFC 3339 `date-time` that `Date.parse` reads too. */
const rfc3339 = z
  .string()
  .regex(rfc3339Pattern, { abort: true })
  .refine((value) => !Number.isNaN(Date.parse(value)))
  .meta({ format: 'date-time', example: '2026-11-24T09:00:00Z' });

export const webhookListQuery = z.object({
  'page[size]': pageSize,
  'page[after]': z
    .string()
    .regex(webhookIdPattern)
    .optional()
    .meta({ description: 'The cursor from links.next.' }),
});

export const deliveryListQuery = z.object({
  'page[size]': pageSize,
  'page[after]': z
    .string()
    .refine((cursor) => decodeCursor(cursor) !== undefined)
    .optional()
    .meta({ description: 'The cursor from links.next.' }),
  'filter[status]': z.enum(deliveryStatuses).optional().meta({ description: 'Plain `status` is read too.' }),
  'filter[event_type]': z
    .enum(eventTypeNames as [string, ...string[]])
    .optional()
    .meta({ description: 'Plain `event_type` is read too.' }),
  'filter[since]': rfc3339.optional().meta({ description: 'Created at or after (plain `since` too).' }),
  'filter[until]': rfc3339.optional().meta({ description: 'Created at or before (plain `until` too).' }),
});

export const idempotencyHeaders = z.object({
  'Idempotency-Key': z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/)
    .optional()
    .meta({ description: 'A create retried with the same key and body answers the first result.' }),
});

// --- Request bodies --------------------------------------------------------------------------

/** The seeds' two create bodies, exactly: the document's request examples and the tests' fixtures. */
export const seedBodies = {
  none: {
    data: {
      type: 'webhook',
      attributes: {
        description: 'Test webhook',
        url: 'https://your-event-server.com/webhook',
        event_types: ['use_case_review_status_updated'],
        event_type_prefix: 'CredoAI',
        event_type_suffix: 'v1',
        environment: 'production',
        authentication_method: 'none',
      },
    },
  },
  oAuth: {
    data: {
      attributes: {
        description: 'Webhook for order creation events',
        event_types: ['use_case_review_status_updated', 'use_case_custom_field_updated'],
        url: 'https://example.com/webhooks/orders',
        event_type_prefix: 'CredoAI',
        event_type_suffix: 'v1',
        environment: 'production',
        authentication_method: 'o_auth',
        authentication_payload: { key: 'secret_key_value' },
        authentication_payload_type: 'application/json',
        authentication_server: 'https://auth.example.com',
      },
    },
  },
} as const;

const webhookType = z
  .literal('webhook', { error: () => 'data.type must be "webhook".' })
  .optional()
  .meta({ description: 'Optional (the seeds’ o_auth example leaves it out); when given, "webhook".' });

export const createWebhookBody = z
  .object({
    data: z.object({
      type: webhookType,
      id: z.never().optional().meta({ description: 'Leave out: Herald assigns ids.' }),
      attributes: createAttributesSchema,
    }),
  })
  .meta({ id: 'WebhookCreateRequest' });

export const updateWebhookBody = z
  .object({
    data: z.object({
      type: webhookType,
      id: z.string().optional().meta({ description: 'When given, the id in the path.' }),
      attributes: patchAttributesSchema.optional(),
    }),
  })
  .meta({ id: 'WebhookUpdateRequest' });

export const rotateSecretBody = z
  .object({
    data: z
      .object({
        attributes: z
          .strictObject({
            grace_period_seconds: z
              .number()
              .int()
              .min(0)
              .max(maxRotationGraceSeconds)
              .optional()
              .meta({ description: 'How long the old secret keeps signing; 0 ends every older one now.' }),
          })
          .optional(),
      })
      .optional(),
  })
  .nullable()
  .optional()
  .meta({ id: 'SecretRotationRequest' });

export const recoverBody = z
  .object({
    data: z.object({
      attributes: z.strictObject({
        since: rfc3339,
        until: rfc3339.nullable().optional(),
      }),
    }),
  })
  .meta({ id: 'RecoveryRequest' });

export const testEventBody = z
  .object({
    data: z.object({
      attributes: z.object({
        event_type: z.string().meta({ description: 'One of GET /webhook-event-types.' }),
      }),
    }),
  })
  .meta({ id: 'TestEventRequest' });

function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// A custom check, not a record: zod's record copies keys and throws on `constructor: null`.
const jsonObject = z
  .custom<Record<string, unknown>>(isJsonObject, {
    error: 'must be an object',
    params: { code: 'invalid_type' },
  })
  .meta({ override: { type: 'object', additionalProperties: true } });

/** The event a filter is tried on: what the router matches a webhook's filter against. */
export const filterTestAttributes = z.strictObject({
  filter: contentFilterSchema,
  event: z
    .strictObject({
      type: z.string().meta({ description: 'The event type, e.g. `use_case_review_status_updated`.' }),
      environment: z
        .string()
        .nullable()
        .optional()
        .meta({ description: 'The event’s environment; null or absent for none (the key is then absent).' }),
      data: jsonObject.meta({ description: 'The event’s `data`, as the platform publishes it.' }),
    })
    .meta({ id: 'FilterTestEvent' }),
});

export const filterTestBody = z
  .object({ data: z.object({ attributes: filterTestAttributes }) })
  .meta({ id: 'FilterTestRequest' });

export const filterTestDocument = z
  .object({
    data: z.object({
      type: z.literal('filter-test'),
      attributes: z.object({
        matches: z
          .boolean()
          .meta({ description: 'Whether a webhook with this filter would receive the event.' }),
      }),
    }),
  })
  .meta({ id: 'FilterTestResult' });

export const keyExchangeBody = z
  .object({
    api_token: z.string().min(1).meta({ description: 'A tenant API key.' }),
    tenant: z.string().min(1),
  })
  .meta({ id: 'KeyExchangeRequest' });

/** A link the portal shows: http(s) only, so no `javascript:` URL can reach a page. */
const webLink = (what: string) =>
  z
    .string()
    .max(512)
    .refine((value) => {
      try {
        return ['https:', 'http:'].includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, 'must be an absolute http(s) URL')
    .meta({ format: 'uri', description: what });

export const portalSessionAttributes = z
  .strictObject({
    expires_in: z
      .number()
      .int()
      .min(portalSessionLimits.minSeconds)
      .max(portalSessionLimits.maxSeconds)
      .optional()
      .meta({
        description: `Seconds the session lasts: ${portalSessionLimits.minSeconds} to ${portalSessionLimits.maxSeconds} (7 days), default ${portalSessionLimits.defaultSeconds}.`,
      }),
    capabilities: z
      .array(z.enum(portalCapabilities))
      .min(1)
      .refine((list) => new Set(list).size === list.length, 'must not repeat a capability')
      .refine((list) => list.includes('read'), 'must include read')
      .optional()
      .meta({
        description:
          '`read` (always): webhooks, the catalog, the log. `write`: create, change, delete, test, retry, recover. `secrets`: reveal and rotate signing secrets. Default: all three.',
      }),
    return_url: webLink(
      'Where the portal’s back link and its “session expired” page send the customer.',
    ).optional(),
    theme: z
      .strictObject({
        name: z
          .string()
          .trim()
          .min(1)
          .max(64)
          .optional()
          .meta({ description: 'The platform’s name, in the header.' }),
        accent_color: z
          .string()
          .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1f6feb')
          .optional()
          .meta({ description: 'Links, buttons and focus rings.' }),
        logo_url: webLink('The platform’s logo, shown in the header (https in production).').optional(),
      })
      .optional(),
  })
  .meta({ id: 'PortalSessionAttributes' });

export const createPortalSessionBody = z
  .object({
    data: z
      .object({
        type: z.literal('portal-session').optional(),
        attributes: portalSessionAttributes.optional(),
      })
      .optional(),
  })
  .meta({ id: 'PortalSessionRequest' });

// --- Responses -------------------------------------------------------------------------------

const healthSchema = z
  .object({
    consecutive_failures: z.number().int(),
    failing_since: dateTime.nullable(),
    last_failure_at: dateTime.nullable(),
    last_failure_reason: z.string().nullable(),
  })
  .meta({
    description:
      'The endpoint’s failure streak: every failed attempt counts (`consecutive_failures`, `failing_since`, `last_failure_at`, `last_failure_reason`); a success ends it.',
  });

/** A webhook as the API shows it: every attribute but the OAuth payload, which is only flagged. */
export const webhookAttributesOut = z.object({
  description: z.string(),
  url: z.string(),
  event_types: z.array(z.string()),
  event_type_prefix: z.string().nullable(),
  event_type_suffix: z.string().nullable(),
  environment: z.string().nullable(),
  bucket: z.string().nullable(),
  filter: z
    .custom<Record<string, unknown> | null>((v) => v === null || isJsonObject(v))
    .meta({
      override: { type: ['object', 'null'], additionalProperties: true },
      description: 'The payload filter: only events matching it are delivered; null for every event.',
    }),
  rate_limit: z
    .int()
    .nullable()
    .meta({ description: 'Deliveries a second this webhook receives at most; null for no limit.' }),
  ordering: z.enum(deliveryOrderings).meta({
    description: '`fifo`: one delivery at a time, in the order queued; `none`: no order kept.',
  }),
  authentication_method: z.enum(authenticationMethods),
  authentication_payload_type: z.enum(authenticationPayloadTypes).nullable(),
  authentication_server: z.string().nullable(),
  has_authentication_payload: z
    .boolean()
    .meta({ description: 'Whether an OAuth payload is stored (it is never shown).' }),
  status: z.enum(['enabled', 'disabled']).meta({
    description:
      '`disabled` by hand, or by Herald after failing every attempt for `herald.autoDisableAfterSeconds` or on a `410 Gone`.',
  }),
  disabled_reason: z.string().nullable().meta({ description: 'Why it was disabled.' }),
  disabled_at: dateTime.nullable().meta({ description: 'When it was disabled.' }),
  health: healthSchema,
  created_at: dateTime.meta({ description: 'When it was created.' }),
  updated_at: dateTime.meta({ description: 'When it last changed (by a request or by Herald).' }),
});

const webhookResource = z
  .object({
    type: z.literal('webhook'),
    id: z.string(),
    attributes: webhookAttributesOut,
    links: z.object({ self: link }),
  })
  .meta({ id: 'Webhook' });

const signingSecret = z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/);

export const webhookDocument = z.object({
  data: webhookResource,
  meta: z.object({ warnings: z.array(warningSchema) }).optional(),
});

export const createdWebhookDocument = z.object({
  data: webhookResource.extend({
    attributes: webhookAttributesOut.extend({
      signing_secret: signingSecret.optional().meta({
        description:
          'Shown once, here; GET .../secret reads it again. Left out for a portal session without the `secrets` capability.',
      }),
    }),
  }),
  meta: z.object({ warnings: z.array(warningSchema) }).optional(),
});

export const webhookListDocument = z.object({
  data: z.array(webhookResource),
  links: z.object({ self: link, next: link.optional() }),
});

const attemptSchema = z.object({
  attempt: z.number().int(),
  time: dateTime,
  outcome: z.enum(['succeeded', 'failed']),
  status_code: z.number().int().nullable(),
  duration_ms: z.number(),
  error: z.string().nullable(),
  response_excerpt: z.string().nullable(),
  trigger: z.enum(['event', 'retry', 'recover', 'test']),
});

const deliveryAttributes = z.object({
  event_id: z.string(),
  event_type: z.string(),
  environment: z.string().nullable(),
  event_time: dateTime,
  status: z.enum(deliveryStatuses),
  attempt_count: z.number().int(),
  last_status_code: z.number().int().nullable(),
  last_error: z.string().nullable(),
  next_attempt_at: dateTime.nullable(),
  created_at: dateTime,
  updated_at: dateTime,
});

/** The delivered body: the seeds' envelope, a CloudEvents 1.0 structured event. */
const envelopeSchema = z.object({
  id: z.string(),
  specversion: z.literal('1.0'),
  datacontenttype: z.literal('application/json'),
  type: z.string(),
  source: z.string(),
  subject: z.string(),
  time: dateTime,
  data: z.record(z.string(), z.unknown()),
});

const deliveryResource = z
  .object({
    type: z.literal('delivery'),
    id: z.string(),
    attributes: deliveryAttributes,
    links: z.object({ self: link }),
  })
  .meta({ id: 'Delivery' });

const deliveryDetailResource = deliveryResource
  .extend({
    attributes: deliveryAttributes.extend({ payload: envelopeSchema, attempts: z.array(attemptSchema) }),
  })
  .meta({ id: 'DeliveryDetail' });

export const deliveryDocument = z.object({ data: deliveryResource });
export const deliveryDetailDocument = z.object({ data: deliveryDetailResource });
export const deliveryListDocument = z.object({
  data: z.array(deliveryResource),
  links: z.object({ self: link, next: link.optional() }),
});

export const recoveryDocument = z.object({
  data: z.object({
    type: z.literal('delivery-recovery'),
    attributes: z.object({
      since: dateTime,
      until: dateTime.nullable(),
      queued: z.number().int(),
      queued_from_dead_letter_queue: z.number().int(),
      dead_letters_scanned: z.number().int(),
      more: z.boolean().meta({ description: 'More failed deliveries remain: call again.' }),
    }),
    links: z.object({ deliveries: link }),
  }),
});

const secretResource = (attributes: z.ZodObject) =>
  z.object({
    data: z.object({
      type: z.literal('webhook-secret'),
      id: z.string(),
      attributes,
      links: z.object({ self: link }),
    }),
  });

export const secretDocument = secretResource(
  z.object({
    key: signingSecret,
    previous_keys: z.array(z.object({ expires_at: dateTime })),
  }),
);

export const rotatedSecretDocument = secretResource(
  z.object({ key: signingSecret, previous_key_expires_at: dateTime }),
);

export const portalSessionDocument = z
  .object({
    data: z.object({
      type: z.literal('portal-session'),
      id: z.string().meta({ description: 'The session id (`ps_…`).' }),
      attributes: z.object({
        url: z.string().meta({
          format: 'uri',
          description: 'The portal, with the token in the fragment (`#token=…`), which no server sees.',
        }),
        token: z
          .string()
          .meta({ description: 'A bearer token for the API, scoped to the tenant and capabilities.' }),
        expires_at: dateTime,
        capabilities: z.array(z.enum(portalCapabilities)),
      }),
    }),
  })
  .meta({ id: 'PortalSession' });

const eventTypeResource = z.object({
  type: z.literal('webhook-event-type'),
  id: z.string(),
  attributes: z.object({
    name: z.string(),
    description: z.string(),
    group: z.enum(['use_case_metadata', 'use_case_custom_field', 'review', 'operational']),
    deprecated: z.boolean(),
    example: z.record(z.string(), z.unknown()).meta({ description: 'An example `data` payload.' }),
    schema: z.record(z.string(), z.unknown()).meta({
      description:
        'JSON Schema (2020-12) of `data`: what Herald checks before delivering (more fields are allowed where it says so).',
    }),
  }),
});

export const eventTypesDocument = z.object({ data: z.array(eventTypeResource) });

export const accessTokenDocument = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().meta({ description: 'Seconds until it expires.' }),
  })
  .meta({ id: 'AccessToken' });

/** The event types' resources with their example payloads: the catalog, as the API lists it. */
let catalogResources: z.infer<typeof eventTypesDocument>['data'] | undefined;

/** The catalog as the API shows it, made once per container. */
export function eventTypeResources(): z.infer<typeof eventTypesDocument>['data'] {
  catalogResources ??= eventCatalog.map((t) => ({
    type: 'webhook-event-type',
    id: t.name,
    attributes: {
      name: t.name,
      description: t.description,
      group: t.group,
      deprecated: t.deprecated,
      example: { ...t.example },
      schema: dataJsonSchema(t.name),
    },
  }));
  return catalogResources;
}

function dataJsonSchema(eventType: string): JsonSchema {
  const schema = dataSchemaFor(eventType);
  if (!schema) throw new Error(`The catalog's ${eventType} has no data schema`);
  return jsonSchemaOf(schema);
}

export type CreateWebhookBody = z.infer<typeof createWebhookBody>;
export type UpdateWebhookBody = z.infer<typeof updateWebhookBody>;
export type RotateSecretBody = z.infer<typeof rotateSecretBody>;
export type RecoverBody = z.infer<typeof recoverBody>;
export type TestEventBody = z.infer<typeof testEventBody>;
export type FilterTestAttributes = z.infer<typeof filterTestAttributes>;
export type FilterTestDocument = z.infer<typeof filterTestDocument>;
export type KeyExchangeBody = z.infer<typeof keyExchangeBody>;
export type CreatePortalSessionBody = z.infer<typeof createPortalSessionBody>;
export type PortalSessionDocument = z.infer<typeof portalSessionDocument>;
export type WebhookAttributesOut = z.infer<typeof webhookAttributesOut>;
export type WebhookListQuery = z.infer<typeof webhookListQuery>;
export type DeliveryListQuery = z.infer<typeof deliveryListQuery>;
export type WebhookDocument = z.infer<typeof webhookDocument>;
export type CreatedWebhookDocument = z.infer<typeof createdWebhookDocument>;
export type WebhookListDocument = z.infer<typeof webhookListDocument>;
export type DeliveryDocument = z.infer<typeof deliveryDocument>;
export type DeliveryDetailDocument = z.infer<typeof deliveryDetailDocument>;
export type DeliveryListDocument = z.infer<typeof deliveryListDocument>;
export type RecoveryDocument = z.infer<typeof recoveryDocument>;
export type SecretDocument = z.infer<typeof secretDocument>;
export type RotatedSecretDocument = z.infer<typeof rotatedSecretDocument>;
export type EventTypesDocument = z.infer<typeof eventTypesDocument>;
export type AccessTokenDocument = z.infer<typeof accessTokenDocument>;
