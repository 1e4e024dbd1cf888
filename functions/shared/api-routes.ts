import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ForbiddenError, MethodNotAllowedError, NotFoundError } from '../domain/errors';
import { eventCatalog } from '../domain/event-catalog';
import { type AuthDeps, exchangeApiKey } from '../domain/use-cases/auth';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhooks,
  readPageParameters,
  updateWebhook,
  type WebhookDeps,
} from '../domain/use-cases/webhooks';
import { publicAttributes, type Warning, type Webhook } from '../domain/webhook';
import { header, linkTo, readJsonBody, respond } from './jsonapi';

/**
 * The API's routes: each reads the request, calls one use case and renders JSON:API. The
 * caller's tenant comes from the authorizer's context, never from the request alone.
 */
export interface ApiDeps {
  webhooks: WebhookDeps;
  auth: AuthDeps;
}

interface Request {
  event: APIGatewayProxyEvent;
  tenant: string;
  params: string[];
}

type RouteHandler = (deps: ApiDeps, request: Request) => Promise<APIGatewayProxyResult>;

const base = (tenant: string) => `/api/v2/${tenant}`;

function webhookResource(event: APIGatewayProxyEvent, webhook: Webhook, extra: Record<string, unknown> = {}) {
  return {
    type: 'webhook',
    id: webhook.id,
    attributes: { ...publicAttributes(webhook), ...extra },
    links: { self: linkTo(event, `${base(webhook.tenant)}/webhooks/${webhook.id}`) },
  };
}

function withWarnings(document: Record<string, unknown>, warnings: Warning[]) {
  return warnings.length > 0 ? { ...document, meta: { warnings } } : document;
}

const routes: Record<string, Partial<Record<string, RouteHandler>>> = {
  webhooks: {
    GET: async (deps, { event, tenant }) => {
      const page = readPageParameters(event.queryStringParameters ?? {});
      const { items, next } = await listWebhooks(deps.webhooks, tenant, page);
      const self = `${base(tenant)}/webhooks`;
      const query = (after?: string) =>
        `?page[size]=${page.limit}${after ? `&page[after]=${encodeURIComponent(after)}` : ''}`;
      return respond(200, {
        data: items.map((w) => webhookResource(event, w)),
        links: {
          self: linkTo(event, `${self}${query(page.after)}`),
          ...(next ? { next: linkTo(event, `${self}${query(next)}`) } : {}),
        },
      });
    },
    POST: async (deps, { event, tenant }) => {
      const body = readJsonBody(event);
      const { webhook, warnings, replayed } = await createWebhook(deps.webhooks, {
        tenant,
        body,
        idempotencyKey: header(event, 'idempotency-key'),
      });
      const resource = webhookResource(event, webhook, { signing_secret: webhook.signingSecret });
      return respond(201, withWarnings({ data: resource }, warnings), {
        Location: resource.links.self,
        ...(replayed ? { 'Idempotent-Replayed': 'true' } : {}),
      });
    },
  },
  'webhooks/:id': {
    GET: async (deps, { event, tenant, params: [id = ''] }) =>
      respond(200, { data: webhookResource(event, await getWebhook(deps.webhooks, tenant, id)) }),
    PATCH: async (deps, { event, tenant, params: [id = ''] }) => {
      const body = readJsonBody(event);
      const { webhook, warnings } = await updateWebhook(deps.webhooks, { tenant, id, body });
      return respond(200, withWarnings({ data: webhookResource(event, webhook) }, warnings));
    },
    DELETE: async (deps, { tenant, params: [id = ''] }) => {
      await deleteWebhook(deps.webhooks, tenant, id);
      return respond(204);
    },
  },
  'webhooks/:id/secret': {
    GET: async (deps, { event, tenant, params: [id = ''] }) => {
      const webhook = await getWebhook(deps.webhooks, tenant, id);
      return respond(200, {
        data: {
          type: 'webhook-secret',
          id: webhook.id,
          attributes: { key: webhook.signingSecret },
          links: { self: linkTo(event, `${base(tenant)}/webhooks/${webhook.id}/secret`) },
        },
      });
    },
  },
  'webhook-event-types': {
    GET: async () =>
      respond(200, {
        data: eventCatalog.map((t) => ({
          type: 'webhook-event-type',
          id: t.name,
          attributes: {
            name: t.name,
            description: t.description,
            group: t.group,
            deprecated: t.deprecated,
            example: t.example,
          },
        })),
      }),
  },
};

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const patterns = Object.keys(routes).map((pattern) => ({
  pattern,
  regex: new RegExp(`^${pattern.replace(/:id/g, '([^/]+)')}$`),
}));

/** Finds and runs the route for a request under `/api/v2/{tenant}/`. */
export async function routeTenantRequest(
  deps: ApiDeps,
  event: APIGatewayProxyEvent,
  principalTenant: string | undefined,
): Promise<APIGatewayProxyResult> {
  const match = event.path.match(/^\/api\/v2\/([^/]+)\/(.+?)\/?$/);
  if (!match) throw new NotFoundError(`No route ${event.path}.`);
  const [, tenant = '', rest = ''] = match;
  // The authorizer's policy already limits a key to its tenant; this is the second lock.
  if (!principalTenant || decode(tenant) !== principalTenant) throw new ForbiddenError();
  for (const { pattern, regex } of patterns) {
    const params = rest.match(regex);
    if (!params) continue;
    const handler = routes[pattern]?.[event.httpMethod];
    if (!handler) throw new MethodNotAllowedError(event.httpMethod, event.path);
    return handler(deps, { event, tenant: principalTenant, params: params.slice(1).map(decode) });
  }
  throw new NotFoundError(`No route ${event.path}.`);
}

/** `POST /auth/exchange`: an API key for a short-lived access token. */
export async function routeAuthExchange(
  deps: ApiDeps,
  event: APIGatewayProxyEvent,
): Promise<APIGatewayProxyResult> {
  if (event.httpMethod !== 'POST') throw new MethodNotAllowedError(event.httpMethod, event.path);
  const token = await exchangeApiKey(deps.auth, readJsonBody(event));
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
    body: JSON.stringify(token),
  };
}
