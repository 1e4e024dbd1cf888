import type { Principal } from '../../functions/domain/use-cases/auth';
import { tenantPolicy, tenantUsageKey } from '../../functions/shared/authorizer-policy';

/**
 * The usage identifier the authorizer hands API Gateway: the value of the tenant's key in the
 * stack's usage plan, so that API Gateway throttles each tenant on its own (API key source
 * AUTHORIZER). `npm run keys` provisions keys with the same value.
 */
describe('tenant usage identifier', () => {
  const arn = (api: string, path = '/api/v2/acme/webhooks') =>
    `arn:aws:execute-api:eu-west-1:123456789012:${api}/live/GET${path}`;
  const acme: Principal = { tenant: 'acme', keyId: 'key_01k1xacme' };

  it("returns the tenant's usage-plan key value, derived from the API id and the tenant", () => {
    const policy = tenantPolicy(arn('a1b2c3d4e5'), acme);
    expect(policy.usageIdentifierKey).toBe(tenantUsageKey('a1b2c3d4e5', 'acme'));
  });

  it('is the same for every key and token of a tenant, so they share one limit', () => {
    const other = tenantPolicy(arn('a1b2c3d4e5', '/api/v2/acme/webhooks/wh_1'), {
      tenant: 'acme',
      keyId: 'key_01k1xother',
    });
    expect(other.usageIdentifierKey).toBe(tenantPolicy(arn('a1b2c3d4e5'), acme).usageIdentifierKey);
  });

  it('differs between tenants and between deployments (API ids), which share a region’s API keys', () => {
    const values = new Set([
      tenantUsageKey('a1b2c3d4e5', 'acme'),
      tenantUsageKey('a1b2c3d4e5', 'globex'),
      tenantUsageKey('zzzzzzzzzz', 'acme'),
      // No separator games: "a/b" + "c" is not "a" + "b/c".
      tenantUsageKey('a1b2c3d4e5a', 'cme'),
    ]);
    expect(values.size).toBe(4);
  });

  it.each(['a', 'acme', 'x'.repeat(63)])(
    'is a value API Gateway accepts for tenant %s (20 to 128 characters)',
    (tenant) => {
      const value = tenantUsageKey('a1b2c3d4e5', tenant);
      expect(value).toMatch(/^[A-Za-z0-9_]{20,128}$/);
    },
  );
});
