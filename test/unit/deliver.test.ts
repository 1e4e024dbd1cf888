import { Webhook as StandardWebhook } from 'standardwebhooks';
import type { DeliveryMessage } from '../../functions/domain/delivery';
import { deliveryIdFor } from '../../functions/domain/delivery-id';
import type { DeliveryLogEntry } from '../../functions/domain/delivery-log';
import { newSigningSecret } from '../../functions/domain/ids';
import type {
  Clock,
  DeliveryLog,
  OAuthTokenConfig,
  SendResult,
  TokenProvider,
  WebhookSender,
} from '../../functions/domain/ports';
import { type DeliverDeps, deliver, minCallMs } from '../../functions/domain/use-cases/deliver';
import type { EndpointHealth, Webhook } from '../../functions/domain/webhook';
import { storedWebhook } from '../helpers';

// Near the real time, so the standardwebhooks verifier (5-minute tolerance) accepts the timestamp.
const now = new Date(Math.floor(Date.now() / 1000) * 1000);
const clock: Clock = { now: () => now };
const schedule = [1, 2] as const;
const tenant = 'acme';
const webhookId = 'wh_01kb4x7s9rm3q8k2n6v0d5c1hz';
const signingSecret = newSigningSecret();
const oauthPayload = { client_id: 'herald', client_secret: 'oauth-client-secret-do-not-log' };

const seedData = {
  reviewId: 'pu7BDgxfVnK4RTQyb88uL',
  status: 'in_progress',
  useCaseId: 'ZiSPid3wLeXWTe4VTRjbq9',
  user: { email: 'steven@credo.ai', userId: 'FSZqZLT8eFUUp53uTM6Ref' },
};

const message: DeliveryMessage = {
  deliveryId: deliveryIdFor('evt-1', webhookId, '2026-03-01T11:59:58Z'),
  eventId: 'evt-1',
  eventType: 'use_case_review_status_updated',
  tenant,
  environment: 'production',
  webhookId,
  time: '2026-03-01T11:59:58Z',
  source: 'CredoAI',
  data: seedData,
};

function webhook(overrides: Partial<Webhook> = {}, attributes: Partial<Webhook['attributes']> = {}): Webhook {
  return {
    ...storedWebhook(
      {
        url: 'https://receiver.example.com/webhook',
        event_type_prefix: 'CredoAI',
        event_type_suffix: 'v1',
        ...attributes,
      },
      { tenant, now: new Date('2026-02-01T00:00:00.000Z') },
    ),
    id: webhookId,
    signingSecret,
    version: 3,
    ...overrides,
  };
}

const oauthWebhook = (): Webhook =>
  webhook(
    {},
    {
      authentication_method: 'o_auth',
      authentication_payload: oauthPayload,
      authentication_payload_type: 'application/json',
      authentication_server: 'https://auth.example.com/token',
    },
  );

function response(
  status: number,
  options: { headers?: Record<string, string>; body?: string } = {},
): SendResult {
  return {
    outcome: 'response',
    status,
    headers: options.headers ?? {},
    bodyExcerpt: options.body ?? '',
    durationMs: 12,
  };
}

type SentRequest = { url: string; body: string; headers: Record<string, string>; timeoutMs?: number };

/** Answers each send with the next scripted result; fails the test on an unscripted send. */
class ScriptedSender implements WebhookSender {
  readonly requests: SentRequest[] = [];
  constructor(private readonly results: SendResult[]) {}

  async send(request: SentRequest): Promise<SendResult> {
    this.requests.push({ ...request, headers: { ...request.headers } });
    const next = this.results.shift();
    if (!next) throw new Error(`unexpected send #${this.requests.length}`);
    return next;
  }
}

type TokenResult = Awaited<ReturnType<TokenProvider['getToken']>>;

class ScriptedTokens implements TokenProvider {
  readonly requests: Array<{ webhookId: string; config: OAuthTokenConfig }> = [];
  readonly invalidated: string[] = [];
  constructor(private readonly results: TokenResult[] = []) {}

  async getToken(webhookId: string, config: OAuthTokenConfig): Promise<TokenResult> {
    this.requests.push({ webhookId, config });
    const next = this.results.shift();
    if (!next) throw new Error('unexpected token request');
    return next;
  }

  invalidate(webhookId: string): void {
    this.invalidated.push(webhookId);
  }
}

/** The delivery log's writes, each as its attempt (if any) beside the state it left the delivery in. */
class RecordingLog implements DeliveryLog {
  readonly entries: DeliveryLogEntry[] = [];
  get records() {
    return this.entries.map((e) => ({
      ...(e.attempt ?? { attempt: null, error: e.error }),
      status: e.status,
      nextAttemptAt: e.nextAttemptAt,
    }));
  }
  async record(entry: DeliveryLogEntry): Promise<void> {
    this.entries.push(entry);
  }
  recordUnsent = unused;
  get = unused;
  list = unused;
  markQueued = unused;
  unmarkQueued = unused;
  attemptsMade = unused;
}

async function unused(): Promise<never> {
  throw new Error('the delivery function does not call this');
}

/** The webhook store's health half: counts what it is told, and can say a streak began long ago. */
class FakeStore {
  readonly failures: string[] = [];
  successes = 0;
  readonly updates: Webhook[] = [];
  constructor(
    private webhook: Webhook | undefined,
    private readonly failingSince: string | null,
  ) {}
  get = async () => this.webhook;
  update = async (_previous: Webhook, next: Webhook) => {
    this.updates.push(next);
    this.webhook = next;
  };
  recordFailure = async (_t: string, _id: string, at: string, reason: string): Promise<EndpointHealth> => {
    this.failures.push(reason);
    return {
      consecutiveFailures: this.failures.length,
      failingSince: this.failingSince ?? at,
      lastFailureAt: at,
      lastFailureReason: reason,
    };
  };
  recordSuccess = async () => {
    this.successes++;
    return undefined;
  };
}

function setup(options: {
  webhook?: Webhook | undefined;
  results?: SendResult[];
  tokens?: TokenResult[];
  sendSvixHeaders?: boolean;
  /** When the endpoint's current streak of failures began, as the store answers. */
  failingSince?: string;
  /** What the webhook's rate limit answers; every take is recorded. */
  rateLimit?: { allowed: true } | { allowed: false; waitMs: number };
}) {
  const takes: Array<{ webhookId: string; perSecond: number; at: string }> = [];
  const found = 'webhook' in options ? options.webhook : webhook();
  const lookups: Array<[string, string]> = [];
  const sender = new ScriptedSender(options.results ?? []);
  const tokens = new ScriptedTokens(options.tokens);
  const attempts = new RecordingLog();
  const store = new FakeStore(found, options.failingSince ?? null);
  const deps: DeliverDeps = {
    webhooks: {
      get: async (t, id) => {
        lookups.push([t, id]);
        return found;
      },
    },
    store,
    sender,
    tokens,
    log: attempts,
    rateLimiter: {
      take: async (_tenant, webhookId, perSecond, at) => {
        takes.push({ webhookId, perSecond, at: at.toISOString() });
        return options.rateLimit ?? { allowed: true };
      },
    },
    clock,
    schedule,
    sendSvixHeaders: options.sendSvixHeaders ?? true,
    autoDisableAfterMs: 5 * 86_400_000,
    random: () => 0.5,
  };
  return { deps, sender, tokens, attempts, lookups, store, takes };
}

const baseRecord = { time: now.toISOString(), origin: 'event' };
const inSeconds = (seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();

describe('deliver', () => {
  describe('a 2xx answer', () => {
    it('is delivered, with one succeeded attempt recorded with its status and excerpt', async () => {
      const { deps, attempts, lookups } = setup({ results: [response(200, { body: '{"ok":true}' })] });

      const outcome = await deliver(deps, message, 1);

      expect(outcome).toEqual({ result: 'delivered', status: 200, durationMs: 0 });
      expect(lookups).toEqual([[tenant, webhookId]]);
      expect(attempts.records).toEqual([
        {
          ...baseRecord,
          attempt: 1,
          outcome: 'succeeded',
          statusCode: 200,
          durationMs: 0,
          error: null,
          responseExcerpt: '{"ok":true}',
          status: 'succeeded',
          nextAttemptAt: null,
        },
      ]);
    });

    it("posts to the webhook's url a body that standardwebhooks verifies with the webhook's secret", async () => {
      const { deps, sender } = setup({ results: [response(204)] });

      await deliver(deps, message, 1);

      expect(sender.requests).toHaveLength(1);
      const [request] = sender.requests;
      expect(request?.url).toBe('https://receiver.example.com/webhook');
      const verified = new StandardWebhook(signingSecret).verify(request?.body ?? '', request?.headers ?? {});
      expect(verified).toMatchObject({
        data: seedData,
        type: 'CredoAI.use_case_review_status_updated.v1',
        time: '2026-03-01T11:59:58Z',
        source: 'CredoAI',
        subject: 'use_case_review_status_updated',
        id: 'evt-1',
        specversion: '1.0',
      });
      expect(request?.headers).toMatchObject({
        'webhook-id': message.deliveryId,
        'webhook-timestamp': String(now.getTime() / 1000),
      });
    });

    it('is not verified with another secret', async () => {
      const { deps, sender } = setup({ results: [response(200)] });
      await deliver(deps, message, 1);
      const [request] = sender.requests;
      expect(() =>
        new StandardWebhook(newSigningSecret()).verify(request?.body ?? '', request?.headers ?? {}),
      ).toThrow();
    });

    it('keeps webhook-id the same on every attempt of a delivery', async () => {
      const first = setup({ results: [response(200)] });
      const third = setup({ results: [response(200)] });
      await deliver(first.deps, message, 1);
      await deliver(third.deps, message, 3);
      expect(third.sender.requests[0]?.headers['webhook-id']).toBe(
        first.sender.requests[0]?.headers['webhook-id'],
      );
    });

    it('sends the svix-* copies of the signature headers when sendSvixHeaders is on', async () => {
      const { deps, sender } = setup({ results: [response(200)], sendSvixHeaders: true });
      await deliver(deps, message, 1);
      const headers = sender.requests[0]?.headers ?? {};
      expect(headers['svix-id']).toBe(headers['webhook-id']);
      expect(headers['svix-timestamp']).toBe(headers['webhook-timestamp']);
      expect(headers['svix-signature']).toBe(headers['webhook-signature']);
    });

    it('sends no svix-* header when sendSvixHeaders is off', async () => {
      const { deps, sender } = setup({ results: [response(200)], sendSvixHeaders: false });
      await deliver(deps, message, 1);
      const names = Object.keys(sender.requests[0]?.headers ?? {});
      expect(names.filter((n) => n.startsWith('svix-'))).toEqual([]);
      expect(names).toEqual(expect.arrayContaining(['webhook-id', 'webhook-timestamp', 'webhook-signature']));
    });

    it('sends no Authorization header and asks for no token when the webhook uses none', async () => {
      const { deps, sender, tokens } = setup({ results: [response(200)] });
      await deliver(deps, message, 1);
      expect(sender.requests[0]?.headers.Authorization).toBeUndefined();
      expect(tokens.requests).toEqual([]);
    });

    it('records at most 512 bytes of a failed answer, cut on a character boundary, and 64 of a success', async () => {
      const ascii = setup({ results: [response(500, { body: 'a'.repeat(5000) })] });
      await deliver(ascii.deps, message, 1);
      expect(ascii.attempts.entries[0]?.attempt?.responseExcerpt).toBe('a'.repeat(512));
      // 'é' is two bytes: 256 of them fill 512 bytes exactly; one more byte in front shifts the cut.
      const wide = setup({ results: [response(503, { body: `x${'é'.repeat(400)}` })] });
      await deliver(wide.deps, message, 1);
      expect(wide.attempts.entries[0]?.attempt?.responseExcerpt).toBe(`x${'é'.repeat(255)}`);
      const success = setup({ results: [response(200, { body: 'b'.repeat(5000) })] });
      await deliver(success.deps, message, 1);
      expect(success.attempts.entries[0]?.attempt?.responseExcerpt).toBe('b'.repeat(64));
    });
  });

  describe('a failed attempt', () => {
    it('retries a 500 on attempt 1 after the scheduled delay (jitter centred by random 0.5)', async () => {
      const { deps, attempts } = setup({ results: [response(500, { body: 'boom' })] });

      const outcome = await deliver(deps, message, 1);

      expect(outcome).toEqual({
        result: 'retry',
        delaySeconds: 1,
        reason: 'endpoint answered 500',
        durationMs: 0,
      });
      expect(attempts.records).toEqual([
        {
          ...baseRecord,
          attempt: 1,
          outcome: 'failed',
          statusCode: 500,
          durationMs: 0,
          error: 'endpoint answered 500',
          responseExcerpt: 'boom',
          status: 'retrying',
          nextAttemptAt: inSeconds(1),
        },
      ]);
    });

    it('retries a 500 on attempt 2 after the second scheduled delay', async () => {
      const { deps } = setup({ results: [response(503)] });
      expect(await deliver(deps, message, 2)).toMatchObject({ result: 'retry', delaySeconds: 2 });
    });

    it('dead-letters a 500 once the schedule is used up (attempt 3 of a 2-delay schedule)', async () => {
      const { deps, attempts } = setup({ results: [response(500)] });

      const outcome = await deliver(deps, message, 3);

      expect(outcome).toEqual({ result: 'dead_letter', reason: 'endpoint answered 500', durationMs: 0 });
      expect(attempts.records).toEqual([
        expect.objectContaining({ attempt: 3, outcome: 'failed', status: 'failed', nextAttemptAt: null }),
      ]);
    });

    it('on a 410 Gone fails the delivery at once (kept for recovery) and disables the webhook', async () => {
      const { deps, attempts, store } = setup({ results: [response(410)] });

      const outcome = await deliver(deps, message, 1);

      expect(outcome).toEqual({
        result: 'failed',
        reason: 'endpoint answered 410',
        durationMs: 0,
        disabledWebhook: true,
      });
      expect(attempts.records[0]).toMatchObject({ statusCode: 410, status: 'failed', nextAttemptAt: null });
      expect(store.updates).toEqual([
        expect.objectContaining({
          status: 'disabled',
          disabledReason: expect.stringContaining('410 Gone'),
          disabledAt: now.toISOString(),
          version: 4,
        }),
      ]);
    });

    it('honours a 429 Retry-After longer than the scheduled delay', async () => {
      const { deps, attempts } = setup({ results: [response(429, { headers: { 'retry-after': '2' } })] });

      const outcome = await deliver(deps, message, 1);

      expect(outcome).toMatchObject({ result: 'retry' });
      const delay = outcome.result === 'retry' ? outcome.delaySeconds : 0;
      expect(delay).toBeGreaterThanOrEqual(2);
      expect(attempts.records[0]).toMatchObject({
        statusCode: 429,
        status: 'retrying',
        nextAttemptAt: inSeconds(delay),
      });
    });

    it('retries a network error, recording its reason and no status', async () => {
      const { deps, attempts } = setup({
        results: [
          { outcome: 'error', reason: 'timeout', detail: 'no answer within 15000 ms', durationMs: 15_000 },
        ],
      });

      const outcome = await deliver(deps, message, 1);

      expect(outcome).toEqual({
        result: 'retry',
        delaySeconds: 1,
        reason: 'timeout: no answer within 15000 ms',
        durationMs: 0,
      });
      expect(attempts.records).toEqual([
        expect.objectContaining({
          outcome: 'failed',
          statusCode: null,
          error: 'timeout: no answer within 15000 ms',
          responseExcerpt: null,
          status: 'retrying',
          nextAttemptAt: inSeconds(1),
        }),
      ]);
    });
  });

  describe('a webhook that is gone or off', () => {
    it('drops the delivery of a deleted webhook without sending', async () => {
      const { deps, sender, attempts } = setup({ webhook: undefined });

      const outcome = await deliver(deps, message, 1);

      expect(outcome).toEqual({ result: 'dropped', reason: 'webhook was deleted' });
      expect(sender.requests).toEqual([]);
      // Nobody can read a deleted webhook's log: nothing is written.
      expect(attempts.records).toEqual([]);
    });

    it('keeps the delivery of a disabled webhook as failed, without sending, for recovery', async () => {
      const { deps, sender, attempts } = setup({
        webhook: webhook({ status: 'disabled', disabledReason: 'endpoint answered 410' }),
      });

      const outcome = await deliver(deps, message, 2);

      expect(outcome).toEqual({
        result: 'failed',
        reason: 'webhook is disabled: endpoint answered 410',
        durationMs: null,
        disabledWebhook: false,
      });
      expect(sender.requests).toEqual([]);
      expect(attempts.records).toEqual([
        {
          attempt: null,
          error: 'webhook is disabled: endpoint answered 410',
          status: 'failed',
          nextAttemptAt: null,
        },
      ]);
    });
  });

  describe('OAuth', () => {
    it("sends the provider's token as a Bearer Authorization header", async () => {
      const { deps, sender, tokens } = setup({
        webhook: oauthWebhook(),
        results: [response(200)],
        tokens: [{ ok: true, token: 'tok-1' }],
      });

      const outcome = await deliver(deps, message, 1);

      expect(outcome).toEqual({ result: 'delivered', status: 200, durationMs: 0 });
      expect(sender.requests[0]?.headers.Authorization).toBe('Bearer tok-1');
      expect(tokens.requests).toEqual([
        {
          webhookId,
          config: {
            server: 'https://auth.example.com/token',
            payload: oauthPayload,
            payloadType: 'application/json',
            version: 3,
          },
        },
      ]);
    });

    it('retries without sending when no token can be had, saying why', async () => {
      const { deps, sender, attempts } = setup({
        webhook: oauthWebhook(),
        tokens: [{ ok: false, reason: 'token endpoint answered 503' }],
      });

      const outcome = await deliver(deps, message, 1);

      expect(outcome).toEqual({
        result: 'retry',
        delaySeconds: 1,
        reason: 'OAuth token: token endpoint answered 503',
        durationMs: 0,
      });
      expect(sender.requests).toEqual([]);
      expect(attempts.records).toEqual([
        expect.objectContaining({
          outcome: 'failed',
          statusCode: null,
          error: 'OAuth token: token endpoint answered 503',
          status: 'retrying',
        }),
      ]);
    });

    it('gives each call only the time left before the deadline', async () => {
      const { deps, sender } = setup({
        webhook: oauthWebhook(),
        results: [response(200)],
        tokens: [{ ok: true, token: 't' }],
      });
      const timeouts: Array<number | undefined> = [];
      const getToken = deps.tokens.getToken.bind(deps.tokens);
      deps.tokens.getToken = (id, config, timeoutMs) => {
        timeouts.push(timeoutMs);
        return getToken(id, config, timeoutMs);
      };
      await deliver(deps, message, 1, now.getTime() + 4_000);
      expect(timeouts).toEqual([4_000]);
      expect(sender.requests.map((r) => r.timeoutMs)).toEqual([4_000]);
    });

    it('hands a delivery back, unattempted and unrecorded, when too little time is left to send', async () => {
      const { deps, sender, attempts, store } = setup({ results: [response(200)] });
      const outcome = await deliver(deps, message, 3, now.getTime() + minCallMs - 1);
      expect(outcome).toEqual({
        result: 'deferred',
        delaySeconds: 1,
        reason: 'the invocation had too little time left to send',
      });
      expect(sender.requests).toEqual([]);
      expect(attempts.records).toEqual([]);
      expect(store.failures).toEqual([]);
    });

    it('keeps a 401 as the attempt when no time is left to refresh the token', async () => {
      let at = now.getTime();
      const { deps, sender, tokens } = setup({
        webhook: oauthWebhook(),
        results: [response(401), response(200)],
        tokens: [
          { ok: true, token: 'a' },
          { ok: true, token: 'b' },
        ],
      });
      deps.clock = { now: () => new Date(at) };
      const send = deps.sender.send.bind(deps.sender);
      deps.sender.send = async (request) => {
        at += 9_500; // the first POST takes most of the 10 s left
        return send(request);
      };
      const outcome = await deliver(deps, message, 1, now.getTime() + 10_000);
      expect(outcome).toMatchObject({ result: 'retry', reason: 'endpoint answered 401' });
      expect(sender.requests).toHaveLength(1);
      expect(tokens.invalidated).toEqual([webhookId]);
    });

    it('refreshes the token once after a 401 and delivers with the new one', async () => {
      const { deps, sender, tokens, attempts } = setup({
        webhook: oauthWebhook(),
        results: [response(401), response(200)],
        tokens: [
          { ok: true, token: 'revoked' },
          { ok: true, token: 'fresh' },
        ],
      });

      const outcome = await deliver(deps, message, 1);

      expect(outcome).toEqual({ result: 'delivered', status: 200, durationMs: 0 });
      expect(tokens.invalidated).toEqual([webhookId]);
      expect(sender.requests.map((r) => r.headers.Authorization)).toEqual(['Bearer revoked', 'Bearer fresh']);
      expect(attempts.records).toEqual([expect.objectContaining({ outcome: 'succeeded', statusCode: 200 })]);
    });

    it('does not send a third time after two 401s, and retries later', async () => {
      const { deps, sender, tokens } = setup({
        webhook: oauthWebhook(),
        results: [response(401), response(401)],
        tokens: [
          { ok: true, token: 'a' },
          { ok: true, token: 'b' },
        ],
      });

      const outcome = await deliver(deps, message, 1);

      expect(outcome).toEqual({
        result: 'retry',
        delaySeconds: 1,
        reason: 'endpoint answered 401',
        durationMs: 0,
      });
      expect(sender.requests).toHaveLength(2);
      expect(tokens.invalidated).toEqual([webhookId]);
    });

    it('retries a 401 without refreshing anything when the webhook uses no OAuth', async () => {
      const { deps, sender, tokens } = setup({ results: [response(401)] });
      expect(await deliver(deps, message, 1)).toMatchObject({ result: 'retry' });
      expect(sender.requests).toHaveLength(1);
      expect(tokens.invalidated).toEqual([]);
    });
  });

  describe('attempt numbers and origin', () => {
    it('counts on from the attempts made before a retried or recovered delivery was queued', async () => {
      const { deps, attempts } = setup({ results: [response(500)] });
      const outcome = await deliver(deps, { ...message, origin: 'recover', attemptOffset: 8 }, 1);
      // The schedule restarts (receive count 1 → first delay), the log number does not.
      expect(outcome).toMatchObject({ result: 'retry', delaySeconds: 1 });
      expect(attempts.records[0]).toMatchObject({ attempt: 9, origin: 'recover' });
    });
  });

  describe('endpoint health', () => {
    it('counts every failed attempt against the endpoint, and no successful one while healthy', async () => {
      const failing = setup({ results: [response(503)] });
      await deliver(failing.deps, message, 1);
      expect(failing.store.failures).toEqual(['endpoint answered 503']);

      const healthy = setup({ results: [response(200)] });
      await deliver(healthy.deps, message, 1);
      expect(healthy.store.failures).toEqual([]);
      expect(healthy.store.successes).toBe(0);
    });

    it('ends a streak of failures at the first success', async () => {
      const { deps, store } = setup({
        webhook: webhook({
          health: {
            consecutiveFailures: 4,
            failingSince: inSeconds(-600),
            lastFailureAt: inSeconds(-60),
            lastFailureReason: 'endpoint answered 500',
          },
        }),
        results: [response(200)],
      });
      await deliver(deps, message, 1);
      expect(store.successes).toBe(1);
    });

    it('disables the webhook when every attempt has failed for the auto-disable period, keeping the delivery failed', async () => {
      const since = new Date(now.getTime() - 5 * 86_400_000).toISOString();
      const { deps, store, attempts } = setup({ results: [response(500)], failingSince: since });

      const outcome = await deliver(deps, message, 2);

      expect(outcome).toEqual({
        result: 'failed',
        reason: 'endpoint answered 500',
        durationMs: 0,
        disabledWebhook: true,
      });
      expect(store.updates[0]).toMatchObject({
        status: 'disabled',
        disabledReason: expect.stringContaining(`since ${since}`),
      });
      expect(attempts.records[0]).toMatchObject({ status: 'failed', nextAttemptAt: null });
    });

    it('keeps retrying while the streak is shorter than the period', async () => {
      const since = new Date(now.getTime() - 5 * 86_400_000 + 60_000).toISOString();
      const { deps, store } = setup({ results: [response(500)], failingSince: since });
      expect(await deliver(deps, message, 2)).toMatchObject({ result: 'retry' });
      expect(store.updates).toEqual([]);
    });
  });

  describe('a rotated signing secret', () => {
    it('signs with the new and the old secret during the grace period; either verifies', async () => {
      const old = newSigningSecret();
      const { deps, sender } = setup({
        webhook: webhook({ previousSecrets: [{ secret: old, expiresAt: inSeconds(3600) }] }),
        results: [response(200)],
      });
      await deliver(deps, message, 1);
      const [request] = sender.requests;
      expect(request?.headers['webhook-signature']?.split(' ')).toHaveLength(2);
      for (const secret of [signingSecret, old]) {
        expect(() =>
          new StandardWebhook(secret).verify(request?.body ?? '', request?.headers ?? {}),
        ).not.toThrow();
      }
    });

    it('stops signing with the old secret once its grace period is over', async () => {
      const old = newSigningSecret();
      const { deps, sender } = setup({
        webhook: webhook({ previousSecrets: [{ secret: old, expiresAt: inSeconds(-1) }] }),
        results: [response(200)],
      });
      await deliver(deps, message, 1);
      const [request] = sender.requests;
      expect(request?.headers['webhook-signature']?.split(' ')).toHaveLength(1);
      expect(() => new StandardWebhook(old).verify(request?.body ?? '', request?.headers ?? {})).toThrow();
    });
  });

  it('never writes the signing secret or the OAuth payload into an attempt record', async () => {
    const scenarios: Array<Parameters<typeof setup>[0]> = [
      { webhook: oauthWebhook(), results: [response(200)], tokens: [{ ok: true, token: 't' }] },
      { webhook: oauthWebhook(), results: [response(500)], tokens: [{ ok: true, token: 't' }] },
      { webhook: oauthWebhook(), tokens: [{ ok: false, reason: 'token endpoint answered 400' }] },
      {
        webhook: oauthWebhook(),
        results: [response(401), response(401)],
        tokens: [
          { ok: true, token: 't' },
          { ok: true, token: 'u' },
        ],
      },
      { webhook: webhook(), results: [response(410)] },
      { webhook: webhook({ status: 'disabled' }) },
    ];
    const records: DeliveryLogEntry[] = [];
    for (const scenario of scenarios) {
      const { deps, attempts } = setup(scenario);
      await deliver(deps, message, 1);
      records.push(...attempts.entries);
    }
    expect(records).toHaveLength(scenarios.length);
    const logged = JSON.stringify(records);
    expect(logged).not.toContain(signingSecret);
    expect(logged).not.toContain(signingSecret.slice('whsec_'.length));
    expect(logged).not.toContain(oauthPayload.client_secret);
    expect(logged).not.toContain(JSON.stringify(oauthPayload));
  });
});

describe('deliver to a rate-limited webhook', () => {
  const limited = () => webhook({}, { rate_limit: 5 });

  it('takes a token at the webhook’s rate, then sends', async () => {
    const { deps, sender, takes } = setup({ webhook: limited(), results: [response(200)] });

    const outcome = await deliver(deps, message, 1);

    expect(outcome.result).toBe('delivered');
    expect(takes).toEqual([{ webhookId, perSecond: 5, at: now.toISOString() }]);
    expect(sender.requests).toHaveLength(1);
  });

  it('over the limit on its first receive: sends nothing, logs it pending until it comes back, counts no failure', async () => {
    const { deps, sender, attempts, store } = setup({
      webhook: limited(),
      rateLimit: { allowed: false, waitMs: 200 },
    });

    const outcome = await deliver(deps, message, 1);

    expect(outcome).toEqual({ result: 'throttled', delaySeconds: 2, reason: 'rate limit of 5/s reached' });
    expect(sender.requests).toEqual([]);
    expect(store.failures).toEqual([]);
    expect(attempts.records).toEqual([
      expect.objectContaining({ status: 'pending', attempt: null, error: null, nextAttemptAt: inSeconds(2) }),
    ]);
  });

  it('over the limit again after a re-queue: writes nothing more to the log', async () => {
    const { deps, attempts } = setup({ webhook: limited(), rateLimit: { allowed: false, waitMs: 200 } });
    expect((await deliver(deps, { ...message, receivesBefore: 0 }, 1)).result).toBe('throttled');
    expect(attempts.records).toEqual([]);
  });

  it('over the limit on a later receive: sends nothing, records nothing, counts no failure, and asks to come back after the wait', async () => {
    const { deps, sender, attempts, store } = setup({
      webhook: limited(),
      rateLimit: { allowed: false, waitMs: 1_400 },
    });

    const outcome = await deliver(deps, message, 3);

    // 1.4 s rounds up to 2 s; random 0.5 of a 0 to 2 s spread adds 1 s.
    expect(outcome).toEqual({ result: 'throttled', delaySeconds: 3, reason: 'rate limit of 5/s reached' });
    expect(sender.requests).toEqual([]);
    expect(attempts.records).toEqual([]);
    expect(store.failures).toEqual([]);
  });

  it('asks no bucket for a webhook without a limit', async () => {
    const { deps, takes } = setup({ results: [response(200)] });
    await deliver(deps, message, 1);
    expect(takes).toEqual([]);
  });

  it('asks no bucket for a disabled webhook: it is not sent anyway', async () => {
    const { deps, takes } = setup({ webhook: webhook({ status: 'disabled' }, { rate_limit: 5 }) });
    expect((await deliver(deps, message, 1)).result).toBe('failed');
    expect(takes).toEqual([]);
  });
});
