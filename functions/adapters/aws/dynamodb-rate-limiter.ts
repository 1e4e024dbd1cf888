import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { RateLimiter } from '../../domain/ports';
import { type BucketWrite, bucketWrite, takeToken } from '../../domain/rate-limit';

/**
 * Webhook rate limits as token buckets on the main table, one small item per webhook, so every
 * delivery container takes from the same bucket. Layout: pk `TENANT#{tenant}`, sk
 * `RATE#{webhookId}`, `fullAt` (epoch ms, see rate-limit.ts) and `expiresAt` (TTL: an idle
 * bucket is full, so a forgotten one reads the same as a kept one).
 *
 * A take is one conditional UpdateItem, no read: the write's shape is guessed from the `fullAt`
 * this container saw last. A wrong guess (another container took meanwhile, or the bucket
 * refilled) fails its condition and returns the stored item with the failure, at no extra
 * request, and the take is decided on it: empty, or one more write of the right shape.
 */
export class DynamoDbRateLimiter implements RateLimiter {
  /** The `fullAt` each bucket had when this container last wrote or saw it. */
  private readonly lastSeen = new Map<string, number>();

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** How long an untouched bucket item is kept (seconds); anything over a second is the same bucket. */
    private readonly keepSeconds = 3600,
  ) {}

  async take(
    tenant: string,
    webhookId: string,
    perSecond: number,
    now: Date,
  ): Promise<{ allowed: true } | { allowed: false; waitMs: number }> {
    const key = `${tenant}/${webhookId}`;
    const nowMs = now.getTime();
    let guess = this.lastSeen.get(key);
    // Each failed write tells the stored value, so the second is of the right shape unless another
    // taker wrote in between; a third is for a very hot bucket.
    for (let tries = 0; tries < 3; tries++) {
      const write = bucketWrite(guess, nowMs, perSecond);
      const stored = await this.write(tenant, webhookId, write);
      if (stored.written) {
        this.lastSeen.set(key, stored.fullAt);
        return { allowed: true };
      }
      guess = stored.fullAt;
      if (guess !== undefined) this.lastSeen.set(key, guess);
      const decision = takeToken(guess, nowMs, perSecond);
      if (!decision.allowed) return decision;
    }
    // Lost three races in a row: the bucket is being emptied as we speak; come back a token later.
    return { allowed: false, waitMs: 1000 / perSecond };
  }

  private async write(
    tenant: string,
    webhookId: string,
    write: BucketWrite,
  ): Promise<{ written: true; fullAt: number } | { written: false; fullAt: number | undefined }> {
    const common = {
      TableName: this.tableName,
      Key: { pk: `TENANT#${tenant}`, sk: `RATE#${webhookId}` },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
      ReturnValues: 'UPDATED_NEW' as const,
    };
    const expiresAt = Math.ceil(write.nowMs / 1000) + this.keepSeconds;
    const command =
      write.kind === 'refill'
        ? new UpdateCommand({
            ...common,
            UpdateExpression: 'SET fullAt = :fullAt, expiresAt = :expiresAt',
            ConditionExpression: 'attribute_not_exists(fullAt) OR fullAt <= :now',
            ExpressionAttributeValues: {
              ':fullAt': write.fullAt,
              ':now': write.nowMs,
              ':expiresAt': expiresAt,
            },
          })
        : new UpdateCommand({
            ...common,
            UpdateExpression: 'SET fullAt = fullAt + :interval, expiresAt = :expiresAt',
            ConditionExpression: 'fullAt > :now AND fullAt <= :latest',
            ExpressionAttributeValues: {
              ':interval': write.intervalMs,
              ':now': write.nowMs,
              ':latest': write.latestFullAt,
              ':expiresAt': expiresAt,
            },
          });
    try {
      const result = await this.client.send(command);
      return { written: true, fullAt: updatedSchema.parse(result.Attributes).fullAt };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The failure carries the item as DynamoDB stores it (not unmarshalled by the document client).
      const old = failedItemSchema.safeParse(error.Item);
      return { written: false, fullAt: old.success ? old.data?.fullAt.N : undefined };
    }
  }
}

const updatedSchema = z.object({ fullAt: z.number() });

const failedItemSchema = z.object({ fullAt: z.object({ N: z.coerce.number().finite() }) }).optional();
