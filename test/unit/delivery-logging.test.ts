import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { DeliveryMessage } from '../../functions/domain/delivery';
import { deliveryIdFor } from '../../functions/domain/delivery-id';
import type { DeliveryLogEntry } from '../../functions/domain/delivery-log';
import { newSigningSecret } from '../../functions/domain/ids';
import type { DeliveryLog, SendResult } from '../../functions/domain/ports';
import type { DeliverDeps } from '../../functions/domain/use-cases/deliver';
import type { Webhook } from '../../functions/domain/webhook';
import { createDeliveryBatchHandler } from '../../functions/shared/delivery-batch';
import { logger } from '../../functions/shared/logger';

/**
 * What the delivery function writes to its log, with the logger at DEBUG: each line that is not a
 * batch summary names the tenant, webhook, event and delivery, and no line ever holds the signing
 * secret, the OAuth payload, the token or the body sent.
 */
const signingSecret = newSigningSecret();
const oauthSecret = 'oauth-client-secret-never-logged';
const token = 'bearer-token-never-logged';
const now = new Date();

function webhook(id: string): Webhook {
  return {
    id,
    tenant: 'acme',
    attributes: {
      description: 'logging',
      url: `https://receiver.example.com/${id}`,
      event_types: ['use_case_review_status_updated'],
      event_type_prefix: null,
      event_type_suffix: null,
      environment: null,
      authentication_method: 'o_auth',
      authentication_payload: { client_id: 'herald', client_secret: oauthSecret },
      authentication_payload_type: 'application/json',
      authentication_server: 'https://auth.example.com/token',
      bucket: null,
      filter: null,
      rate_limit: null,
      ordering: 'none',
    },
    status: 'enabled',
    disabledReason: null,
    disabledAt: null,
    signingSecret,
    previousSecrets: [
      { secret: newSigningSecret(), expiresAt: new Date(now.getTime() + 60_000).toISOString() },
    ],
    health: { consecutiveFailures: 0, failingSince: null, lastFailureAt: null, lastFailureReason: null },
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
  };
}

const answers: Record<string, SendResult> = {
  wh_ok: { outcome: 'response', status: 200, headers: {}, bodyExcerpt: 'ok', durationMs: 3 },
  wh_retry: { outcome: 'response', status: 503, headers: {}, bodyExcerpt: 'down', durationMs: 3 },
  wh_dead: { outcome: 'error', reason: 'timeout', detail: 'no answer', durationMs: 3 },
};

function record(webhookId: string, receiveCount: number, body?: string): SQSRecord {
  const message: DeliveryMessage = {
    deliveryId: deliveryIdFor(`evt-${webhookId}`, webhookId, now.toISOString()),
    eventId: `evt-${webhookId}`,
    eventType: 'use_case_review_status_updated',
    tenant: 'acme',
    environment: null,
    webhookId,
    time: now.toISOString(),
    source: 'CredoAI',
    data: { reviewId: 'r-secretless', status: 'done', useCaseId: 'u', user: { email: 'a@b.c', userId: 'x' } },
  };
  return {
    messageId: `m-${webhookId}`,
    receiptHandle: 'rh',
    body: body ?? JSON.stringify(message),
    attributes: { ApproximateReceiveCount: String(receiveCount) } as SQSRecord['attributes'],
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
    awsRegion: 'us-east-1',
  };
}

it('names the ids on every non-summary line and never logs a secret, token or body', async () => {
  const log: DeliveryLog = {
    record: async (_e: DeliveryLogEntry) => {},
    recordUnsent: async () => {},
    get: async () => undefined,
    list: async () => ({ items: [] }),
    markQueued: async () => true,
    unmarkQueued: async () => {},
    attemptsMade: async () => 0,
  };
  const sentBodies: string[] = [];
  const deps: DeliverDeps = {
    webhooks: { get: async (_t, id) => webhook(id) },
    store: {
      get: async (_t, id) => webhook(id),
      update: async () => {},
      recordFailure: async (_t, _id, at, reason) => ({
        consecutiveFailures: 1,
        failingSince: at,
        lastFailureAt: at,
        lastFailureReason: reason,
      }),
      recordSuccess: async () => undefined,
    },
    sender: {
      send: async (request) => {
        sentBodies.push(request.body);
        return answers[request.url.split('/').pop() ?? ''] ?? (answers.wh_ok as SendResult);
      },
    },
    tokens: { getToken: async () => ({ ok: true, token }), invalidate: () => {} },
    rateLimiter: { take: async () => ({ allowed: true }) },
    log,
    clock: { now: () => new Date() },
    schedule: [1],
    sendSvixHeaders: true,
    autoDisableAfterMs: 86_400_000,
  };
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  };
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const writeError = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  const level = logger.getLevelName();
  logger.setLogLevel('DEBUG');
  try {
    const handle = createDeliveryBatchHandler(
      deps,
      { retryLater: async () => {}, deadLetter: async () => {}, requeue: async () => {} },
      logger,
    );
    const event: SQSEvent = {
      Records: [
        record('wh_ok', 1),
        record('wh_retry', 1),
        record('wh_dead', 2),
        record('wh_bad', 1, '{"not":"a delivery"}'),
      ],
    };
    await handle(event);
  } finally {
    logger.setLogLevel(level);
    write.mockRestore();
    writeError.mockRestore();
  }

  const entries = lines.flatMap((l) => l.split('\n')).filter((l) => l.trim().startsWith('{'));
  expect(entries.length).toBeGreaterThanOrEqual(4);
  const everything = entries.join('\n');
  for (const secret of [
    signingSecret,
    signingSecret.slice('whsec_'.length),
    oauthSecret,
    token,
    ...sentBodies,
  ]) {
    expect(everything).not.toContain(secret);
  }
  const parsed = entries.map((l) => JSON.parse(l) as Record<string, unknown>);
  for (const outcome of ['retry', 'dead_letter']) {
    const line = parsed.find((p) => p.message === outcome);
    expect(line).toMatchObject({
      tenant: 'acme',
      webhookId: expect.stringMatching(/^wh_/),
      deliveryId: expect.stringMatching(/^msg_/),
      eventId: expect.stringMatching(/^evt-/),
    });
  }
  expect(parsed.find((p) => p.message === 'batch')).toMatchObject({
    records: 4,
    delivered: 1,
    retry: 1,
    dead_letter: 1,
    undeliverable: 1,
  });
});
