import { createHash } from 'node:crypto';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { newId, newSigningSecret, webhookIdPattern } from '../ids';
import { type Clock, IdempotencyKeyTaken, type Page, StaleWebhook, type WebhookStore } from '../ports';
import {
  applyWebhookPatch,
  validateNewWebhook,
  type Warning,
  type Webhook,
  type WebhookRules,
} from '../webhook';

/** The webhook use cases: what the API does, with no HTTP and no AWS in sight. */
export interface WebhookDeps {
  store: WebhookStore;
  clock: Clock;
  rules: WebhookRules;
  /** How long an `Idempotency-Key` is remembered. @default 24 h */
  idempotencyTtlSeconds?: number;
}

export const pageSizes = { default: 20, max: 100 } as const;
const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/;

interface ResourceDocument {
  id?: string;
  attributes: unknown;
}

/** Reads the JSON:API document around the attributes: `{ data: { type?, id?, attributes } }`. */
function readDocument(body: unknown, attributesRequired: boolean): ResourceDocument {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestError([
      {
        code: 'invalid_document',
        title: 'Invalid document',
        detail: 'The body must be a JSON object.',
        source: { pointer: '' },
      },
    ]);
  }
  const data = (body as Record<string, unknown>).data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new BadRequestError([
      {
        code: 'invalid_document',
        title: 'Invalid document',
        detail: 'The body must have a data object holding the webhook.',
        source: { pointer: '/data' },
      },
    ]);
  }
  const { type, id, attributes } = data as Record<string, unknown>;
  // The seeds' o_auth example omits data.type, so it is optional; when given it must be right.
  if (type !== undefined && type !== 'webhook') {
    throw new ConflictError([
      {
        code: 'type_mismatch',
        title: 'Wrong resource type',
        detail: `data.type must be "webhook", not ${JSON.stringify(type)}.`,
        source: { pointer: '/data/type' },
      },
    ]);
  }
  if (id !== undefined && typeof id !== 'string') {
    throw new BadRequestError([
      {
        code: 'invalid_type',
        title: 'Wrong type',
        detail: 'data.id must be a string.',
        source: { pointer: '/data/id' },
      },
    ]);
  }
  if (attributes === undefined && attributesRequired) {
    throw new ValidationError([
      {
        code: 'required',
        title: 'Missing attributes',
        detail: 'data.attributes is required.',
        source: { pointer: '/data/attributes' },
      },
    ]);
  }
  return { id, attributes: attributes ?? {} };
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

export interface CreateResult {
  webhook: Webhook;
  warnings: Warning[];
  /** True when an `Idempotency-Key` matched an earlier create and nothing new was made. */
  replayed: boolean;
}

async function replayIdempotent(
  deps: WebhookDeps,
  tenant: string,
  key: string,
  hash: string,
): Promise<CreateResult | undefined> {
  const record = await deps.store.getIdempotencyRecord(tenant, key);
  if (!record || record.expiresAt <= deps.clock.now().getTime() / 1000) return undefined;
  if (record.requestHash !== hash) {
    throw new ConflictError([
      {
        code: 'idempotency_key_reused',
        title: 'Idempotency key reused',
        detail: 'This Idempotency-Key was used with a different request body.',
        source: { header: 'Idempotency-Key' },
      },
    ]);
  }
  const webhook = await deps.store.get(tenant, record.webhookId);
  if (!webhook) {
    throw new ConflictError([
      {
        code: 'idempotency_key_reused',
        title: 'Idempotency key reused',
        detail: 'This Idempotency-Key created a webhook that has since been deleted.',
        source: { header: 'Idempotency-Key' },
      },
    ]);
  }
  return { webhook, warnings: [], replayed: true };
}

export async function createWebhook(
  deps: WebhookDeps,
  input: { tenant: string; body: unknown; idempotencyKey?: string },
): Promise<CreateResult> {
  const { tenant, body, idempotencyKey } = input;
  if (idempotencyKey !== undefined && !idempotencyKeyPattern.test(idempotencyKey)) {
    throw new BadRequestError([
      {
        code: 'invalid_idempotency_key',
        title: 'Invalid Idempotency-Key',
        detail: 'Idempotency-Key must be 1 to 255 visible ASCII characters.',
        source: { header: 'Idempotency-Key' },
      },
    ]);
  }
  const hash = requestHash(body);
  if (idempotencyKey) {
    const replay = await replayIdempotent(deps, tenant, idempotencyKey, hash);
    if (replay) return replay;
  }
  const document = readDocument(body, true);
  if (document.id !== undefined) {
    throw new ForbiddenError('Webhook ids are assigned by Herald; leave data.id out.', {
      code: 'client_generated_id',
      source: { pointer: '/data/id' },
    });
  }
  const { attributes, warnings } = validateNewWebhook(document.attributes, deps.rules);
  const now = deps.clock.now();
  const timestamp = now.toISOString();
  const webhook: Webhook = {
    id: newId('wh', now),
    tenant,
    attributes,
    status: 'enabled',
    disabledReason: null,
    signingSecret: newSigningSecret(),
    createdAt: timestamp,
    updatedAt: timestamp,
    version: 1,
  };
  const ttl = deps.idempotencyTtlSeconds ?? 86_400;
  try {
    await deps.store.create(
      webhook,
      idempotencyKey
        ? {
            tenant,
            key: idempotencyKey,
            requestHash: hash,
            webhookId: webhook.id,
            createdAt: timestamp,
            expiresAt: Math.floor(now.getTime() / 1000) + ttl,
          }
        : undefined,
    );
  } catch (error) {
    // A concurrent request with the same key won the race: answer as it did.
    if (error instanceof IdempotencyKeyTaken && idempotencyKey) {
      const replay = await replayIdempotent(deps, tenant, idempotencyKey, hash);
      if (replay) return replay;
    }
    throw error;
  }
  return { webhook, warnings, replayed: false };
}

function notFound(id: string): NotFoundError {
  return new NotFoundError(`No webhook ${id} in this tenant.`);
}

export async function getWebhook(
  deps: Pick<WebhookDeps, 'store'>,
  tenant: string,
  id: string,
): Promise<Webhook> {
  // Ids Herald never issues cannot exist: answer without a read.
  const webhook = webhookIdPattern.test(id) ? await deps.store.get(tenant, id) : undefined;
  if (!webhook) throw notFound(id);
  return webhook;
}

/** Parses `page[size]` and `page[after]`. */
export function readPageParameters(query: Record<string, string | undefined>): {
  limit: number;
  after?: string;
} {
  const rawSize = query['page[size]'];
  let limit: number = pageSizes.default;
  if (rawSize !== undefined) {
    limit = /^\d{1,4}$/.test(rawSize) ? Number(rawSize) : Number.NaN;
    if (!(limit >= 1 && limit <= pageSizes.max)) {
      throw new BadRequestError([
        {
          code: 'invalid_page_size',
          title: 'Invalid page size',
          detail: `page[size] must be a whole number from 1 to ${pageSizes.max}.`,
          source: { parameter: 'page[size]' },
        },
      ]);
    }
  }
  const after = query['page[after]'];
  if (after !== undefined && !webhookIdPattern.test(after)) {
    throw new BadRequestError([
      {
        code: 'invalid_cursor',
        title: 'Invalid cursor',
        detail: 'page[after] must be a cursor from a links.next of this list.',
        source: { parameter: 'page[after]' },
      },
    ]);
  }
  return after === undefined ? { limit } : { limit, after };
}

export async function listWebhooks(
  deps: Pick<WebhookDeps, 'store'>,
  tenant: string,
  page: { limit: number; after?: string },
): Promise<Page<Webhook>> {
  return deps.store.list(tenant, page);
}

export async function updateWebhook(
  deps: WebhookDeps,
  input: { tenant: string; id: string; body: unknown },
): Promise<{ webhook: Webhook; warnings: Warning[] }> {
  const document = readDocument(input.body, false);
  if (document.id !== undefined && document.id !== input.id) {
    throw new ConflictError([
      {
        code: 'id_mismatch',
        title: 'Id mismatch',
        detail: `data.id ${document.id} does not match the webhook ${input.id} in the path.`,
        source: { pointer: '/data/id' },
      },
    ]);
  }
  const current = await getWebhook(deps, input.tenant, input.id);
  const { attributes, status, warnings } = applyWebhookPatch(
    current.attributes,
    document.attributes,
    deps.rules,
  );
  const nextStatus = status ?? current.status;
  const next: Webhook = {
    ...current,
    attributes,
    status: nextStatus,
    disabledReason:
      nextStatus === 'disabled'
        ? status === 'disabled'
          ? 'disabled by the customer'
          : current.disabledReason
        : null,
    updatedAt: deps.clock.now().toISOString(),
    version: current.version + 1,
  };
  try {
    await deps.store.update(current, next);
  } catch (error) {
    if (error instanceof StaleWebhook) throw staleConflict(input.id);
    throw error;
  }
  return { webhook: next, warnings };
}

function staleConflict(id: string): ConflictError {
  return new ConflictError([
    {
      code: 'concurrent_modification',
      title: 'Concurrent modification',
      detail: `Webhook ${id} changed while this request ran; read it again and retry.`,
    },
  ]);
}

export async function deleteWebhook(
  deps: Pick<WebhookDeps, 'store'>,
  tenant: string,
  id: string,
): Promise<void> {
  const current = await getWebhook(deps, tenant, id);
  try {
    await deps.store.delete(current);
  } catch (error) {
    if (error instanceof StaleWebhook) {
      // Deleted by a concurrent request: the same outcome. Changed: let the client decide.
      if (!(await deps.store.get(tenant, id))) throw notFound(id);
      throw staleConflict(id);
    }
    throw error;
  }
}
