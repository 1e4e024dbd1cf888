import { createEventBridgeOperationalEvents } from '../../functions/adapters/aws/eventbridge-operational-events';
import { findEventType } from '../../functions/domain/event-catalog';
import { dataSchemaFor } from '../../functions/domain/event-schemas';
import {
  endsFailing,
  failingThreshold,
  type OperationalEvent,
  operationalEventTypes,
  startsFailing,
} from '../../functions/domain/operational-events';
import type { DeliveryLog, OperationalEventPublisher, Route, SendResult } from '../../functions/domain/ports';
import { anyPort } from '../../functions/domain/target-ports';
import { type DeliverDeps, deliver } from '../../functions/domain/use-cases/deliver';
import { routeEvent } from '../../functions/domain/use-cases/route-event';
import { updateWebhook, type WebhookDeps } from '../../functions/domain/use-cases/webhooks';
import type { EndpointHealth, Webhook } from '../../functions/domain/webhook';
import { deliveryMessage, seedReviewData, storedWebhook } from '../helpers';

/**
 * When each operational event fires: exactly once per transition, never on the healthy path,
 * never about a delivery of an operational event's own failure, and never to the webhook it is
 * about. The use cases run with in-memory stand-ins whose health counter behaves as the store's
 * atomic update does.
 */

const at = new Date('2026-11-27T09:00:00.000Z');
const clock = { now: () => at };

class Recorder implements OperationalEventPublisher {
  readonly events: OperationalEvent[] = [];
  fail = false;
  async publish(events: readonly OperationalEvent[]) {
    if (this.fail) throw new Error('bus down');
    this.events.push(...events);
  }
  types() {
    return this.events.map((e) => e.type);
  }
}

/** The webhook store's health half, as DynamoDB's atomic updates behave: one counter, old or new values returned. */
class HealthStore {
  health: EndpointHealth = {
    consecutiveFailures: 0,
    failingSince: null,
    lastFailureAt: null,
    lastFailureReason: null,
  };
  constructor(public webhook: Webhook) {}
  get = async () => this.webhook;
  update = async (_previous: Webhook, next: Webhook) => {
    this.webhook = next;
  };
  recordFailure = async (_t: string, _id: string, when: string, reason: string) => {
    this.health = {
      consecutiveFailures: this.health.consecutiveFailures + 1,
      failingSince: this.health.failingSince ?? when,
      lastFailureAt: when,
      lastFailureReason: reason,
    };
    this.webhook = { ...this.webhook, health: this.health };
    return this.health;
  };
  recordSuccess = async () => {
    const before = this.health;
    this.health = { ...before, consecutiveFailures: 0, failingSince: null };
    this.webhook = { ...this.webhook, health: this.health };
    return before;
  };
}

const noLog: DeliveryLog = {
  record: async () => undefined,
  recordUnsent: async () => undefined,
  get: async () => undefined,
  list: async () => ({ items: [] }),
  markQueued: async () => true,
  unmarkQueued: async () => undefined,
  attemptsMade: async () => 0,
};

const answer = (status: number): SendResult => ({
  outcome: 'response',
  status,
  headers: {},
  bodyExcerpt: '',
  durationMs: 1,
});

function setup(options: { schedule?: number[]; autoDisableAfterMs?: number } = {}) {
  const watched = storedWebhook(
    { url: 'https://hooks.example.com/a', description: 'watched' },
    { tenant: 'acme', now: at },
  );
  const store = new HealthStore(watched);
  const events = new Recorder();
  const answers: number[] = [];
  const deps: DeliverDeps = {
    // Read per delivery, as a new batch would.
    webhooks: { get: async () => store.webhook },
    store,
    sender: { send: async () => answer(answers.shift() ?? 200) },
    tokens: { getToken: async () => ({ ok: false, reason: 'unused' }), invalidate: () => undefined },
    log: noLog,
    rateLimiter: { take: async () => ({ allowed: true }) },
    clock,
    schedule: options.schedule ?? [1, 1, 1, 1, 1, 1, 1, 1, 1],
    sendSvixHeaders: false,
    autoDisableAfterMs: options.autoDisableAfterMs ?? 86_400_000,
    events,
    random: () => 0.5,
  };
  const message = (n: number, eventType = 'use_case_review_status_updated') =>
    deliveryMessage({
      eventId: `evt-${n}`,
      webhookId: watched.id,
      eventType,
      data: seedReviewData,
      time: at.toISOString(),
      tenant: 'acme',
    });
  return { deps, store, events, answers, watched, message };
}

describe('the thresholds', () => {
  it('starts failing on exactly the threshold-th consecutive failure, and ends only a streak that reached it', () => {
    const crossing = [0, 1, 2, 3, 4, 5, 6].filter((n) => startsFailing({ consecutiveFailures: n }));
    expect(crossing).toEqual([failingThreshold]);
    expect(startsFailing(undefined)).toBe(false);
    expect(endsFailing({ consecutiveFailures: failingThreshold - 1 })).toBe(false);
    expect(endsFailing({ consecutiveFailures: failingThreshold })).toBe(true);
    expect(endsFailing({ consecutiveFailures: 40 })).toBe(true);
    expect(endsFailing(undefined)).toBe(false);
  });
});

describe('the delivery path', () => {
  it('emits nothing while deliveries succeed, nor for failures below the threshold', async () => {
    const { deps, events, answers, message } = setup();
    answers.push(200, 200, 500, 500, 500, 200);
    for (let n = 1; n <= 6; n++) await deliver(deps, message(n), 1);
    expect(events.events).toEqual([]);
  });

  it('emits webhook.failing once at the fourth failure in a row, then webhook.recovered once at the first success', async () => {
    const { deps, events, answers, message, watched } = setup();
    answers.push(500, 503, 500, 502, 500, 500, 200, 200);
    for (let n = 1; n <= 8; n++) await deliver(deps, message(n), 1);

    expect(events.types()).toEqual(['webhook.failing', 'webhook.recovered']);
    const [failing, recovered] = events.events;
    expect(failing?.data).toEqual({
      tenant: 'acme',
      webhook: { id: watched.id, url: 'https://hooks.example.com/a', description: 'watched' },
      trigger: 'automatic',
      reason: expect.stringContaining('4 consecutive attempts have failed'),
      last_attempt: { time: at.toISOString(), status_code: 502, error: 'endpoint answered 502' },
      counts: { consecutive_failures: 4, failing_since: at.toISOString(), attempts: null },
    });
    expect(recovered?.data).toMatchObject({
      last_attempt: { status_code: 200, error: null },
      counts: { consecutive_failures: 6 },
    });
    expect(failing?.id).toBe(`${watched.id}:failing:${at.toISOString()}`);
    // Each data payload is what the catalog's schema says.
    for (const event of events.events)
      expect(dataSchemaFor(event.type)?.safeParse(event.data).success).toBe(true);
  });

  it('reports recovered only to the success whose write ended the streak (concurrent successes)', async () => {
    const { deps, events, answers, message } = setup();
    answers.push(500, 500, 500, 500);
    for (let n = 1; n <= 4; n++) await deliver(deps, message(n), 1);
    // Both read the webhook while it was failing; the store lets one of them see the old count.
    const stale = deps.webhooks.get;
    const failingWebhook = await stale('acme', 'x');
    deps.webhooks = { get: async () => failingWebhook };
    answers.push(200, 200);
    await Promise.all([deliver(deps, message(5), 1), deliver(deps, message(6), 1)]);
    expect(events.types()).toEqual(['webhook.failing', 'webhook.recovered']);
  });

  it('emits delivery.exhausted once, when the last attempt fails, with the attempts counted', async () => {
    const { deps, events, answers, message } = setup({ schedule: [1, 1] });
    answers.push(500, 500, 500);
    const outcomes = [];
    for (let receive = 1; receive <= 3; receive++)
      outcomes.push((await deliver(deps, message(1), receive)).result);
    expect(outcomes).toEqual(['retry', 'retry', 'dead_letter']);
    expect(events.types()).toEqual(['delivery.exhausted']);
    expect(events.events[0]?.data).toMatchObject({
      delivery: { event_id: 'evt-1', event_type: 'use_case_review_status_updated' },
      counts: { attempts: 3, consecutive_failures: 3 },
    });
  });

  it('emits webhook.disabled (automatic) once when a 410 disables the webhook', async () => {
    const { deps, events, answers, message } = setup();
    answers.push(410, 410);
    await deliver(deps, message(1), 1);
    await deliver(deps, message(2), 1);
    expect(events.types()).toEqual(['webhook.disabled']);
    expect(events.events[0]?.data).toMatchObject({
      trigger: 'automatic',
      reason: expect.stringContaining('410'),
    });
  });

  it('reports no failing or exhausted for a delivery of an operational event (no ping-pong between webhooks)', async () => {
    const { deps, events, answers, message } = setup({ schedule: [1] });
    answers.push(500, 500, 500, 500, 500);
    for (let n = 1; n <= 4; n++) await deliver(deps, message(n, 'webhook.failing'), 2);
    expect(events.events).toEqual([]);
  });

  it('never fails a delivery because publishing failed', async () => {
    const { deps, events, answers, message } = setup({ schedule: [] });
    events.fail = true;
    answers.push(500);
    await expect(deliver(deps, message(1), 1)).resolves.toMatchObject({ result: 'dead_letter' });
  });
});

describe('the API', () => {
  function apiSetup() {
    const webhook = storedWebhook({ description: 'watched' }, { tenant: 'acme', now: at });
    const stored = { current: webhook };
    const events = new Recorder();
    const deps: WebhookDeps = {
      store: {
        get: async () => stored.current,
        update: async (_p, next) => {
          stored.current = next;
        },
        create: async () => undefined,
        list: async () => ({ items: [] }),
        delete: async () => undefined,
        findRoutes: async () => [],
        getIdempotencyRecord: async () => undefined,
      },
      clock,
      rules: {
        allowedEnvironments: ['production'],
        allowPrivateTargets: true,
        allowedPorts: anyPort,
        defaultTypePrefix: '',
      },
      events,
    };
    return { deps, events, id: webhook.id };
  }

  it('emits webhook.disabled (manual, with the reason) and webhook.enabled on status changes, nothing on other edits', async () => {
    const { deps, events, id } = apiSetup();
    const patch = (attributes: Record<string, unknown>) =>
      updateWebhook(deps, { tenant: 'acme', id, attributes });
    await patch({ description: 'renamed' });
    await patch({ status: 'disabled', disabled_reason: 'maintenance' });
    await patch({ disabled_reason: 'longer maintenance' });
    await patch({ status: 'enabled' });
    await patch({ status: 'enabled' });
    expect(events.types()).toEqual(['webhook.disabled', 'webhook.enabled']);
    expect(events.events[0]?.data).toMatchObject({ trigger: 'manual', reason: 'maintenance' });
    expect(events.events[1]?.data).toMatchObject({ trigger: 'manual', reason: null });
  });

  it('answers the PATCH even when publishing fails', async () => {
    const { deps, events, id } = apiSetup();
    events.fail = true;
    await expect(
      updateWebhook(deps, { tenant: 'acme', id, attributes: { status: 'disabled' } }),
    ).resolves.toMatchObject({ webhook: { status: 'disabled' } });
  });
});

describe('routing', () => {
  it('routes an operational event to subscribed webhooks except the one it is about', async () => {
    const route = (webhookId: string): Route => ({
      tenant: 'acme',
      eventType: 'webhook.failing',
      environment: null,
      webhookId,
      status: 'enabled',
      filter: null,
      ordering: 'none',
    });
    const queued: string[] = [];
    const example = findEventType('webhook.failing')?.example ?? {};
    const watchedId = (example.webhook as { id: string }).id;
    const result = await routeEvent(
      {
        store: { findRoutes: async () => [route(watchedId), route('wh_01kb4x7s9rm3q8k2n6v0d5c1hz')] },
        queue: { enqueue: async (messages) => void queued.push(...messages.map((m) => m.webhookId)) },
        orderedQueue: { enqueue: async (messages) => void queued.push(...messages.map((m) => m.webhookId)) },
        log: { recordUnsent: async () => undefined },
        rejected: { keep: async () => undefined },
        clock,
      },
      {
        id: 'bus-1',
        'detail-type': 'webhook.failing',
        source: 'herald',
        time: '2026-11-27T09:00:00Z',
        detail: { tenant: 'acme', environment: null, id: 'op-1', data: example },
      },
    );
    expect(result).toMatchObject({ outcome: 'routed', deliveries: 1 });
    expect(queued).toEqual(['wh_01kb4x7s9rm3q8k2n6v0d5c1hz']);
  });
});

describe('the catalog', () => {
  it('lists the five operational types, each example valid against its schema', () => {
    for (const type of operationalEventTypes) {
      const definition = findEventType(type);
      expect(definition?.group).toBe('operational');
      expect(dataSchemaFor(type)?.safeParse(definition?.example).success).toBe(true);
    }
  });
});

describe('the EventBridge publisher', () => {
  const event: OperationalEvent = {
    type: 'webhook.enabled',
    id: 'wh_1:enabled:2026-11-27T09:00:00.000Z',
    tenant: 'acme',
    environment: 'production',
    time: at.toISOString(),
    data: {
      tenant: 'acme',
      webhook: { id: 'wh_1', url: 'https://hooks.example.com/a', description: 'd' },
      trigger: 'manual',
      reason: null,
      last_attempt: null,
      counts: { consecutive_failures: 0, failing_since: null, attempts: null },
    },
  };

  it('puts each event on the bus with source herald, the type as detail-type and the platform shape as detail', async () => {
    const sent: unknown[] = [];
    const publisher = createEventBridgeOperationalEvents({
      busName: 'herald-test',
      onFailure: () => undefined,
      client: async () => ({
        send: async (command: { input: unknown }) => {
          sent.push(command.input);
          return { FailedEntryCount: 0, Entries: [{ EventId: '1' }], $metadata: {} };
        },
      }),
    });
    await publisher.publish([event]);
    expect(sent).toEqual([
      {
        Entries: [
          {
            EventBusName: 'herald-test',
            Source: 'herald',
            DetailType: 'webhook.enabled',
            Time: at,
            Detail: JSON.stringify({
              tenant: 'acme',
              environment: 'production',
              id: event.id,
              data: event.data,
            }),
          },
        ],
      },
    ]);
  });

  it('reports a refused or failed PutEvents without the payload, and never throws', async () => {
    const failures: unknown[] = [];
    let calls = 0;
    const publisher = createEventBridgeOperationalEvents({
      busName: 'herald-test',
      onFailure: (failure) => failures.push(failure),
      client: async () => ({
        send: async () => {
          calls++;
          if (calls === 1) throw new Error('connect ECONNREFUSED');
          return {
            FailedEntryCount: 1,
            Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
            $metadata: {},
          };
        },
      }),
    });
    await expect(publisher.publish([event])).resolves.toBeUndefined();
    await expect(publisher.publish([event])).resolves.toBeUndefined();
    expect(failures).toEqual([
      {
        error: 'Error: connect ECONNREFUSED',
        events: [{ type: 'webhook.enabled', id: event.id, tenant: 'acme' }],
      },
      {
        error: expect.stringContaining('InternalFailure'),
        events: [{ type: 'webhook.enabled', id: event.id, tenant: 'acme' }],
      },
    ]);
    expect(JSON.stringify(failures)).not.toContain('hooks.example.com');
  });
});
