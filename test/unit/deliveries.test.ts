import type { DeliveryMessage } from '../../functions/domain/delivery';
import { deliveryIdFor } from '../../functions/domain/delivery-id';
import type { DeliveryRecord, DeliveryStatus } from '../../functions/domain/delivery-log';
import {
  ConflictError,
  type HeraldError,
  NotFoundError,
  ValidationError,
} from '../../functions/domain/errors';
import { newId, newSigningSecret } from '../../functions/domain/ids';
import type { DeliveryLog } from '../../functions/domain/ports';
import {
  type DeliveryDeps,
  maxRecoveredPerRequest,
  recoverDeliveries,
  retryDelivery,
} from '../../functions/domain/use-cases/deliveries';
import type { Webhook } from '../../functions/domain/webhook';
import { parseRecovery } from '../../functions/shared/api-requests';

/**
 * The delivery use cases' refusals and failure paths, with in-memory fakes (the happy paths run
 * end to end in test/e2e/operations.test.ts).
 */
const now = new Date('2026-11-24T12:00:00Z');
const tenant = 'acme';
const webhookId = newId('wh', now);

function webhook(status: Webhook['status'] = 'enabled'): Webhook {
  return {
    id: webhookId,
    tenant,
    attributes: {
      description: 'd',
      url: 'https://receiver.example.com/hook',
      event_types: ['use_case_name_updated'],
      event_type_prefix: null,
      event_type_suffix: null,
      environment: null,
      authentication_method: 'none',
      authentication_payload: null,
      authentication_payload_type: null,
      authentication_server: null,
      bucket: null,
      filter: null,
      rate_limit: null,
    },
    status,
    disabledReason: status === 'disabled' ? 'by hand' : null,
    disabledAt: null,
    signingSecret: newSigningSecret(),
    previousSecrets: [],
    health: { consecutiveFailures: 0, failingSince: null, lastFailureAt: null, lastFailureReason: null },
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
  };
}

function record(eventId: string, status: DeliveryStatus, attemptCount = 1): DeliveryRecord {
  return {
    tenant,
    webhookId,
    deliveryId: deliveryIdFor(eventId, webhookId, '2026-11-24T10:00:00Z'),
    eventId,
    eventType: 'use_case_name_updated',
    environment: null,
    source: 'CredoAI',
    time: '2026-11-24T10:00:00Z',
    data: { useCaseId: 'u' },
    status,
    attemptCount,
    attempts: [],
    lastStatusCode: 500,
    lastError: 'endpoint answered 500',
    nextAttemptAt: null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}

/** A log over a list of records, applying the conditional mark as DynamoDB would. */
class FakeLog implements DeliveryLog {
  readonly unmarked: string[] = [];
  constructor(readonly records: DeliveryRecord[]) {}
  record = async () => {};
  recordUnsent = async () => {};
  get = async (_t: string, _w: string, id: string) => this.records.find((r) => r.deliveryId === id);
  /** Pages by key, as DynamoDB does: the cursor is the last record shown, not a count. */
  list = async (_t: string, _w: string, q: { status?: DeliveryStatus; limit: number; after?: string }) => {
    const start = q.after ? this.records.findIndex((r) => r.deliveryId === q.after) + 1 : 0;
    const matching = this.records.slice(start).filter((r) => !q.status || r.status === q.status);
    const items = matching.slice(0, q.limit);
    const last = items[items.length - 1];
    return matching.length > q.limit && last ? { items, next: last.deliveryId } : { items };
  };
  markQueued = async (r: DeliveryRecord, from: readonly DeliveryStatus[]) => {
    const stored = this.records.find((x) => x.deliveryId === r.deliveryId);
    if (!stored || !from.includes(stored.status)) return false;
    stored.status = 'pending';
    return true;
  };
  unmarkQueued = async (r: DeliveryRecord) => {
    this.unmarked.push(r.deliveryId);
  };
}

function setup(
  records: DeliveryRecord[],
  options: { status?: Webhook['status']; queueFails?: boolean } = {},
) {
  const log = new FakeLog(records);
  const queued: DeliveryMessage[] = [];
  const deps: DeliveryDeps = {
    webhooks: { get: async () => webhook(options.status) },
    log,
    queue: {
      enqueue: async (messages) => {
        if (options.queueFails) throw new Error('SQS is down');
        queued.push(...messages);
      },
    },
    deadLetters: { take: async () => ({ deliveries: [], scanned: 0 }) },
    clock: { now: () => now },
    eventSource: 'CredoAI',
  };
  return { deps, log, queued };
}

async function rejection(promise: Promise<unknown>): Promise<HeraldError> {
  try {
    await promise;
  } catch (error) {
    return error as HeraldError;
  }
  throw new Error('expected a refusal');
}

describe('retryDelivery', () => {
  it('queues a delivery once: a second retry while it is queued is a 409', async () => {
    const failed = record('evt-1', 'failed', 3);
    const { deps, queued } = setup([failed]);
    await retryDelivery(deps, tenant, webhookId, failed.deliveryId);
    expect(queued).toEqual([
      expect.objectContaining({ deliveryId: failed.deliveryId, origin: 'retry', attemptOffset: 3 }),
    ]);
    const error = await rejection(retryDelivery(deps, tenant, webhookId, failed.deliveryId));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.problems[0]?.code).toBe('already_queued');
    expect(queued).toHaveLength(1);
  });

  it('refuses a disabled webhook, a delivery at the attempt limit, and an id Herald never issued', async () => {
    const failed = record('evt-2', 'failed');
    const disabled = setup([failed], { status: 'disabled' });
    expect(
      (await rejection(retryDelivery(disabled.deps, tenant, webhookId, failed.deliveryId))).problems[0]?.code,
    ).toBe('webhook_disabled');
    const worn = record('evt-3', 'failed', 50);
    const limit = setup([worn]);
    expect(
      (await rejection(retryDelivery(limit.deps, tenant, webhookId, worn.deliveryId))).problems[0]?.code,
    ).toBe('too_many_attempts');
    expect(await rejection(retryDelivery(limit.deps, tenant, webhookId, 'msg_nope'))).toBeInstanceOf(
      NotFoundError,
    );
    expect([...disabled.queued, ...limit.queued]).toEqual([]);
  });

  it('puts the status back when the queue refuses, and fails', async () => {
    const failed = record('evt-4', 'failed');
    const { deps, log } = setup([failed], { queueFails: true });
    await expect(retryDelivery(deps, tenant, webhookId, failed.deliveryId)).rejects.toThrow('SQS is down');
    expect(log.unmarked).toEqual([failed.deliveryId]);
  });
});

describe('recoverDeliveries', () => {
  // The body is parsed at the edge (functions/shared/api-requests.ts), as the route does.
  const range = (attributes: Record<string, unknown>) => ({ data: { attributes } });
  const recover = async (deps: Parameters<typeof recoverDeliveries>[0], body: unknown) =>
    recoverDeliveries(deps, tenant, webhookId, parseRecovery(body));

  it.each([
    [undefined, '/data/attributes'],
    [range({}), '/data/attributes/since'],
    [range({ since: 'yesterday' }), '/data/attributes/since'],
    [range({ since: '2026-11-24T00:00:00Z', until: '2026-11-23T00:00:00Z' }), '/data/attributes/until'],
    [range({ since: '2026-11-24T00:00:00Z', webhook: 'x' }), '/data/attributes/webhook'],
  ])('refuses %j with 422 pointing at %s', async (body, pointer) => {
    const { deps, queued } = setup([record('evt-5', 'failed')]);
    const error = await rejection(recover(deps, body));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.problems.map((p) => p.source)).toContainEqual({ pointer });
    expect(queued).toEqual([]);
  });

  it('queues only failed deliveries, at most a bounded number per request, and says there are more', async () => {
    const records = [
      ...Array.from({ length: maxRecoveredPerRequest + 5 }, (_, i) => record(`evt-f${i}`, 'failed')),
      record('evt-ok', 'succeeded'),
      record('evt-wait', 'retrying'),
    ];
    const { deps, queued } = setup(records);
    const result = await recover(deps, range({ since: '2026-11-01T00:00:00Z' }));
    expect(result).toMatchObject({ queued: maxRecoveredPerRequest, more: true });
    expect(new Set(queued.map((m) => m.deliveryId)).size).toBe(maxRecoveredPerRequest);
    expect(queued.every((m) => m.origin === 'recover')).toBe(true);
    const again = await recover(deps, range({ since: '2026-11-01T00:00:00Z' }));
    expect(again).toMatchObject({ queued: 5, more: false });
  });
});
