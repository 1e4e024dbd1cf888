import type { Node } from 'constructs';
import { z } from 'zod';
import { allowedPortsSchema, defaultAllowedPorts } from '../functions/domain/target-ports';

/**
 * Typed settings of a Herald deployment. Local mode reads the same settings from environment
 * variables (see README "Settings").
 */
export interface HeraldSettings {
  /** The platform's event source, accepted by the bus rule and used as the envelope's `source`. @default 'CredoAI' */
  readonly eventSource: string;
  /** The EventBridge bus name. @default 'herald' */
  readonly busName: string;
  /** Prefix stored on a webhook created without `event_type_prefix`; empty for none. @default '' */
  readonly defaultTypePrefix: string;
  /** Values a webhook's `environment` may take. @default ['production','staging','qa','development','sandbox'] */
  readonly allowedEnvironments: readonly string[];
  /** Lifetime of an access token from `POST /auth/exchange`, in seconds. @default 900 */
  readonly accessTokenTtlSeconds: number;
  /** How long API Gateway caches an authorizer decision, in seconds (a revoked key works at most this long). @default 60 */
  readonly authorizerCacheSeconds: number;
  /**
   * Stage throttling, steady requests per second: API Gateway's default for each method of the
   * stage, so the ceiling all tenants share on the tenant routes. The per-tenant and key-exchange
   * limits below must not exceed it (the synth fails). @default 50
   */
  readonly throttleRateLimit: number;
  /** Stage throttling: burst (see {@link throttleRateLimit}). @default 100 */
  readonly throttleBurstLimit: number;
  /**
   * API requests per second one tenant may make, through any of its keys or access tokens (an
   * API Gateway usage plan; local mode: `HERALD_TENANT_RATE_LIMIT`); past it, 429. Half the stage
   * ceiling, so one tenant at full speed leaves the other half to everyone else. @default 25
   */
  readonly tenantRateLimit: number;
  /** Per-tenant burst (local mode: `HERALD_TENANT_BURST_LIMIT`). @default 50 */
  readonly tenantBurstLimit: number;
  /**
   * Requests per second to `POST /auth/exchange`, all callers together (method throttling; local
   * mode: `HERALD_EXCHANGE_RATE_LIMIT`). The route is open, so its own small limit keeps it from
   * taking the API function's concurrency from authenticated traffic; a client exchanges once per
   * token lifetime. @default 10
   */
  readonly exchangeRateLimit: number;
  /** Burst of `POST /auth/exchange` (local mode: `HERALD_EXCHANGE_BURST_LIMIT`). @default 20 */
  readonly exchangeBurstLimit: number;
  /**
   * Most delivery function instances the delivery queue may run at once (2 to 1000), so a burst
   * of deliveries never takes the account's whole Lambda concurrency (1000 by default) from the
   * API. At about 10 deliveries a second per instance, 50 is about 500 deliveries a second.
   * @default 50
   */
  readonly deliveryMaxConcurrency: number;
  /** CloudWatch Logs retention for the functions and API access logs, in days. @default 30 */
  readonly logRetentionDays: number;
  /** Functions' log level (DEBUG adds a line per routed event; metrics are kept at every level). @default 'INFO' */
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** X-Ray active tracing on the functions (about $0.25 per million events under load). @default true */
  readonly tracing: boolean;
  /** How long the bus archive keeps platform events for replay, in days (0 keeps them forever). @default 30 */
  readonly archiveRetentionDays: number;
  /** How long delivery attempts are kept in the delivery log, in days. @default 30 */
  readonly attemptRetentionDays: number;
  /** Also send `svix-id`, `svix-timestamp` and `svix-signature` (for receivers written for Svix). @default true */
  readonly sendSvixHeaders: boolean;
  /** Retry delays after a failed attempt, e.g. `5s,5m,30m,2h,5h,10h,10h`; empty for the default (about a day). @default '' */
  readonly retrySchedule: string;
  /** Time allowed for one delivery attempt, in milliseconds. @default 15000 */
  readonly deliveryTimeoutMs: number;
  /** A webhook whose endpoint fails every attempt for this many days is disabled (a 410 disables at once). @default 5 */
  readonly autoDisableAfterDays: number;
  /** How long a rotated signing secret keeps signing beside the new one, in hours. @default 24 */
  readonly secretRotationGraceHours: number;
  /** Sends alarm notifications to this address (a new encrypted SNS topic); empty for none. @default '' */
  readonly alarmEmail: string;
  /** Sends alarm notifications to this existing SNS topic (with `alarmEmail`, to both); empty for none. @default '' */
  readonly alarmTopicArn: string;
  /** Alarm when more than this percentage of delivery attempts fail over 15 minutes. @default 25 */
  readonly failureRateAlarmPercent: number;
  /** Alarm when the oldest message on the delivery queue is older than this, in seconds. @default 3600 */
  readonly oldestMessageAlarmSeconds: number;
  /**
   * Webhooks one tenant may have; a create past it answers 409 `quota_exceeded` and stores
   * nothing. Functions read it as `HERALD_MAX_WEBHOOKS_PER_TENANT`.
   * @default 100
   */
  readonly maxWebhooksPerTenant: number;
  /**
   * Test events one webhook may be sent per minute (a fixed window); past it, 429 `rate_limited`
   * with `Retry-After`. Functions read it as `HERALD_TEST_EVENTS_PER_MINUTE`.
   * @default 10
   */
  readonly testEventsPerMinute: number;
  /**
   * Ports a webhook's `url` and `authentication_server` may use, as ports and inclusive ranges
   * (`443,1024-65535`), checked when a webhook is saved and before every connection, so Herald
   * cannot be used to probe the well-known services (SSH, SMTP, ...) of public hosts.
   * @default '443,1024-65535'
   */
  readonly allowedPorts: string;
}

export const defaultSettings: HeraldSettings = {
  eventSource: 'CredoAI',
  busName: 'herald',
  defaultTypePrefix: '',
  allowedEnvironments: ['production', 'staging', 'qa', 'development', 'sandbox'],
  accessTokenTtlSeconds: 900,
  authorizerCacheSeconds: 60,
  throttleRateLimit: 50,
  throttleBurstLimit: 100,
  tenantRateLimit: 25,
  tenantBurstLimit: 50,
  exchangeRateLimit: 10,
  exchangeBurstLimit: 20,
  deliveryMaxConcurrency: 50,
  logRetentionDays: 30,
  logLevel: 'INFO',
  tracing: true,
  archiveRetentionDays: 30,
  attemptRetentionDays: 30,
  sendSvixHeaders: true,
  retrySchedule: '',
  deliveryTimeoutMs: 15_000,
  autoDisableAfterDays: 5,
  secretRotationGraceHours: 24,
  alarmEmail: '',
  alarmTopicArn: '',
  failureRateAlarmPercent: 25,
  oldestMessageAlarmSeconds: 3600,
  maxWebhooksPerTenant: 100,
  testEventsPerMinute: 10,
  allowedPorts: defaultAllowedPorts,
};

/** Context keys Herald reads: `herald.<setting>`, one per field of {@link HeraldSettings}. */
export const settingsContextPrefix = 'herald.';

/** The retention periods CloudWatch Logs accepts (`RetentionDays`), 9999 meaning never expire. */
const logRetentionValues = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
  9999,
] as const;

/** `cdk -c key=value` always gives strings, cdk.json gives JSON types: accept both for numbers. */
const integer = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v),
    z.number().int().min(min).max(max),
  );

/** A list from cdk.json (JSON array) or the command line (comma-separated string). */
const list = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0)
      : v,
  z
    .array(
      z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." and "-" only (no commas or spaces)'),
    )
    .min(1, 'at least one value')
    .refine((a) => new Set(a).size === a.length, 'values must be unique'),
);

const settingsSchema = z
  .object({
    eventSource: z.string().trim().min(1).max(256),
    busName: z
      .string()
      .regex(/^[A-Za-z0-9._/-]{1,256}$/, 'EventBridge bus names are 1-256 of A-Z a-z 0-9 . _ - /')
      .refine((n) => n !== 'default' && !n.startsWith('aws.'), 'must not be "default" or start with "aws."'),
    defaultTypePrefix: z.string().max(100),
    allowedEnvironments: list,
    // The function's own configuration accepts 60..86,400 (functions/shared/config.ts).
    accessTokenTtlSeconds: integer(60, 86_400),
    // API Gateway caches authorizer results for at most an hour; 0 turns caching off.
    authorizerCacheSeconds: integer(0, 3600),
    throttleRateLimit: integer(1, 10_000),
    throttleBurstLimit: integer(1, 5000),
    // Bounded by the account's own API Gateway limits (10,000 requests/s, burst 5,000 by default).
    tenantRateLimit: integer(1, 10_000),
    tenantBurstLimit: integer(1, 5000),
    exchangeRateLimit: integer(1, 10_000),
    exchangeBurstLimit: integer(1, 5000),
    // What Lambda accepts for an SQS event source's maximum concurrency.
    deliveryMaxConcurrency: integer(2, 1000),
    logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']),
    tracing: z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean()),
    logRetentionDays: integer(1, 9999).refine(
      (d) => (logRetentionValues as readonly number[]).includes(d),
      `must be one of ${logRetentionValues.join(', ')}`,
    ),
    archiveRetentionDays: integer(0, 3650),
    attemptRetentionDays: integer(1, 365),
    sendSvixHeaders: z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean()),
    retrySchedule: z
      .string()
      .regex(/^(\s*\d+(ms|s|m|h)\s*(,\s*\d+(ms|s|m|h)\s*)*)?$/, 'comma-separated durations like 5s,5m,2h'),
    maxWebhooksPerTenant: integer(1, 100_000),
    testEventsPerMinute: integer(1, 10_000),
    deliveryTimeoutMs: integer(100, 60_000),
    autoDisableAfterDays: integer(1, 90),
    secretRotationGraceHours: integer(0, 168),
    alarmEmail: z
      .string()
      .trim()
      .refine(
        (v) => v === '' || z.string().email().safeParse(v).success,
        'an email address, or empty for none',
      ),
    alarmTopicArn: z
      .string()
      .trim()
      .regex(
        /^(arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256})?$/,
        'an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>), or empty for none',
      ),
    failureRateAlarmPercent: integer(1, 100),
    // Not low: retries wait on the delivery queue (in flight, their visibility timeout is the
    // backoff) and count in its oldest-message age, so a healthy queue holds messages minutes old;
    // an hour means a backlog (lib/constructs/monitoring.ts). At most SQS's 14-day retention.
    oldestMessageAlarmSeconds: integer(60, 1_209_600),
    // The functions parse HERALD_ALLOWED_PORTS with the same schema (functions/shared/config.ts);
    // cdk.json may give a single port as a number. Kept as the rule's text, tidied.
    allowedPorts: z.preprocess(
      (v) => (typeof v === 'number' ? String(v) : v),
      allowedPortsSchema.transform((rule) => rule.text),
    ),
  })
  .strict()
  .superRefine((s, ctx) => {
    // API Gateway applies a request's usage-plan (tenant) or method (exchange) limit and the
    // stage's as well: a limit above the stage's could never be reached, and would only say that
    // a tenant may have more than it can.
    const ceilings = [
      ['tenantRateLimit', 'throttleRateLimit'],
      ['tenantBurstLimit', 'throttleBurstLimit'],
      ['exchangeRateLimit', 'throttleRateLimit'],
      ['exchangeBurstLimit', 'throttleBurstLimit'],
    ] as const;
    for (const [limit, ceiling] of ceilings) {
      if (s[limit] > s[ceiling]) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [limit],
          message: `${s[limit]} is above ${settingsContextPrefix}${ceiling} (${s[ceiling]}), the stage ceiling: raise that too, or lower this`,
        });
      }
    }
  });

/**
 * Validates settings overrides merged over {@link defaultSettings}.
 *
 * @param overrides raw values by setting name: numbers may be numeric strings, lists may be
 *   comma-separated strings.
 * @throws Error naming every bad or unknown setting (as `herald.<name>`).
 */
export function resolveSettings(overrides: Readonly<Record<string, unknown>>): HeraldSettings {
  const parsed = settingsSchema.safeParse({ ...defaultSettings, ...overrides });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      if (issue.code === z.ZodIssueCode.unrecognized_keys) {
        const known = Object.keys(defaultSettings).map((k) => `${settingsContextPrefix}${k}`);
        return `unknown setting(s) ${issue.keys.map((k) => `${settingsContextPrefix}${k}`).join(', ')} (known: ${known.join(', ')})`;
      }
      return `${settingsContextPrefix}${issue.path.join('.')}: ${issue.message}`;
    });
    throw new Error(`Invalid Herald settings: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/**
 * Reads a deployment's settings from CDK context, merged over {@link defaultSettings}.
 *
 * Each setting is its own context key, `herald.<setting>`:
 * - on the command line: `npx cdk deploy -c herald.busName=herald-staging -c herald.allowedEnvironments=staging,qa`
 *   (numbers as digits, lists comma-separated);
 * - or in `cdk.json` / `cdk.context.json` under `"context"`:
 *   `"herald.throttleRateLimit": 100, "herald.allowedEnvironments": ["production", "staging"]`.
 *
 * The command line wins over cdk.json. An unknown `herald.*` key is an error, so a typo cannot
 * silently deploy the default.
 *
 * @param node the construct node to read context from (usually `app.node`).
 * @throws Error naming every bad or unknown setting.
 */
export function settingsFromContext(node: Node): HeraldSettings {
  const context: Record<string, unknown> = node.getAllContext();
  const overrides: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    if (key.startsWith(settingsContextPrefix)) overrides[key.slice(settingsContextPrefix.length)] = value;
  }
  return resolveSettings(overrides);
}
