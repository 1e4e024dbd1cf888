import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import { policyAllows } from '../functions/shared/authorizer-policy';
import {
  type GatewayResponseType,
  gatewayResponseBody,
  gatewayResponseHeaders,
  gatewayResponses,
} from '../functions/shared/gateway-responses';
import { openApiPath } from '../functions/shared/openapi';
import { type ThrottleLimits, TokenBuckets } from './token-bucket';

/**
 * A stand-in for API Gateway (REST, Lambda proxy integration) on loopback: turns HTTP requests
 * into the events API Gateway would send, runs the authorizer first where the stack does, and
 * answers with the stack's gateway responses.
 */
export interface ApiGatewayHandlers {
  api: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
  authorizer: (
    event: APIGatewayRequestAuthorizerEvent,
    context: Context,
  ) => Promise<APIGatewayAuthorizerResult>;
  onError?: (error: unknown) => void;
  /** Sees every response before it is sent: the contract checks of the tests. */
  checkResponse?: (method: string, path: string, status: number, body: string) => void;
  /**
   * What local mode serves beside the API on the same origin (the UI, the inbox), tried in order
   * before the API's routes; the first to answer `true` has answered the request.
   */
  localRoutes?: LocalRoute[];
}

/** Answers a request itself and says `true`, or leaves it (unread) to the next route with `false`. */
export type LocalRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

/** The stack's throttles that local mode applies too (lib/config.ts has the defaults). */
export interface ApiGatewayLimits {
  /** Each tenant's limit: the stack's usage plan, keyed by the authorizer's usage identifier. */
  tenant: ThrottleLimits;
  /** `POST /auth/exchange`, all callers together: the stack's method throttling. */
  exchange: ThrottleLimits;
}

/** API Gateway's own payload limit. */
const maxPayloadBytes = 10 * 1024 * 1024;
const stage = 'local';
const accountId = '000000000000';
const apiId = 'local';

export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${accountId}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

type Send = (status: number, headers: Record<string, string>, body: string | Buffer) => void;

function sendGatewayResponse(send: Send, type: GatewayResponseType) {
  send(
    gatewayResponses[type].statusCode,
    { ...gatewayResponseHeaders(type), 'Content-Type': 'application/vnd.api+json' },
    gatewayResponseBody(type),
  );
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxPayloadBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function toEvent(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  resource: string,
  pathParameters: Record<string, string>,
) {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? '';
    const value = req.rawHeaders[i + 1] ?? '';
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  headers['X-Forwarded-Proto'] ??= 'http';
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) {
    query[key] = value;
    multiQuery[key] = [...(multiQuery[key] ?? []), value];
  }
  const hasQuery = Object.keys(query).length > 0;
  const method = req.method ?? 'GET';
  const event: APIGatewayProxyEvent = {
    resource,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters,
    stageVariables: null,
    body: body.length > 0 ? body.toString('utf8') : null,
    isBase64Encoded: false,
    requestContext: {
      accountId,
      apiId,
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      identity: {
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      } as APIGatewayProxyEvent['requestContext']['identity'],
      path: url.pathname,
      stage,
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: resource,
    },
  };
  return event;
}

/**
 * Serves the API through the handlers, the same routes, authorizer wiring and throttles as the
 * stack (not the stage's own ceiling, which guards the account rather than one tenant from
 * another).
 */
export function createApiGatewayServer(handlers: ApiGatewayHandlers, limits: ApiGatewayLimits): Server {
  const tenantBuckets = new TokenBuckets(limits.tenant);
  const exchangeBucket = new TokenBuckets(limits.exchange);
  return createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send: Send = (status, headers, body) => {
      handlers.checkResponse?.(req.method ?? 'GET', url.pathname, status, body.toString());
      res.writeHead(status, headers);
      res.end(body);
    };
    try {
      for (const route of handlers.localRoutes ?? []) if (await route(req, res, url)) return;
      const body = await readBody(req);
      if (body === undefined) return sendGatewayResponse(send, 'REQUEST_TOO_LARGE');
      const tenantRoute = url.pathname.match(/^\/api\/v2\/([^/]+)\/(.+)$/);
      let event: APIGatewayProxyEvent;
      if (url.pathname === openApiPath && req.method === 'GET') {
        // Public, as in the stack: no authorizer, no usage plan.
        event = toEvent(req, url, body, openApiPath, {});
      } else if (url.pathname === '/auth/exchange' && req.method === 'POST') {
        // Method throttling: one bucket for the route, whoever calls, as the stack's stage sets it.
        if (!exchangeBucket.take('POST /auth/exchange')) return sendGatewayResponse(send, 'THROTTLED');
        event = toEvent(req, url, body, '/auth/exchange', {});
      } else if (tenantRoute) {
        event = toEvent(req, url, body, '/api/v2/{tenant}/{proxy+}', {
          tenant: tenantRoute[1] ?? '',
          proxy: tenantRoute[2] ?? '',
        });
        const authorization = event.headers.Authorization ?? event.headers.authorization;
        // API Gateway answers 401 itself when the identity source is missing.
        if (!authorization) return sendGatewayResponse(send, 'UNAUTHORIZED');
        const methodArn = `arn:aws:execute-api:us-east-1:${accountId}:${apiId}/${stage}/${event.httpMethod}${url.pathname}`;
        let policy: APIGatewayAuthorizerResult;
        try {
          policy = await handlers.authorizer(
            {
              type: 'REQUEST',
              methodArn,
              resource: event.resource,
              path: event.path,
              httpMethod: event.httpMethod,
              headers: event.headers,
              multiValueHeaders: event.multiValueHeaders,
              pathParameters: event.pathParameters,
              queryStringParameters: event.queryStringParameters,
              multiValueQueryStringParameters: event.multiValueQueryStringParameters,
              stageVariables: null,
              requestContext: { ...event.requestContext, authorizer: undefined },
            },
            lambdaContext('herald-authorizer'),
          );
        } catch (error) {
          if ((error as Error).message === 'Unauthorized') return sendGatewayResponse(send, 'UNAUTHORIZED');
          handlers.onError?.(error);
          return sendGatewayResponse(send, 'DEFAULT_5XX');
        }
        if (!policyAllows(policy, methodArn)) return sendGatewayResponse(send, 'ACCESS_DENIED');
        // The usage plan, after the authorizer as in the stack (API key source AUTHORIZER, API key
        // required): no usage identifier is 403; every identifier counts as provisioned here.
        if (!policy.usageIdentifierKey) return sendGatewayResponse(send, 'INVALID_API_KEY');
        if (!tenantBuckets.take(policy.usageIdentifierKey)) return sendGatewayResponse(send, 'THROTTLED');
        event.requestContext.authorizer = { ...policy.context, principalId: policy.principalId };
      } else {
        return sendGatewayResponse(send, 'MISSING_AUTHENTICATION_TOKEN');
      }
      const result = await handlers.api(event, lambdaContext('herald-api'));
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
      send(
        result.statusCode,
        headers,
        result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body,
      );
    } catch (error) {
      handlers.onError?.(error);
      if (!res.headersSent) sendGatewayResponse(send, 'DEFAULT_5XX');
      else res.destroy();
    }
  });
}
