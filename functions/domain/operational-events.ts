import type { EndpointHealth, Webhook, WebhookAttributes } from './webhook';

/**
 * Operational events: what Herald reports about its own endpoints (DESIGN "Operational events"),
 * published on the bus with source {@link operationalSource} so the platform can write a rule for
 * them, and routed like any catalog type to the tenant's webhooks subscribed to them. Plain data
 * and decisions here; the catalog entries and their schema are in event-catalog.ts and
 * event-schemas.ts, the publishing port in ports.ts. No zod: the delivery function imports this.
 */

/** The bus `source` of Herald's own events; the platform's source is a setting, this is not. */
export const operationalSource = 'herald';

export const operationalEventTypes = [
  'webhook.disabled',
  'webhook.enabled',
  'webhook.failing',
  'webhook.recovered',
  'delivery.exhausted',
] as const;

export type OperationalEventType = (typeof operationalEventTypes)[number];

const operationalTypeSet: ReadonlySet<string> = new Set(operationalEventTypes);

export function isOperationalEventType(eventType: string): eventType is OperationalEventType {
  return operationalTypeSet.has(eventType);
}

/**
 * `webhook.failing` fires on this consecutive failed attempt. A count rather than a duration,
 * because the store's atomic counter lets exactly one attempt see the count reach it (a duration
 * would need one more conditional write to fire once), and the count rises only with attempts,
 * never by itself. Four: one or two failures are routine (a deploy, a 429, a timeout); the fourth
 * in a row means the endpoint failed across several events or, for one event, through about 35
 * minutes of the default retries (5 s, 5 min, 30 min). Svix's `message.attempt.failing` fires on
 * the fourth failure too.
 */
export const failingThreshold = 4;

/** What disabled a webhook: the customer (the API) or Herald (410 Gone, or failing too long). */
export type DisableTrigger = 'manual' | 'automatic';

/** The attempt an operational event reports on, as the delivery log shows attempts. */
export interface LastAttempt {
  time: string;
  /** The endpoint's HTTP status; null when it never answered (timeout, refused, DNS) or is not known. */
  status_code: number | null;
  error: string | null;
}

/** An operational event's `data`: the same shape for every type, so one rule or one parser reads them all. */
// A type, not an interface: the catalog keeps examples as records, which an interface does not fit.
export type OperationalEventData = {
  tenant: string;
  /** The webhook the event is about (never a secret of it). */
  webhook: { id: string; url: string; description: string };
  trigger: DisableTrigger;
  reason: string | null;
  last_attempt: LastAttempt | null;
  counts: {
    consecutive_failures: number;
    failing_since: string | null;
    /** The delivery's attempts (`delivery.exhausted`); null for the webhook's own events. */
    attempts: number | null;
  };
  /** `delivery.exhausted` only: the delivery that ran out of attempts. */
  delivery?: { id: string; event_id: string; event_type: string };
};

/** One operational event, ready to publish. */
export interface OperationalEvent {
  type: OperationalEventType;
  /**
   * Derived from what happened (the webhook and the streak's start, or the delivery), never
   * random: a repeat of the same transition (a retried delivery batch) carries the same id, and
   * the router's delivery ids (event id × webhook) dedupe it.
   */
  id: string;
  tenant: string;
  /** The watched webhook's environment: subscribers scoped to an environment see its webhooks' events. */
  environment: string | null;
  time: string;
  data: OperationalEventData;
}

/** The bus `detail` of an operational event: the platform events' shape (DESIGN §2), so one router reads both. */
export function operationalEventDetail(event: OperationalEvent): {
  tenant: string;
  environment: string | null;
  id: string;
  data: OperationalEventData;
} {
  return { tenant: event.tenant, environment: event.environment, id: event.id, data: event.data };
}

// --- When they fire ---------------------------------------------------------------------------

/** Whether the failed attempt that left `after` consecutive failures starts `webhook.failing`: exactly once a streak. */
export function startsFailing(after: Pick<EndpointHealth, 'consecutiveFailures'> | undefined): boolean {
  return after?.consecutiveFailures === failingThreshold;
}

/**
 * Whether a success that found `before` (the health its write replaced) ends a failing streak:
 * only a streak that reached `webhook.failing` is reported recovered, and only the write that
 * reset it sees the old count, so concurrent successes report it once.
 */
export function endsFailing(before: Pick<EndpointHealth, 'consecutiveFailures'> | undefined): boolean {
  return (before?.consecutiveFailures ?? 0) >= failingThreshold;
}

/**
 * Whether a failing delivery of `eventType` may report on itself (`webhook.failing`,
 * `delivery.exhausted`). Not when it carries an operational event: two failing webhooks subscribed
 * to each other's events would otherwise report each other's exhausted deliveries forever. A
 * webhook's own state changes (disabled, recovered) happen once each and are still reported.
 */
export function reportsFailures(eventType: string): boolean {
  return !isOperationalEventType(eventType);
}

// --- What they say ----------------------------------------------------------------------------

/** What an operational event tells of the webhook it is about. */
type Watched = Pick<Webhook, 'id' | 'tenant'> & {
  attributes: Pick<WebhookAttributes, 'url' | 'description' | 'environment'>;
};

function base(
  type: OperationalEventType,
  id: string,
  webhook: Watched,
  time: string,
  data: Omit<OperationalEventData, 'tenant' | 'webhook'>,
): OperationalEvent {
  return {
    type,
    id,
    tenant: webhook.tenant,
    environment: webhook.attributes.environment,
    time,
    data: {
      tenant: webhook.tenant,
      webhook: {
        id: webhook.id,
        url: webhook.attributes.url,
        description: webhook.attributes.description,
      },
      ...data,
    },
  };
}

/** The last attempt as the endpoint's stored health remembers it (no status code is kept there). */
export function lastAttemptOf(health: EndpointHealth): LastAttempt | null {
  return health.lastFailureAt
    ? { time: health.lastFailureAt, status_code: null, error: health.lastFailureReason }
    : null;
}

function countsOf(health: EndpointHealth, attempts: number | null = null): OperationalEventData['counts'] {
  return {
    consecutive_failures: health.consecutiveFailures,
    failing_since: health.failingSince,
    attempts,
  };
}

export function webhookDisabled(
  webhook: Watched,
  input: {
    trigger: DisableTrigger;
    reason: string;
    at: string;
    health: EndpointHealth;
    lastAttempt: LastAttempt | null;
  },
): OperationalEvent {
  return base('webhook.disabled', `${webhook.id}:disabled:${input.at}`, webhook, input.at, {
    trigger: input.trigger,
    reason: input.reason,
    last_attempt: input.lastAttempt,
    counts: countsOf(input.health),
  });
}

/** @param health the endpoint's health before enabling reset it: the streak the customer ended. */
export function webhookEnabled(
  webhook: Watched,
  input: { at: string; health: EndpointHealth },
): OperationalEvent {
  return base('webhook.enabled', `${webhook.id}:enabled:${input.at}`, webhook, input.at, {
    trigger: 'manual',
    reason: null,
    last_attempt: lastAttemptOf(input.health),
    counts: countsOf(input.health),
  });
}

export function webhookFailing(
  webhook: Watched,
  input: { health: EndpointHealth; lastAttempt: LastAttempt },
): OperationalEvent {
  const since = input.health.failingSince ?? input.lastAttempt.time;
  return base('webhook.failing', `${webhook.id}:failing:${since}`, webhook, input.lastAttempt.time, {
    trigger: 'automatic',
    reason: `${input.health.consecutiveFailures} consecutive attempts have failed; last: ${input.lastAttempt.error ?? 'failed'}`,
    last_attempt: input.lastAttempt,
    counts: countsOf(input.health),
  });
}

/** @param before the failing streak the success ended. */
export function webhookRecovered(
  webhook: Watched,
  input: { before: EndpointHealth; lastAttempt: LastAttempt },
): OperationalEvent {
  const since = input.before.failingSince ?? input.lastAttempt.time;
  return base('webhook.recovered', `${webhook.id}:recovered:${since}`, webhook, input.lastAttempt.time, {
    trigger: 'automatic',
    reason: `an attempt succeeded after ${input.before.consecutiveFailures} consecutive failures`,
    last_attempt: input.lastAttempt,
    counts: countsOf(input.before),
  });
}

export function deliveryExhausted(
  webhook: Watched,
  input: {
    delivery: { id: string; eventId: string; eventType: string };
    attempts: number;
    health: EndpointHealth;
    lastAttempt: LastAttempt;
  },
): OperationalEvent {
  return base('delivery.exhausted', `${input.delivery.id}:exhausted`, webhook, input.lastAttempt.time, {
    trigger: 'automatic',
    reason: `out of attempts after ${input.attempts}; last: ${input.lastAttempt.error ?? 'failed'}`,
    last_attempt: input.lastAttempt,
    counts: countsOf(input.health, input.attempts),
    delivery: {
      id: input.delivery.id,
      event_id: input.delivery.eventId,
      event_type: input.delivery.eventType,
    },
  });
}

/** The id of the webhook an operational event's `data` is about, or undefined when it names none. */
export function watchedWebhookId(data: Readonly<Record<string, unknown>>): string | undefined {
  const webhook = data.webhook;
  if (typeof webhook !== 'object' || webhook === null || !('id' in webhook)) return undefined;
  return typeof webhook.id === 'string' ? webhook.id : undefined;
}
