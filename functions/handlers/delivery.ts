import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { CachedWebhookLookup } from '../adapters/aws/cached-webhook-lookup';
import { DynamoDbAttemptLog } from '../adapters/aws/dynamodb-attempt-log';
import { DynamoDbWebhookStore } from '../adapters/aws/dynamodb-webhook-store';
import { createOAuthTokenClient } from '../adapters/http/oauth-token-client';
import { createSafeAgent } from '../adapters/http/safe-dispatcher';
import { createWebhookSender } from '../adapters/http/webhook-sender';
import { systemClock } from '../domain/ports';
import { defaultRetrySchedule, parseRetrySchedule } from '../domain/retry';
import type { DeliverDeps } from '../domain/use-cases/deliver';
import { documentClient } from '../shared/clients';
import { readDeliveryConfig } from '../shared/config';
import { createDeliveryBatchHandler } from '../shared/delivery-batch';
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

const handleBatch = createDeliveryBatchHandler(
  deps,
  {
    retryLater: async (record, delaySeconds) => {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: config.deliveryQueueUrl,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: delaySeconds,
        }),
      );
    },
    deadLetter: async (record, reason) => {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: config.deadLetterQueueUrl,
          MessageBody: record.body,
          MessageAttributes: { reason: { DataType: 'String', StringValue: reason.slice(0, 256) } },
        }),
      );
    },
  },
  logger,
);

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(handleBatch);
