import { z } from 'zod';

/**
 * A delivery: one event for one webhook, the unit the router puts on the queue and the delivery
 * function sends. It carries the event itself, so sending needs no read of the event.
 */
export const deliveryMessageSchema = z.object({
  /** Derived from (event id, webhook id): the receiver's `webhook-id`, stable across retries. */
  deliveryId: z.string().min(1),
  eventId: z.string().min(1),
  eventType: z.string().min(1),
  tenant: z.string().min(1),
  environment: z.string().nullable(),
  webhookId: z.string().min(1),
  /** When the platform says the event happened (RFC 3339). */
  time: z.string().min(1),
  source: z.string().min(1),
  // Checked by the router against its event type's schema; here only its shape, without walking
  // (and copying) every field on the delivery's hot path.
  data: z.custom<Record<string, unknown>>(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    'data must be an object',
  ),
  /** Why this delivery is on the queue: a platform event, or a customer's retry, recovery or test. */
  origin: z.enum(['event', 'retry', 'recover', 'test']).optional(),
  /** Attempts already made before this message was queued (a retried or recovered delivery keeps counting). */
  attemptOffset: z.number().int().min(0).optional(),
  /**
   * Receives this delivery spent on earlier messages before a rate limit re-queued it as this
   * one: its place in the retry schedule (and its attempt number) carries on from there.
   */
  receivesBefore: z.number().int().min(0).optional(),
});

export type DeliveryOrigin = NonNullable<DeliveryMessage['origin']>;

export type DeliveryMessage = z.infer<typeof deliveryMessageSchema>;

const origins: ReadonlySet<unknown> = new Set(deliveryMessageSchema.shape.origin.unwrap().options);

const isFilled = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * {@link deliveryMessageSchema}'s `safeParse`, written out for the delivery function's hot path,
 * where zod cost more CPU than the rest of a delivery's own work (bench/delivery.ts): the same
 * inputs accepted and refused (test/unit/delivery.test.ts holds it to the schema), and, as zod
 * does, a copy with the schema's keys only, in its order. Undefined when `value` is not a delivery.
 */
export function parseDeliveryMessage(value: unknown): DeliveryMessage | undefined {
  // As zod's object type: no array, null, promise, Map, Set or Date.
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    value instanceof Map ||
    value instanceof Set ||
    value instanceof Date
  )
    return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.then === 'function' && typeof v.catch === 'function') return undefined;
  const { deliveryId, eventId, eventType, tenant, environment, webhookId, time, source, data } = v;
  if (
    !isFilled(deliveryId) ||
    !isFilled(eventId) ||
    !isFilled(eventType) ||
    !isFilled(tenant) ||
    (environment !== null && typeof environment !== 'string') ||
    !isFilled(webhookId) ||
    !isFilled(time) ||
    !isFilled(source) ||
    typeof data !== 'object' ||
    data === null ||
    Array.isArray(data)
  )
    return undefined;
  const { origin, attemptOffset, receivesBefore } = v;
  if (origin !== undefined && !origins.has(origin)) return undefined;
  if (
    attemptOffset !== undefined &&
    !(typeof attemptOffset === 'number' && Number.isInteger(attemptOffset) && attemptOffset >= 0)
  )
    return undefined;
  if (
    receivesBefore !== undefined &&
    !(typeof receivesBefore === 'number' && Number.isInteger(receivesBefore) && receivesBefore >= 0)
  )
    return undefined;
  const message: DeliveryMessage = {
    deliveryId,
    eventId,
    eventType,
    tenant,
    environment,
    webhookId,
    time,
    source,
    data: data as Record<string, unknown>,
  };
  // zod keeps an optional key that is present, even when undefined.
  if ('origin' in v) message.origin = origin as DeliveryOrigin | undefined;
  if ('attemptOffset' in v) message.attemptOffset = attemptOffset;
  if ('receivesBefore' in v) message.receivesBefore = receivesBefore;
  return message;
}
