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
 */
export const tableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB's TTL deletes the item some time after. */
  timeToLiveAttribute: 'expiresAt',
} as const;
