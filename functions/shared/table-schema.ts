/**
 * The one description of Herald's DynamoDB table, shared by the CDK stack and local mode so
 * both create the same thing.
 *
 * Single-table layout (every key a string):
 * | item | pk | sk |
 * | --- | --- | --- |
 * | webhook | `TENANT#{tenant}` | `WEBHOOK#{webhookId}` |
 * | route (one per subscribed event type) | `ROUTE#{tenant}#{eventType}` | `{environment or *}#{webhookId}` |
 * | idempotency record (expires) | `TENANT#{tenant}` | `IDEMPOTENCY#{key}` |
 * | API key, by hash | `APIKEY#{sha256}` | `APIKEY` |
 * | API key, by tenant | `TENANT#{tenant}` | `APIKEY#{keyId}` |
 * | delivery (expires; attempts inside) | `DELIVERIES#{tenant}#{webhookId}#{shard}` | `{deliveryId}` |
 *
 * No secondary index. Delivery log layout: a delivery id (`functions/domain/delivery-id.ts`) is
 * `msg_` and 26 base32 characters, 48 bits of the event time in milliseconds then 80 bits of a hash
 * of (event id, webhook id). It is the sort key, so a shard lists newest first by event time; the
 * shard (0 to 9) is the hash's first 32 bits modulo 10, so the API finds a delivery from the route's
 * tenant, webhook and delivery id with one GetItem. Ten shards take 10 × 1,000 write units a
 * second, so one webhook can take 5,000 deliveries a second (items under 1 KB) with room for
 * retries; listing reads every shard and merges (`functions/domain/shard-merge.ts`).
 */
export const tableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB's TTL deletes the item some time after. */
  timeToLiveAttribute: 'expiresAt',
} as const;
