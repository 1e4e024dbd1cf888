import { z } from 'zod';
import { type AllowedPorts, anyPort, defaultAllowedPorts, parseAllowedPorts } from '../domain/target-ports';
import { envName, functionSettingNames, settingsFromEnv } from './settings';

/**
 * Function configuration, read once from the environment at cold start and failing fast when
 * something is missing or bad. Two kinds of variables: the wiring the stack (or local mode)
 * makes, such as the table's name and the queues' URLs, and the settings, `HERALD_<NAME>` as
 * functions/shared/settings.ts describes them.
 */

/**
 * The ports webhooks may target. Empty means the mode's default, which is every port where private targets
 * are allowed (local mode, whose receivers are loopback servers on whatever port they got), else
 * `443,1024-65535`.
 */
function allowedPortsOf(
  env: NodeJS.ProcessEnv,
  s: { allowedPorts: string; allowPrivateTargets: boolean },
): AllowedPorts {
  if (env[envName('allowedPorts')] && s.allowedPorts !== '') return parseAllowedPorts(s.allowedPorts);
  return s.allowPrivateTargets ? anyPort : parseAllowedPorts(defaultAllowedPorts);
}

/** Parses the wiring variables with a schema; the error names every bad variable. */
function parseEnv<T extends z.ZodTypeAny>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}

const apiEnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  /** Secrets Manager secret holding the access-token signing key (deployed). */
  TOKEN_SIGNING_SECRET_ARN: z.string().optional(),
  /** The signing key itself (local mode only). */
  HERALD_TOKEN_SIGNING_KEY: z.string().min(32).optional(),
  /** The API queues retries, recoveries and test events; the authorizer has no need of them. */
  DELIVERY_QUEUE_URL: z.string().url().optional(),
  DEAD_LETTER_QUEUE_URL: z.string().url().optional(),
  /** The portal's base URL for sessions' links (the stack's distribution; local mode's /portal/); the authorizer has no need of it. */
  PORTAL_URL: z
    .string()
    .refine((v) => v.startsWith('/') || URL.canParse(v), 'must be a URL or a path from the root')
    .optional(),
});

export type ApiConfig = {
  tableName: string;
  eventSource: string;
  /** Where operational events are published (`webhook.disabled`, `webhook.enabled`). */
  busName: string;
  defaultTypePrefix: string;
  allowedEnvironments: string[];
  allowPrivateTargets: boolean;
  allowedPorts: AllowedPorts;
  tokenSigningKey: { secretArn: string } | { key: string };
  accessTokenTtlSeconds: number;
  queues: { deliveries: string; deadLetters: string } | undefined;
  attemptRetentionSeconds: number;
  secretRotationGraceSeconds: number;
  maxWebhooksPerTenant: number;
  testEventsPerMinute: number;
  portalUrl: string | undefined;
};

/** Reads the API and authorizer functions' configuration; throws naming every bad variable. */
export function readApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const e = parseEnv(apiEnvSchema, env);
  const s = settingsFromEnv(env, functionSettingNames('api'));
  const tokenSigningKey = e.HERALD_TOKEN_SIGNING_KEY
    ? { key: e.HERALD_TOKEN_SIGNING_KEY }
    : e.TOKEN_SIGNING_SECRET_ARN
      ? { secretArn: e.TOKEN_SIGNING_SECRET_ARN }
      : undefined;
  if (!tokenSigningKey) {
    throw new Error(
      'Invalid configuration: set TOKEN_SIGNING_SECRET_ARN (or HERALD_TOKEN_SIGNING_KEY locally)',
    );
  }
  return {
    tableName: e.TABLE_NAME,
    eventSource: s.eventSource,
    busName: s.busName,
    defaultTypePrefix: s.defaultTypePrefix,
    allowedEnvironments: [...s.allowedEnvironments],
    allowPrivateTargets: s.allowPrivateTargets,
    allowedPorts: allowedPortsOf(env, s),
    tokenSigningKey,
    accessTokenTtlSeconds: s.accessTokenTtlSeconds,
    queues:
      e.DELIVERY_QUEUE_URL && e.DEAD_LETTER_QUEUE_URL
        ? { deliveries: e.DELIVERY_QUEUE_URL, deadLetters: e.DEAD_LETTER_QUEUE_URL }
        : undefined,
    attemptRetentionSeconds: s.attemptRetentionDays * 86_400,
    secretRotationGraceSeconds: s.secretRotationGraceSeconds,
    maxWebhooksPerTenant: s.maxWebhooksPerTenant,
    testEventsPerMinute: s.testEventsPerMinute,
    portalUrl: e.PORTAL_URL,
  };
}

const routerEnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  DELIVERY_QUEUE_URL: z.string().url(),
  ORDERED_DELIVERY_QUEUE_URL: z.string().url(),
  REJECTED_EVENTS_QUEUE_URL: z.string().url(),
});

export interface RouterConfig {
  tableName: string;
  deliveryQueueUrl: string;
  /** The FIFO queue of deliveries to webhooks with `ordering: fifo`. */
  orderedDeliveryQueueUrl: string;
  rejectedEventsQueueUrl: string;
  attemptRetentionSeconds: number;
}

/** Reads the router function's configuration; throws naming every bad variable. */
export function readRouterConfig(env: NodeJS.ProcessEnv = process.env): RouterConfig {
  const e = parseEnv(routerEnvSchema, env);
  const s = settingsFromEnv(env, functionSettingNames('router'));
  return {
    tableName: e.TABLE_NAME,
    deliveryQueueUrl: e.DELIVERY_QUEUE_URL,
    orderedDeliveryQueueUrl: e.ORDERED_DELIVERY_QUEUE_URL,
    rejectedEventsQueueUrl: e.REJECTED_EVENTS_QUEUE_URL,
    attemptRetentionSeconds: s.attemptRetentionDays * 86_400,
  };
}

const deliveryEnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  DELIVERY_QUEUE_URL: z.string().url(),
  DEAD_LETTER_QUEUE_URL: z.string().url(),
  ORDERED_DELIVERY_QUEUE_URL: z.string().url(),
  ORDERED_DEAD_LETTER_QUEUE_URL: z.string().url(),
});

export interface DeliveryConfig {
  tableName: string;
  /** Where operational events are published (failing, recovered, disabled, exhausted). */
  busName: string;
  deliveryQueueUrl: string;
  deadLetterQueueUrl: string;
  orderedDeliveryQueueUrl: string;
  orderedDeadLetterQueueUrl: string;
  allowPrivateTargets: boolean;
  allowedPorts: AllowedPorts;
  retrySchedule: string | undefined;
  sendSvixHeaders: boolean;
  timeoutMs: number;
  attemptRetentionSeconds: number;
  autoDisableAfterSeconds: number;
}

/** Reads the delivery function's configuration; throws naming every bad variable. */
export function readDeliveryConfig(env: NodeJS.ProcessEnv = process.env): DeliveryConfig {
  const e = parseEnv(deliveryEnvSchema, env);
  const s = settingsFromEnv(env, functionSettingNames('delivery'));
  return {
    tableName: e.TABLE_NAME,
    busName: s.busName,
    deliveryQueueUrl: e.DELIVERY_QUEUE_URL,
    deadLetterQueueUrl: e.DEAD_LETTER_QUEUE_URL,
    orderedDeliveryQueueUrl: e.ORDERED_DELIVERY_QUEUE_URL,
    orderedDeadLetterQueueUrl: e.ORDERED_DEAD_LETTER_QUEUE_URL,
    allowPrivateTargets: s.allowPrivateTargets,
    allowedPorts: allowedPortsOf(env, s),
    retrySchedule: s.retrySchedule || undefined,
    sendSvixHeaders: s.sendSvixHeaders,
    timeoutMs: s.deliveryTimeoutMs,
    attemptRetentionSeconds: s.attemptRetentionDays * 86_400,
    autoDisableAfterSeconds: s.autoDisableAfterSeconds,
  };
}
