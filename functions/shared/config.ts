import { z } from 'zod';
import {
  type AllowedPorts,
  allowedPortsSchema,
  anyPort,
  defaultAllowedPorts,
  parseAllowedPorts,
} from '../domain/target-ports';

/**
 * Function configuration, read once from the environment at cold start and failing fast when
 * something required is missing. The stack sets these variables; local mode sets the same ones.
 */
const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const listString = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  )
  .pipe(z.array(z.string()).min(1));

/**
 * HERALD_ALLOWED_PORTS: the ports webhooks may target, e.g. `443,1024-65535`. The stack always
 * sets it; unset or empty, it is that rule, or any port where private targets are allowed (local
 * mode, whose receivers are loopback servers on whatever port they got).
 */
const allowedPortsVariable = z.preprocess((v) => (v === '' ? undefined : v), allowedPortsSchema.optional());

function allowedPortsOf(given: AllowedPorts | undefined, allowPrivateTargets: boolean): AllowedPorts {
  return given ?? (allowPrivateTargets ? anyPort : parseAllowedPorts(defaultAllowedPorts));
}

/** Parses the environment with a schema; the error names every bad variable. */
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
  HERALD_EVENT_SOURCE: z.string().min(1).default('CredoAI'),
  HERALD_DEFAULT_TYPE_PREFIX: z.string().default(''),
  HERALD_ALLOWED_ENVIRONMENTS: listString.default('production,staging,qa,development,sandbox'),
  HERALD_ALLOW_PRIVATE_TARGETS: booleanString.default('false'),
  HERALD_ALLOWED_PORTS: allowedPortsVariable,
  /** Secrets Manager secret holding the access-token signing key (deployed). */
  TOKEN_SIGNING_SECRET_ARN: z.string().optional(),
  /** The signing key itself (local mode only). */
  HERALD_TOKEN_SIGNING_KEY: z.string().min(32).optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  /** The API queues retries, recoveries and test events; the authorizer has no need of them. */
  DELIVERY_QUEUE_URL: z.string().url().optional(),
  DEAD_LETTER_QUEUE_URL: z.string().url().optional(),
  ATTEMPT_RETENTION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  SECRET_ROTATION_GRACE_SECONDS: z.coerce.number().int().min(0).max(604_800).default(86_400),
  /** `herald.maxWebhooksPerTenant` */
  HERALD_MAX_WEBHOOKS_PER_TENANT: z.coerce.number().int().min(1).max(100_000).default(100),
  /** `herald.testEventsPerMinute` */
  HERALD_TEST_EVENTS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(10),
});

export type ApiConfig = {
  tableName: string;
  eventSource: string;
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
};

/** Reads the API and authorizer functions' configuration; throws naming every bad variable. */
export function readApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const e = parseEnv(apiEnvSchema, env);
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
    eventSource: e.HERALD_EVENT_SOURCE,
    defaultTypePrefix: e.HERALD_DEFAULT_TYPE_PREFIX,
    allowedEnvironments: e.HERALD_ALLOWED_ENVIRONMENTS,
    allowPrivateTargets: e.HERALD_ALLOW_PRIVATE_TARGETS,
    allowedPorts: allowedPortsOf(e.HERALD_ALLOWED_PORTS, e.HERALD_ALLOW_PRIVATE_TARGETS),
    tokenSigningKey,
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    queues:
      e.DELIVERY_QUEUE_URL && e.DEAD_LETTER_QUEUE_URL
        ? { deliveries: e.DELIVERY_QUEUE_URL, deadLetters: e.DEAD_LETTER_QUEUE_URL }
        : undefined,
    attemptRetentionSeconds: e.ATTEMPT_RETENTION_DAYS * 86_400,
    secretRotationGraceSeconds: e.SECRET_ROTATION_GRACE_SECONDS,
    maxWebhooksPerTenant: e.HERALD_MAX_WEBHOOKS_PER_TENANT,
    testEventsPerMinute: e.HERALD_TEST_EVENTS_PER_MINUTE,
  };
}

const routerEnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  DELIVERY_QUEUE_URL: z.string().url(),
  REJECTED_EVENTS_QUEUE_URL: z.string().url(),
  ATTEMPT_RETENTION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
});

export interface RouterConfig {
  tableName: string;
  deliveryQueueUrl: string;
  rejectedEventsQueueUrl: string;
  attemptRetentionSeconds: number;
}

/** Reads the router function's configuration; throws naming every bad variable. */
export function readRouterConfig(env: NodeJS.ProcessEnv = process.env): RouterConfig {
  const e = parseEnv(routerEnvSchema, env);
  return {
    tableName: e.TABLE_NAME,
    deliveryQueueUrl: e.DELIVERY_QUEUE_URL,
    rejectedEventsQueueUrl: e.REJECTED_EVENTS_QUEUE_URL,
    attemptRetentionSeconds: e.ATTEMPT_RETENTION_DAYS * 86_400,
  };
}

const deliveryEnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  DELIVERY_QUEUE_URL: z.string().url(),
  DEAD_LETTER_QUEUE_URL: z.string().url(),
  HERALD_ALLOW_PRIVATE_TARGETS: booleanString.default('false'),
  HERALD_ALLOWED_PORTS: allowedPortsVariable,
  /** e.g. `1s,2s,4s`; empty for the default schedule of about a day. */
  HERALD_RETRY_SCHEDULE: z.string().optional(),
  HERALD_SVIX_HEADERS: booleanString.default('true'),
  DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(15_000),
  ATTEMPT_RETENTION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** A webhook whose endpoint fails every attempt for this long is disabled (5 days). */
  AUTO_DISABLE_AFTER_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(90 * 86_400)
    .default(5 * 86_400),
});

export interface DeliveryConfig {
  tableName: string;
  deliveryQueueUrl: string;
  deadLetterQueueUrl: string;
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
  return {
    tableName: e.TABLE_NAME,
    deliveryQueueUrl: e.DELIVERY_QUEUE_URL,
    deadLetterQueueUrl: e.DEAD_LETTER_QUEUE_URL,
    allowPrivateTargets: e.HERALD_ALLOW_PRIVATE_TARGETS,
    allowedPorts: allowedPortsOf(e.HERALD_ALLOWED_PORTS, e.HERALD_ALLOW_PRIVATE_TARGETS),
    retrySchedule: e.HERALD_RETRY_SCHEDULE || undefined,
    sendSvixHeaders: e.HERALD_SVIX_HEADERS,
    timeoutMs: e.DELIVERY_TIMEOUT_MS,
    attemptRetentionSeconds: e.ATTEMPT_RETENTION_DAYS * 86_400,
    autoDisableAfterSeconds: e.AUTO_DISABLE_AFTER_SECONDS,
  };
}
