import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { DynamoDbWebhookStore } from '../adapters/aws/dynamodb-webhook-store';
import { SqsDeliveryQueue, SqsRejectedEventSink } from '../adapters/aws/sqs-delivery-queue';
import { systemClock } from '../domain/ports';
import { type RouteResult, routeEvent } from '../domain/use-cases/route-event';
import { documentClient } from '../shared/clients';
import { readRouterConfig } from '../shared/config';
import { logger } from '../shared/logger';

const config = readRouterConfig();
// fauxqs queue URLs name a host that does not resolve; AWS ignores this setting.
const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
const deps = {
  store: new DynamoDbWebhookStore(documentClient(), config.tableName),
  queue: new SqsDeliveryQueue(sqs, config.deliveryQueueUrl),
  rejected: new SqsRejectedEventSink(sqs, config.rejectedEventsQueueUrl),
  clock: systemClock,
};

/**
 * The bus rule's target. A thrown error fails the invocation, and EventBridge retries it under
 * the rule's retry policy, then dead-letters it.
 */
async function route(event: EventBridgeEvent<string, unknown>): Promise<RouteResult> {
  logger.appendKeys({ eventBridgeId: event.id, eventType: event['detail-type'] });
  const result = await routeEvent(deps, event);
  if (result.outcome === 'rejected') {
    logger.warn('event rejected', { reason: result.reason, problems: result.problems });
  } else {
    logger.info('event routed', {
      eventId: result.eventId,
      tenant: result.tenant,
      deliveries: result.deliveries,
      skippedDisabled: result.skippedDisabled,
    });
  }
  return result;
}

export const handler = middy<EventBridgeEvent<string, unknown>, RouteResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(route);
