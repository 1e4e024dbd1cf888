import { createHash } from 'node:crypto';
import { type ContentFilter, type FilterableEvent, matchesFilter } from '../content-filter';
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  QuotaExceededError,
  ValidationError,
} from '../errors';
import { newId, newSigningSecret, webhookIdPattern } from '../ids';
import { lastAttemptOf, type OperationalEvent, webhookDisabled, webhookEnabled } from '../operational-events';
import {
  type Clock,
  IdempotencyKeyTaken,
  type OperationalEventPublisher,
  type Page,
  StaleWebhook,
  WebhookQuotaReached,
  type WebhookStore,
} from '../ports';
import {
  applyWebhookPatch,
  type CreateAttributes,
  healthyEndpoint,
  type PatchAttributes,
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
  /** How long a rotated signing secret keeps signing. @default 24 h */
  rotationGraceSeconds?: number;
  /** Webhooks one tenant may have; a create past it is refused and stores nothing. @default 100 */
  maxWebhooksPerTenant?: number;
  /** Where disabling and enabling are reported (`webhook.disabled`, `webhook.enabled`); none: not reported. */
  events?: OperationalEventPublisher;
}

export const defaultMaxWebhooksPerTenant = 100;

export const pageSizes = { default: 20, max: 100 } as const;
const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/;

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

/** Creates a webhook from a create request's attributes (parsed at the edge, checked here against the rules). */
export async function createWebhook(
  deps: WebhookDeps,
  input: { tenant: string; attributes: CreateAttributes; idempotencyKey?: string },
): Promise<CreateResult> {
  const { tenant, idempotencyKey } = input;
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
  const hash = requestHash(input.attributes);
  if (idempotencyKey) {
    const replay = await replayIdempotent(deps, tenant, idempotencyKey, hash);
    if (replay) return replay;
  }
  const { attributes, warnings } = validateNewWebhook(input.attributes, deps.rules);
  const now = deps.clock.now();
  const timestamp = now.toISOString();
  const webhook: Webhook = {
    id: newId('wh', now),
    tenant,
    attributes,
    status: 'enabled',
    disabledReason: null,
    disabledAt: null,
    signingSecret: newSigningSecret(),
    previousSecrets: [],
    health: healthyEndpoint,
    createdAt: timestamp,
    updatedAt: timestamp,
    version: 1,
  };
  const ttl = deps.idempotencyTtlSeconds ?? 86_400;
  const maxWebhooks = deps.maxWebhooksPerTenant ?? defaultMaxWebhooksPerTenant;
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
      { maxWebhooks },
    );
  } catch (error) {
    if (error instanceof WebhookQuotaReached) throw new QuotaExceededError(maxWebhooks);
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
  deps: { store: Pick<WebhookStore, 'get'> },
  tenant: string,
  id: string,
): Promise<Webhook> {
  // Ids Herald never issues cannot exist: answer without a read.
  const webhook = webhookIdPattern.test(id) ? await deps.store.get(tenant, id) : undefined;
  if (!webhook) throw notFound(id);
  return webhook;
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
  input: { tenant: string; id: string; attributes: PatchAttributes },
): Promise<{ webhook: Webhook; warnings: Warning[] }> {
  const current = await getWebhook(deps, input.tenant, input.id);
  const { attributes, status, disabledReason, warnings } = applyWebhookPatch(
    current.attributes,
    input.attributes,
    deps.rules,
  );
  const nextStatus = status ?? current.status;
  if (nextStatus === 'enabled' && disabledReason) {
    throw new ValidationError([
      {
        code: 'invalid_attribute',
        title: 'Invalid attribute',
        detail: 'disabled_reason can only be set on a disabled webhook (status: disabled).',
        source: { pointer: '/data/attributes/disabled_reason' },
      },
    ]);
  }
  const now = deps.clock.now().toISOString();
  const disabling = nextStatus === 'disabled' && current.status !== 'disabled';
  const next: Webhook = {
    ...current,
    attributes,
    status: nextStatus,
    disabledReason:
      nextStatus === 'disabled'
        ? (disabledReason ?? (disabling ? 'disabled by the customer' : current.disabledReason))
        : null,
    disabledAt: nextStatus === 'disabled' ? (disabling ? now : current.disabledAt) : null,
    // Enabling again starts a new record: the old streak must not disable it at the next failure.
    health: status === 'enabled' && current.status === 'disabled' ? healthyEndpoint : current.health,
    updatedAt: now,
    version: current.version + 1,
  };
  try {
    await deps.store.update(current, next);
  } catch (error) {
    if (error instanceof StaleWebhook) throw staleConflict(input.id);
    throw error;
  }
  const transition = statusTransition(current, next, now);
  // After the write has answered: the publisher never throws, and waits only briefly.
  if (transition && deps.events) await deps.events.publish([transition]).catch(() => undefined);
  return { webhook: next, warnings };
}

/** The operational event a PATCH's change of status makes, if it changed; a reason edit alone makes none. */
function statusTransition(current: Webhook, next: Webhook, at: string): OperationalEvent | undefined {
  if (current.status === next.status) return undefined;
  if (next.status === 'disabled') {
    return webhookDisabled(next, {
      trigger: 'manual',
      reason: next.disabledReason ?? 'disabled by the customer',
      at,
      health: current.health,
      lastAttempt: lastAttemptOf(current.health),
    });
  }
  return webhookEnabled(next, { at, health: current.health });
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

/** Longest grace period a rotation may ask for: a week. */
export const maxRotationGraceSeconds = 7 * 86_400;
/** Rotated secrets kept signing at once; older ones stop early when more rotations pile up. */
const maxPreviousSecrets = 5;

/**
 * `POST /webhooks/{id}/secret/rotate`: a new signing secret; the old one keeps signing beside it
 * for the grace period (24 h unless the request or the deployment says otherwise), so receivers
 * can switch without rejecting a delivery. A grace period of 0 ends every older secret at once,
 * those of earlier rotations still in their grace too (a leaked secret).
 */
export async function rotateSigningSecret(
  deps: WebhookDeps,
  input: { tenant: string; id: string; gracePeriodSeconds?: number },
): Promise<{ webhook: Webhook; previousExpiresAt: string }> {
  const grace = input.gracePeriodSeconds ?? deps.rotationGraceSeconds ?? 86_400;
  const current = await getWebhook(deps, input.tenant, input.id);
  const now = deps.clock.now();
  const previousExpiresAt = new Date(now.getTime() + grace * 1000).toISOString();
  const stillSigning = current.previousSecrets.filter((p) => Date.parse(p.expiresAt) > now.getTime());
  const next: Webhook = {
    ...current,
    signingSecret: newSigningSecret(),
    // No grace is the compromised-secret case: every older secret ends now, not only the current one.
    previousSecrets:
      grace > 0
        ? [{ secret: current.signingSecret, expiresAt: previousExpiresAt }, ...stillSigning].slice(
            0,
            maxPreviousSecrets,
          )
        : [],
    updatedAt: now.toISOString(),
    version: current.version + 1,
  };
  try {
    await deps.store.update(current, next);
  } catch (error) {
    if (error instanceof StaleWebhook) throw staleConflict(input.id);
    throw error;
  }
  return { webhook: next, previousExpiresAt: grace > 0 ? previousExpiresAt : now.toISOString() };
}

/**
 * Whether a webhook with `filter` would receive `event`: the router's matcher itself, so the
 * answer is what delivery does. No filter (null) receives every event.
 */
export function testFilter(filter: ContentFilter | null, event: FilterableEvent): boolean {
  return filter === null || matchesFilter(filter, event);
}
