import { type ApiResponse, jsonApi } from './support/api';
import { useLocalHerald } from './support/local';

/**
 * Per-tenant and key-exchange throttling through local mode over loopback HTTP: the same rule
 * the stack sets with a usage plan (per tenant, after the authorizer) and method throttling (the
 * key exchange, all callers together), answering the stack's 429 gateway response.
 *
 * The limits are tiny (1 request/s, burst 3) so that a short burst, at most a few dozen requests,
 * shows them. Each test checks what a token bucket guarantees whatever the machine's speed: no
 * more requests pass than the burst plus what refilled while they ran.
 */
const limit = { rate: 1, burst: 3 };
const local = useLocalHerald('limits', {
  allowPrivateTargets: false,
  tenantRateLimit: limit.rate,
  tenantBurstLimit: limit.burst,
  exchangeRateLimit: limit.rate,
  exchangeBurstLimit: limit.burst,
});

interface Answer {
  status: number;
  retryAfter: string | null;
  contentType: string | null;
  body: unknown;
}

const answer = (res: ApiResponse): Answer => ({
  status: res.status,
  retryAfter: res.headers.get('retry-after'),
  contentType: res.headers.get('content-type'),
  body: res.body,
});

/** Sends all the requests at once; how long they took, to bound what could have refilled. */
async function burst(
  requests: Array<() => Promise<Answer>>,
): Promise<{ answers: Answer[]; seconds: number }> {
  const started = Date.now();
  const answers = await Promise.all(requests.map((r) => r()));
  return { answers, seconds: (Date.now() - started) / 1000 };
}

/** The most a token bucket can let through in `seconds`: the burst and what refilled. */
const mostAllowed = (seconds: number) => limit.burst + Math.floor(seconds * limit.rate);

function expectThrottled(answer: Answer): void {
  expect(answer).toEqual({
    status: 429,
    retryAfter: '1',
    contentType: jsonApi,
    body: {
      errors: [{ status: '429', code: 'throttled', title: 'Too Many Requests', detail: expect.any(String) }],
    },
  });
}

const newTenant = () => local.newTenant();
const list = (tenant: string, key: string) => async () =>
  answer(await local.tenantApi(tenant, key)('GET', '/webhooks'));
const exchange = (tenant: string, key: string) => async () =>
  answer(
    await local.root('POST', '/auth/exchange', {
      body: { api_token: key, tenant },
      contentType: 'application/json',
    }),
  );

describe('per-tenant limit', () => {
  it("answers a tenant past its limit 429 with Retry-After, while another tenant's requests at the same moment all pass", async () => {
    const noisy = await newTenant();
    const quiet = await newTenant();
    const noisyRequests = Array.from({ length: 12 }, () => list(noisy.tenant, noisy.key));
    const quietRequests = Array.from({ length: limit.burst }, () => list(quiet.tenant, quiet.key));
    const { answers, seconds } = await burst([...noisyRequests, ...quietRequests]);
    const noisyAnswers = answers.slice(0, noisyRequests.length);
    const quietAnswers = answers.slice(noisyRequests.length);

    expect(quietAnswers.map((a) => a.status)).toEqual(quietRequests.map(() => 200));
    const passed = noisyAnswers.filter((a) => a.status === 200);
    const throttled = noisyAnswers.filter((a) => a.status !== 200);
    expect(passed.length).toBeGreaterThanOrEqual(1);
    expect(passed.length).toBeLessThanOrEqual(mostAllowed(seconds));
    expect(throttled.length).toBeGreaterThan(0);
    for (const answer of throttled) expectThrottled(answer);
  });

  it('counts every key and access token of a tenant against one limit', async () => {
    const tenant = await newTenant();
    const token = await exchange(tenant.tenant, tenant.key)();
    expect(token.status).toBe(200);
    const accessToken = (token.body as { access_token: string }).access_token;
    // One bucket per credential would let 3 key and 3 token requests through (6); one per tenant, 3
    // and what refills meanwhile.
    const { answers, seconds } = await burst([
      ...Array.from({ length: 6 }, () => list(tenant.tenant, tenant.key)),
      ...Array.from({ length: 6 }, () => list(tenant.tenant, accessToken)),
    ]);
    const passed = answers.filter((a) => a.status === 200).length;
    expect(passed).toBeLessThanOrEqual(mostAllowed(seconds));
    for (const answer of answers.filter((a) => a.status !== 200)) expectThrottled(answer);
  });

  it('checks the credential before the limit: a bad key is 401 and uses no tenant’s budget', async () => {
    const tenant = await newTenant();
    const { answers } = await burst(Array.from({ length: 6 }, () => list(tenant.tenant, 'hrld_not_a_key')));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 401));
    const { answers: own } = await burst(
      Array.from({ length: limit.burst }, () => list(tenant.tenant, tenant.key)),
    );
    expect(own.map((a) => a.status)).toEqual(own.map(() => 200));
  });
});

describe('key exchange limit', () => {
  it('throttles POST /auth/exchange on its own: exhausting it does not stop an authenticated tenant request', async () => {
    const tenant = await newTenant();
    const { answers, seconds } = await burst(
      Array.from({ length: 10 }, () => exchange(tenant.tenant, tenant.key)),
    );
    const passed = answers.filter((a) => a.status === 200);
    const throttled = answers.filter((a) => a.status !== 200);
    expect(passed.length).toBeGreaterThanOrEqual(1);
    expect(passed.length).toBeLessThanOrEqual(mostAllowed(seconds));
    expect(throttled.length).toBeGreaterThan(0);
    for (const answer of throttled) expectThrottled(answer);

    // The exchange bucket is empty now; the tenant's routes have their own limit.
    expect((await list(tenant.tenant, tenant.key)()).status).toBe(200);
    const accessToken = (passed[0]?.body as { access_token?: string } | undefined)?.access_token;
    expect(accessToken).toEqual(expect.any(String));
    expect((await list(tenant.tenant, accessToken ?? '')()).status).toBe(200);
  });
});
