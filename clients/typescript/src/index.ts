import createClient from 'openapi-fetch';
import { accessTokens } from './access-tokens.js';
import { apiError } from './errors.js';
import { isRetriableStatus, type RetryOptions, retryAfterMs, retryDelay } from './retry.js';
import type { components, operations, paths } from './schema.js';

/**
 * The Herald API client: every operation of docs/openapi.json, typed from it (src/schema.ts is
 * generated), on openapi-fetch. It trades the API key for short-lived access tokens, follows
 * pages, throws {@link HeraldApiError} on any non-2xx answer, and makes creates safe to retry.
 */

export type { AccessToken } from './access-tokens.js';
export { HeraldApiError, type JsonApiError } from './errors.js';
export type { RetryOptions } from './retry.js';
export type { components, operations, paths } from './schema.js';

// --- Types, all from the generated schema ----------------------------------------------------

type Schemas = components['schemas'];
/** The JSON:API body of one response of `Op`. */
type Answer<
  Op extends keyof operations,
  Status extends keyof operations[Op]['responses'],
> = operations[Op]['responses'][Status] extends { content: { 'application/vnd.api+json': infer Body } }
  ? Body
  : never;

export type WebhookResource = Schemas['Webhook'];
export type Webhook = WebhookResource;
export type WebhookAttributes = WebhookResource['attributes'];
export type DeliveryResource = Schemas['Delivery'];
export type Delivery = DeliveryResource;
export type DeliveryDetail = Schemas['DeliveryDetail'];
export type WebhookCreateAttributes = Schemas['WebhookCreateAttributes'];
export type WebhookUpdateAttributes = Schemas['WebhookPatchAttributes'];
export type RecoveryAttributes = Schemas['RecoveryRequest']['data']['attributes'];
export type WebhookListQuery = NonNullable<operations['listWebhooks']['parameters']['query']>;
export type DeliveryListQuery = NonNullable<operations['listDeliveries']['parameters']['query']>;

export type WebhookListDocument = Answer<'listWebhooks', 200>;
export type WebhookDocument = Answer<'getWebhook', 200>;
export type CreatedWebhookDocument = Answer<'createWebhook', 201>;
export type SecretDocument = Answer<'getWebhookSecret', 200>;
export type RotatedSecretDocument = Answer<'rotateWebhookSecret', 200>;
export type TestEventDocument = Answer<'sendTestEvent', 202>;
export type FilterTestDocument = Answer<'testWebhookFilter', 200>;
/** A payload filter: EventBridge's content-filtering syntax on `{ type, environment, data }`. */
export type WebhookFilter = NonNullable<Schemas['FilterTestRequest']['data']['attributes']['filter']>;
/** The event a filter is tried on. */
export type FilterTestEvent = Schemas['FilterTestEvent'];
export type DeliveryListDocument = Answer<'listDeliveries', 200>;
export type DeliveryDetailDocument = Answer<'getDelivery', 200>;
export type RetriedDeliveryDocument = Answer<'retryDelivery', 202>;
export type RecoveryDocument = Answer<'recoverDeliveries', 202>;
export type EventTypesDocument = Answer<'listEventTypes', 200>;
export type EventType = EventTypesDocument['data'][number];
export type PortalSessionAttributes = Schemas['PortalSessionAttributes'];
export type PortalSessionDocument = Answer<'createPortalSession', 201>;

export interface HeraldClientOptions {
  /** The API root, e.g. `http://127.0.0.1:3000` (local mode) or the stage URL. */
  baseUrl: string;
  tenant: string;
  apiKey: string;
  /**
   * `exchange` (default): trades the key at `POST /auth/exchange` for an access token, renewed
   * shortly before it expires and once on a 401. `key`: sends the key itself as the bearer.
   */
  auth?: 'exchange' | 'key';
  /** @default globalThis.fetch, read at each call */
  fetch?: typeof globalThis.fetch;
  /** Sent as `User-Agent` where the runtime allows it (Node; browsers keep their own). */
  userAgent?: string;
  /** How creates are retried (network errors, 429, 5xx). */
  retry?: RetryOptions;
  /** The clock access tokens expire by, in epoch milliseconds. @default Date.now */
  now?: () => number;
}

export interface HeraldClient {
  webhooks: {
    /** One page; `links.next` is the next one's URL. */
    list(query?: WebhookListQuery): Promise<WebhookListDocument>;
    /** Every webhook, page after page (following `links.next`) as the loop asks for them. */
    listAll(query?: WebhookListQuery): AsyncIterable<WebhookResource>;
    get(id: string): Promise<WebhookDocument>;
    /**
     * Creates a webhook with an `Idempotency-Key` (a random UUID unless given) that each of its own
     * retries repeats, so however many tries it takes there is one webhook.
     */
    create(
      attributes: WebhookCreateAttributes,
      options?: { idempotencyKey?: string },
    ): Promise<CreatedWebhookDocument>;
    update(id: string, attributes: WebhookUpdateAttributes): Promise<WebhookDocument>;
    delete(id: string): Promise<void>;
    enable(id: string): Promise<WebhookDocument>;
    disable(id: string, reason?: string): Promise<WebhookDocument>;
    /** Sends the catalog's example of `eventType` (default: the webhook's first event type). */
    test(id: string, eventType?: string): Promise<TestEventDocument>;
    /**
     * Whether a webhook with `filter` would receive `event`: the router's own matcher answers
     * (`data.attributes.matches`); a bad filter is a 422 pointing into it.
     */
    filterTest(filter: WebhookFilter | null, event: FilterTestEvent): Promise<FilterTestDocument>;
    secret(id: string): Promise<SecretDocument>;
    rotateSecret(id: string, options?: { gracePeriodSeconds?: number }): Promise<RotatedSecretDocument>;
  };
  deliveries: {
    list(webhookId: string, query?: DeliveryListQuery): Promise<DeliveryListDocument>;
    listAll(webhookId: string, query?: DeliveryListQuery): AsyncIterable<DeliveryResource>;
    get(webhookId: string, deliveryId: string): Promise<DeliveryDetailDocument>;
    retry(webhookId: string, deliveryId: string): Promise<RetriedDeliveryDocument>;
    recover(webhookId: string, attributes: RecoveryAttributes): Promise<RecoveryDocument>;
  };
  eventTypes: { list(): Promise<EventTypesDocument> };
  /** Platform-side: sessions of the customer portal for this tenant (needs the tenant's own key). */
  portalSessions: {
    /** A session: its `url` opens the portal, the token in the fragment. */
    create(attributes?: PortalSessionAttributes): Promise<PortalSessionDocument>;
    /** Ends every session of the tenant issued until now. */
    revokeAll(): Promise<void>;
  };
  /** The access token calls carry: the one held, or a new one from the key exchange. */
  accessToken(): Promise<string>;
  /** The OpenAPI document (`GET /api/v2/openapi.json`, sent with no credential). */
  openApi(): Promise<unknown>;
}

// --- The client ------------------------------------------------------------------------------

/** What openapi-fetch answers: `data` on a 2xx, `error` (the parsed body) otherwise. */
interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

function dataOf<T>({ data, error, response }: Outcome<T>): T {
  if (!response.ok || data === undefined) throw apiError(response, error);
  return data;
}

/**
 * fetch rejects with a TypeError when no answer came (refused, reset, DNS); an abort is an
 * AbortError. By name, not instanceof: the fetch given may come from another realm.
 */
const isNetworkError = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && 'name' in error && error.name === 'TypeError';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createHeraldClient(options: HeraldClientOptions): HeraldClient {
  const { baseUrl, tenant, apiKey, auth = 'exchange', retry = {}, now = Date.now } = options;
  const send = (request: Request) => (options.fetch ?? globalThis.fetch)(request);
  const headers = options.userAgent ? { 'User-Agent': options.userAgent } : undefined;
  const anonymous = createClient<paths>({ baseUrl, fetch: send, headers });

  const tokens = accessTokens(
    async () => dataOf(await anonymous.POST('/auth/exchange', { body: { api_token: apiKey, tenant } })),
    now,
  );

  const bearer = (request: Request, token: string): Request => {
    request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  };
  const authorized = async (request: Request): Promise<Response> => {
    if (auth === 'key') return send(bearer(request, apiKey));
    const token = await tokens.current();
    // A clone goes first: the original, body unread, is there for the one try after a 401.
    const response = await send(bearer(request.clone(), token));
    if (response.status !== 401) return response;
    await response.body?.cancel();
    return send(bearer(request, await tokens.renew(token)));
  };
  const api = createClient<paths>({ baseUrl, fetch: authorized, headers });

  /**
   * Makes `call` until it answers, fails for good, or its tries run out. Only for calls that are
   * safe to repeat: no answer (a network error) does not mean nothing happened.
   */
  async function retrying<T>(call: () => Promise<Outcome<T>>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let outcome: Outcome<T>;
      try {
        outcome = await call();
      } catch (error) {
        const wait = isNetworkError(error) ? retryDelay(attempt, retry) : undefined;
        if (wait === undefined) throw error;
        await sleep(wait);
        continue;
      }
      const { response } = outcome;
      const wait = isRetriableStatus(response.status)
        ? retryDelay(attempt, retry, retryAfterMs(response.headers.get('Retry-After'), now()))
        : undefined;
      if (wait === undefined) return dataOf(outcome);
      await sleep(wait);
    }
  }

  /** The items of a list and of every page after it, fetched as the loop reaches them. */
  async function* pages<Item>(
    load: (query?: () => string) => Promise<{ data: Item[]; links: { next?: string } }>,
  ): AsyncGenerator<Item> {
    let page = await load();
    yield* page.data;
    while (page.links.next) {
      // The next link's query, cursor and filters included, on the operation's own path.
      const query = new URL(page.links.next, baseUrl).search.slice(1);
      page = await load(() => query);
      yield* page.data;
    }
  }

  const tenantPath = { tenant };
  const webhookPath = (id: string) => ({ tenant, webhook_id: id });

  const listWebhooks = async (query?: WebhookListQuery, serialize?: () => string) =>
    dataOf(
      await api.GET('/api/v2/{tenant}/webhooks', {
        params: { path: tenantPath, query },
        querySerializer: serialize,
      }),
    );
  const listDeliveries = async (webhookId: string, query?: DeliveryListQuery, serialize?: () => string) =>
    dataOf(
      await api.GET('/api/v2/{tenant}/webhooks/{webhook_id}/deliveries', {
        params: { path: webhookPath(webhookId), query },
        querySerializer: serialize,
      }),
    );
  const update = async (id: string, attributes: WebhookUpdateAttributes) =>
    dataOf(
      await api.PATCH('/api/v2/{tenant}/webhooks/{webhook_id}', {
        params: { path: webhookPath(id) },
        body: { data: { type: 'webhook', id, attributes } },
      }),
    );
  const get = async (id: string) =>
    dataOf(await api.GET('/api/v2/{tenant}/webhooks/{webhook_id}', { params: { path: webhookPath(id) } }));

  return {
    webhooks: {
      list: (query) => listWebhooks(query),
      listAll: (query) => pages((serialize) => listWebhooks(query, serialize)),
      get,
      create(attributes, { idempotencyKey = globalThis.crypto.randomUUID() } = {}) {
        return retrying(() =>
          api.POST('/api/v2/{tenant}/webhooks', {
            params: { path: tenantPath, header: { 'Idempotency-Key': idempotencyKey } },
            body: { data: { type: 'webhook', attributes } },
          }),
        );
      },
      update,
      async delete(id) {
        const { response, error } = await api.DELETE('/api/v2/{tenant}/webhooks/{webhook_id}', {
          params: { path: webhookPath(id) },
        });
        if (!response.ok) throw apiError(response, error);
      },
      enable: (id) => update(id, { status: 'enabled' }),
      disable: (id, reason) => update(id, { status: 'disabled', disabled_reason: reason }),
      async test(id, eventType) {
        const event_type = eventType ?? (await get(id)).data.attributes.event_types[0] ?? '';
        return dataOf(
          await api.POST('/api/v2/{tenant}/webhooks/{webhook_id}/test', {
            params: { path: webhookPath(id) },
            body: { data: { attributes: { event_type } } },
          }),
        );
      },
      filterTest: async (filter, event) =>
        dataOf(
          await api.POST('/api/v2/{tenant}/webhooks/filter-test', {
            params: { path: tenantPath },
            body: { data: { attributes: { filter, event } } },
          }),
        ),
      secret: async (id) =>
        dataOf(
          await api.GET('/api/v2/{tenant}/webhooks/{webhook_id}/secret', {
            params: { path: webhookPath(id) },
          }),
        ),
      async rotateSecret(id, { gracePeriodSeconds } = {}) {
        return dataOf(
          await api.POST('/api/v2/{tenant}/webhooks/{webhook_id}/secret/rotate', {
            params: { path: webhookPath(id) },
            body:
              gracePeriodSeconds === undefined
                ? undefined
                : { data: { attributes: { grace_period_seconds: gracePeriodSeconds } } },
          }),
        );
      },
    },
    deliveries: {
      list: (webhookId, query) => listDeliveries(webhookId, query),
      listAll: (webhookId, query) => pages((serialize) => listDeliveries(webhookId, query, serialize)),
      get: async (webhookId, deliveryId) =>
        dataOf(
          await api.GET('/api/v2/{tenant}/webhooks/{webhook_id}/deliveries/{delivery_id}', {
            params: { path: { ...webhookPath(webhookId), delivery_id: deliveryId } },
          }),
        ),
      retry: async (webhookId, deliveryId) =>
        dataOf(
          await api.POST('/api/v2/{tenant}/webhooks/{webhook_id}/deliveries/{delivery_id}/retry', {
            params: { path: { ...webhookPath(webhookId), delivery_id: deliveryId } },
          }),
        ),
      recover: async (webhookId, attributes) =>
        dataOf(
          await api.POST('/api/v2/{tenant}/webhooks/{webhook_id}/recover', {
            params: { path: webhookPath(webhookId) },
            body: { data: { attributes } },
          }),
        ),
    },
    eventTypes: {
      list: async () =>
        dataOf(await api.GET('/api/v2/{tenant}/webhook-event-types', { params: { path: tenantPath } })),
    },
    portalSessions: {
      create: async (attributes = {}) =>
        dataOf(
          await api.POST('/api/v2/{tenant}/portal-sessions', {
            params: { path: tenantPath },
            body: { data: { type: 'portal-session', attributes } },
          }),
        ),
      async revokeAll() {
        const { response, error } = await api.DELETE('/api/v2/{tenant}/portal-sessions', {
          params: { path: tenantPath },
        });
        if (!response.ok) throw apiError(response, error);
      },
    },
    accessToken: () => tokens.current(),
    async openApi() {
      // The document declares no response schema for itself: read it as text, parse it as JSON.
      const text = dataOf(await anonymous.GET('/api/v2/openapi.json', { parseAs: 'text' }));
      const document: unknown = JSON.parse(text);
      return document;
    },
  };
}
