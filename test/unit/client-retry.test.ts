import { accessTokens } from '../../clients/typescript/src/access-tokens';
import { isRetriableStatus, retryAfterMs, retryDelay } from '../../clients/typescript/src/retry';

/** The client's rules for retrying creates and renewing access tokens, without a server. */

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');
  it.each([
    ['delay-seconds', '2', 2000],
    ['a fraction', '0.5', 500],
    ['an HTTP date', 'Fri, 27 Nov 2026 12:00:03 GMT', 3000],
    ['a date already past', 'Fri, 27 Nov 2026 11:59:00 GMT', 0],
  ])('reads %s', (_name, header, expected) => {
    expect(retryAfterMs(header, now)).toBe(expected);
  });

  it.each([null, '', 'soon'])('is undefined for %p', (header) => {
    expect(retryAfterMs(header, now)).toBeUndefined();
  });
});

describe('retryDelay', () => {
  const options = { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 };

  it('doubles from the base, with jitter down to half', () => {
    expect(retryDelay(1, options, undefined, () => 1)).toBe(100);
    expect(retryDelay(1, options, undefined, () => 0)).toBe(50);
    expect(retryDelay(2, options, undefined, () => 1)).toBe(200);
  });

  it('stops when the tries are used up', () => {
    expect(retryDelay(3, options, undefined, () => 1)).toBeUndefined();
  });

  it('waits at least what Retry-After asks, and not at all when it asks for more than the longest wait', () => {
    expect(retryDelay(1, options, 700, () => 1)).toBe(700);
    expect(retryDelay(1, options, 1001, () => 1)).toBeUndefined();
  });

  it('never waits longer than the longest wait', () => {
    expect(retryDelay(9, { ...options, attempts: 10 }, undefined, () => 1)).toBe(1000);
  });

  it.each([
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [400, false],
    [401, false],
    [409, false],
    [422, false],
  ])('counts %i as retriable: %p', (status, expected) => {
    expect(isRetriableStatus(status)).toBe(expected);
  });
});

describe('accessTokens', () => {
  const setup = (lifetimeSeconds: number) => {
    let now = 1_000_000;
    let issued = 0;
    const exchange = jest.fn(async () => ({
      access_token: `token-${++issued}`,
      token_type: 'Bearer' as const,
      expires_in: lifetimeSeconds,
    }));
    const tokens = accessTokens(exchange, () => now);
    return { tokens, exchange, advance: (ms: number) => (now += ms) };
  };

  it('renews 60 s before a long-lived token expires, and a tenth of the life of a short one', async () => {
    const long = setup(900);
    expect(await long.tokens.current()).toBe('token-1');
    long.advance(839_999);
    expect(await long.tokens.current()).toBe('token-1');
    long.advance(1);
    expect(await long.tokens.current()).toBe('token-2');

    const short = setup(60);
    await short.tokens.current();
    short.advance(53_999);
    expect(await short.tokens.current()).toBe('token-1');
    short.advance(1);
    expect(await short.tokens.current()).toBe('token-2');
  });

  it('renews a rejected token once, however many calls were refused with it', async () => {
    const { tokens, exchange } = setup(900);
    const rejected = await tokens.current();
    const renewed = await Promise.all([
      tokens.renew(rejected),
      tokens.renew(rejected),
      tokens.renew(rejected),
    ]);
    expect(renewed).toEqual(['token-2', 'token-2', 'token-2']);
    // A call refused with the old token after the renewal gets the new one, no third exchange.
    expect(await tokens.renew(rejected)).toBe('token-2');
    expect(exchange).toHaveBeenCalledTimes(2);
  });

  it('lets a failed exchange fail every waiting call, and tries again on the next', async () => {
    const { tokens, exchange } = setup(900);
    exchange.mockRejectedValueOnce(new Error('exchange failed'));
    await expect(Promise.all([tokens.current(), tokens.current()])).rejects.toThrow('exchange failed');
    expect(await tokens.current()).toBe('token-1');
    expect(exchange).toHaveBeenCalledTimes(2);
  });
});
