import { hash } from 'node:crypto';
import { timeOrderedIdsAt, timeOrderedParts } from './ids';

/**
 * The delivery id, sent as `webhook-id` and the delivery log's key (docs/operations.md, "Delivery
 * log layout"): `msg_` and 26 Crockford base32 characters holding 48 bits of the event time in
 * milliseconds, then 80 bits of SHA-256 over (event id, webhook id).
 *
 * - Derived, never drawn at random: a retry, a recovery or an archive replay of an event (same id,
 *   same time) carries the same id, so receivers can dedupe on it.
 * - The time makes ids sort as the log lists them (newest first), so the id alone is the log's
 *   sort key; the hash picks the log shard. The API's `.../deliveries/{id}` is then one GetItem,
 *   with no index to write.
 */
export const deliveryIdPattern = /^msg_[0-9a-hjkmnp-tv-z]{26}$/;

/**
 * Partitions one webhook's log is spread over. DynamoDB takes at most 1,000 write units a second
 * on one partition key; a delivery is one write (≤ 1 KB) when it succeeds at once, so 10 shards
 * hold 10,000 writes a second: twice the 5,000 deliveries a second one webhook is meant to take,
 * the headroom for a second write per delivery (a retry) or items past 1 KB. Part of the key
 * scheme: changing it moves every delivery's key.
 */
export const deliveryLogShards = 10;

/** What a delivery id says: its event time (milliseconds) and the log shard it is kept in. */
export interface DeliveryIdParts {
  timeMs: number;
  shard: number;
}

/**
 * The delivery id of an event (its id and its time, RFC 3339) for a webhook. The NUL separator
 * cannot occur in either id, so no two pairs hash alike by concatenation. A time before 1970 (or
 * one that does not parse) counts as 1970: the id stays deterministic, it only sorts first.
 */
export function deliveryIdFor(eventId: string, webhookId: string, time: string): string {
  return deliveryIdsOf(eventId, time)(webhookId);
}

/**
 * The delivery ids of one event, its time read and encoded once: the router makes one per
 * subscriber (bench "router in process": ids were most of an event's cost).
 */
export function deliveryIdsOf(eventId: string, time: string): (webhookId: string) => string {
  const parsed = Date.parse(time);
  const idOf = timeOrderedIdsAt('msg', Number.isNaN(parsed) ? 0 : parsed);
  // One-shot hash, hex out: about half the time of a createHash object, and hex is what the
  // encoder reads.
  return (webhookId) => idOf(hash('sha256', `${eventId}\u0000${webhookId}`, 'hex'));
}

/** The parts of an id Herald issued; undefined for anything else, before it reaches a key. */
export function parseDeliveryId(deliveryId: string): DeliveryIdParts | undefined {
  if (!deliveryIdPattern.test(deliveryId)) return undefined;
  const parts = timeOrderedParts(deliveryId.slice('msg_'.length));
  if (!parts) return undefined;
  // The hash's first four bytes as an unsigned integer: uniform, so the shards fill evenly.
  const hash = new DataView(parts.tail.buffer, parts.tail.byteOffset, 4).getUint32(0);
  return { timeMs: parts.ms, shard: hash % deliveryLogShards };
}
