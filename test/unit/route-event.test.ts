import type { DeliveryMessage } from '../../functions/domain/delivery';
import { deliveryIdFor } from '../../functions/domain/delivery-id';
import type { DeliveryLogEntry } from '../../functions/domain/delivery-log';
import type {
  Clock,
  DeliveryQueue,
  RejectedEvent,
  RejectedEventSink,
  Route,
  WebhookStore,
} from '../../functions/domain/ports';
import { type EventBridgeEnvelope, routeEvent } from '../../functions/domain/use-cases/route-event';

/** The seeds' `use_case_review_status_updated` data. */
const seedData = {
  reviewId: 'pu7BDgxfVnK4RTQyb88uL',
  status: 'in_progress',
  useCaseId: 'ZiSPid3wLeXWTe4VTRjbq9',
  user: { email: 'steven@credo.ai', userId: 'FSZqZLT8eFUUp53uTM6Ref' },
};

const tenant = 'acme';
const now = new Date('2026-03-01T12:00:00.000Z');
const clock: Clock = { now: () => now };

/** An EventBridge event as the router Lambda receives it from the bus rule. */
function busEvent(overrides: Partial<EventBridgeEnvelope> = {}): EventBridgeEnvelope {
  return {
    id: '6f2b8c1e-5d1a-4a43-9d61-2f0a8b0f4c11',
    'detail-type': 'use_case_review_status_updated',
    source: 'CredoAI',
    time: '2026-03-01T11:59:58Z',
    detail: { tenant, environment: 'production', data: seedData },
    ...overrides,
  };
}

function route(
  webhookId: string,
  status: Route['status'] = 'enabled',
  filter: Route['filter'] = null,
): Route {
  return {
    tenant,
    eventType: 'use_case_review_status_updated',
    environment: 'production',
    webhookId,
    status,
    filter,
  };
}

class FakeRouteStore implements Pick<WebhookStore, 'findRoutes'> {
  readonly queries: Array<{ tenant: string; eventType: string; environment: string | null }> = [];
  constructor(private readonly routes: Route[]) {}

  async findRoutes(tenant: string, eventType: string, environment: string | null): Promise<Route[]> {
    this.queries.push({ tenant, eventType, environment });
    return this.routes;
  }
}

class RecordingQueue implements DeliveryQueue {
  readonly calls: DeliveryMessage[][] = [];
  constructor(private readonly failure?: Error) {}

  async enqueue(messages: DeliveryMessage[]): Promise<void> {
    this.calls.push(messages);
    if (this.failure) throw this.failure;
  }
}

class RecordingSink implements RejectedEventSink {
  readonly kept: RejectedEvent[] = [];

  async keep(rejected: RejectedEvent): Promise<void> {
    this.kept.push(rejected);
  }
}

class RecordingLog {
  readonly unsent: DeliveryLogEntry[] = [];
  async recordUnsent(entries: DeliveryLogEntry[]): Promise<void> {
    this.unsent.push(...entries);
  }
}

function setup(routes: Route[], queueFailure?: Error) {
  const store = new FakeRouteStore(routes);
  const queue = new RecordingQueue(queueFailure);
  const rejected = new RecordingSink();
  const log = new RecordingLog();
  return { store, queue, rejected, log, deps: { store, queue, rejected, log, clock } };
}

describe('routeEvent', () => {
  it('queues nothing and logs nothing for a webhook whose filter the event does not match', async () => {
    const { queue, log, deps } = setup([
      route('wh_match', 'enabled', { data: { status: ['in_progress'] }, environment: ['production'] }),
      route('wh_other', 'enabled', { data: { status: [{ 'anything-but': 'in_progress' }] } }),
      route('wh_type', 'enabled', { type: [{ prefix: 'use_case_review' }] }),
      route('wh_off_other', 'disabled', { data: { user: { email: [{ suffix: '@example.com' }] } } }),
      route('wh_off_match', 'disabled', { data: { user: { email: [{ suffix: '@credo.ai' }] } } }),
    ]);

    const result = await routeEvent(deps, busEvent());

    expect(result).toMatchObject({ outcome: 'routed', deliveries: 2, heldForDisabled: 1 });
    expect(queue.calls.flat().map((m) => m.webhookId)).toEqual(['wh_match', 'wh_type']);
    // Filtered out is not failed: only the disabled webhook that wanted the event is logged.
    expect(log.unsent.map((e) => e.message.webhookId)).toEqual(['wh_off_match']);
  });

  it('queues one delivery per enabled route and logs the disabled ones as failed', async () => {
    const { store, queue, rejected, log, deps } = setup([
      route('wh_a'),
      route('wh_b'),
      route('wh_off', 'disabled'),
      route('wh_c'),
    ]);
    const event = busEvent({
      detail: { tenant, environment: 'production', id: 'plat-evt-1', data: seedData },
    });

    const result = await routeEvent(deps, event);

    expect(result).toEqual({
      outcome: 'routed',
      eventId: 'plat-evt-1',
      eventType: 'use_case_review_status_updated',
      tenant,
      deliveries: 3,
      heldForDisabled: 1,
    });
    expect(store.queries).toEqual([
      { tenant, eventType: 'use_case_review_status_updated', environment: 'production' },
    ]);
    expect(queue.calls).toHaveLength(1);
    expect(queue.calls[0]).toEqual(
      ['wh_a', 'wh_b', 'wh_c'].map((webhookId) => ({
        deliveryId: deliveryIdFor('plat-evt-1', webhookId, '2026-03-01T11:59:58Z'),
        eventId: 'plat-evt-1',
        eventType: 'use_case_review_status_updated',
        tenant,
        environment: 'production',
        webhookId,
        time: '2026-03-01T11:59:58Z',
        source: 'CredoAI',
        data: seedData,
        origin: 'event',
      })),
    );
    expect(rejected.kept).toEqual([]);
    // Kept for recovery once the webhook is enabled again, never sent now.
    expect(log.unsent).toEqual([
      {
        message: expect.objectContaining({
          webhookId: 'wh_off',
          deliveryId: deliveryIdFor('plat-evt-1', 'wh_off', '2026-03-01T11:59:58Z'),
        }),
        status: 'failed',
        attempt: null,
        error: 'webhook is disabled',
        nextAttemptAt: null,
        at: now.toISOString(),
      },
    ]);
  });

  it('gives each webhook its own delivery id, stable for the same event', async () => {
    const first = setup([route('wh_a'), route('wh_b')]);
    const second = setup([route('wh_a'), route('wh_b')]);
    await routeEvent(first.deps, busEvent());
    await routeEvent(second.deps, busEvent());
    const ids = (first.queue.calls[0] ?? []).map((m) => m.deliveryId);
    expect(new Set(ids).size).toBe(2);
    expect((second.queue.calls[0] ?? []).map((m) => m.deliveryId)).toEqual(ids);
  });

  it("uses the platform's detail.id as the event id when it sends one", async () => {
    const { queue, deps } = setup([route('wh_a')]);
    const result = await routeEvent(
      deps,
      busEvent({ detail: { tenant, environment: 'production', id: 'plat-42', data: seedData } }),
    );
    expect(result).toMatchObject({ outcome: 'routed', eventId: 'plat-42' });
    expect(queue.calls[0]?.[0]).toMatchObject({
      eventId: 'plat-42',
      deliveryId: deliveryIdFor('plat-42', 'wh_a', '2026-03-01T11:59:58Z'),
    });
  });

  it("falls back to EventBridge's id when the detail has none", async () => {
    const { queue, deps } = setup([route('wh_a')]);
    const event = busEvent();
    const result = await routeEvent(deps, event);
    expect(result).toMatchObject({ outcome: 'routed', eventId: event.id });
    expect(queue.calls[0]?.[0]).toMatchObject({
      eventId: event.id,
      deliveryId: deliveryIdFor(event.id, 'wh_a', event.time),
    });
  });

  it("delivers the platform's data exactly as sent, keys in the platform's order", async () => {
    const { queue, deps } = setup([route('wh_a')]);
    const data = {
      user: seedData.user,
      useCaseId: seedData.useCaseId,
      extra: { nested: [1, 2] },
      status: 'done',
      reviewId: seedData.reviewId,
    };
    await routeEvent(deps, busEvent({ detail: { tenant, environment: 'production', data } }));
    expect(JSON.stringify(queue.calls[0]?.[0]?.data)).toBe(JSON.stringify(data));
  });

  it('queries routes for no environment when the platform names none', async () => {
    const { store, queue, deps } = setup([route('wh_a')]);
    await routeEvent(deps, busEvent({ detail: { tenant, data: seedData } }));
    expect(store.queries[0]?.environment).toBeNull();
    expect(queue.calls[0]?.[0]?.environment).toBeNull();
  });

  it('enqueues nothing when no webhook subscribes', async () => {
    const { queue, rejected, deps } = setup([]);
    const result = await routeEvent(deps, busEvent());
    expect(result).toMatchObject({ outcome: 'routed', deliveries: 0, heldForDisabled: 0 });
    expect(queue.calls).toEqual([]);
    expect(rejected.kept).toEqual([]);
  });

  it('enqueues nothing when every route is disabled, and logs both deliveries as failed', async () => {
    const { queue, log, deps } = setup([route('wh_a', 'disabled'), route('wh_b', 'disabled')]);
    const result = await routeEvent(deps, busEvent());
    expect(result).toMatchObject({ outcome: 'routed', deliveries: 0, heldForDisabled: 2 });
    expect(queue.calls).toEqual([]);
    expect(log.unsent.map((e) => e.message.webhookId)).toEqual(['wh_a', 'wh_b']);
  });

  it('keeps an event whose data does not fit its schema in the sink, with reason and problems, and queues nothing', async () => {
    const { store, queue, rejected, deps } = setup([route('wh_a')]);
    const event = busEvent({
      detail: { tenant, environment: 'production', data: { ...seedData, reviewId: 42 } },
    });

    const result = await routeEvent(deps, event);

    expect(result).toEqual({
      outcome: 'rejected',
      reason: 'invalid_data',
      problems: ['detail.data.reviewId must be a string, not a number'],
    });
    expect(rejected.kept).toEqual([
      {
        reason: 'invalid_data',
        problems: ['detail.data.reviewId must be a string, not a number'],
        event,
        rejectedAt: now.toISOString(),
      },
    ]);
    expect(queue.calls).toEqual([]);
    expect(store.queries).toEqual([]);
  });

  it('rejects an event type outside the catalog without looking up routes', async () => {
    const { store, queue, rejected, deps } = setup([route('wh_a')]);
    const event = busEvent({ 'detail-type': 'use_case_deleted' });

    const result = await routeEvent(deps, event);

    expect(result).toMatchObject({ outcome: 'rejected', reason: 'unknown_event_type' });
    expect(rejected.kept).toHaveLength(1);
    expect(rejected.kept[0]).toMatchObject({
      reason: 'unknown_event_type',
      problems: [expect.stringContaining('use_case_deleted')],
      event,
    });
    expect(queue.calls).toEqual([]);
    expect(store.queries).toEqual([]);
  });

  it('rejects a detail without a tenant', async () => {
    const { queue, rejected, deps } = setup([route('wh_a')]);
    const result = await routeEvent(
      deps,
      busEvent({ detail: { environment: 'production', data: seedData } }),
    );
    expect(result).toMatchObject({ outcome: 'rejected', reason: 'invalid_detail' });
    expect(rejected.kept[0]?.problems).toEqual(['detail.tenant is required']);
    expect(queue.calls).toEqual([]);
  });

  it('fails the invocation when the queue throws, so EventBridge retries the event', async () => {
    const { rejected, deps } = setup([route('wh_a')], new Error('SQS refused 1 of 1 deliveries'));
    await expect(routeEvent(deps, busEvent())).rejects.toThrow('SQS refused 1 of 1 deliveries');
    expect(rejected.kept).toEqual([]);
  });

  it('fans one event out to 1,000 webhooks in one enqueue call', async () => {
    const routes = Array.from({ length: 1000 }, (_, i) => route(`wh_${String(i).padStart(4, '0')}`));
    const { queue, deps } = setup(routes);

    const result = await routeEvent(deps, busEvent());

    expect(result).toMatchObject({ outcome: 'routed', deliveries: 1000, heldForDisabled: 0 });
    expect(queue.calls).toHaveLength(1);
    const messages = queue.calls[0] ?? [];
    expect(messages).toHaveLength(1000);
    expect(new Set(messages.map((m) => m.webhookId)).size).toBe(1000);
    expect(new Set(messages.map((m) => m.deliveryId)).size).toBe(1000);
  });
});
