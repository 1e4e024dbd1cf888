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
});

export type DeliveryOrigin = NonNullable<DeliveryMessage['origin']>;

export type DeliveryMessage = z.infer<typeof deliveryMessageSchema>;
