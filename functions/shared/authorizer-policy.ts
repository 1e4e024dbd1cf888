import { createHash } from 'node:crypto';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { accessAllows, routeAccess } from '../domain/route-access';
import type { Principal } from '../domain/use-cases/auth';

const httpMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/**
 * The value of a tenant's API key in the stack's usage plan: what the authorizer returns as
 * `usageIdentifierKey` so that API Gateway throttles each tenant on its own, and what
 * `npm run keys` gives the key it provisions.
 *
 * Derived rather than stored, so the authorizer needs no read beyond the one that authenticates
 * (an access token names only its tenant and key id), and every key and token of a tenant shares
 * one limit. It is an identifier, not a credential: with the API key source AUTHORIZER, API
 * Gateway ignores any `x-api-key` a client sends, so knowing the value opens nothing. The API id
 * is part of it because API key values are unique per account and region, which two deployments
 * (staging, production) may share. Hashed to fit API Gateway's 20 to 128 characters whatever the
 * tenant's length.
 */
export function tenantUsageKey(restApiId: string, tenant: string): string {
  // JSON of the pair: no two (api, tenant) pairs give the same input.
  const digest = createHash('sha256')
    .update(JSON.stringify([restApiId, tenant]))
    .digest('hex');
  return `herald_${digest}`;
}

/**
 * The IAM policy an authorizer returns for a principal, and the tenant's usage identifier
 * ({@link tenantUsageKey}) for API Gateway's per-tenant throttling. A key or access token may use
 * every method on its tenant's paths of this API and stage, and nothing else. A portal session
 * may use the routes its capabilities allow (the route table in functions/domain/route-access.ts),
 * the others denied by name: the policy is cached per token, so it must hold for every route.
 */
export function tenantPolicy(methodArn: string, principal: Principal): APIGatewayAuthorizerResult {
  // arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{method}/{path...}
  const [arnPrefix = '', stage = '*'] = methodArn.split('/');
  const restApiId = arnPrefix.split(':')[5] ?? '';
  const tenantRoot = (method: string) => `${arnPrefix}/${stage}/${method}/api/v2/${principal.tenant}`;
  const statements: { Action: string; Effect: 'Allow' | 'Deny'; Resource: string[] }[] = [];
  if (!principal.portal) {
    // Methods are named, not wildcarded: a `*` also matches `/`, so `*/api/v2/acme/*` would let
    // acme's key through `GET/api/v2/globex/x/api/v2/acme/y`.
    const resources = httpMethods.flatMap((method) => [tenantRoot(method), `${tenantRoot(method)}/*`]);
    statements.push({ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resources });
  } else {
    const allowed: string[] = [];
    const denied: string[] = [];
    for (const [pattern, methods] of Object.entries(routeAccess)) {
      for (const [method, access] of Object.entries(methods)) {
        const resource = `${tenantRoot(method)}/${pattern.replace(/:id/g, '*')}`;
        (accessAllows(access, principal.portal.capabilities) ? allowed : denied).push(resource);
      }
    }
    if (allowed.length > 0)
      statements.push({ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: allowed });
    // `*` spans segments (`webhooks/*` covers `webhooks/x/secret`): what is not allowed is denied.
    if (denied.length > 0)
      statements.push({ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: denied });
  }
  return {
    principalId: principal.keyId,
    policyDocument: { Version: '2012-10-17', Statement: statements },
    context: {
      tenant: principal.tenant,
      keyId: principal.keyId,
      ...(principal.portal
        ? { portalSession: principal.portal.sessionId, capabilities: principal.portal.capabilities.join(',') }
        : {}),
    },
    usageIdentifierKey: tenantUsageKey(restApiId, principal.tenant),
  };
}

/** Whether a policy allows a method ARN, as API Gateway decides it (`*` and `?` wildcards; Deny wins). */
export function policyAllows(result: APIGatewayAuthorizerResult, methodArn: string): boolean {
  const matches = (resource: string) =>
    new RegExp(
      `^${resource
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    ).test(methodArn);
  let allowed = false;
  for (const statement of result.policyDocument.Statement) {
    const s = statement as { Effect: string; Resource?: string | string[] };
    const resources = Array.isArray(s.Resource) ? s.Resource : s.Resource ? [s.Resource] : [];
    if (!resources.some(matches)) continue;
    if (s.Effect === 'Deny') return false;
    if (s.Effect === 'Allow') allowed = true;
  }
  return allowed;
}
