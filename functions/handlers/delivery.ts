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
import { type DeliverDeps, deliver } from '../domain/use-cases/deliver';
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

async function handleRecord(record: SQSRecord): Promise<SQSBatchItemFailure | undefined> {
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
    return undefined;
  }
  const message = parsed.data;
  const keys = {
    tenant: message.tenant,
    webhookId: message.webhookId,
    deliveryId: message.deliveryId,
    eventId: message.eventId,
    attempt,
  };
  const outcome = await deliver(deps, message, attempt);
  switch (outcome.result) {
    case 'delivered':
      logger.info('delivered', { ...keys, status: outcome.status });
      return undefined;
    case 'dropped':
      logger.info('dropped', { ...keys, reason: outcome.reason });
      return undefined;
    case 'dead_letter':
      logger.warn('dead-lettered', { ...keys, reason: outcome.reason });
      await deadLetter(record, outcome.reason);
      return undefined;
    case 'retry':
      logger.info('will retry', { ...keys, reason: outcome.reason, delaySeconds: outcome.delaySeconds });
      // The message comes back when its visibility runs out: that is the backoff.
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: config.deliveryQueueUrl,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: outcome.delaySeconds,
        }),
      );
      return { itemIdentifier: record.messageId };
  }
}

/** One SQS batch: every delivery in it at once; the failed ones reported back, not thrown. */
async function handle(event: SQSEvent): Promise<SQSBatchResponse> {
  const results = await Promise.allSettled(event.Records.map(handleRecord));
  const batchItemFailures: SQSBatchItemFailure[] = [];
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
    } else if (result.value) {
      batchItemFailures.push(result.value);
    }
  });
  return { batchItemFailures };
}

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(handle);
