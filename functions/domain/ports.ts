import type { ApiKeyRecord } from './api-key';
import type { ContentFilter } from './content-filter';
import type { DeliveryMessage } from './delivery';
import type { DeliveryLogEntry, DeliveryQuery, DeliveryRecord, DeliveryStatus } from './delivery-log';
import type { OperationalEvent } from './operational-events';
import type { EndpointHealth, Webhook, WebhookStatus } from './webhook';
import type { DeliveryOrdering } from './webhook-model';

/** Ports: the small interfaces the use cases need from the outside world. */

export interface Page<T> {
  items: T[];
  /** The cursor for the next page, when there is one. */
  next?: string;
}

/** Remembers which webhook a create request with an `Idempotency-Key` made. */
export interface IdempotencyRecord {
  tenant: string;
  key: string;
  requestHash: string;
  webhookId: string;
  createdAt: string;
  /** Epoch seconds after which the key may be reused. */
  expiresAt: number;
}

/** One route: a webhook subscribed to an event type, in an environment or all (`null`). */
export interface Route {
  tenant: string;
  eventType: string;
  environment: string | null;
  webhookId: string;
  status: WebhookStatus;
  /** The webhook's payload filter: an event it does not match is not the webhook's. */
  filter: ContentFilter | null;
  /** The webhook's ordering: which delivery queue its deliveries go to. */
  ordering: DeliveryOrdering;
}

export interface WebhookStore {
  /**
   * Stores a new webhook with its routes, and the idempotency record when given, atomically.
   * Throws {@link IdempotencyKeyTaken} when the record already exists, and
   * {@link WebhookQuotaReached} when the tenant already has `limits.maxWebhooks` webhooks
   * (checked in the same atomic write, so concurrent creates cannot pass it).
   */
  create(webhook: Webhook, idempotency?: IdempotencyRecord, limits?: { maxWebhooks: number }): Promise<void>;
  get(tenant: string, id: string): Promise<Webhook | undefined>;
  list(tenant: string, options: { limit: number; after?: string }): Promise<Page<Webhook>>;
  /** Replaces `previous` with `next` and its routes; throws {@link StaleWebhook} if it changed meanwhile. */
  update(previous: Webhook, next: Webhook): Promise<void>;
  /** Deletes the webhook and its routes; throws {@link StaleWebhook} if it is already gone or changed. */
  delete(webhook: Webhook): Promise<void>;
  /** Every route for (tenant, event type) that matches the environment: one query. */
  findRoutes(tenant: string, eventType: string, environment: string | null): Promise<Route[]>;
  getIdempotencyRecord(tenant: string, key: string): Promise<IdempotencyRecord | undefined>;
}

export interface ApiKeyStore {
  create(record: ApiKeyRecord): Promise<void>;
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  findById(tenant: string, keyId: string): Promise<ApiKeyRecord | undefined>;
  list(tenant: string): Promise<ApiKeyRecord[]>;
  /** Marks the key revoked; returns false when there is no such key. */
  revoke(tenant: string, keyId: string, at: Date): Promise<boolean>;
  /** When the tenant last ended all its portal sessions (sessions issued until then are void). */
  portalSessionsRevokedAt(tenant: string): Promise<Date | undefined>;
  /** Ends every portal session of the tenant issued up to `at`. */
  revokePortalSessions(tenant: string, at: Date): Promise<void>;
}

/** Gives the access-token signing key (cached by the adapter). */
export interface SigningKeyProvider {
  get(): Promise<string>;
}

/** The queue of deliveries between the router and the delivery function. */
export interface DeliveryQueue {
  /** Enqueues every message or throws: a partial success must not look like a success. */
  enqueue(messages: DeliveryMessage[]): Promise<void>;
}

/** An event Herald refused, kept for an operator to inspect and replay. */
export interface RejectedEvent {
  reason: string;
  problems: string[];
  event: unknown;
  rejectedAt: string;
}

export interface RejectedEventSink {
  keep(rejected: RejectedEvent): Promise<void>;
}

/** What an HTTP attempt came to: an answer, or no answer and why. */
export type SendResult =
  | {
      outcome: 'response';
      status: number;
      headers: Record<string, string>;
      bodyExcerpt: string;
      durationMs: number;
    }
  | {
      outcome: 'error';
      reason: 'timeout' | 'connection_refused' | 'dns' | 'forbidden_target' | 'tls' | 'network';
      detail: string;
      durationMs: number;
    };

/** Sends one signed POST; never throws for network trouble. */
export interface WebhookSender {
  /** `timeoutMs` shortens the sender's own timeout for this call (say, to the invocation's time left). */
  send(request: {
    url: string;
    body: string;
    headers: Record<string, string>;
    timeoutMs?: number;
  }): Promise<SendResult>;
}

export interface OAuthTokenConfig {
  server: string;
  payload: Record<string, unknown>;
  payloadType: 'application/json' | 'application/x-www-form-urlencoded';
  /** Changes whenever the webhook changes, so an edited webhook gets a new token. */
  version: number | string;
}

/** OAuth access tokens for webhooks that use `o_auth`, cached per webhook. */
export interface TokenProvider {
  /** `timeoutMs` shortens the token request's timeout, as for {@link WebhookSender.send}. */
  getToken(
    webhookId: string,
    config: OAuthTokenConfig,
    timeoutMs?: number,
  ): Promise<{ ok: true; token: string } | { ok: false; reason: string }>;
  invalidate(webhookId: string): void;
}

/** The delivery log (see `delivery-log.ts`). */
export interface DeliveryLog {
  /** Records an attempt and the state it leaves the delivery in; creates the record on its first write. */
  record(entry: DeliveryLogEntry): Promise<void>;
  /** Records several deliveries that failed without an attempt (a disabled webhook's), at once. */
  recordUnsent(entries: DeliveryLogEntry[]): Promise<void>;
  get(tenant: string, webhookId: string, deliveryId: string): Promise<DeliveryRecord | undefined>;
  /**
   * The number of the delivery's last attempt, 0 before the first: read strongly consistent by
   * the record's key, so an attempt recorded a moment ago counts. For ordered delivery, whose
   * receive counts are no attempt count.
   */
  attemptsMade(message: DeliveryMessage): Promise<number>;
  /** Newest first by event time. */
  list(tenant: string, webhookId: string, query: DeliveryQuery): Promise<Page<DeliveryRecord>>;
  /**
   * Marks a delivery `pending` (queued again) if its status is one of `from`; false when it is not,
   * so two requests cannot queue the same delivery twice.
   */
  markQueued(record: DeliveryRecord, from: readonly DeliveryStatus[], at: string): Promise<boolean>;
  /** Puts a status back after queueing failed (best effort: only if still `pending`). */
  unmarkQueued(record: DeliveryRecord): Promise<void>;
}

/** A delivery held in the dead-letter queue, taken out of sight while recovery decides. */
export interface DeadLetteredDelivery {
  message: DeliveryMessage;
  /** Deletes it from the dead-letter queue: it has been queued again, or is handled already. */
  remove(): Promise<void>;
  /** Puts it back in sight, untouched. */
  release(): Promise<void>;
}

/** The delivery queue's dead-letter queue, as recovery reads it. */
export interface DeadLetterSource {
  /**
   * Reads through up to `maxMessages` dead-lettered messages and returns the deliveries to one
   * webhook (hidden for a while); the others are released at once.
   */
  take(
    tenant: string,
    webhookId: string,
    maxMessages: number,
  ): Promise<{ deliveries: DeadLetteredDelivery[]; scanned: number }>;
}

/** The endpoint-health half of the webhook store: small updates that do not change the version. */
export interface EndpointHealthStore {
  /** Counts a failed attempt; returns the health after it (the streak's start kept). */
  recordFailure(
    tenant: string,
    webhookId: string,
    at: string,
    reason: string,
  ): Promise<EndpointHealth | undefined>;
  /**
   * Ends a streak of failures; returns the health it replaced (undefined: the webhook is gone).
   * One atomic write, so of concurrent successes only one sees the streak's count.
   */
  recordSuccess(tenant: string, webhookId: string): Promise<EndpointHealth | undefined>;
}

/**
 * Publishes Herald's operational events (operational-events.ts) to the bus. Never throws and
 * waits only briefly: the API call or delivery an event reports on has already happened and must
 * not fail or stall for it, so a failed publish is logged and counted by the adapter, not raised.
 */
export interface OperationalEventPublisher {
  publish(events: readonly OperationalEvent[]): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** The idempotency key is already bound to another create. */
export class IdempotencyKeyTaken extends Error {
  constructor(readonly key: string) {
    super(`Idempotency key ${key} is taken`);
    this.name = 'IdempotencyKeyTaken';
  }
}

/** The webhook changed or vanished between read and write. */
export class StaleWebhook extends Error {
  constructor(readonly webhookId: string) {
    super(`Webhook ${webhookId} changed concurrently`);
    this.name = 'StaleWebhook';
  }
}

/** The tenant already has as many webhooks as it may: nothing was stored. */
export class WebhookQuotaReached extends Error {
  constructor(readonly tenant: string) {
    super(`Tenant ${tenant} has reached its webhook quota`);
    this.name = 'WebhookQuotaReached';
  }
}

/** Counts requests per key in fixed windows (a test-event budget per webhook). */
export interface RequestBudget {
  /**
   * Takes one request from `key`'s budget for the window starting at `windowStart` (epoch
   * seconds); false, taking nothing, when `limit` are already taken. The count is forgotten
   * after `expiresAt` (epoch seconds).
   */
  take(key: string, windowStart: number, limit: number, expiresAt: number): Promise<boolean>;
}

/** A webhook's delivery rate limit, shared by every delivery container (rate-limit.ts). */
export interface RateLimiter {
  /**
   * Takes a token from the webhook's bucket of `perSecond` tokens at `now`, or says how long
   * until one is there; an empty bucket is left as it was.
   */
  take(
    tenant: string,
    webhookId: string,
    perSecond: number,
    now: Date,
  ): Promise<{ allowed: true } | { allowed: false; waitMs: number }>;
}
