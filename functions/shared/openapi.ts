import type { z } from 'zod/v4';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiResponseObject } from 'zod-openapi';
import {
  accessTokenDocument,
  createdWebhookDocument,
  createPortalSessionBody,
  createWebhookBody,
  deliveryDetailDocument,
  deliveryDocument,
  deliveryListDocument,
  deliveryListQuery,
  deliveryPath,
  errorDocumentSchema,
  eventTypeResources,
  eventTypesDocument,
  filterTestBody,
  filterTestDocument,
  idempotencyHeaders,
  keyExchangeBody,
  portalSessionDocument,
  recoverBody,
  recoveryDocument,
  rotatedSecretDocument,
  rotateSecretBody,
  secretDocument,
  seedBodies,
  tenantPath,
  testEventBody,
  updateWebhookBody,
  webhookDocument,
  webhookListDocument,
  webhookListQuery,
  webhookPath,
} from './api-contract';
import { jsonApiMediaType } from './jsonapi';

/**
 * The OpenAPI 3.1 document, generated from the contract's schemas. `operations` is the one list
 * of what the API answers: the document is made from it, and the contract checks of local mode
 * find each response's schema in it.
 */

export const openApiPath = '/api/v2/openapi.json';

export type HttpMethod = 'get' | 'post' | 'patch' | 'delete';

export interface Operation {
  method: HttpMethod;
  /** OpenAPI path template, e.g. `/api/v2/{tenant}/webhooks/{webhook_id}`. */
  path: string;
  operationId: string;
  summary: string;
  /** What a caller needs to know beyond the summary (Markdown; docs/api.md shows it too). */
  description?: string;
  /** Tenant routes need a credential; the key exchange and the document do not. */
  secured: boolean;
  path_params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: {
    schema: z.ZodType;
    required: boolean;
    examples?: Record<string, { summary: string; value: unknown }>;
  };
  /** The success status and its body (none for 204). */
  success: {
    status: number;
    description: string;
    schema?: z.ZodType;
    examples?: Record<string, { summary: string; value: unknown }>;
  };
}

const tenantBase = '/api/v2/{tenant}';

export const operations: readonly Operation[] = [
  {
    method: 'get',
    path: `${tenantBase}/webhooks`,
    operationId: 'listWebhooks',
    summary: 'List webhooks, a page at a time',
    description: 'In creation order; `links.next` while there is more.',
    secured: true,
    path_params: tenantPath,
    query: webhookListQuery,
    success: { status: 200, description: 'A page of webhooks.', schema: webhookListDocument },
  },
  {
    method: 'post',
    path: `${tenantBase}/webhooks`,
    operationId: 'createWebhook',
    summary: 'Create a webhook',
    description:
      'Answers 201 with the webhook and its `signing_secret`, shown only here. With an `Idempotency-Key`, a retry with the same key and body within 24 hours answers the first response (with `Idempotent-Replayed: true`) and creates nothing; the same key with another body answers 409.',
    secured: true,
    path_params: tenantPath,
    headers: idempotencyHeaders,
    body: {
      schema: createWebhookBody,
      required: true,
      examples: {
        none: { summary: 'No authentication (the seed’s example)', value: seedBodies.none },
        o_auth: { summary: 'OAuth client credentials (the seed’s example)', value: seedBodies.oAuth },
      },
    },
    success: {
      status: 201,
      description: 'Created; the signing secret is shown here.',
      schema: createdWebhookDocument,
    },
  },
  {
    method: 'post',
    path: `${tenantBase}/webhooks/filter-test`,
    operationId: 'testWebhookFilter',
    summary: 'Try a payload filter on an event',
    description:
      'Whether a webhook with this `filter` would receive this event: the router’s own matcher, so the answer is what delivery does. Nothing is stored or sent. The filter is checked as on a webhook (422 with a pointer under `/data/attributes/filter`); null matches every event.',
    secured: true,
    path_params: tenantPath,
    body: {
      schema: filterTestBody,
      required: true,
      examples: {
        approved: {
          summary: 'Approved reviews only',
          value: {
            data: {
              attributes: {
                filter: { data: { status: ['approved'] } },
                event: {
                  type: 'use_case_review_status_updated',
                  environment: 'production',
                  data: { status: 'approved', useCaseId: 'ZiSPid3wLeXWTe4VTRjbq9' },
                },
              },
            },
          },
        },
      },
    },
    success: { status: 200, description: 'Whether it matches.', schema: filterTestDocument },
  },
  {
    method: 'get',
    path: `${tenantBase}/webhooks/{webhook_id}`,
    operationId: 'getWebhook',
    summary: 'Read a webhook',
    secured: true,
    path_params: webhookPath,
    success: { status: 200, description: 'The webhook.', schema: webhookDocument },
  },
  {
    method: 'patch',
    path: `${tenantBase}/webhooks/{webhook_id}`,
    operationId: 'updateWebhook',
    summary: 'Change a webhook, enable or disable it',
    description:
      'Changes the attributes given (or all of them, with `data.id`, which must match the path: else 409); the result is validated as a whole. `status` (`enabled`/`disabled`) and `disabled_reason` may be set too. Changing `url` or `authentication_server` of an `o_auth` webhook, or switching to `o_auth`, needs `authentication_payload` in the same request (422 `authentication_payload_required`); repeating the stored values is not a change. Switching to `none` deletes the stored payload.',
    secured: true,
    path_params: webhookPath,
    body: { schema: updateWebhookBody, required: true },
    success: { status: 200, description: 'The webhook as changed.', schema: webhookDocument },
  },
  {
    method: 'delete',
    path: `${tenantBase}/webhooks/{webhook_id}`,
    operationId: 'deleteWebhook',
    summary: 'Delete a webhook',
    description: '204, then 404.',
    secured: true,
    path_params: webhookPath,
    success: { status: 204, description: 'Deleted.' },
  },
  {
    method: 'get',
    path: `${tenantBase}/webhooks/{webhook_id}/secret`,
    operationId: 'getWebhookSecret',
    summary: 'Read the signing secret',
    description:
      'The current `whsec_…` secret, and when each rotated secret still signing expires (`previous_keys`).',
    secured: true,
    path_params: webhookPath,
    success: {
      status: 200,
      description: 'The current secret and when rotated ones stop.',
      schema: secretDocument,
    },
  },
  {
    method: 'post',
    path: `${tenantBase}/webhooks/{webhook_id}/secret/rotate`,
    operationId: 'rotateWebhookSecret',
    summary: 'Rotate the signing secret',
    description:
      'The old one keeps signing beside the new one for `grace_period_seconds` (default one day); `0` ends every older secret at once (a compromised secret).',
    secured: true,
    path_params: webhookPath,
    body: { schema: rotateSecretBody, required: false },
    success: { status: 200, description: 'The new secret.', schema: rotatedSecretDocument },
  },
  {
    method: 'get',
    path: `${tenantBase}/webhooks/{webhook_id}/deliveries`,
    operationId: 'listDeliveries',
    summary: 'List a webhook’s deliveries, newest first',
    description:
      'Filters apply to each delivery’s `created_at`, to the millisecond, both bounds included; `links.next` while there is more.',
    secured: true,
    path_params: webhookPath,
    query: deliveryListQuery,
    success: { status: 200, description: 'A page of deliveries.', schema: deliveryListDocument },
  },
  {
    method: 'get',
    path: `${tenantBase}/webhooks/{webhook_id}/deliveries/{delivery_id}`,
    operationId: 'getDelivery',
    summary: 'Read a delivery with its attempts and payload',
    description:
      'Its id is the `webhook-id` the receiver saw. With `payload` and every attempt: `time`, `status_code`, `duration_ms`, `error`, `response_excerpt` (first 512 bytes), `trigger`.',
    secured: true,
    path_params: deliveryPath,
    success: { status: 200, description: 'The delivery.', schema: deliveryDetailDocument },
  },
  {
    method: 'post',
    path: `${tenantBase}/webhooks/{webhook_id}/deliveries/{delivery_id}/retry`,
    operationId: 'retryDelivery',
    summary: 'Send a delivery again',
    description: 'A new attempt with the same `webhook-id`; 409 when it is already queued.',
    secured: true,
    path_params: deliveryPath,
    success: { status: 202, description: 'Queued.', schema: deliveryDocument },
  },
  {
    method: 'post',
    path: `${tenantBase}/webhooks/{webhook_id}/recover`,
    operationId: 'recoverDeliveries',
    summary: 'Send again everything that failed since a time',
    description:
      'Every failed delivery whose `created_at` is in the range (from the log and the dead-letter queue; a `since` copied from a delivery includes it) is queued again, once; the answer counts them and says whether there is `more`.',
    secured: true,
    path_params: webhookPath,
    body: { schema: recoverBody, required: true },
    success: { status: 202, description: 'Queued.', schema: recoveryDocument },
  },
  {
    method: 'post',
    path: `${tenantBase}/webhooks/{webhook_id}/test`,
    operationId: 'sendTestEvent',
    summary: 'Send the example event of a type to this webhook',
    description:
      'The catalog’s example of that type, sent to this webhook and logged; `herald.testEventsPerMinute` a webhook, then 429.',
    secured: true,
    path_params: webhookPath,
    body: {
      schema: testEventBody,
      required: true,
      examples: {
        review_status: {
          summary: 'A review status change',
          value: { data: { attributes: { event_type: 'use_case_review_status_updated' } } },
        },
      },
    },
    success: { status: 202, description: 'Queued; the delivery as logged.', schema: deliveryDetailDocument },
  },
  {
    method: 'get',
    path: `${tenantBase}/webhook-event-types`,
    operationId: 'listEventTypes',
    summary: 'The event-type catalog, with each type’s example payload',
    description: 'With each type’s description and `deprecated` flag.',
    secured: true,
    path_params: tenantPath,
    success: {
      status: 200,
      description: 'Every event type.',
      schema: eventTypesDocument,
      examples: Object.fromEntries(
        eventTypeResources().map((resource) => [
          resource.id,
          { summary: resource.attributes.description, value: { data: [resource] } },
        ]),
      ),
    },
  },
  {
    method: 'post',
    path: `${tenantBase}/portal-sessions`,
    operationId: 'createPortalSession',
    summary: 'Open a portal session for the tenant’s customer',
    description:
      'Platform-side, with the tenant’s own key or access token (a portal session cannot open another). The answer’s `url` opens the portal with the token in its fragment; the token is a bearer credential for this tenant’s routes that its `capabilities` allow, until `expires_at`. Revoking the key that made it ends it too.',
    secured: true,
    path_params: tenantPath,
    body: {
      schema: createPortalSessionBody,
      required: false,
      examples: {
        read_only: {
          summary: 'A read-only session for a day, with the platform’s colours',
          value: {
            data: {
              attributes: {
                expires_in: 86_400,
                capabilities: ['read'],
                return_url: 'https://app.example.com/settings/webhooks',
                theme: { name: 'Credo AI', accent_color: '#5b3cc4' },
              },
            },
          },
        },
      },
    },
    success: { status: 201, description: 'The session.', schema: portalSessionDocument },
  },
  {
    method: 'delete',
    path: `${tenantBase}/portal-sessions`,
    operationId: 'revokePortalSessions',
    summary: 'End every portal session of the tenant',
    description:
      'Every session issued until now stops working (deployed, within `herald.authorizerCacheSeconds`, as API Gateway caches the authorizer’s answer). Tenant credential only.',
    secured: true,
    path_params: tenantPath,
    success: { status: 204, description: 'Ended.' },
  },
  {
    method: 'post',
    path: '/auth/exchange',
    operationId: 'exchangeApiKey',
    summary: 'An API key for a short-lived access token',
    description:
      '`{"api_token": "<key>", "tenant": "<tenant>"}` for `{"access_token", "token_type": "Bearer", "expires_in"}`: the counterpart of the platform client’s `authenticate`.',
    secured: false,
    body: { schema: keyExchangeBody, required: true },
    success: { status: 200, description: 'The access token.', schema: accessTokenDocument },
  },
];

/** Statuses any operation may answer with an error document (the gateway's own among them). */
export const errorStatuses: Readonly<Record<number, string>> = {
  400: 'Malformed request: JSON, document shape or a query parameter.',
  401: 'No valid credential.',
  403: 'The credential cannot act on this tenant, or the request names a client-generated id.',
  404: 'No such webhook or delivery, or no such route.',
  405: 'The route does not take this method.',
  409: 'A conflict: wrong resource type, concurrent change, reused idempotency key, disabled webhook.',
  413: 'The body is too large.',
  415: 'The body is not JSON:API or JSON.',
  422: 'The document is well-formed but breaks the rules; each error points at a field.',
  429: 'Too many requests: see Retry-After.',
  500: 'Herald failed; nothing about it is revealed.',
};

function content(schema: z.ZodType, examples?: Record<string, { summary: string; value: unknown }>) {
  return { [jsonApiMediaType]: { schema, ...(examples ? { examples } : {}) } };
}

function operationObject(op: Operation): ZodOpenApiOperationObject {
  const responses: Record<string, ZodOpenApiResponseObject> = {
    [String(op.success.status)]: {
      description: op.success.description,
      ...(op.success.schema ? { content: content(op.success.schema, op.success.examples) } : {}),
    },
  };
  for (const [status, description] of Object.entries(errorStatuses)) {
    responses[status] = { description, content: content(errorDocumentSchema) };
  }
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [
      op.path.startsWith('/auth')
        ? 'auth'
        : op.path.includes('deliver') || op.path.endsWith('/recover') || op.path.endsWith('/test')
          ? 'deliveries'
          : op.path.endsWith('event-types')
            ? 'event types'
            : op.path.endsWith('portal-sessions')
              ? 'portal'
              : 'webhooks',
    ],
    ...(op.secured ? {} : { security: [] }),
    requestParams: {
      ...(op.path_params ? { path: op.path_params } : {}),
      ...(op.query ? { query: op.query } : {}),
      ...(op.headers ? { header: op.headers } : {}),
    },
    ...(op.body
      ? {
          requestBody: {
            required: op.body.required,
            content: {
              ...content(op.body.schema, op.body.examples),
              'application/json': { schema: op.body.schema },
            },
          },
        }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the API, as served at `GET /api/v2/openapi.json`. */
export function buildOpenApiDocument(): ReturnType<typeof createDocument> {
  const paths: Record<string, Record<string, ZodOpenApiOperationObject>> = {};
  for (const op of operations) {
    paths[op.path] = { ...paths[op.path], [op.method]: operationObject(op) };
  }
  paths[openApiPath] = {
    get: {
      operationId: 'getOpenApiDocument',
      summary: 'This document',
      tags: ['meta'],
      security: [],
      responses: { '200': { description: 'The OpenAPI 3.1 document.' } },
    },
  };
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Herald',
      version: '2.0.0',
      description:
        'Outbound webhooks: subscribe endpoints to event types, read the delivery log, retry and recover. JSON:API documents; errors are JSON:API error objects pointing at the offending field.',
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'Local mode (npm start)' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A tenant API key, or an access token from POST /auth/exchange.',
        },
      },
    },
    paths,
  });
}

/** The document as committed in docs/openapi.json and served: two-space JSON, a final newline. */
export function openApiText(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}
