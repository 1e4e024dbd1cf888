import type { DeliveryMessage } from '../delivery';
import { buildEnvelope, serializeEnvelope } from '../envelope';
import type { AttemptLog, AttemptRecord, Clock, SendResult, TokenProvider, WebhookSender } from '../ports';
import { classifyResponse, nextAttemptDelay, parseRetryAfter } from '../retry';
import { type SignatureHeaders, signatureHeaders, svixHeaders } from '../signing';
import type { Webhook } from '../webhook';

/**
 * The delivery function's use case: one attempt at one delivery. It builds the envelope, signs
 * it, adds the OAuth token where configured, sends, records the attempt, and says what the
 * queue should do next.
 */
export interface DeliverDeps {
  webhooks: { get(tenant: string, id: string): Promise<Webhook | undefined> };
  sender: WebhookSender;
  tokens: TokenProvider;
  attempts: AttemptLog;
  clock: Clock;
  /** Delays (seconds) before each retry; its length is the number of retries. */
  schedule: readonly number[];
  /** Also send `svix-id`, `svix-timestamp`, `svix-signature` (receivers written for Svix). */
  sendSvixHeaders: boolean;
  random?: () => number;
}

export type DeliveryOutcome =
  | { result: 'delivered'; status: number }
  | { result: 'retry'; delaySeconds: number; reason: string }
  | { result: 'dead_letter'; reason: string }
  | { result: 'dropped'; reason: string };

const excerptLimit = 1024;

function describe(result: SendResult): string {
  return result.outcome === 'response'
    ? `endpoint answered ${result.status}`
    : `${result.reason}: ${result.detail}`;
}

export async function deliver(
  deps: DeliverDeps,
  message: DeliveryMessage,
  attempt: number,
): Promise<DeliveryOutcome> {
  const started = deps.clock.now();
  const base = {
    tenant: message.tenant,
    webhookId: message.webhookId,
    deliveryId: message.deliveryId,
    eventId: message.eventId,
    eventType: message.eventType,
    attempt,
    time: started.toISOString(),
  };
  const record = (fields: Omit<AttemptRecord, keyof typeof base>) =>
    // Object.assign, not spreads: on Node 20 a spread-then-add literal costs ~1 µs a property on
    // this hot path (bench/delivery.ts).
    deps.attempts.record(Object.assign({}, base, fields));

  const webhook = await deps.webhooks.get(message.tenant, message.webhookId);
  if (webhook?.status !== 'enabled') {
    const reason = webhook ? 'webhook is disabled' : 'webhook was deleted';
    await record({
      outcome: 'dropped',
      statusCode: null,
      durationMs: 0,
      error: reason,
      responseExcerpt: null,
      next: 'none',
      retryInSeconds: null,
    });
    return { result: 'dropped', reason };
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
    secrets: [webhook.signingSecret],
  });
  const headers: Record<string, string> = Object.assign<Record<string, string>, SignatureHeaders>({}, signed);
  if (deps.sendSvixHeaders) Object.assign(headers, svixHeaders(signed));

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
  const responseExcerpt = result?.outcome === 'response' ? result.bodyExcerpt.slice(0, excerptLimit) : null;
  const verdict = result?.outcome === 'response' ? classifyResponse(result.status) : 'retry';

  if (verdict === 'success') {
    await record({
      outcome: 'succeeded',
      statusCode,
      durationMs,
      error: null,
      responseExcerpt,
      next: 'none',
      retryInSeconds: null,
    });
    return { result: 'delivered', status: statusCode ?? 0 };
  }
  const reason = failure ?? (result ? describe(result) : 'not sent');
  const failed = (next: AttemptRecord['next'], retryInSeconds: number | null) =>
    record({
      outcome: 'failed',
      statusCode,
      durationMs,
      error: reason,
      responseExcerpt,
      next,
      retryInSeconds,
    });
  const retryAfterSeconds =
    result?.outcome === 'response'
      ? parseRetryAfter(result.headers['retry-after'], deps.clock.now())
      : undefined;
  const next =
    verdict === 'gone'
      ? ({ retry: false } as const)
      : nextAttemptDelay({ attempt, schedule: deps.schedule, retryAfterSeconds, random: deps.random });
  if (!next.retry) {
    await failed('dead_letter', null);
    return { result: 'dead_letter', reason };
  }
  await failed('retry', next.delaySeconds);
  return { result: 'retry', delaySeconds: next.delaySeconds, reason };
}
