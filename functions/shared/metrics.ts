import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricUnit as Unit } from '@aws-lambda-powertools/metrics/types';
import { logger } from './logger';

/**
 * Herald's own metrics: the names the handlers emit and the stack's alarms and dashboard read
 * (`lib/constructs/monitoring.ts`). One place, so a renamed metric cannot leave an alarm
 * watching nothing.
 */
export const MetricName = {
  /** A delivery attempt answered 2xx. */
  DeliverySucceeded: 'DeliverySucceeded',
  /** A delivery attempt failed: non-2xx, timeout, network error or a refused address. */
  DeliveryFailed: 'DeliveryFailed',
  /** A failed attempt that will be tried again. */
  DeliveryRetried: 'DeliveryRetried',
  /** A delivery moved to the dead-letter queue (out of attempts, 410 Gone, undeliverable). */
  DeliveryDeadLettered: 'DeliveryDeadLettered',
  /** Duration of one delivery attempt's HTTP exchange. */
  DeliveryLatency: 'DeliveryLatency',
  /** A platform event the router accepted and fanned out. */
  EventRouted: 'EventRouted',
  /** A platform event the router refused (its `data` failed the event type's schema). */
  EventRejected: 'EventRejected',
  /** Deliveries produced by one routed event: one value per event. */
  FanOut: 'FanOut',
  /** A webhook disabled automatically because its endpoint kept failing. */
  WebhookDisabled: 'WebhookDisabled',
  /** Operational events that could not be published to the bus (logged, not retried). */
  OperationalEventFailed: 'OperationalEventFailed',
} as const;

export type MetricName = (typeof MetricName)[keyof typeof MetricName];

/** The unit each metric is emitted in; CloudWatch keys a metric's statistics on it. */
export const metricUnits: Readonly<Record<MetricName, Unit>> = {
  DeliverySucceeded: MetricUnit.Count,
  DeliveryFailed: MetricUnit.Count,
  DeliveryRetried: MetricUnit.Count,
  DeliveryDeadLettered: MetricUnit.Count,
  DeliveryLatency: MetricUnit.Milliseconds,
  EventRouted: MetricUnit.Count,
  EventRejected: MetricUnit.Count,
  FanOut: MetricUnit.Count,
  WebhookDisabled: MetricUnit.Count,
  OperationalEventFailed: MetricUnit.Count,
};

/** The namespace when `POWERTOOLS_METRICS_NAMESPACE` is unset; the stack sets it to this too. */
export const metricsNamespace = 'Herald';

/** The value of the only dimension, `service` (Powertools' default dimension). */
export const metricsService = 'herald';

/**
 * A Powertools `Metrics` writing CloudWatch embedded-metric (EMF) lines to stdout, which
 * CloudWatch Logs turns into metrics. Outside Lambda (local mode, jest, benchmarks) nothing reads
 * those lines and they would drown the logs, so metrics are off there unless
 * `POWERTOOLS_METRICS_DISABLED` is set (`false` shows them). Powertools reads the variable when
 * the instance is made.
 */
export function createMetrics(): Metrics {
  if (process.env.AWS_LAMBDA_FUNCTION_NAME === undefined) {
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  }
  return new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || metricsNamespace,
    // Not from POWERTOOLS_SERVICE_NAME: the alarms select on this dimension value.
    serviceName: metricsService,
    // Powertools' own warnings (say, nothing to publish) as structured log lines, not bare text.
    logger,
  });
}

/** One per function, made at cold start like the logger. Publish after each invocation. */
export const metrics = createMetrics();
