import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DynamoDbDeliveryLog } from '../adapters/aws/dynamodb-delivery-log';
import { DynamoDbRateLimiter } from '../adapters/aws/dynamodb-rate-limiter';
import { DynamoDbWebhookStore } from '../adapters/aws/dynamodb-webhook-store';
import { createOAuthTokenClient } from '../adapters/http/oauth-token-client';
import { createSafeAgent } from '../adapters/http/safe-dispatcher';
import { createWebhookSender } from '../adapters/http/webhook-sender';
import { systemClock } from '../domain/ports';
import { defaultRetrySchedule, parseRetrySchedule } from '../domain/retry';
import { documentClient } from '../shared/clients';
import { readDeliveryConfig } from '../shared/config';
import { createDeliveryBatchHandler, type DeliveryBatchDeps, isOrdered } from '../shared/delivery-batch';
import { lazy } from '../shared/lazy';
import { logger } from '../shared/logger';
import { MetricName, metrics, metricUnits } from '../shared/metrics';
import { operationalEventPublisher } from '../shared/operational-events';

const config = readDeliveryConfig();
/** The queue a record came from, and its dead-letter queue: the ordered pair for FIFO records. */
const queueOf = (record: SQSRecord) =>
  isOrdered(record)
    ? { url: config.orderedDeliveryQueueUrl, deadLetters: config.orderedDeadLetterQueueUrl }
    : { url: config.deliveryQueueUrl, deadLetters: config.deadLetterQueueUrl };

// Clients, the agent and the batch handler are made on the first batch (see lazy.ts).
const handleBatch = lazy(() => {
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const dynamo = documentClient();
  const agent = createSafeAgent({
    allowPrivateTargets: config.allowPrivateTargets,
    allowedPorts: config.allowedPorts,
    connectTimeoutMs: 5_000,
  });
  const store = new DynamoDbWebhookStore(dynamo, config.tableName);
  const deps: DeliveryBatchDeps = {
    store,
    sender: createWebhookSender({ agent, totalTimeoutMs: config.timeoutMs }),
    // Token responses get a sender of their own: a larger cap, so a whole token response is read.
    tokens: createOAuthTokenClient({
      send: createWebhookSender({ agent, totalTimeoutMs: config.timeoutMs, maxResponseBytes: 64 * 1024 })
        .send,
    }),
    log: new DynamoDbDeliveryLog(dynamo, config.tableName, config.attemptRetentionSeconds),
    rateLimiter: new DynamoDbRateLimiter(dynamo, config.tableName),
    clock: systemClock,
    schedule: config.retrySchedule ? parseRetrySchedule(config.retrySchedule) : defaultRetrySchedule,
    sendSvixHeaders: config.sendSvixHeaders,
    autoDisableAfterMs: config.autoDisableAfterSeconds * 1000,
    // Published with the batch's metrics by logMetrics below.
    events: operationalEventPublisher(config.busName, logger, (lost) =>
      metrics.addMetric(MetricName.OperationalEventFailed, metricUnits.OperationalEventFailed, lost),
    ),
  };

  return createDeliveryBatchHandler(
    deps,
    {
      retryLater: async (record, delaySeconds) => {
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueOf(record).url,
            ReceiptHandle: record.receiptHandle,
            VisibilityTimeout: delaySeconds,
          }),
        );
      },
      requeue: async (_record, body, delaySeconds) => {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: config.deliveryQueueUrl,
            MessageBody: body,
            DelaySeconds: delaySeconds,
          }),
        );
      },
      deadLetter: async (record, reason) => {
        const group = record.attributes.MessageGroupId;
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: queueOf(record).deadLetters,
            MessageBody: record.body,
            // A FIFO dead-letter queue wants a group, and an id: this message's own, so a delivery
            // recovered and dead-lettered again within five minutes is kept twice, not dropped.
            ...(group ? { MessageGroupId: group, MessageDeduplicationId: record.messageId } : {}),
            MessageAttributes: { reason: { DataType: 'String', StringValue: reason.slice(0, 256) } },
          }),
        );
      },
    },
    logger,
    metrics,
  );
});

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler((event, context) => handleBatch()(event, context));
