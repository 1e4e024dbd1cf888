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
import {
  deliveryExhausted,
  endsFailing,
  type LastAttempt,
  type OperationalEvent,
  reportsFailures,
  startsFailing,
  webhookDisabled,
  webhookFailing,
  webhookRecovered,
} from '../operational-events';
import type {
  Clock,
  DeliveryLog,
  EndpointHealthStore,
  OperationalEventPublisher,
  RateLimiter,
  SendResult,
  TokenProvider,
  WebhookSender,
  WebhookStore,
} from '../ports';
import { throttleDelaySeconds } from '../rate-limit';
import { classifyResponse, nextAttemptDelay, parseRetryAfter } from '../retry';
import { signatureHeaders, signedRequestHeaders } from '../signing';
import type { Webhook } from '../webhook';
import { signingSecretsAt } from '../webhook-model';
import { disableWebhook } from './disable-webhook';

/**
 * The delivery function's use case: one attempt at one delivery. It builds the envelope, signs
 * it, adds the OAuth token where configured, sends, records the attempt and the endpoint's
 * health, and says what the queue should do next.
 */
export interface DeliverDeps {
  /**
   * Webhooks as this delivery reads them: read once per batch, strongly consistent, so an edit
   * that has answered reaches every delivery attempted after it; `invalidate` drops an entry
   * this batch changed (say, disabled).
   */
  webhooks: {
    get(tenant: string, id: string): Promise<Webhook | undefined>;
    invalidate?(tenant: string, id: string): void;
  };
  /** The store itself, for health counts and disabling a failing webhook. */
  store: Pick<WebhookStore, 'get' | 'update'> & EndpointHealthStore;
  sender: WebhookSender;
  tokens: TokenProvider;
  log: DeliveryLog;
  /** Webhooks with a `rate_limit` take a token here before each attempt. */
  rateLimiter: RateLimiter;
  clock: Clock;
  /** Delays (seconds) before each retry; its length is the number of retries. */
  schedule: readonly number[];
  /** Also send `svix-id`, `svix-timestamp`, `svix-signature` (receivers written for Svix). */
  sendSvixHeaders: boolean;
  /** A webhook whose endpoint has failed every attempt for this long is disabled. */
  autoDisableAfterMs: number;
  /**
   * Where the endpoint's transitions are reported (failing, recovered, disabled, a delivery
   * exhausted); none: not reported. Only a transition publishes: a healthy delivery never calls it.
   */
  events?: OperationalEventPublisher;
  random?: () => number;
}

export type DeliveryOutcome =
  | { result: 'delivered'; status: number; durationMs: number }
  | { result: 'retry'; delaySeconds: number; reason: string; durationMs: number }
  | { result: 'dead_letter'; reason: string; durationMs: number }
  /** Not attempted: the invocation had too little time left. Handed back to the queue, nothing recorded. */
  | { result: 'deferred'; delaySeconds: number; reason: string }
  /**
   * Not attempted: the webhook's rate limit is spent. To be queued again after `delaySeconds`
   * as a new message, so the wait spends no receive and no attempt; nothing recorded.
   */
  | { result: 'throttled'; delaySeconds: number; reason: string }
  /** Failed for good without the dead-letter queue: kept in the log, recoverable (webhook disabled, 410). */
  | { result: 'failed'; reason: string; durationMs: number | null; disabledWebhook: boolean }
  /** The webhook was deleted: there is nobody to deliver to, nor a log to keep it in. */
  | { result: 'dropped'; reason: string };

/** What the log adds to the last attempt's error when an ordered delivery runs out of attempts. */
export const orderedGiveUp = 'out of attempts: dead-lettered, and the next delivery in order was released';

/** A call (token or POST) is not started with less time than this left: it would time out by construction. */
export const minCallMs = 1_000;

/** A deferred delivery is handed back for this long: long enough for another invocation to take it. */
export const deferDelaySeconds = 1;

/** Milliseconds left before `deadline` (epoch ms), or undefined when there is none. */
function timeLeft(clock: Clock, deadline: number | undefined): number | undefined {
  return deadline === undefined ? undefined : deadline - clock.now().getTime();
}

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

/** Reports transitions; the publisher never throws, the catch only makes sure of it. */
async function report(deps: DeliverDeps, events: OperationalEvent[]): Promise<void> {
  if (events.length > 0 && deps.events) await deps.events.publish(events).catch(() => undefined);
}

function describe(result: SendResult): string {
  return result.outcome === 'response'
    ? `endpoint answered ${result.status}`
    : `${result.reason}: ${result.detail}`;
}

/**
 * @param receiveCount how many times the queue has handed out this message: the position in the
 * retry schedule. The logged attempt number also counts attempts made before it was queued.
 * @param deadline epoch ms by `deps.clock` by which the delivery's calls must be over (its
 * invocation's end less a margin): each call gets at most the time left, and a call that would
 * start with less than {@link minCallMs} is not made. None: each call gets the sender's timeout.
 * @param options.ordered the delivery is one of an ordered (FIFO) webhook's: out of attempts, the
 * log says that the next delivery in order goes on without it.
 */
export async function deliver(
  deps: DeliverDeps,
  message: DeliveryMessage,
  receiveCount: number,
  deadline?: number,
  options: { ordered?: boolean } = {},
): Promise<DeliveryOutcome> {
  const started = deps.clock.now();
  const at = started.toISOString();

  const webhook = await deps.webhooks.get(message.tenant, message.webhookId);
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

  // The token is taken last thing before sending, at the time of taking, so the bucket counts
  // sends rather than the starts of deliveries, which the webhook read and signing delay unevenly.
  const perSecond = webhook.attributes.rate_limit;
  if (perSecond !== null) {
    const token = await deps.rateLimiter.take(webhook.tenant, webhook.id, perSecond, deps.clock.now());
    if (!token.allowed) {
      const delaySeconds = throttleDelaySeconds(token.waitMs, deps.random ?? Math.random);
      // A delivery's first receive has no log entry yet: one `pending` entry shows it waiting.
      // Later throttles write nothing (a retried delivery already shows `retrying`), so a long
      // throttle costs no log write per wait.
      if (receiveCount === 1 && message.receivesBefore === undefined) {
        const nextAttemptAt = new Date(started.getTime() + delaySeconds * 1000).toISOString();
        await deps.log.record(logEntry(message, 'pending', null, null, nextAttemptAt, at));
      }
      return { result: 'throttled', delaySeconds, reason: `rate limit of ${perSecond}/s reached` };
    }
  }

  let result: SendResult | undefined;
  let failure: string | undefined;
  // Each call gets the time left (a whole delivery is bounded by its invocation); out of time
  // before a call, the delivery stops with what it has: a 401 answer stays the attempt's outcome.
  for (let tokenTry = 1; tokenTry <= 2; tokenTry++) {
    if (tokenConfig) {
      const left = timeLeft(deps.clock, deadline);
      if (left !== undefined && left < minCallMs) break;
      const token = await deps.tokens.getToken(webhook.id, tokenConfig, left);
      if (!token.ok) {
        failure = `OAuth token: ${token.reason}`;
        result = undefined;
        break;
      }
      headers.Authorization = `Bearer ${token.token}`;
    }
    const left = timeLeft(deps.clock, deadline);
    if (left !== undefined && left < minCallMs) break;
    result = await deps.sender.send({ url: webhook.attributes.url, body, headers, timeoutMs: left });
    // A 401 may mean the cached token was revoked early: refresh it once.
    if (tokenConfig && tokenTry === 1 && result.outcome === 'response' && result.status === 401) {
      deps.tokens.invalidate(webhook.id);
      continue;
    }
    break;
  }
  if (!result && !failure) {
    // Nothing reached the endpoint: this is Herald's shortage, not the endpoint's failure, so
    // it neither counts against the endpoint nor shows in the log.
    return {
      result: 'deferred',
      delaySeconds: deferDelaySeconds,
      reason: 'the invocation had too little time left to send',
    };
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
      const before = await deps.store.recordSuccess(webhook.tenant, webhook.id);
      deps.webhooks.invalidate?.(webhook.tenant, webhook.id);
      if (before && endsFailing(before)) {
        const lastAttempt: LastAttempt = { time: at, status_code: statusCode, error: null };
        await report(deps, [webhookRecovered(webhook, { before, lastAttempt })]);
      }
    }
    return { result: 'delivered', status: statusCode ?? 0, durationMs };
  }

  const reason = failure ?? (result ? describe(result) : 'not sent');
  attempt.error = reason;
  const health = await deps.store.recordFailure(webhook.tenant, webhook.id, at, reason);
  const lastAttempt: LastAttempt = { time: at, status_code: statusCode, error: reason };
  // A delivery of an operational event reports no failure of its own (operational-events.ts).
  const reporting = reportsFailures(message.eventType);
  const events: OperationalEvent[] =
    reporting && health && startsFailing(health) ? [webhookFailing(webhook, { health, lastAttempt })] : [];
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
    // Only the write that disabled it reports it: a webhook is disabled once, however many fail.
    if (disabled) {
      events.push(
        webhookDisabled(webhook, {
          trigger: 'automatic',
          reason: disableReason,
          at,
          health: health ?? webhook.health,
          lastAttempt,
        }),
      );
    }
    await report(deps, events);
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
    if (options.ordered) attempt.error = `${reason}; ${orderedGiveUp}`;
    await deps.log.record(logEntry(message, 'failed', attempt, null, null, at));
    if (reporting) {
      events.push(
        deliveryExhausted(webhook, {
          delivery: { id: message.deliveryId, eventId: message.eventId, eventType: message.eventType },
          attempts: attempt.attempt,
          health: health ?? webhook.health,
          lastAttempt,
        }),
      );
    }
    await report(deps, events);
    return { result: 'dead_letter', reason: options.ordered ? attempt.error : reason, durationMs };
  }
  const nextAttemptAt = new Date(started.getTime() + durationMs + next.delaySeconds * 1000).toISOString();
  await deps.log.record(logEntry(message, 'retrying', attempt, null, nextAttemptAt, at));
  await report(deps, events);
  return { result: 'retry', delaySeconds: next.delaySeconds, reason, durationMs };
}
