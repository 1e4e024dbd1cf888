import { z } from 'zod';
import { parseRetrySchedule } from '../domain/retry';
import { allowedPortsSchema, defaultAllowedPorts } from '../domain/target-ports';

/**
 * The one description of Herald's settings. Each setting has one name: the CDK context key
 * `herald.<name>` deployed, and the environment variable `HERALD_<NAME>` for the functions that read
 * it and for local mode. The stack (lib/config.ts) validates context with these schemas and passes
 * each function its settings as environment variables; the functions (functions/shared/config.ts)
 * and local mode (local/main.ts) read the same variables with the same schemas;
 * docs/configuration.md is generated from this table (`npm run docs`).
 */

/** The functions that read settings from their environment (the authorizer shares the API's). */
export type FunctionName = 'api' | 'router' | 'delivery';

interface Spec<T extends z.ZodTypeAny> {
  /** Accepts what each source gives: strings (environment, `cdk -c`) and JSON values (cdk.json). */
  readonly schema: T;
  /** Deployed, and in a function whose variable is unset: the safe value. */
  readonly default: z.output<T>;
  /** Local mode's default, where it differs (a developer's machine, loopback receivers). */
  readonly localDefault?: z.output<T>;
  /** One or two sentences for docs/configuration.md. */
  readonly description: string;
  /** The functions given it as an environment variable. */
  readonly readBy: readonly FunctionName[];
  /** `stack`: deployment only (alarms, retention, API Gateway); `local`: local mode only. Both when absent. */
  readonly only?: 'stack' | 'local';
}

/** Keeps each spec's literal types (`only`), from which the stack's settings type is derived. */
const spec = <T extends z.ZodTypeAny, S extends Spec<T>>(s: S & Spec<T>): S => s;

/** A whole number in a range; numeric strings accepted (the environment and `cdk -c` give strings). */
const integer = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v),
    z.number().int().min(min).max(max),
  );

/** A number in a range, decimals allowed; numeric strings accepted. */
const decimal = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v),
    z.number().min(min).max(max),
  );

const boolean = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const t = v.trim().toLowerCase();
  return ['true', '1', 'yes'].includes(t) ? true : ['false', '0', 'no'].includes(t) ? false : v;
}, z.boolean());

/** A list from cdk.json (JSON array) or a string (comma-separated). */
const list = (item: z.ZodString) =>
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s.length > 0)
        : v,
    z
      .array(item)
      .min(1, 'at least one value')
      .refine((a) => new Set(a).size === a.length, 'values must be unique'),
  );

/** The retention periods CloudWatch Logs accepts (`RetentionDays`), 9999 meaning never expire. */
const logRetentionValues = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
  9999,
] as const;

/**
 * Port ranges like `443,1024-65535` (the target-ports rule), written back in its normal form; empty
 * for the mode's default. cdk.json may give a single port as a number.
 */
const portRanges = z.preprocess(
  (v) => (typeof v === 'number' ? String(v) : v),
  z.string().transform((v, ctx) => {
    const text = v.trim();
    if (text === '') return '';
    const parsed = allowedPortsSchema.safeParse(text);
    if (parsed.success) return parsed.data.text;
    for (const issue of parsed.error.issues)
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: issue.message });
    return z.NEVER;
  }),
);

export const settingSpecs = {
  eventSource: spec({
    schema: z
      .string()
      .trim()
      .min(1)
      .max(256)
      .refine((v) => v !== 'herald', 'must not be "herald": that source is Herald\'s own operational events'),
    default: 'CredoAI',
    description:
      "The platform's event source: the bus rule accepts it, and deliveries carry it as the envelope's `source`.",
    readBy: ['api', 'delivery'],
  }),
  busName: spec({
    schema: z
      .string()
      .regex(/^[A-Za-z0-9._/-]{1,256}$/, 'EventBridge bus names are 1-256 of A-Z a-z 0-9 . _ - /')
      .refine((n) => n !== 'default' && !n.startsWith('aws.'), 'must not be "default" or start with "aws."'),
    default: 'herald',
    description:
      'The EventBridge bus the platform publishes to (local mode: the bus `PutEvents` entries must name). Herald publishes its operational events to it too (source `herald`).',
    readBy: ['api', 'delivery'],
  }),
  defaultTypePrefix: spec({
    schema: z.string().max(100),
    default: '',
    description: 'Stored as `event_type_prefix` on a webhook created without one; empty for none.',
    readBy: ['api'],
  }),
  allowedEnvironments: spec({
    schema: list(
      z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." and "-" only (no commas or spaces)'),
    ),
    default: ['production', 'staging', 'qa', 'development', 'sandbox'],
    description: "The values a webhook's `environment` may take (comma-separated).",
    readBy: ['api'],
  }),
  allowPrivateTargets: spec({
    schema: boolean,
    default: false,
    localDefault: true,
    description:
      'Allow plain http and loopback or private webhook URLs, and any port. Local mode only: deployed, always refused.',
    readBy: ['api', 'delivery'],
    only: 'local',
  }),
  allowedPorts: spec({
    schema: portRanges,
    default: defaultAllowedPorts,
    localDefault: '',
    description:
      'Ports webhook and OAuth URLs may use (comma-separated ports and ranges), checked when a webhook is saved and before every connection, so Herald cannot probe the well-known ports of public hosts. Empty: `443,1024-65535`, or any port where private targets are allowed.',
    readBy: ['api', 'delivery'],
  }),
  accessTokenTtlSeconds: spec({
    schema: integer(60, 86_400),
    default: 900,
    description: 'Lifetime of an access token from `POST /auth/exchange`.',
    readBy: ['api'],
  }),
  portalFrameAncestors: spec({
    schema: z.preprocess(
      (v) =>
        typeof v === 'string'
          ? v
              .split(',')
              .map((s) => s.trim())
              .filter((s) => s.length > 0)
          : v,
      z
        .array(
          z
            .string()
            .regex(
              /^https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$/,
              'an origin like https://app.example.com or https://*.example.com',
            ),
        )
        .refine((a) => new Set(a).size === a.length, 'values must be unique'),
    ),
    default: [] as string[],
    description:
      'Origins that may embed the customer portal in an iframe (CSP `frame-ancestors`, comma-separated); none by default, so no site can frame it.',
    readBy: [],
  }),
  authorizerCacheSeconds: spec({
    schema: integer(0, 3600),
    default: 60,
    description:
      'How long API Gateway caches an authorizer decision: a revoked key works at most this long deployed (at once locally).',
    readBy: [],
    only: 'stack',
  }),
  throttleRateLimit: spec({
    schema: integer(1, 10_000),
    // Twenty tenants at their full rate: a few busy tenants cannot use up what all the others share.
    default: 500,
    description:
      "Stage throttling, requests per second: API Gateway's limit for each method of the stage, so the ceiling all tenants share (keep it at several times `tenantRateLimit`). Tenant and exchange limits must not exceed it.",
    readBy: [],
    only: 'stack',
  }),
  throttleBurstLimit: spec({
    schema: integer(1, 5000),
    default: 1000,
    description: 'Stage throttling, burst (see `throttleRateLimit`).',
    readBy: [],
    only: 'stack',
  }),
  tenantRateLimit: spec({
    schema: integer(1, 10_000),
    default: 25,
    description:
      'API requests per second one tenant may make through all its keys and access tokens (deployed: an API Gateway usage plan); past it, 429 with `Retry-After`.',
    readBy: [],
  }),
  tenantBurstLimit: spec({
    schema: integer(1, 5000),
    default: 50,
    description: 'Per-tenant burst (see `tenantRateLimit`).',
    readBy: [],
  }),
  exchangeRateLimit: spec({
    schema: integer(1, 10_000),
    default: 10,
    description:
      'Requests per second to the unauthenticated `POST /auth/exchange`, all callers together, so it cannot starve authenticated traffic.',
    readBy: [],
  }),
  exchangeBurstLimit: spec({
    schema: integer(1, 5000),
    default: 20,
    description: 'Burst of `POST /auth/exchange`.',
    readBy: [],
  }),
  maxWebhooksPerTenant: spec({
    schema: integer(1, 100_000),
    default: 100,
    description:
      'Webhooks one tenant may have; a create past it answers 409 `quota_exceeded` and stores nothing.',
    readBy: ['api'],
  }),
  testEventsPerMinute: spec({
    schema: integer(1, 1000),
    default: 10,
    description:
      'Test events one webhook may be sent per minute (`POST /webhooks/{id}/test`); past it, 429 with `Retry-After`.',
    readBy: ['api'],
  }),
  deliveryMaxConcurrency: spec({
    schema: integer(2, 1000),
    default: 50,
    description:
      "Most delivery function instances at once (the SQS event source's maximum concurrency), so deliveries never take the account's whole Lambda concurrency from the API. Local mode handles at most this many batches at once.",
    readBy: [],
  }),
  logRetentionDays: spec({
    schema: integer(1, 9999).refine(
      (d) => (logRetentionValues as readonly number[]).includes(d),
      `must be one of ${logRetentionValues.join(', ')}`,
    ),
    default: 30,
    description: 'CloudWatch Logs retention of the functions and the API access logs, in days.',
    readBy: [],
    only: 'stack',
  }),
  logLevel: spec({
    schema: z.preprocess(
      (v) => (typeof v === 'string' ? v.trim().toUpperCase() : v),
      z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']),
    ),
    default: 'INFO',
    description:
      "The functions' log level (`DEBUG` adds a line per routed event); metrics are kept at every level. Functions receive it as `POWERTOOLS_LOG_LEVEL`.",
    readBy: [],
  }),
  tracing: spec({
    schema: boolean,
    default: true,
    description: 'X-Ray active tracing on the functions and the API stage.',
    readBy: [],
    only: 'stack',
  }),
  traceSamplePercent: spec({
    schema: decimal(0, 100),
    default: 1,
    description:
      "With `tracing` on: the percentage of events and API requests X-Ray records, by the stack's sampling rules (Lambda's own default is the first a second and 5% of the rest, so every event at low traffic). Traces cost $5 per million (docs/cost.md).",
    readBy: [],
    only: 'stack',
  }),
  traceReservoirPerSecond: spec({
    schema: integer(0, 1000),
    default: 0,
    description:
      'With `tracing` on: requests a second X-Ray records before `traceSamplePercent` applies (1 guarantees a trace a second whatever the traffic, about 2.6 million a month at steady traffic).',
    readBy: [],
    only: 'stack',
  }),
  archiveRetentionDays: spec({
    schema: integer(0, 3650),
    default: 30,
    description: 'How long the bus archive keeps platform events for replay, in days (0: forever).',
    readBy: [],
    only: 'stack',
  }),
  attemptRetentionDays: spec({
    schema: integer(1, 365),
    default: 30,
    description: 'How long deliveries and their attempts stay in the delivery log (DynamoDB TTL), in days.',
    readBy: ['api', 'router', 'delivery'],
  }),
  sendSvixHeaders: spec({
    schema: boolean,
    default: true,
    description:
      "Also send `svix-id`, `svix-timestamp` and `svix-signature`, so receivers written for the platform's Svix deliveries keep working.",
    readBy: ['delivery'],
  }),
  retrySchedule: spec({
    schema: z
      .string()
      .regex(
        /^(\s*\d+(\.\d+)?(ms|s|m|h)\s*(,\s*\d+(\.\d+)?(ms|s|m|h)\s*)*)?$/,
        'comma-separated durations like 5s,5m,2h',
      )
      .superRefine((v, ctx) => {
        if (v.trim() === '') return;
        try {
          parseRetrySchedule(v);
        } catch (error) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: (error as Error).message });
        }
      }),
    default: '',
    description:
      'Retry delays after a failed attempt, e.g. `5s,5m,2h`; empty for the default `5s,5m,30m,2h,5h,10h,10h` (about 27.6 hours, 22 to 33 with jitter).',
    readBy: ['delivery'],
  }),
  deliveryTimeoutMs: spec({
    schema: integer(1_000, 60_000),
    default: 15_000,
    description:
      "Time allowed for each HTTP call of a delivery (the OAuth token, the POST). The delivery function's timeout (4 calls + 5 s) and the queue's visibility timeout (6 × that) derive from it.",
    readBy: ['delivery'],
  }),
  autoDisableAfterSeconds: spec({
    schema: integer(1, 90 * 86_400),
    default: 5 * 86_400,
    description:
      'A webhook whose endpoint has failed every attempt for this long is disabled (a `410 Gone` disables at once). 5 days.',
    readBy: ['delivery'],
  }),
  secretRotationGraceSeconds: spec({
    schema: integer(0, 7 * 86_400),
    default: 86_400,
    description:
      'Default grace period of a signing-secret rotation: how long the old secret keeps signing beside the new one (a rotation may ask for 0 to a week).',
    readBy: ['api'],
  }),
  alarmEmail: spec({
    schema: z
      .string()
      .trim()
      .refine(
        (v) => v === '' || z.string().email().safeParse(v).success,
        'an email address, or empty for none',
      ),
    default: '',
    description:
      'Send alarm notifications to this address, through a new SNS topic encrypted with its own KMS key.',
    readBy: [],
    only: 'stack',
  }),
  alarmTopicArn: spec({
    schema: z
      .string()
      .trim()
      .regex(
        /^(arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256})?$/,
        'an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>), or empty for none',
      ),
    default: '',
    description: 'Send alarm notifications to this existing SNS topic (with `alarmEmail` too: both).',
    readBy: [],
    only: 'stack',
  }),
  failureRateAlarmPercent: spec({
    schema: integer(1, 100),
    default: 25,
    description:
      'Alarm when more than this percentage of delivery attempts fail over 15 minutes (from 20 attempts up).',
    readBy: [],
    only: 'stack',
  }),
  oldestMessageAlarmSeconds: spec({
    // Retries wait on the delivery queue too, so a healthy queue holds messages minutes old.
    schema: integer(60, 1_209_600),
    default: 3600,
    description:
      'Alarm when a delivery has waited longer than this on the delivery queue; keep it above the first two retry delays.',
    readBy: [],
    only: 'stack',
  }),
} as const;

export type SettingName = keyof typeof settingSpecs;
type Specs = typeof settingSpecs;
export type Settings = { readonly [K in SettingName]: z.output<Specs[K]['schema']> };

const names = Object.keys(settingSpecs) as SettingName[];

/** `herald.<name>`: the CDK context key. */
export const contextKey = (name: SettingName): string => `herald.${name}`;

/** `HERALD_<NAME>`: the environment variable, for the functions and for local mode. */
export const envName = (name: SettingName): string =>
  `HERALD_${name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;

/** The settings a place reads: the stack all but local-only ones, local mode all but stack-only ones. */
export function settingNames(place: 'stack' | 'local' | FunctionName): SettingName[] {
  const specOf = (n: SettingName): Spec<z.ZodTypeAny> => settingSpecs[n];
  if (place === 'stack') return names.filter((n) => specOf(n).only !== 'local');
  if (place === 'local') return names.filter((n) => specOf(n).only !== 'stack');
  return names.filter((n) => specOf(n).readBy.includes(place));
}

/** Every setting at its default; local mode's defaults with `local`. */
export function defaultSettings(place: 'deployed' | 'local' = 'deployed'): Settings {
  return Object.fromEntries(
    names.map((n) => {
      const s: Spec<z.ZodTypeAny> = settingSpecs[n];
      return [n, place === 'local' && s.localDefault !== undefined ? s.localDefault : s.default];
    }),
  ) as Settings;
}

/** The names of the settings function `F` reads. */
export type FunctionSettingName<F extends FunctionName> = {
  [K in SettingName]: F extends Specs[K]['readBy'][number] ? K : never;
}[SettingName];

/** The settings function `fn` reads, typed so a function cannot read one it is not given. */
export function functionSettingNames<F extends FunctionName>(fn: F): Array<FunctionSettingName<F>> {
  return settingNames(fn) as Array<FunctionSettingName<F>>;
}

/** The names of the settings the stack takes (all but local mode's own). */
export type StackSettingName = {
  [K in SettingName]: Specs[K] extends { only: 'local' } ? never : K;
}[SettingName];

/** A setting's value as an environment variable holds it (lists comma-separated). */
export function toEnvValue(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** The environment variables that carry `names` of `values` to a function or to local mode. */
export function settingsEnvironment(values: Settings, names: readonly SettingName[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [envName(n), toEnvValue(values[n])]));
}

/** One bad setting, said with the name the reader used (`herald.x` or `HERALD_X`). */
export interface SettingProblem {
  name: SettingName;
  /** Where inside the value, for a list's item (`allowedEnvironments.0`); empty for the whole. */
  path: Array<string | number>;
  message: string;
}

/** `prefix` + the setting's name, and the path inside it when there is one. */
export function describeProblem(p: SettingProblem, name: (n: SettingName) => string): string {
  return `${name(p.name)}${p.path.length > 0 ? `.${p.path.join('.')}` : ''}: ${p.message}`;
}

/**
 * Parses the given raw values (by setting name) of `names`, absent ones taking their defaults.
 * Answers every problem at once rather than the first.
 */
export function parseSettings<N extends SettingName>(
  raw: Readonly<Partial<Record<SettingName, unknown>>>,
  names: readonly N[],
  defaults: Settings = defaultSettings(),
): { ok: true; settings: Pick<Settings, N> } | { ok: false; problems: SettingProblem[] } {
  const out: Partial<Record<SettingName, unknown>> = {};
  const problems: SettingProblem[] = [];
  for (const name of names) {
    const value = raw[name];
    if (value === undefined) {
      out[name] = defaults[name];
      continue;
    }
    const parsed = settingSpecs[name].schema.safeParse(value);
    if (parsed.success) out[name] = parsed.data;
    else for (const i of parsed.error.issues) problems.push({ name, path: i.path, message: i.message });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, settings: out as Pick<Settings, N> };
}

/**
 * Reads `names` from environment variables (`HERALD_<NAME>`; an empty variable counts as unset).
 * Throws naming every bad variable.
 */
export function settingsFromEnv<N extends SettingName>(
  env: NodeJS.ProcessEnv,
  names: readonly N[],
  defaults: Settings = defaultSettings(),
): Pick<Settings, N> {
  const raw: Partial<Record<SettingName, unknown>> = {};
  for (const name of names) {
    const value = env[envName(name)];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const result = parseSettings(raw, names, defaults);
  if (!result.ok) {
    const said = result.problems.map((p) => describeProblem(p, envName)).join('; ');
    throw new Error(`Invalid configuration: ${said}`);
  }
  return result.settings;
}
