import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DynamoDbDeliveryLog } from '../adapters/aws/dynamodb-delivery-log';
import { DynamoDbRequestBudget } from '../adapters/aws/dynamodb-request-budget';
import { SqsDeadLetterSource } from '../adapters/aws/sqs-dead-letters';
import { SqsDeliveryQueue } from '../adapters/aws/sqs-delivery-queue';
import { systemClock } from '../domain/ports';
import {
  type ApiDeps,
  principalOf,
  routeAuthExchange,
  routeOpenApiDocument,
  routeTenantRequest,
} from '../shared/api-routes';
import { documentClient, signingKeyProvider, stores } from '../shared/clients';
import { readApiConfig } from '../shared/config';
import { errorResponse } from '../shared/jsonapi';
import { lazy } from '../shared/lazy';
import { logger } from '../shared/logger';
import { openApiPath } from '../shared/openapi';
import { operationalEventPublisher } from '../shared/operational-events';

const config = readApiConfig();
const queues = config.queues;
if (!queues) throw new Error('Invalid configuration: set DELIVERY_QUEUE_URL and DEAD_LETTER_QUEUE_URL');
const deps = lazy((): ApiDeps => {
  const signingKey = signingKeyProvider(config);
  const dynamo = documentClient();
  const { webhooks, keys } = stores(config, dynamo);
  // fauxqs queue URLs name a host that does not resolve; AWS ignores this setting.
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  return {
    webhooks: {
      store: webhooks,
      clock: systemClock,
      rules: {
        allowedEnvironments: config.allowedEnvironments,
        allowPrivateTargets: config.allowPrivateTargets,
        allowedPorts: config.allowedPorts,
        defaultTypePrefix: config.defaultTypePrefix,
      },
      rotationGraceSeconds: config.secretRotationGraceSeconds,
      maxWebhooksPerTenant: config.maxWebhooksPerTenant,
      events: operationalEventPublisher(config.busName, logger, (lost) => {
        // The API flushes no metrics per request: this one is published at once, and its module
        // loaded only when an event is lost, so no request pays for it otherwise.
        void import('../shared/metrics')
          .then(({ MetricName, metrics, metricUnits }) =>
            metrics
              .singleMetric()
              .addMetric(MetricName.OperationalEventFailed, metricUnits.OperationalEventFailed, lost),
          )
          .catch(() => undefined);
      }),
    },
    deliveries: {
      webhooks,
      log: new DynamoDbDeliveryLog(dynamo, config.tableName, config.attemptRetentionSeconds),
      queue: new SqsDeliveryQueue(sqs, queues.deliveries),
      deadLetters: new SqsDeadLetterSource(sqs, queues.deadLetters),
      clock: systemClock,
      eventSource: config.eventSource,
      testEventBudget: new DynamoDbRequestBudget(dynamo, config.tableName),
      testEventsPerMinute: config.testEventsPerMinute,
    },
    auth: {
      keys,
      signingKey,
      clock: systemClock,
      accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    },
    portal: { keys, signingKey, clock: systemClock, portalUrl: config.portalUrl },
  };
});

async function handle(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const principal = principalOf(event);
  logger.appendKeys({
    tenant: principal?.tenant,
    portalSession: principal?.portal?.sessionId,
    method: event.httpMethod,
    path: event.path,
  });
  try {
    const result =
      event.path === '/auth/exchange'
        ? await routeAuthExchange(deps(), event)
        : event.path === openApiPath
          ? routeOpenApiDocument(event)
          : await routeTenantRequest(deps(), event, principal);
    logger.info('request', { status: result.statusCode });
    return result;
  } catch (error) {
    const response = errorResponse(error);
    if (response.statusCode >= 500)
      logger.error('request failed', { status: response.statusCode, error: error as Error });
    else logger.info('request refused', { status: response.statusCode });
    return response;
  }
}

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(handle);
