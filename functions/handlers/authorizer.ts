import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { UnauthorizedError } from '../domain/errors';
import { systemClock } from '../domain/ports';
import { authenticate } from '../domain/use-cases/auth';
import { tenantPolicy } from '../shared/authorizer-policy';
import { signingKeyProvider, stores } from '../shared/clients';
import { readApiConfig } from '../shared/config';
import { lazy } from '../shared/lazy';
import { logger } from '../shared/logger';

const config = readApiConfig();
const deps = lazy(() => ({
  keys: stores(config).keys,
  signingKey: signingKeyProvider(config),
  clock: systemClock,
  accessTokenTtlSeconds: config.accessTokenTtlSeconds,
}));

/**
 * The REQUEST authorizer: maps the bearer key or token to its tenant and allows that tenant's
 * paths only. Its answer is cached per Authorization header, which is why the policy names the
 * tenant's whole path space rather than this one method.
 */
async function authorize(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const authorization = event.headers?.Authorization ?? event.headers?.authorization;
  try {
    const principal = await authenticate(deps(), authorization);
    logger.info('authorized', { tenant: principal.tenant, keyId: principal.keyId });
    return tenantPolicy(event.methodArn, principal);
  } catch (error) {
    if (error instanceof UnauthorizedError) {
      logger.info('unauthorized');
      // API Gateway answers 401 (the UNAUTHORIZED gateway response) for exactly this message.
      throw new Error('Unauthorized');
    }
    logger.error('authorizer failed', { error: error as Error });
    throw error;
  }
}

export const handler = middy<APIGatewayRequestAuthorizerEvent, APIGatewayAuthorizerResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(authorize);
