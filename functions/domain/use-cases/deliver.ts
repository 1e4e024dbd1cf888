import type { DeliveryMessage } from '../delivery';
import {
  type Attempt,
  type DeliveryLogEntry,
  type DeliveryStatus,
  excerpt,
  responseExcerptBytes,
  successExcerptBytes,
} from '../delivery-log';
import { buildEnvelope, serializeEnvelope } from '../envelope';
import type {
  Clock,
  DeliveryLog,
  EndpointHealthStore,
  SendResult,
  TokenProvider,
  WebhookSender,
  WebhookStore,
} from '../ports';
import { classifyResponse, nextAttemptDelay, parseRetryAfter } from '../retry';
import { signatureHeaders, signedRequestHeaders } from '../signing';
import { signingSecretsAt, type Webhook } from '../webhook';
import { disableWebhook } from './webhooks';

/**
 * The delivery function's use case: one attempt at one delivery. It builds the envelope, signs
 * it, adds the OAuth token where configured, sends, records the attempt and the endpoint's
 * health, and says what the queue should do next.
 */
export interface DeliverDeps {
  /** Webhooks as the delivery function reads them (cached); `invalidate` drops a stale entry. */
  webhooks: {
    get(tenant: string, id: string): Promise<Webhook | undefined>;
    invalidate?(tenant: string, id: string): void;
  };
  /** The store itself, for health counts and disabling a failing webhook. */
  store: Pick<WebhookStore, 'get' | 'update'> & EndpointHealthStore;
  sender: WebhookSender;
  tokens: TokenProvider;
  log: DeliveryLog;
  clock: Clock;
  /** Delays (seconds) before each retry; its length is the number of retries. */
  schedule: readonly number[];
  /** Also send `svix-id`, `svix-timestamp`, `svix-signature` (receivers written for Svix). */
  sendSvixHeaders: boolean;
  /** A webhook whose endpoint has failed every attempt for this long is disabled. */
  autoDisableAfterMs: number;
  random?: () => number;
}

export type DeliveryOutcome =
  | { result: 'delivered'; status: number; durationMs: number }
  | { result: 'retry'; delaySeconds: number; reason: string; durationMs: number }
  | { result: 'dead_letter'; reason: string; durationMs: number }
  /** Failed for good without the dead-letter queue: kept in the log, recoverable (webhook disabled, 410). */
  | { result: 'failed'; reason: string; durationMs: number | null; disabledWebhook: boolean }
  /** The webhook was deleted: there is nobody to deliver to, nor a log to keep it in. */
  | { result: 'dropped'; reason: string };

/** One write to the delivery log (a function, not a closure per delivery: this is the hot path). */
function logEntry(
  message: DeliveryMessage,
  status: DeliveryStatus,
  attempt: Attempt | null,
  error: string | null,
  nextAttemptAt: string | null,
  at: string,
): DeliveryLogEntry {
  return { message, status, attempt, error, nextAttemptAt, at };
}

function describe(result: SendResult): string {
  return result.outcome === 'response'
    ? `endpoint answered ${result.status}`
    : `${result.reason}: ${result.detail}`;
}

/**
 * @param receiveCount how many times the queue has handed out this message: the position in the
 * retry schedule. The logged attempt number also counts attempts made before it was queued.
 */
export async function deliver(
  deps: DeliverDeps,
  message: DeliveryMessage,
  receiveCount: number,
): Promise<DeliveryOutcome> {
  const started = deps.clock.now();
  const at = started.toISOString();

  let webhook = await deps.webhooks.get(message.tenant, message.webhookId);
  if (webhook && webhook.status !== 'enabled') {
    // The cache may predate a re-enable (say, just before a recovery): ask the store before
    // failing the delivery. Rare, so the extra read costs nothing on the hot path.
    deps.webhooks.invalidate?.(message.tenant, message.webhookId);
    webhook = await deps.webhooks.get(message.tenant, message.webhookId);
  }
  if (!webhook) return { result: 'dropped', reason: 'webhook was deleted' };
  if (webhook.status !== 'enabled') {
    const reason = `webhook is disabled${webhook.disabledReason ? `: ${webhook.disabledReason}` : ''}`;
    await deps.log.record(logEntry(message, 'failed', null, reason, null, at));
    return { result: 'failed', reason, durationMs: null, disabledWebhook: false };
  }

  const body = serializeEnvelope(
    buildEnvelope({
      eventId: message.eventId,
      eventType: message.eventType,
      data: message.data,
      time: message.time,
      source: message.source,
      prefix: webhook.attributes.event_type_prefix,
      suffix: webhook.attributes.event_type_suffix,
    }),
  );
  const signed = signatureHeaders({
    id: message.deliveryId,
    timestamp: started,
    body,
    // During a rotation's grace period the old secret signs too, so receivers switch without a gap.
    secrets:
      webhook.previousSecrets.length > 0 ? signingSecretsAt(webhook, started) : [webhook.signingSecret],
  });
  const headers = signedRequestHeaders(signed, deps.sendSvixHeaders);

  const oauth = webhook.attributes.authentication_method === 'o_auth' ? webhook.attributes : undefined;
  const tokenConfig =
    oauth?.authentication_server && oauth.authentication_payload && oauth.authentication_payload_type
      ? {
          server: oauth.authentication_server,
          payload: oauth.authentication_payload,
          payloadType: oauth.authentication_payload_type,
          version: webhook.version,
        }
      : undefined;

  let result: SendResult | undefined;
  let failure: string | undefined;
  for (let tokenTry = 1; tokenTry <= 2; tokenTry++) {
    if (tokenConfig) {
      const token = await deps.tokens.getToken(webhook.id, tokenConfig);
      if (!token.ok) {
        failure = `OAuth token: ${token.reason}`;
        result = undefined;
        break;
      }
      headers.Authorization = `Bearer ${token.token}`;
    }
    result = await deps.sender.send({ url: webhook.attributes.url, body, headers });
    // A 401 may mean the cached token was revoked early: refresh it once.
    if (tokenConfig && tokenTry === 1 && result.outcome === 'response' && result.status === 401) {
      deps.tokens.invalidate(webhook.id);
      continue;
    }
    break;
  }

  const durationMs = deps.clock.now().getTime() - started.getTime();
  const statusCode = result?.outcome === 'response' ? result.status : null;
  const verdict = result?.outcome === 'response' ? classifyResponse(result.status) : 'retry';
  const attempt: Attempt = {
    attempt: (message.attemptOffset ?? 0) + receiveCount,
    time: at,
    outcome: verdict === 'success' ? 'succeeded' : 'failed',
    statusCode,
    durationMs,
    error: null,
    responseExcerpt:
      result?.outcome === 'response'
        ? excerpt(result.bodyExcerpt, verdict === 'success' ? successExcerptBytes : responseExcerptBytes)
        : null,
    origin: message.origin ?? 'event',
  };

  if (verdict === 'success') {
    await deps.log.record(logEntry(message, 'succeeded', attempt, null, null, at));
    // Only a webhook known to be failing pays for the write that ends its streak.
    if (webhook.health.failingSince) {
      await deps.store.recordSuccess(webhook.tenant, webhook.id);
      deps.webhooks.invalidate?.(webhook.tenant, webhook.id);
    }
    return { result: 'delivered', status: statusCode ?? 0, durationMs };
  }

  const reason = failure ?? (result ? describe(result) : 'not sent');
  attempt.error = reason;
  const health = await deps.store.recordFailure(webhook.tenant, webhook.id, at, reason);
  const disableReason =
    verdict === 'gone'
      ? `The endpoint answered 410 Gone at ${at}.`
      : health?.failingSince && started.getTime() - Date.parse(health.failingSince) >= deps.autoDisableAfterMs
        ? `Every attempt has failed since ${health.failingSince} (${health.consecutiveFailures} attempts); last: ${reason}.`
        : undefined;
  if (disableReason) {
    const disabled = await disableWebhook(deps.store, deps.clock, webhook.tenant, webhook.id, disableReason);
    deps.webhooks.invalidate?.(webhook.tenant, webhook.id);
    await deps.log.record(logEntry(message, 'failed', attempt, null, null, at));
    return { result: 'failed', reason, durationMs, disabledWebhook: disabled };
  }

  const retryAfterSeconds =
    result?.outcome === 'response'
      ? parseRetryAfter(result.headers['retry-after'], deps.clock.now())
      : undefined;
  const next = nextAttemptDelay({
    attempt: receiveCount,
    schedule: deps.schedule,
    retryAfterSeconds,
    random: deps.random,
  });
  if (!next.retry) {
    await deps.log.record(logEntry(message, 'failed', attempt, null, null, at));
    return { result: 'dead_letter', reason, durationMs };
  }
  const nextAttemptAt = new Date(started.getTime() + durationMs + next.delaySeconds * 1000).toISOString();
  await deps.log.record(logEntry(message, 'retrying', attempt, null, nextAttemptAt, at));
  return { result: 'retry', delaySeconds: next.delaySeconds, reason, durationMs };
}
