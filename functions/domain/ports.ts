import type { ApiKeyRecord } from './api-key';
import type { DeliveryMessage } from './delivery';
import type { Webhook, WebhookStatus } from './webhook';

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
}

export interface WebhookStore {
  /**
   * Stores a new webhook with its routes, and the idempotency record when given, atomically.
   * Throws {@link IdempotencyKeyTaken} when the record already exists.
   */
  create(webhook: Webhook, idempotency?: IdempotencyRecord): Promise<void>;
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
  send(request: { url: string; body: string; headers: Record<string, string> }): Promise<SendResult>;
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
  getToken(
    webhookId: string,
    config: OAuthTokenConfig,
  ): Promise<{ ok: true; token: string } | { ok: false; reason: string }>;
  invalidate(webhookId: string): void;
}

/** One attempt to deliver, as the delivery log keeps it. */
export interface AttemptRecord {
  tenant: string;
  webhookId: string;
  deliveryId: string;
  eventId: string;
  eventType: string;
  attempt: number;
  time: string;
  outcome: 'succeeded' | 'failed' | 'dropped';
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseExcerpt: string | null;
  /** What happens next: delivered, retried after some seconds, dead-lettered or dropped. */
  next: 'none' | 'retry' | 'dead_letter';
  retryInSeconds: number | null;
}

export interface AttemptLog {
  record(attempt: AttemptRecord): Promise<void>;
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
