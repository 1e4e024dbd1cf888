import type { Send, SendResult } from './webhook-sender';

/**
 * OAuth access tokens for webhooks with `authentication_method: o_auth`: one POST of the webhook's
 * `authentication_payload` to its `authentication_server`, the token cached per webhook until
 * shortly before it expires. Tokens go through the same sender as deliveries, so the same address
 * guard, timeouts and response cap apply, and there is one HTTP code path to trust.
 *
 * Nothing here logs, and no failure reason ever carries the token, the payload or the response
 * body (a token server may echo the client secret back).
 */

export interface OAuthTokenConfig {
  /** The webhook's `authentication_server`. */
  server: string;
  /** The webhook's `authentication_payload` (client id, secret, grant type, ...). */
  payload: Record<string, unknown>;
  payloadType: 'application/json' | 'application/x-www-form-urlencoded';
  /** The webhook's version: a cached token is only reused for the configuration it came from. */
  version: number | string;
}

export type TokenResult = { ok: true; token: string } | { ok: false; reason: string };

export interface OAuthTokenClient {
  /**
   * A cached token, or a new one; concurrent calls for one webhook share one request (bounded by
   * the first caller's `timeoutMs`, when given, else by the sender's own timeout).
   */
  getToken(webhookId: string, config: OAuthTokenConfig, timeoutMs?: number): Promise<TokenResult>;
  /** Forgets the webhook's token, e.g. after the endpoint answered 401 with it. */
  invalidate(webhookId: string): void;
}

export interface OAuthTokenClientOptions {
  /**
   * Sends the token request. Use a sender of its own (`createWebhookSender`) over the same safe
   * agent, with a response cap that fits a token response (say 64 KiB): a response cut at the cap
   * is not JSON and fails.
   */
  readonly send: Send;
  /** Epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /**
   * A token is refreshed this long before the server said it expires; a token that lives no
   * longer than this is kept for half its life.
   * @default 30
   */
  readonly refreshBeforeSeconds?: number;
  /**
   * Most webhooks with a cached token per container; the oldest goes first.
   * @default 10000
   */
  readonly maxCachedTokens?: number;
}

/** Used when the token response has no usable `expires_in`. */
const DEFAULT_EXPIRES_IN_SECONDS = 300;

interface CachedToken {
  version: string;
  token: string;
  refreshAt: number;
}

interface PendingToken {
  version: string;
  result: Promise<TokenResult>;
}

/** Makes the token client; make one per container so its cache outlives an invocation. */
export function createOAuthTokenClient(options: OAuthTokenClientOptions): OAuthTokenClient {
  const { send, now = () => Date.now(), refreshBeforeSeconds = 30, maxCachedTokens = 10000 } = options;
  const cache = new Map<string, CachedToken>();
  const pending = new Map<string, PendingToken>();

  function remember(webhookId: string, entry: CachedToken): void {
    cache.delete(webhookId);
    cache.set(webhookId, entry);
    for (const oldest of cache.keys()) {
      if (cache.size <= maxCachedTokens) break;
      cache.delete(oldest);
    }
  }

  function getToken(webhookId: string, config: OAuthTokenConfig, timeoutMs?: number): Promise<TokenResult> {
    const version = String(config.version);
    const cached = cache.get(webhookId);
    if (cached && cached.version === version && now() < cached.refreshAt) {
      return Promise.resolve({ ok: true, token: cached.token });
    }
    const inFlight = pending.get(webhookId);
    if (inFlight && inFlight.version === version) return inFlight.result;

    const requestedAt = now();
    const entry: PendingToken = {
      version,
      result: fetchToken(send, config, timeoutMs).then((fetched): TokenResult => {
        // Only the latest request for the webhook may fill the cache: not one that an
        // invalidate() or a newer version overtook while it was under way.
        if (pending.get(webhookId) === entry) {
          pending.delete(webhookId);
          if (fetched.ok) {
            remember(webhookId, {
              version,
              token: fetched.token,
              refreshAt: requestedAt + lifetimeSeconds(fetched.expiresIn, refreshBeforeSeconds) * 1000,
            });
          }
        }
        return fetched.ok ? { ok: true, token: fetched.token } : fetched;
      }),
    };
    pending.set(webhookId, entry);
    return entry.result;
  }

  function invalidate(webhookId: string): void {
    cache.delete(webhookId);
    pending.delete(webhookId);
  }

  return { getToken, invalidate };
}

function lifetimeSeconds(expiresIn: number, refreshBeforeSeconds: number): number {
  return expiresIn > refreshBeforeSeconds ? expiresIn - refreshBeforeSeconds : expiresIn / 2;
}

type Fetched = { ok: true; token: string; expiresIn: number } | { ok: false; reason: string };

async function fetchToken(send: Send, config: OAuthTokenConfig, timeoutMs?: number): Promise<Fetched> {
  let result: SendResult;
  try {
    result = await send({
      url: config.server,
      body: encodePayload(config),
      headers: { 'content-type': config.payloadType, accept: 'application/json' },
      timeoutMs,
    });
  } catch {
    // The sender returns its failures; this guards against a send that breaks that promise.
    return { ok: false, reason: 'token request failed' };
  }
  if (result.outcome === 'error') return { ok: false, reason: describeSendError(result) };
  if (result.status < 200 || result.status > 299) {
    return { ok: false, reason: `token server answered ${result.status}` };
  }
  let body: unknown;
  try {
    body = JSON.parse(result.bodyExcerpt);
  } catch {
    return { ok: false, reason: 'token server response was not JSON' };
  }
  if (typeof body !== 'object' || body === null) {
    return { ok: false, reason: 'token server response was not a JSON object' };
  }
  const { access_token: token, expires_in: expiresIn } = body as Record<string, unknown>;
  if (typeof token !== 'string' || token === '') {
    return { ok: false, reason: 'token server response had no access_token' };
  }
  return { ok: true, token, expiresIn: readExpiresIn(expiresIn) };
}

/** `expires_in` in seconds; some servers send it as a string. */
function readExpiresIn(value: unknown): number {
  const seconds = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0
    ? seconds
    : DEFAULT_EXPIRES_IN_SECONDS;
}

function encodePayload(config: OAuthTokenConfig): string {
  if (config.payloadType === 'application/json') return JSON.stringify(config.payload);
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(config.payload)) {
    if (value === undefined) continue;
    form.append(name, formValue(value));
  }
  return form.toString();
}

function formValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function describeSendError(result: Extract<SendResult, { outcome: 'error' }>): string {
  switch (result.reason) {
    case 'forbidden_target':
      return `forbidden_target (${result.detail})`;
    case 'timeout':
      return 'token server timed out';
    case 'connection_refused':
      return 'token server refused the connection';
    case 'dns':
      return 'token server name did not resolve';
    case 'tls':
      return `token server TLS failed (${result.detail})`;
    case 'network':
      return `token server network error (${result.detail})`;
  }
}
