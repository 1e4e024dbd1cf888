import type { Server } from 'node:http';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { createApiGatewayServer } from '../../local/api-gateway';

/**
 * Local mode's API Gateway stand-in applies the usage plan as the stack does (API key source
 * AUTHORIZER, key required on the tenant routes): it keys the tenant's bucket by the usage
 * identifier the authorizer returns, and refuses a policy without one. Stub handlers over
 * loopback HTTP, so the rule is seen without the real authorizer.
 */
let server: Server;
let base: string;
let apiCalls = 0;
/** The usage identifier the stub authorizer returns for each bearer token. */
const usageKeys: Record<string, string | undefined> = {
  'acme-1': 'usage-acme',
  'acme-2': 'usage-acme',
  globex: 'usage-globex',
  unprovisioned: undefined,
};

beforeAll(async () => {
  server = createApiGatewayServer(
    {
      api: async () => {
        apiCalls++;
        return { statusCode: 200, body: '{}' };
      },
      authorizer: async (event): Promise<APIGatewayAuthorizerResult> => {
        const token = event.headers?.Authorization?.replace('Bearer ', '') ?? '';
        return {
          principalId: token,
          policyDocument: {
            Version: '2012-10-17',
            Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
          },
          usageIdentifierKey: usageKeys[token],
        };
      },
    },
    { tenant: { ratePerSecond: 1, burst: 2 }, exchange: { ratePerSecond: 1, burst: 2 } },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const get = (token: string) =>
  fetch(`${base}/api/v2/any/webhooks`, { headers: { Authorization: `Bearer ${token}` } });

it('refuses a tenant the authorizer gives no usage identifier: 403 tenant_not_provisioned, the API never called', async () => {
  const before = apiCalls;
  const res = await get('unprovisioned');
  expect(res.status).toBe(403);
  expect(await res.json()).toEqual({
    errors: [
      { status: '403', code: 'tenant_not_provisioned', title: 'Forbidden', detail: expect.any(String) },
    ],
  });
  expect(apiCalls).toBe(before);
});

it('throttles by usage identifier: two credentials of one tenant share a bucket, another tenant has its own', async () => {
  // Burst 2 at 1/s: at most 2 pass, plus one a second while they run. Eight requests to a stub
  // on loopback take milliseconds; some are refused unless they took over 6 s.
  const started = Date.now();
  const acme = await Promise.all(Array.from({ length: 8 }, (_, i) => get(i % 2 ? 'acme-1' : 'acme-2')));
  const seconds = (Date.now() - started) / 1000;
  const passed = acme.filter((r) => r.status === 200).length;
  expect(passed).toBeLessThanOrEqual(2 + Math.floor(seconds));
  expect(passed).toBeLessThan(acme.length);
  for (const res of acme.filter((r) => r.status !== 200)) {
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
  }
  const globex = await Promise.all([get('globex'), get('globex')]);
  expect(globex.map((r) => r.status)).toEqual([200, 200]);
});
