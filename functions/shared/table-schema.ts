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
 * | delivery (expires; attempts inside) | `DELIVERIES#{tenant}#{webhookId}` | `{event time, ms ISO}#{deliveryId}` |
 *
 * One global secondary index, `byDeliveryId` (keys only): `gsi1pk` =
 * the delivery id finds a delivery by the `webhook-id` its receiver
 * saw. Only delivery items carry `gsi1pk`, and it never changes, so the index costs one write per
 * delivery.
 */
export const tableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB's TTL deletes the item some time after. */
  timeToLiveAttribute: 'expiresAt',
  deliveryIndex: { name: 'byDeliveryId', partitionKey: 'gsi1pk' },
} as const;
