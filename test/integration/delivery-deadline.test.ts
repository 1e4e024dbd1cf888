import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { createOAuthTokenClient } from '../../functions/adapters/http/oauth-token-client';
import { createSafeAgent } from '../../functions/adapters/http/safe-dispatcher';
import { createWebhookSender } from '../../functions/adapters/http/webhook-sender';
import type { DeliveryMessage } from '../../functions/domain/delivery';
import { deliveryIdFor } from '../../functions/domain/delivery-id';
import type { DeliveryLogEntry } from '../../functions/domain/delivery-log';
import { systemClock } from '../../functions/domain/ports';
import { anyPort } from '../../functions/domain/target-ports';
import type { Webhook, WebhookAttributes } from '../../functions/domain/webhook';
import { createDeliveryBatchHandler, type DeliveryBatchDeps } from '../../functions/shared/delivery-batch';
import { logger } from '../../functions/shared/logger';
import { deliveryMarginMs } from '../../functions/shared/pipeline';
import { storedWebhook } from '../helpers';

/**
 * A batch is bounded by the time its invocation has left: each call gets at most what remains
 * (less the margin), a delivery that cannot start a call in time is handed back alone, and its
 * batch-mates finish and are acknowledged. Real HTTP on loopback, the real sender and token client.
 */
let server: Server;
let base: string;
const hanging = new Set<ServerResponse>();

function handle(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  if (req.url === '/hang') {
    hanging.add(res); // never answered: only the caller's timeout ends it
    return;
  }
  if (req.url === '/slow-token') {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'tok', expires_in: 3600 }));
    }, 1_500);
    return;
  }
  res.writeHead(200).end('ok');
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

function webhook(id: string, attributes: Partial<WebhookAttributes>): Webhook {
  return {
    ...storedWebhook(
      { description: id, url: `${base}/fast`, environment: null, ...attributes },
      { tenant: 'acme' },
    ),
    id,
  };
}

function record(hook: Webhook): SQSRecord {
  const now = new Date().toISOString();
  const message: DeliveryMessage = {
    deliveryId: deliveryIdFor(`evt-${hook.id}`, hook.id, now),
    eventId: `evt-${hook.id}`,
    eventType: 'use_case_review_status_updated',
    tenant: hook.tenant,
    environment: null,
    webhookId: hook.id,
    time: now,
    source: 'CredoAI',
    data: { reviewId: 'r', status: 'done', useCaseId: 'u', user: { email: 'a@b.c', userId: 'x' } },
  };
  return {
    messageId: hook.id,
    receiptHandle: `rh-${hook.id}`,
    body: JSON.stringify(message),
    attributes: { ApproximateReceiveCount: '1' } as SQSRecord['attributes'],
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
    awsRegion: 'us-east-1',
  };
}

function batchDeps(hooks: Webhook[], logged: DeliveryLogEntry[], failures: string[]): DeliveryBatchDeps {
  const byId = new Map(hooks.map((h) => [h.id, h]));
  const agent = createSafeAgent({
    allowPrivateTargets: true,
    allowedPorts: anyPort,
    connectTimeoutMs: 5_000,
  });
  return {
    store: {
      get: async (_tenant, id) => byId.get(id),
      update: async () => {},
      recordFailure: async (_t, id, at, reason) => {
        failures.push(id);
        return { consecutiveFailures: 1, failingSince: at, lastFailureAt: at, lastFailureReason: reason };
      },
      recordSuccess: async () => undefined,
    },
    // The sender's own limit is the deployed 15 s: only the invocation's deadline can end these calls sooner.
    sender: createWebhookSender({ agent, totalTimeoutMs: 15_000 }),
    tokens: createOAuthTokenClient({ send: createWebhookSender({ agent, totalTimeoutMs: 15_000 }).send }),
    log: {
      record: async (entry) => {
        logged.push(entry);
      },
      recordUnsent: async () => {},
      get: async () => undefined,
      list: async () => ({ items: [] }),
      markQueued: async () => true,
      unmarkQueued: async () => {},
      attemptsMade: async () => 0,
    },
    rateLimiter: { take: async () => ({ allowed: true }) },
    clock: systemClock,
    schedule: [5, 300],
    sendSvixHeaders: false,
    autoDisableAfterMs: 86_400_000,
  };
}

describe('a delivery batch near the end of its invocation', () => {
  it('bounds each call by the time left, hands back what cannot start, and finishes its batch-mates', async () => {
    const fast = webhook('wh_fast', {});
    const hang = webhook('wh_hang', { url: `${base}/hang` });
    const slowToken = webhook('wh_oauth', {
      authentication_method: 'o_auth',
      authentication_server: `${base}/slow-token`,
      authentication_payload: { client_id: 'c' },
      authentication_payload_type: 'application/json',
    });
    const logged: DeliveryLogEntry[] = [];
    const failures: string[] = [];
    const handedBack: Array<{ id: string; delaySeconds: number }> = [];
    const handler = createDeliveryBatchHandler(
      batchDeps([fast, hang, slowToken], logged, failures),
      {
        retryLater: async (r, delaySeconds) => {
          handedBack.push({ id: r.messageId, delaySeconds });
        },
        requeue: async () => {
          throw new Error('nothing here is rate-limited');
        },
        deadLetter: async () => {
          throw new Error('nothing here is dead-lettered');
        },
      },
      logger,
    );
    // 2 s for calls once the margin is kept back: the token takes 1.5 s, leaving too little to POST.
    const invocationMs = deliveryMarginMs + 2_000;
    const started = Date.now();
    const event: SQSEvent = { Records: [record(fast), record(hang), record(slowToken)] };
    const response = await handler(event, {
      getRemainingTimeInMillis: () => invocationMs - (Date.now() - started),
    });
    const elapsed = Date.now() - started;

    // The batch ended inside its invocation, though the hanging endpoint would have held it 15 s.
    expect(elapsed).toBeLessThan(invocationMs);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['wh_hang', 'wh_oauth']);
    // The hanging endpoint had its attempt, cut at the deadline: a failure counted and retried on schedule.
    const hangEntry = logged.find((e) => e.message.webhookId === 'wh_hang');
    expect(hangEntry?.attempt?.error).toMatch(/^timeout/);
    expect(failures).toEqual(['wh_hang']);
    // The OAuth delivery never reached its endpoint: handed back at once, nothing logged, no failure counted.
    expect(logged.some((e) => e.message.webhookId === 'wh_oauth')).toBe(false);
    expect(handedBack).toContainEqual({ id: 'wh_oauth', delaySeconds: 1 });
    expect(handedBack.find((h) => h.id === 'wh_hang')?.delaySeconds).toBeGreaterThanOrEqual(4);
    // Its batch-mate was delivered and acknowledged.
    expect(logged.find((e) => e.message.webhookId === 'wh_fast')?.status).toBe('succeeded');
  }, 30_000);
});

describe('the webhooks a batch reads', () => {
  it('reads each webhook once per batch, and afresh in the next batch (read-your-writes)', async () => {
    let current = webhook('wh_edit', { url: `${base}/fast?v=1` });
    const reads: string[] = [];
    const sent: string[] = [];
    const deps = batchDeps([current], [], []);
    const handler = createDeliveryBatchHandler(
      {
        ...deps,
        store: {
          ...deps.store,
          get: async (_t, id) => {
            reads.push(id);
            return current;
          },
        },
        sender: {
          send: async (request) => {
            sent.push(request.url);
            return { outcome: 'response', status: 200, headers: {}, bodyExcerpt: '', durationMs: 1 };
          },
        },
      },
      { retryLater: async () => {}, deadLetter: async () => {}, requeue: async () => {} },
      logger,
    );
    const twice = (r: SQSRecord): SQSEvent => ({ Records: [r, { ...r, messageId: `${r.messageId}-2` }] });
    await handler(twice(record(current)));
    current = { ...current, attributes: { ...current.attributes, url: `${base}/fast?v=2` }, version: 2 };
    await handler(twice(record(current)));
    expect(reads).toEqual(['wh_edit', 'wh_edit']);
    expect(sent).toEqual([`${base}/fast?v=1`, `${base}/fast?v=1`, `${base}/fast?v=2`, `${base}/fast?v=2`]);
  });
});
