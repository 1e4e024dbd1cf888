import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AttemptLog, AttemptRecord } from '../../domain/ports';

/**
 * Delivery attempts on DynamoDB, one item each, expiring after the retention period:
 * pk `ATTEMPTS#{tenant}#{webhookId}`, sk `{deliveryId}#{attempt, zero-padded}`.
 */
export class DynamoDbAttemptLog implements AttemptLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionSeconds: number,
  ) {}

  async record(attempt: AttemptRecord): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `ATTEMPTS#${attempt.tenant}#${attempt.webhookId}`,
          sk: `${attempt.deliveryId}#${String(attempt.attempt).padStart(4, '0')}`,
          kind: 'attempt',
          ...attempt,
          expiresAt: Math.floor(Date.parse(attempt.time) / 1000) + this.retentionSeconds,
        },
      }),
    );
  }
}
