import type { components } from './schema.js';

export type AccessToken = components['schemas']['AccessToken'];

/** Access tokens from the key exchange, kept in memory. */
export interface AccessTokens {
  /** A token that is not about to expire: the one held, or a new one. */
  current(): Promise<string>;
  /** A new token in place of `rejected`, which the API answered 401 to. */
  renew(rejected: string): Promise<string>;
}

/**
 * Holds the token `exchange` buys and buys the next one shortly before it expires: at the
 * lesser of 60 s and a tenth of its life, so a token never runs out between being read here and
 * reaching the API. Every call made while an exchange is in flight waits for that one exchange.
 */
export function accessTokens(exchange: () => Promise<AccessToken>, now: () => number): AccessTokens {
  let held: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const exchangeOnce = (): Promise<string> => {
    pending ??= (async () => {
      const startedAt = now();
      const { access_token: token, expires_in: lifetimeSeconds } = await exchange();
      const lifetime = lifetimeSeconds * 1000;
      // Counted from before the call, so time on the wire only makes the token renew earlier.
      held = { token, renewAt: startedAt + lifetime - Math.min(60_000, lifetime / 10) };
      return token;
    })().finally(() => {
      pending = undefined;
    });
    return pending;
  };

  return {
    current: () => (held && now() < held.renewAt ? Promise.resolve(held.token) : exchangeOnce()),
    renew(rejected) {
      // Another call that was refused already renewed it: use that token.
      if (held && held.token !== rejected) return Promise.resolve(held.token);
      held = undefined;
      return exchangeOnce();
    },
  };
}
