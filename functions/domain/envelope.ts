import { deliveredType } from './webhook-model';

/**
 * The body Herald POSTs: the seeds' envelope `{ data, type, time, source, subject }`, made a valid
 * CloudEvents 1.0 structured event by adding `id`, `specversion` and `datacontenttype` after the
 * seed's fields, so a receiver written against the platform's current deliveries sees the same
 * body, and a CloudEvents SDK can read it too.
 */

/** RFC 3339 `date-time`, the form CloudEvents requires for `time`. */
export const rfc3339Pattern =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/** The delivered body. The key order is the wire order; see {@link buildEnvelope}. */
export interface Envelope {
  readonly data: Readonly<Record<string, unknown>>;
  /** `[prefix.]event_type[.suffix]`, from the webhook's affixes. */
  readonly type: string;
  /** When the event happened (RFC 3339), the same for every attempt. */
  readonly time: string;
  /** The platform source, `CredoAI` by default. */
  readonly source: string;
  /** The bare event type, whatever the webhook's affixes. */
  readonly subject: string;
  /** The event's id: the same for every webhook that receives the event. */
  readonly id: string;
  readonly specversion: '1.0';
  readonly datacontenttype: 'application/json';
}

export interface EnvelopeInput {
  eventId: string;
  eventType: string;
  data: Readonly<Record<string, unknown>>;
  /** A Date, or an RFC 3339 string kept as given (the platform's precision survives). */
  time: Date | string;
  source: string;
  /** The webhook's `event_type_prefix`; null, undefined or '' for none. */
  prefix?: string | null;
  /** The webhook's `event_type_suffix`; null, undefined or '' for none. */
  suffix?: string | null;
}

/**
 * Builds the body for one webhook. Throws on an empty id or source or a time that is not RFC 3339:
 * those are bugs upstream (the platform event parser checks them), not receiver problems.
 */
export function buildEnvelope(input: EnvelopeInput): Envelope {
  const time = input.time instanceof Date ? input.time.toISOString() : input.time;
  if (!rfc3339Pattern.test(time)) throw new Error(`Envelope time must be RFC 3339, got ${time}`);
  if (!input.eventId) throw new Error('Envelope id must not be empty');
  if (!input.source) throw new Error('Envelope source must not be empty');
  // Literal order is JSON order: the seed's five fields first, then the CloudEvents additions.
  return {
    data: input.data,
    type: deliveredType(
      { event_type_prefix: input.prefix ?? null, event_type_suffix: input.suffix ?? null },
      input.eventType,
    ),
    time,
    source: input.source,
    subject: input.eventType,
    id: input.eventId,
    specversion: '1.0',
    datacontenttype: 'application/json',
  };
}

/**
 * The bytes on the wire. Serialise once and use the result both to sign and to send: the signature
 * covers these exact bytes, and a second `JSON.stringify` is not guaranteed to give the same ones.
 */
export function serializeEnvelope(envelope: Envelope): string {
  return JSON.stringify(envelope);
}
