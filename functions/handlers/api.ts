import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { systemClock } from '../domain/ports';
import { type ApiDeps, routeAuthExchange, routeTenantRequest } from '../shared/api-routes';
import { signingKeyProvider, stores } from '../shared/clients';
import { readApiConfig } from '../shared/config';
import { errorResponse } from '../shared/jsonapi';
import { logger } from '../shared/logger';

const config = readApiConfig();
const { webhooks, keys } = stores(config);
const deps: ApiDeps = {
  webhooks: {
    store: webhooks,
    clock: systemClock,
    rules: {
      allowedEnvironments: config.allowedEnvironments,
      allowPrivateTargets: config.allowPrivateTargets,
      defaultTypePrefix: config.defaultTypePrefix,
    },
  },
  auth: {
    keys,
    signingKey: signingKeyProvider(config),
    clock: systemClock,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
  },
};

async function handle(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const tenant = event.requestContext?.authorizer?.tenant as string | undefined;
  logger.appendKeys({ tenant, method: event.httpMethod, path: event.path });
  try {
    const result =
      event.path === '/auth/exchange'
        ? await routeAuthExchange(deps, event)
        : await routeTenantRequest(deps, event, tenant);
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
