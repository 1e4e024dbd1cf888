import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import type { Principal } from '../domain/use-cases/auth';

const httpMethods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/**
 * The IAM policy an authorizer returns for a principal: every method on the tenant's own paths
 * of this API and stage, and nothing else.
 */
export function tenantPolicy(methodArn: string, principal: Principal): APIGatewayAuthorizerResult {
  // arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{method}/{path...}
  const [arnPrefix = '', stage = '*'] = methodArn.split('/');
  // Methods are named, not wildcarded: a `*` also matches `/`, so `*/api/v2/acme/*` would let
  // acme's key through `GET/api/v2/globex/x/api/v2/acme/y`.
  const resources = httpMethods.flatMap((method) => {
    const tenantPaths = `${arnPrefix}/${stage}/${method}/api/v2/${principal.tenant}`;
    return [tenantPaths, `${tenantPaths}/*`];
  });
  return {
    principalId: principal.keyId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resources }],
    },
    context: { tenant: principal.tenant, keyId: principal.keyId },
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
