import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { DynamoDbDeliveryLog } from '../adapters/aws/dynamodb-delivery-log';
import { DynamoDbWebhookStore } from '../adapters/aws/dynamodb-webhook-store';
import { SqsDeliveryQueue, SqsRejectedEventSink } from '../adapters/aws/sqs-delivery-queue';
import { systemClock } from '../domain/ports';
import { type RouteResult, routeEvent } from '../domain/use-cases/route-event';
import { documentClient } from '../shared/clients';
import { readRouterConfig } from '../shared/config';
import { lazy } from '../shared/lazy';
import { logger } from '../shared/logger';
import { MetricName, metrics, metricUnits } from '../shared/metrics';

const config = readRouterConfig();
const deps = lazy(() => {
  // fauxqs queue URLs name a host that does not resolve; AWS ignores this setting.
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const dynamo = documentClient();
  return {
    store: new DynamoDbWebhookStore(dynamo, config.tableName),
    log: new DynamoDbDeliveryLog(dynamo, config.tableName, config.attemptRetentionSeconds),
    queue: new SqsDeliveryQueue(sqs, config.deliveryQueueUrl),
    rejected: new SqsRejectedEventSink(sqs, config.rejectedEventsQueueUrl),
    clock: systemClock,
  };
});

/**
 * The bus rule's target. A thrown error fails the invocation, and EventBridge retries it under
 * the rule's retry policy, then dead-letters it.
 */
async function route(event: EventBridgeEvent<string, unknown>): Promise<RouteResult> {
  logger.appendKeys({ eventBridgeId: event.id, eventType: event['detail-type'] });
  const result = await routeEvent(deps(), event);
  if (result.outcome === 'rejected') {
    metrics.addMetric(MetricName.EventRejected, metricUnits.EventRejected, 1);
    logger.warn('event rejected', { reason: result.reason, problems: result.problems });
  } else {
    metrics.addMetric(MetricName.EventRouted, metricUnits.EventRouted, 1);
    metrics.addMetric(MetricName.FanOut, metricUnits.FanOut, result.deliveries);
    // DEBUG, not INFO: a line per event is a large share of the cost per event (docs/cost.md),
    // and the count is a metric; each delivery's own record is in the delivery log.
    logger.debug('event routed', {
      eventId: result.eventId,
      tenant: result.tenant,
      deliveries: result.deliveries,
      heldForDisabled: result.heldForDisabled,
    });
  }
  return result;
}

export const handler = middy<EventBridgeEvent<string, unknown>, RouteResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .handler(route);
