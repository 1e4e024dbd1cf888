import { z } from 'zod';
import { tenantPattern } from './api-key';
import { rfc3339Pattern } from './envelope';
import { findEventType } from './event-catalog';
import { dataSchemaFor, describeIssues } from './event-schemas';

/**
 * A platform event as it reaches the router from EventBridge: `detail-type` is the event type and
 * `detail` is `{ tenant, environment?, id?, data }` (DESIGN §2 "Platform events"). Parsing never
 * throws, because the router must count and keep a bad event rather than fail the batch with it.
 */

/** The `detail` the platform puts on the bus. Unknown keys are dropped, not refused, so the platform can add some. */
export const platformEventDetailSchema = z.object({
  tenant: z.string().regex(tenantPattern, 'must be 1 to 63 lowercase letters, digits, _ or -'),
  environment: z.string().min(1).max(64).nullable().optional(),
  // The platform's own id makes its retries recognisable; visible ASCII keeps it safe in keys and headers.
  id: z
    .string()
    .regex(/^[\x21-\x7e]{1,128}$/, 'must be 1 to 128 visible ASCII characters')
    .optional(),
  data: z.record(z.unknown()),
});

/** The EventBridge fields Herald reads; EventBridge always sets them, but the router should not trust that blindly. */
const busEventSchema = z.object({
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  // Checked here so that building the envelope later cannot fail on it.
  time: z.string().regex(rfc3339Pattern, 'must be an RFC 3339 date-time'),
  detail: z.unknown(),
});

/** What {@link parsePlatformEvent} is given: the EventBridge event, as the Lambda receives it. */
export interface BusEvent {
  id: string;
  'detail-type': string;
  source: string;
  time: string;
  detail: unknown;
}

/** A platform event Herald will deliver. */
export interface PlatformEvent {
  /** The platform's `detail.id` when it sends one, else EventBridge's id: the event's identity for dedupe and `id`. */
  eventId: string;
  eventType: string;
  tenant: string;
  /** `null` when the platform names no environment. */
  environment: string | null;
  /** When the event happened, RFC 3339, as EventBridge gives it. */
  time: string;
  source: string;
  /** The platform's `data`, exactly as sent: checked against the event type's schema, never rewritten. */
  data: Record<string, unknown>;
}

/** Why an event was refused; `invalid_event` only for input that is not an EventBridge event at all. */
export type PlatformEventRejection =
  | 'invalid_event'
  | 'unknown_event_type'
  | 'invalid_detail'
  | 'invalid_data';

export type ParsedPlatformEvent =
  | { ok: true; event: PlatformEvent }
  | { ok: false; reason: PlatformEventRejection; problems: string[] };

/**
 * Checks an EventBridge event against the catalog, the detail's shape and the event type's data
 * schema. Returns the event to deliver or why it was refused, with one readable problem per fault;
 * never throws, whatever it is given.
 */
export function parsePlatformEvent(event: BusEvent): ParsedPlatformEvent {
  try {
    return parse(event);
  } catch (error) {
    // A cyclic or hostile object can still make zod throw (deep recursion, throwing getters).
    return {
      ok: false,
      reason: 'invalid_event',
      problems: [`the event could not be read: ${error instanceof Error ? error.message : String(error)}`],
    };
  }
}

function parse(input: unknown): ParsedPlatformEvent {
  const bus = busEventSchema.safeParse(input);
  if (!bus.success)
    return { ok: false, reason: 'invalid_event', problems: describeIssues(bus.error, 'event') };
  const eventType = bus.data['detail-type'];

  const schema = dataSchemaFor(eventType);
  if (!findEventType(eventType) || !schema) {
    return {
      ok: false,
      reason: 'unknown_event_type',
      problems: [`detail-type ${eventType} is not an event type in the catalog`],
    };
  }

  const detail = platformEventDetailSchema.safeParse(bus.data.detail);
  if (!detail.success) {
    return { ok: false, reason: 'invalid_detail', problems: describeIssues(detail.error, 'detail') };
  }

  const data = schema.safeParse(detail.data.data);
  if (!data.success) {
    return { ok: false, reason: 'invalid_data', problems: describeIssues(data.error, 'detail.data') };
  }

  return {
    ok: true,
    event: {
      eventId: detail.data.id ?? bus.data.id,
      eventType,
      tenant: detail.data.tenant,
      environment: detail.data.environment ?? null,
      time: bus.data.time,
      source: bus.data.source,
      // The platform's own object, not zod's copy: a copy puts the schema's keys first and may drop
      // odd keys, and the receiver should see what the platform sent.
      data: (bus.data.detail as { data: Record<string, unknown> }).data,
    },
  };
}
