import type { DeliveryMessage, DeliveryOrigin } from './delivery';
import { parseDeliveryId } from './delivery-id';

/**
 * The delivery log: one record per delivery (an event for a webhook) with every attempt inside,
 * kept for the retention period. It is what a customer reads to see what was sent and what their
 * server answered, and what retry and recovery send again.
 */

/**
 * - `pending`: on the queue, not attempted since it was (re)queued;
 * - `retrying`: an attempt failed and another is scheduled (`nextAttemptAt`);
 * - `succeeded`: the endpoint answered 2xx;
 * - `failed`: no more attempts (out of attempts, `410 Gone`, webhook disabled): recoverable.
 */
export const deliveryStatuses = ['pending', 'retrying', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** Bytes of the endpoint's answer kept per failed attempt: what a customer debugs with. */
export const responseExcerptBytes = 512;

/**
 * Bytes kept of a 2xx answer: enough to recognise it, and it keeps a typical delivery in one
 * DynamoDB write unit (docs/cost.md); the body of a success rarely matters.
 */
export const successExcerptBytes = 64;

/** Attempts one delivery may accumulate across retries and recoveries (keeps the record bounded). */
export const maxAttemptsPerDelivery = 50;

/** One attempt, as the log keeps it. */
export interface Attempt {
  /** Counts on across retries and recoveries of the same delivery: 1, 2, 3... */
  attempt: number;
  time: string;
  outcome: 'succeeded' | 'failed';
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseExcerpt: string | null;
  /** What queued the delivery this attempt belongs to. */
  origin: DeliveryOrigin;
}

export interface DeliveryRecord {
  tenant: string;
  webhookId: string;
  deliveryId: string;
  eventId: string;
  eventType: string;
  environment: string | null;
  source: string;
  /** The event's time: the log is ordered and filtered by it. */
  time: string;
  data: Record<string, unknown>;
  status: DeliveryStatus;
  attemptCount: number;
  attempts: Attempt[];
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What the delivery function writes after an attempt, or instead of one (say, webhook disabled). */
export interface DeliveryLogEntry {
  message: DeliveryMessage;
  status: DeliveryStatus;
  attempt: Attempt | null;
  /** Why, when the delivery failed without an attempt. */
  error: string | null;
  nextAttemptAt: string | null;
  at: string;
}

export interface DeliveryQuery {
  limit: number;
  /** A cursor from the previous page. */
  after?: string;
  status?: DeliveryStatus;
  eventType?: string;
  /**
   * Bounds of the delivery's `createdAt` (the time the log shows), inclusive, compared to the
   * millisecond, RFC 3339: a bound copied from a delivery's `created_at` includes it.
   */
  since?: string;
  until?: string;
}

/** The message that sends a logged delivery again: same ids (receivers dedupe), attempts counting on. */
export function messageFor(record: DeliveryRecord, origin: DeliveryOrigin): DeliveryMessage {
  return {
    deliveryId: record.deliveryId,
    eventId: record.eventId,
    eventType: record.eventType,
    tenant: record.tenant,
    environment: record.environment,
    webhookId: record.webhookId,
    time: record.time,
    source: record.source,
    data: record.data,
    origin,
    attemptOffset: record.attemptCount,
  };
}

/** An RFC 3339 time as `YYYY-MM-DDTHH:mm:ss.sssZ`; the input as given when it does not parse. */
export function normalizeTime(time: string): string {
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? time : new Date(ms).toISOString();
}

/** The first `limit` bytes of a response body, cut on a character boundary. */
export function excerpt(body: string, limit = responseExcerptBytes): string {
  if (body.length * 3 <= limit) return body;
  const bytes = Buffer.from(body, 'utf8');
  if (bytes.length <= limit) return body;
  // Drop a partial multi-byte character at the cut rather than store U+FFFD.
  let end = limit;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/**
 * A list cursor is the last delivery id shown (the log's sort key), base64url: opaque to clients,
 * checked on the way back.
 */
export function encodeCursor(deliveryId: string): string {
  return Buffer.from(deliveryId, 'utf8').toString('base64url');
}

/** The delivery id a cursor stands for; undefined for anything Herald did not issue. */
export function decodeCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) return undefined;
  const deliveryId = Buffer.from(cursor, 'base64url').toString('utf8');
  return parseDeliveryId(deliveryId) ? deliveryId : undefined;
}
