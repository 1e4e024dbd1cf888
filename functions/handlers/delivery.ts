import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { CachedWebhookLookup } from '../adapters/aws/cached-webhook-lookup';
import { DynamoDbAttemptLog } from '../adapters/aws/dynamodb-attempt-log';
import { DynamoDbWebhookStore } from '../adapters/aws/dynamodb-webhook-store';
import { createOAuthTokenClient } from '../adapters/http/oauth-token-client';
import { createSafeAgent } from '../adapters/http/safe-dispatcher';
import { createWebhookSender } from '../adapters/http/webhook-sender';
import { deliveryMessageSchema } from '../domain/delivery';
import { systemClock } from '../domain/ports';
import { defaultRetrySchedule, parseRetrySchedule } from '../domain/retry';
import { type DeliverDeps, type DeliveryOutcome, deliver } from '../domain/use-cases/deliver';
import { documentClient } from '../shared/clients';
import { readDeliveryConfig } from '../shared/config';
import { logger } from '../shared/logger';

const config = readDeliveryConfig();
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
const dynamo = documentClient();
const agent = createSafeAgent({ allowPrivateTargets: config.allowPrivateTargets, connectTimeoutMs: 5_000 });
const deps: DeliverDeps = {
  webhooks: new CachedWebhookLookup(new DynamoDbWebhookStore(dynamo, config.tableName)),
  sender: createWebhookSender({ agent, totalTimeoutMs: config.timeoutMs }),
  // Token responses get a sender of their own: a larger cap, so a whole token response is read.
  tokens: createOAuthTokenClient({
    send: createWebhookSender({ agent, totalTimeoutMs: config.timeoutMs, maxResponseBytes: 64 * 1024 }).send,
  }),
  attempts: new DynamoDbAttemptLog(dynamo, config.tableName, config.attemptRetentionSeconds),
  clock: systemClock,
  schedule: config.retrySchedule ? parseRetrySchedule(config.retrySchedule) : defaultRetrySchedule,
  sendSvixHeaders: config.sendSvixHeaders,
};

/** Moves a message to the dead-letter queue now (out of attempts, or never deliverable). */
async function deadLetter(record: SQSRecord, reason: string): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: config.deadLetterQueueUrl,
      MessageBody: record.body,
      MessageAttributes: { reason: { DataType: 'String', StringValue: reason.slice(0, 256) } },
    }),
  );
}

type RecordResult = { outcome: DeliveryOutcome['result'] | 'undeliverable'; failure?: SQSBatchItemFailure };

async function handleRecord(record: SQSRecord): Promise<RecordResult> {
  const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
  let json: unknown;
  try {
    json = JSON.parse(record.body);
  } catch {
    json = undefined;
  }
  const parsed = deliveryMessageSchema.safeParse(json);
  if (!parsed.success) {
    logger.error('undeliverable message', { messageId: record.messageId });
    await deadLetter(record, 'not a delivery message');
    return { outcome: 'undeliverable' };
  }
  const message = parsed.data;
  const outcome = await deliver(deps, message, attempt);
  if (outcome.result !== 'delivered') {
    // Successes are summed per batch; anything else gets a line of its own, with its ids.
    logger.info(outcome.result, {
      tenant: message.tenant,
      webhookId: message.webhookId,
      deliveryId: message.deliveryId,
      eventId: message.eventId,
      attempt,
      reason: outcome.reason,
      delaySeconds: outcome.result === 'retry' ? outcome.delaySeconds : undefined,
    });
  }
  switch (outcome.result) {
    case 'delivered':
    case 'dropped':
      return { outcome: outcome.result };
    case 'dead_letter':
      await deadLetter(record, outcome.reason);
      return { outcome: outcome.result };
    case 'retry':
      // The message comes back when its visibility runs out: that is the backoff.
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: config.deliveryQueueUrl,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: outcome.delaySeconds,
        }),
      );
      return { outcome: outcome.result, failure: { itemIdentifier: record.messageId } };
  }
}

/** One SQS batch: every delivery in it at once; the failed ones reported back, not thrown. */
async function handle(event: SQSEvent): Promise<SQSBatchResponse> {
  const results = await Promise.allSettled(event.Records.map(handleRecord));
  const batchItemFailures: SQSBatchItemFailure[] = [];
  const counts: Record<string, number> = {};
  results.forEach((result, i) => {
    const record = event.Records[i];
    if (!record) return;
    if (result.status === 'rejected') {
      // Herald's own trouble (say, DynamoDB): the message returns after the queue's visibility timeout.
      logger.error('delivery failed inside Herald', {
        messageId: record.messageId,
        error: result.reason as Error,
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
      counts.error = (counts.error ?? 0) + 1;
      return;
    }
    counts[result.value.outcome] = (counts[result.value.outcome] ?? 0) + 1;
    if (result.value.failure) batchItemFailures.push(result.value.failure);
  });
  logger.info('batch', { records: event.Records.length, ...counts });
  return { batchItemFailures };
}

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(handle);
