import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import fc from 'fast-check';
import { DynamoDbWebhookStore } from '../../functions/adapters/aws/dynamodb-webhook-store';
import { ValidationError } from '../../functions/domain/errors';
import { eventCatalog } from '../../functions/domain/event-catalog';
import { webhookIdPattern } from '../../functions/domain/ids';
import { defaultAllowedPorts, parseAllowedPorts } from '../../functions/domain/target-ports';
import {
  authenticationPayloadTypes,
  publicAttributes,
  validateNewWebhook,
  type Webhook,
  type WebhookRules,
} from '../../functions/domain/webhook';
import { lambdaContext } from '../../local/api-gateway';
import { localAwsConfig } from '../../local/emulators';
import { emulatorEndpoints, freshTable, seedBodies, uniqueName } from '../helpers';

/**
 * Property-based tests of the webhook API: the API handler as deployed (configuration from the
 * environment, the real routes, the one error-to-response table) over the DynamoDB store on
 * DynamoDB Local, with private targets refused as in the stack. Random and hostile bodies never
 * produce a 5xx, every refusal is a JSON:API error document that points at the problem, and no
 * invalid webhook is ever stored.
 */

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const allowedEnvironments = ['production', 'staging', 'qa', 'development', 'sandbox'];
/** The rules the handler applies, from the environment set below. */
const rules: WebhookRules = {
  allowedEnvironments,
  allowPrivateTargets: false,
  allowedPorts: parseAllowedPorts(defaultAllowedPorts),
  defaultTypePrefix: '',
};

let handler: ApiHandler;
let store: DynamoDbWebhookStore;
const savedEnv = { ...process.env };

beforeAll(async () => {
  const { client, tableName } = await freshTable();
  const { dynamoDb, sqs } = emulatorEndpoints();
  store = new DynamoDbWebhookStore(client, tableName);
  // What the stack sets on the API function; the handler reads it at import, as at cold start.
  Object.assign(process.env, {
    AWS_REGION: localAwsConfig.region,
    AWS_ACCESS_KEY_ID: localAwsConfig.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localAwsConfig.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoDb,
    AWS_ENDPOINT_URL_SQS: sqs,
    TABLE_NAME: tableName,
    HERALD_ALLOW_PRIVATE_TARGETS: 'false',
    HERALD_ALLOWED_ENVIRONMENTS: allowedEnvironments.join(','),
    HERALD_DEFAULT_TYPE_PREFIX: '',
    HERALD_TOKEN_SIGNING_KEY: 'k'.repeat(43),
    DELIVERY_QUEUE_URL: `${sqs}/000000000000/unused-deliveries`,
    DEAD_LETTER_QUEUE_URL: `${sqs}/000000000000/unused-deliveries-dlq`,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  ({ handler } = await import('../../functions/handlers/api'));
});

afterAll(() => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

// --- Calling the API -------------------------------------------------------------------------

interface ErrorObject {
  status: string;
  code: string;
  title: string;
  detail: string;
  source?: { pointer?: string; parameter?: string; header?: string };
}

interface Answer {
  status: number;
  body: unknown;
}

/** An API Gateway proxy event as the stage delivers it, the authorizer having admitted `tenant`. */
function apiEvent(
  tenant: string,
  method: string,
  path: string,
  body: string | null,
  contentType: string,
): APIGatewayProxyEvent {
  const fullPath = `/api/v2/${tenant}${path}`;
  const headers: Record<string, string> = { Host: 'api.example.com', 'X-Forwarded-Proto': 'https' };
  if (body !== null) headers['Content-Type'] = contentType;
  return {
    resource: '/api/v2/{tenant}/{proxy+}',
    path: fullPath,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { tenant, proxy: path.slice(1) },
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'props',
      authorizer: { tenant, keyId: 'key_properties', principalId: 'key_properties' },
      protocol: 'HTTP/1.1',
      httpMethod: method,
      identity: { sourceIp: '127.0.0.1' } as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/live${fullPath}`,
      stage: 'live',
      requestId: 'props',
      requestTimeEpoch: Date.now(),
      resourceId: 'props',
      resourcePath: '/api/v2/{tenant}/{proxy+}',
    },
  };
}

async function call(
  tenant: string,
  method: string,
  path: string,
  body: string | null = null,
  contentType = 'application/vnd.api+json',
): Promise<Answer> {
  const result = await handler(
    apiEvent(tenant, method, path, body, contentType),
    lambdaContext('herald-api'),
  );
  let parsed: unknown;
  try {
    parsed = result.body ? (JSON.parse(result.body) as unknown) : undefined;
  } catch {
    parsed = result.body;
  }
  return { status: result.statusCode, body: parsed };
}

/** Never a 5xx; a 4xx is a JSON:API error document whose every error names its status and source. */
function expectClientAnswer(answer: Answer): void {
  if (answer.status >= 500) {
    throw new Error(`answered ${answer.status}: ${JSON.stringify(answer.body)?.slice(0, 500)}`);
  }
  if (answer.status < 400) return;
  const errors = (answer.body as { errors?: unknown } | undefined)?.errors;
  expect(Array.isArray(errors)).toBe(true);
  const list = errors as ErrorObject[];
  expect(list.length).toBeGreaterThan(0);
  for (const error of list) {
    expect(error).toEqual(
      expect.objectContaining({
        status: String(answer.status),
        code: expect.any(String),
        title: expect.any(String),
        detail: expect.any(String),
        source: expect.any(Object),
      }),
    );
    const source = error.source ?? {};
    const where = [source.pointer, source.parameter, source.header].filter((s) => typeof s === 'string');
    expect(where).toHaveLength(1);
  }
}

function pointers(answer: Answer): string[] {
  const errors = ((answer.body as { errors?: ErrorObject[] } | undefined)?.errors ?? []) as ErrorObject[];
  return errors.map((e) => e.source?.pointer ?? '');
}

interface Resource {
  id: string;
  attributes: Record<string, unknown>;
}

function resourceOf(answer: Answer): Resource {
  return (answer.body as { data: Resource }).data;
}

/** A stored webhook passes the API's own validation, unchanged by it: nothing invalid was stored. */
function expectValidWebhook(webhook: Webhook): void {
  let revalidated: ReturnType<typeof validateNewWebhook> | undefined;
  let problems: unknown;
  try {
    revalidated = validateNewWebhook(webhook.attributes, rules);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems = error.problems;
  }
  expect({ id: webhook.id, problems }).toEqual({ id: webhook.id, problems: undefined });
  expect(revalidated?.attributes).toEqual(webhook.attributes);
  expect(webhook.id).toMatch(webhookIdPattern);
  expect(['enabled', 'disabled']).toContain(webhook.status);
  expect(webhook.signingSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  if (webhook.status === 'enabled') expect(webhook.disabledReason).toBeNull();
  else expect((webhook.disabledReason ?? '').length).toBeLessThanOrEqual(256);
}

/** After an accepted write: the stored webhook is valid and reads back the same through GET. */
async function expectStoredAsAnswered(tenant: string, answer: Answer): Promise<Webhook> {
  const resource = resourceOf(answer);
  const stored = await store.get(tenant, resource.id);
  if (!stored) throw new Error(`webhook ${resource.id} was answered as written but is not stored`);
  expectValidWebhook(stored);
  const { signing_secret: _secret, ...answered } = resource.attributes;
  expect(answered).toEqual(publicAttributes(stored));
  const read = await call(tenant, 'GET', `/webhooks/${resource.id}`);
  expect(read.status).toBe(200);
  expect(resourceOf(read).attributes).toEqual(publicAttributes(stored));
  return stored;
}

/** Every webhook stored for `tenant` is one the API accepted, and valid. */
async function expectOnlyAcceptedStored(tenant: string, accepted: ReadonlySet<string>): Promise<void> {
  const stored: Webhook[] = [];
  let after: string | undefined;
  for (let page = 0; page < 100; page++) {
    const { items, next } = await store.list(tenant, { limit: 100, ...(after ? { after } : {}) });
    stored.push(...items);
    if (!next) break;
    after = next;
  }
  expect(stored.map((w) => w.id).sort()).toEqual([...accepted].sort());
  for (const webhook of stored) expectValidWebhook(webhook);
}

// --- Hostile JSON ----------------------------------------------------------------------------

/**
 * A JSON token written as is into the body, for what `JSON.stringify` cannot produce: numbers
 * out of double range, nesting deeper than a JS stack would comfortably build.
 */
class RawJson {
  constructor(readonly text: string) {}
}

/** Serialises a value, writing each {@link RawJson} verbatim. */
function toJsonText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof RawJson) {
      raws.push(v.text);
      return `\u0001raw${raws.length - 1}\u0001`;
    }
    return v;
  });
  return (text ?? 'null').replace(/"\\u0001raw(\d+)\\u0001"/g, (_m, i: string) => raws[Number(i)] ?? 'null');
}

/** An object with `key` as an own, enumerable property, even `__proto__`, as JSON.parse makes it. */
function withOwn(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  return target;
}

const fields = [
  'description',
  'url',
  'event_types',
  'event_type_prefix',
  'event_type_suffix',
  'environment',
  'authentication_method',
  'authentication_payload',
  'authentication_payload_type',
  'authentication_server',
  'bucket',
] as const;

/** Strings that are not public https URLs, in every notation the WHATWG parser accepts. */
const forbiddenUrls = [
  'https://localhost/hook',
  'https://LOCALHOST./hook',
  'https://api.localhost/hook',
  'https://metadata.google.internal/computeMetadata/v1/',
  'https://printer.local/',
  'https://intranet/',
  'https://127.0.0.1/',
  'https://127.1/',
  'https://127.0.1/',
  'https://2130706433/',
  'https://0x7f000001/',
  'https://017700000001/',
  'https://0177.0.0.01/',
  'https://0x7f.0x0.0x0.0x1/',
  'https://0x7F.1/',
  'https://%31%32%37.0.0.1/',
  'https://\uff11\uff12\uff17.\uff10.\uff10.\uff11/',
  'https://127.0.0.1./',
  'https://169.254.169.254/latest/meta-data/',
  'https://2852039166/latest/meta-data/',
  'https://0xa9fea9fe/',
  'https://0251.0376.0251.0376/',
  'https://169.254.43518/',
  'https://100.100.100.200/',
  'https://192.0.0.192/',
  'https://10.0.0.1/',
  'https://172.16.0.1/',
  'https://172.31.255.255/',
  'https://192.168.1.1/',
  'https://0/',
  'https://0.0.0.0/',
  'https://255.255.255.255/',
  'https://224.0.0.1/',
  'https://192.0.2.1/',
  'https://198.18.0.1/',
  'https://[::1]/',
  'https://[::]/',
  'https://[0:0:0:0:0:0:0:1]/',
  'https://[::ffff:127.0.0.1]/',
  'https://[::ffff:7f00:1]/',
  'https://[0:0:0:0:0:ffff:a9fe:a9fe]/',
  'https://[::ffff:8.8.8.8]/',
  'https://[::127.0.0.1]/',
  'https://[::ffff:0:a9fe:a9fe]/',
  'https://[2002:a9fe:a9fe::1]/',
  'https://[2002:7f00:1::]/',
  'https://[64:ff9b::a9fe:a9fe]/',
  'https://[64:ff9b::10.0.0.1]/',
  'https://[fd00:ec2::254]/latest/meta-data/',
  'https://[fc00::1]/',
  'https://[fe80::1]/',
  'https://[fe80::1%25eth0]/',
  'https://[fec0::1]/',
  'https://[ff02::1]/',
  'https://[2001:db8::1]/',
  'https://user:pass@example.com/hook',
  'https://user@example.com/hook',
  'https://:pass@example.com/hook',
  'https://example.com@127.0.0.1/',
  'https://127.0.0.1\\@example.com/',
  'https://example.com/hook#fragment',
  'https://127.0.0.1#@example.com/',
  'http://example.com/hook',
  'HTTP://example.com/hook',
  'ftp://example.com/hook',
  'file:///etc/passwd',
  'javascript:alert(1)//https://example.com',
  'data:text/plain,https://example.com',
  'gopher://example.com:70/_GET',
  'dict://example.com:11211/stats',
  'ldap://example.com/',
  'ws://example.com/',
  'wss://example.com/',
  'mailto:ops@example.com',
  'example.com/hook',
  '//example.com/hook',
  '/hook',
  'https://',
  'https:// example.com/',
  'https://exa mple.com/',
  `https://example.com/${'a'.repeat(2048)}`,
  '',
  'null',
];

const byte = fc.integer({ min: 0, max: 255 });

/** An IPv4 address in a blocked range: private, loopback, link-local and metadata, CGNAT, multicast, reserved. */
const blockedIpv4 = fc.oneof(
  fc.tuple(fc.constant(10), byte, byte, byte),
  fc.tuple(fc.constant(127), byte, byte, byte),
  fc.tuple(fc.constant(169), fc.constant(254), byte, byte),
  fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), byte, byte),
  fc.tuple(fc.constant(192), fc.constant(168), byte, byte),
  fc.tuple(fc.constant(100), fc.integer({ min: 64, max: 127 }), byte, byte),
  fc.tuple(fc.constant(0), byte, byte, byte),
  fc.tuple(fc.integer({ min: 224, max: 255 }), byte, byte, byte),
);

const hex = (n: number) => n.toString(16);

/** The same IPv4 address written every way a URL parser reads as that address. */
const ipv4Notation = fc
  .tuple(
    blockedIpv4,
    fc.constantFrom(
      'dotted',
      'decimal',
      'hex',
      'octal',
      'dotted-octal',
      'dotted-hex',
      'short',
      'mapped',
      'mapped-hex',
      'trailing-dot',
    ),
  )
  .map(([[a, b, c, d], notation]) => {
    const value = ((a * 256 + b) * 256 + c) * 256 + d;
    switch (notation) {
      case 'dotted':
        return `${a}.${b}.${c}.${d}`;
      case 'decimal':
        return String(value);
      case 'hex':
        return `0x${hex(value)}`;
      case 'octal':
        return `0${value.toString(8)}`;
      case 'dotted-octal':
        return [a, b, c, d].map((p) => `0${p.toString(8)}`).join('.');
      case 'dotted-hex':
        return [a, b, c, d].map((p) => `0x${hex(p)}`).join('.');
      case 'short':
        return `${a}.${b}.${c * 256 + d}`;
      case 'mapped':
        return `[::ffff:${a}.${b}.${c}.${d}]`;
      case 'mapped-hex':
        return `[::ffff:${hex(a * 256 + b)}:${hex(c * 256 + d)}]`;
      default:
        return `${a}.${b}.${c}.${d}.`;
    }
  });

const group = fc.integer({ min: 0, max: 0xffff }).map(hex);

/** IPv6 addresses in blocked ranges (unique-local, link-local, multicast, documentation, loopback). */
const blockedIpv6 = fc.oneof(
  fc
    .tuple(fc.integer({ min: 0xfc00, max: 0xfdff }), group, group)
    .map(([g, x, y]) => `[${hex(g)}:${x}::${y}]`),
  fc.tuple(fc.integer({ min: 0xfe80, max: 0xfebf }), group).map(([g, x]) => `[${hex(g)}::${x}]`),
  fc.tuple(fc.integer({ min: 0xff00, max: 0xffff }), group).map(([g, x]) => `[${hex(g)}::${x}]`),
  fc.tuple(group, group).map(([x, y]) => `[2001:db8:${x}::${y}]`),
  fc.constantFrom('[::1]', '[0::1]', '[0000:0000:0000:0000:0000:0000:0000:0001]', '[::]'),
);

const credentials = fc
  .tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.option(fc.string({ maxLength: 12 })))
  .map(
    ([user, pass]) =>
      `https://${encodeURIComponent(user)}${pass === null ? '' : `:${encodeURIComponent(pass)}`}@example.com/hook`,
  );

const scheme = fc
  .stringMatching(/^[a-z][a-z0-9+.-]{0,10}$/)
  .filter((s) => s !== 'https')
  .map((s) => `${s}://example.com/hook`);

/** Every URL here must be refused as a webhook target when deployed. */
const forbiddenUrl = fc.oneof(
  { arbitrary: fc.constantFrom(...forbiddenUrls), weight: 3 },
  { arbitrary: ipv4Notation.map((host) => `https://${host}/hook`), weight: 3 },
  { arbitrary: blockedIpv6.map((host) => `https://${host}/hook`), weight: 2 },
  { arbitrary: credentials, weight: 1 },
  { arbitrary: scheme, weight: 1 },
);

const oddChars = fc.constantFrom(
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  '\u200b',
  '\u202e',
  '\ufeff',
  '\ud800',
  '\udfff',
  '\u{1f600}',
  'é',
  'e\u0301',
  '\n',
  '\r',
  '\t',
  ' ',
  '"',
  '\\',
  '/',
  '<',
  '%',
  '#',
  '@',
  ':',
  '.',
  'a',
  'Z',
  '0',
  '_',
  '-',
);

const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: oddChars, maxLength: 80 }),
  fc.integer({ min: 1, max: 15_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 1, max: 1_500 }).map((n) => '\u{1f600}'.repeat(n)),
  fc.constantFrom(
    '',
    ' ',
    '\t\n',
    'null',
    'undefined',
    'NaN',
    'constructor',
    '{}',
    '[]',
    'true',
    '0',
    'none',
    'o_auth',
    'O_AUTH',
    'application/json; charset=utf-8',
    'production ',
    'Production',
    'use_case_review_status_updated ',
  ),
  forbiddenUrl,
);

/**
 * JSON of every shape, shallow, with numbers DynamoDB can hold and no `__proto__` keys: deep
 * nesting, odd numbers and prototype keys each have a property of their own below.
 */
const { json } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    fc.string({ maxLength: 20 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(
      fc.string({ maxLength: 8 }).filter((k) => k !== '__proto__'),
      tie('json'),
      { maxKeys: 4 },
    ),
  ),
}));

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 4 },
  { arbitrary: json, weight: 2 },
  { arbitrary: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null)), weight: 2 },
  { arbitrary: fc.array(hostileString, { maxLength: 4 }), weight: 1 },
  {
    arbitrary: fc.array(fc.constantFrom(...eventCatalog.map((t) => t.name), 'use_case_deleted', ''), {
      maxLength: 30,
    }),
    weight: 1,
  },
);

/** Keys no webhook has, some of them names JavaScript objects already carry. */
const hostileKeys = [
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'status',
  'disabled_reason',
  'id',
  'tenant',
  'version',
  'signing_secret',
  'signingSecret',
  'health',
  '',
  ' description',
  'DESCRIPTION',
  'url\u0000',
];

// --- Valid attributes ------------------------------------------------------------------------

const host = fc
  .tuple(
    fc.array(fc.stringMatching(/^[a-z][a-z0-9-]{0,15}[a-z0-9]$/), { minLength: 1, maxLength: 3 }),
    fc.constantFrom('com', 'io', 'net', 'org', 'dev', 'co.uk'),
  )
  .map(([labels, tld]) => `${labels.join('.')}.${tld}`);

const publicUrl = fc
  .tuple(
    host,
    // 443 or an unprivileged port: the deployed port rule (HERALD_ALLOWED_PORTS's default).
    fc.option(fc.oneof(fc.constant(443), fc.integer({ min: 1024, max: 65_535 }))),
    fc.webPath({ size: 'small' }),
    fc.option(fc.webQueryParameters({ size: 'small' })),
  )
  .map(
    ([h, port, path, query]) =>
      `https://${h}${port === null ? '' : `:${port}`}${path.startsWith('/') ? path : `/${path}`}${query ? `?${query}` : ''}`,
  );

const affix = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/);
/** Optional fields: a value, null, blank, or left out (undefined is dropped by JSON). */
const optional = <T>(value: fc.Arbitrary<T>) =>
  fc.oneof(value, fc.constant(null), fc.constant(''), fc.constant(undefined));

const formValue = fc.oneof(fc.string({ maxLength: 40 }), fc.integer(), fc.boolean());
const payloadKey = fc.stringMatching(/^[a-z_][a-z0-9_]{0,19}$/).filter((k) => k !== '__proto__');
const oauthPayload = (type: string) =>
  fc.dictionary(
    payloadKey,
    type === 'application/json'
      ? fc.oneof(formValue, fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }))
      : formValue,
    { minKeys: 1, maxKeys: 8 },
  );

const description = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 300 })
  .filter((s) => s.trim().length > 0 && s.trim().length <= 1024);

const commonAttributes = fc.record(
  {
    description,
    url: publicUrl,
    event_types: fc.uniqueArray(fc.constantFrom(...eventCatalog.map((t) => t.name)), {
      minLength: 1,
      maxLength: eventCatalog.length,
    }),
    event_type_prefix: optional(affix),
    event_type_suffix: optional(affix),
    environment: optional(fc.constantFrom(...allowedEnvironments)),
    bucket: optional(fc.stringMatching(/^[a-z][a-z0-9_]{0,63}$/)),
  },
  { requiredKeys: ['description', 'url', 'event_types'] },
);

const oauthAttributes = fc.constantFrom(...authenticationPayloadTypes).chain((type) =>
  fc.record({
    authentication_method: fc.constant('o_auth'),
    authentication_payload: oauthPayload(type),
    authentication_payload_type: fc.constant(type),
    authentication_server: publicUrl,
  }),
);

const noAuthAttributes = fc.record(
  {
    authentication_method: fc.constant('none'),
    authentication_payload: fc.oneof(fc.constant(null), fc.constant(''), fc.constant({})),
    authentication_payload_type: fc.oneof(fc.constant(null), fc.constant('')),
    authentication_server: fc.oneof(fc.constant(null), fc.constant('')),
  },
  { requiredKeys: ['authentication_method'] },
);

/** Attributes the field table accepts, drawn at random: the seeds' shape, every value varied. */
const validAttributes = fc
  .tuple(commonAttributes, fc.oneof(noAuthAttributes, oauthAttributes))
  .map(([common, auth]): Record<string, unknown> => ({ ...common, ...auth }));

const validDocument = fc
  .tuple(validAttributes, fc.boolean())
  .map(([attributes, typed]) => ({ data: { ...(typed ? { type: 'webhook' } : {}), attributes } }));

// --- Hostile documents -----------------------------------------------------------------------

/** Valid attributes with some of them (or unknown keys) replaced by hostile values. */
const hostileAttributes = fc
  .tuple(
    validAttributes,
    fc.array(fc.tuple(fc.constantFrom(...fields, ...hostileKeys), hostileValue), {
      minLength: 1,
      maxLength: 4,
    }),
  )
  .map(([attributes, overrides]) => {
    const out: Record<string, unknown> = { ...attributes };
    for (const [key, value] of overrides) withOwn(out, key, value);
    return out;
  });

/** Hostile documents at every level: the body, `data`, `data.type`, `data.id`, `data.attributes`. */
const hostileDocument: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: hostileAttributes.map((attributes) => ({ data: { type: 'webhook', attributes } })),
    weight: 6,
  },
  { arbitrary: hostileValue.map((attributes) => ({ data: { type: 'webhook', attributes } })), weight: 2 },
  { arbitrary: hostileValue.map((data) => ({ data })), weight: 1 },
  { arbitrary: hostileValue, weight: 1 },
  {
    arbitrary: fc
      .tuple(validAttributes, hostileValue, hostileValue)
      .map(([attributes, type, id]) => ({ data: { type, id, attributes } })),
    weight: 1,
  },
  {
    arbitrary: fc
      .tuple(validAttributes, fc.constantFrom(...hostileKeys), hostileValue)
      .map(([attributes, key, value]) => withOwn({ data: withOwn({ attributes }, key, value) }, key, value)),
    weight: 1,
  },
);

/** The API's body limit; larger bodies have a property of their own. */
const maxBodyBytes = 64 * 1024;
const withinLimit = (text: string) => Buffer.byteLength(text, 'utf8') <= maxBodyBytes;

/** Bodies that are not JSON documents at all, or barely. */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: oddChars, maxLength: 100 }),
  fc.json({ maxDepth: 4 }),
  json.map((v) => `\ufeff${JSON.stringify(v)}`),
  fc
    .tuple(
      validDocument.map((d) => JSON.stringify(d)),
      fc.nat(),
    )
    .map(([text, cut]) => text.slice(0, cut % Math.max(1, text.length))),
  fc.constantFrom(
    '',
    ' ',
    'null',
    '0',
    '""',
    '[]',
    '{}',
    '{"data":null}',
    '{"data":[]}',
    '\u0000',
    '{"data":{',
  ),
  fc.integer({ min: 1, max: 30_000 }).map((n) => '['.repeat(n)),
);

const contentType = fc.constantFrom(
  'application/vnd.api+json',
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/VND.API+JSON',
);

/** Depths from a few levels (DynamoDB stores at most 32) to thousands (a recursive walk's stack). */
const depth = fc.oneof(
  fc.integer({ min: 1, max: 45 }),
  fc.integer({ min: 45, max: 2_000 }),
  fc.integer({ min: 2_000, max: 20_000 }),
);

/** Where a hostile value goes: the body itself, beside or inside the document, or in the OAuth payload. */
type Place = 'body' | 'meta' | 'data' | 'attribute' | 'unknown_attribute' | 'payload' | 'payload_form';
const place = fc.constantFrom<Place>(
  'body',
  'meta',
  'data',
  'attribute',
  'unknown_attribute',
  'payload',
  'payload_form',
);

/** A valid document with `value` put at `where`. */
function documentWith(where: Place, value: unknown): unknown {
  const none = { ...seedBodies.none.data.attributes };
  const oauth = { ...seedBodies.oAuth.data.attributes };
  switch (where) {
    case 'body':
      return value;
    case 'meta':
      return { meta: value, data: { type: 'webhook', attributes: none } };
    case 'data':
      return { data: value };
    case 'attribute':
      return { data: { type: 'webhook', attributes: { ...none, description: value } } };
    case 'unknown_attribute':
      return { data: { type: 'webhook', attributes: { ...none, extra: value } } };
    case 'payload':
      return { data: { type: 'webhook', attributes: { ...oauth, authentication_payload: value } } };
    case 'payload_form':
      return {
        data: {
          type: 'webhook',
          attributes: {
            ...oauth,
            authentication_payload_type: 'application/x-www-form-urlencoded',
            authentication_payload: value,
          },
        },
      };
  }
}

/** Nesting, as JSON text, `n` levels deep; objects are capped to stay within the body limit. */
const nestedBody = fc
  .tuple(depth, fc.constantFrom('array', 'object'), place)
  .map(([n, kind, where]) => {
    const levels = kind === 'array' ? n : Math.min(n, 8_000);
    const nested =
      kind === 'array'
        ? new RawJson(`${'['.repeat(levels)}${']'.repeat(levels)}`)
        : new RawJson(`${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`);
    // The OAuth payload must be an object: nest inside one of its keys.
    const value = where.startsWith('payload') ? { client_id: nested } : nested;
    return toJsonText(documentWith(where, value));
  })
  .filter(withinLimit);

/** Objects with `__proto__`, `constructor` or `prototype` as their own keys, as JSON.parse makes them. */
const protoBody = fc
  .tuple(
    fc.constantFrom('__proto__', 'constructor', 'prototype'),
    fc.oneof(
      json,
      fc.constant({}),
      fc.constant({ polluted: 'yes' }),
      fc.constant({ toString: 'x', isAdmin: true }),
    ),
    fc.boolean(),
    fc.constantFrom<Place | 'attributes' | 'document' | 'payload_nested'>(
      'document',
      'data',
      'attributes',
      'payload',
      'payload_form',
      'payload_nested',
    ),
  )
  .map(([key, value, alone, where]) => {
    const carrier = () => withOwn(alone ? {} : { client_id: 'herald' }, key, value);
    const none = { ...seedBodies.none.data.attributes };
    switch (where) {
      case 'document':
        return toJsonText(withOwn({ data: { type: 'webhook', attributes: none } }, key, value));
      case 'data':
        return toJsonText({ data: withOwn({ type: 'webhook', attributes: none }, key, value) });
      case 'attributes':
        return toJsonText({ data: { type: 'webhook', attributes: withOwn({ ...none }, key, value) } });
      case 'payload_nested':
        return toJsonText(documentWith('payload', { client_id: 'herald', nested: carrier() }));
      default:
        return toJsonText(documentWith(where as Place, carrier()));
    }
  });

/** Numbers JSON allows but a double, or DynamoDB (38 digits, 1e-130 to 1e126), cannot hold. */
const oddNumber = fc.oneof(
  fc.constantFrom(
    '1e400',
    '-1e400',
    '1e308',
    '1e126',
    '1e-131',
    '5e-324',
    '123456789012345678901234567890',
    '9007199254740993',
    '-9007199254740993',
    '0.1e-400',
    '-0',
    '1E2',
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => String(d)),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map((b) => String(b)),
);

const numberBody = fc
  .tuple(
    oddNumber,
    fc.constantFrom<Place | 'payload_nested' | 'event_types'>(
      'payload',
      'payload_form',
      'payload_nested',
      'attribute',
      'event_types',
    ),
  )
  .map(([n, where]) => {
    const raw = new RawJson(n);
    switch (where) {
      case 'payload_nested':
        return toJsonText(documentWith('payload', { client_id: 'herald', limits: [raw, { at: raw }] }));
      case 'event_types':
        return toJsonText({
          data: { attributes: { ...seedBodies.none.data.attributes, event_types: [raw] } },
        });
      case 'attribute':
        return toJsonText(documentWith('attribute', raw));
      default:
        return toJsonText(documentWith(where, { client_id: 'herald', client_number: raw }));
    }
  });

/** Keeps each property's run short on a shared machine. */
const runs = (numRuns: number) => ({ numRuns });

async function createValid(tenant: string): Promise<Webhook> {
  const answer = await call(tenant, 'POST', '/webhooks', JSON.stringify(seedBodies.none));
  expect(answer.status).toBe(201);
  return expectStoredAsAnswered(tenant, answer);
}

type Method = 'POST' | 'PATCH';

/**
 * A property over request bodies for one method: never a 5xx, a pointed-at 4xx otherwise, and
 * what is accepted is stored valid. A PATCH goes to one webhook, as the last accepted patch left
 * it; a refused PATCH leaves it exactly as it was. Afterwards the tenant holds only what the API
 * accepted.
 */
async function bodyProperty(
  method: Method,
  name: string,
  bodies: fc.Arbitrary<string>,
  numRuns: number,
  expectAccepted = false,
): Promise<void> {
  const tenant = uniqueName(name);
  const accepted = new Set<string>();
  const target = method === 'PATCH' ? await createValid(tenant) : undefined;
  if (target) accepted.add(target.id);
  await fc.assert(
    fc.asyncProperty(bodies, contentType, async (body, type) => {
      const before = target && (await store.get(tenant, target.id));
      const path = target ? `/webhooks/${target.id}` : '/webhooks';
      const answer = await call(tenant, method, path, body, type);
      expectClientAnswer(answer);
      if (expectAccepted) {
        expect({ status: answer.status, body: answer.body }).toMatchObject({
          status: method === 'POST' ? 201 : 200,
        });
      }
      if (answer.status === 200 || answer.status === 201) {
        const stored = await expectStoredAsAnswered(tenant, answer);
        accepted.add(stored.id);
        if (before) expect(stored.version).toBe(before.version + 1);
      } else if (target) {
        expect(await store.get(tenant, target.id)).toEqual(before);
      }
    }),
    runs(numRuns),
  );
  await expectOnlyAcceptedStored(tenant, accepted);
}

const methods: Method[] = ['POST', 'PATCH'];

// --- The properties --------------------------------------------------------------------------

describe.each(methods)('%s with random and hostile bodies', (method) => {
  it('answers any text body with a 4xx error document that points at the problem, never a 5xx', async () => {
    await bodyProperty(method, 'text', hostileText, 120);
  }, 60_000);

  it('answers documents with wrong types in every field, unknown keys, huge strings, NUL bytes and unicode without a 5xx, and stores nothing invalid', async () => {
    await bodyProperty(method, 'hostile', hostileDocument.map(toJsonText).filter(withinLimit), 150);
  }, 60_000);

  it('answers nesting of any depth, anywhere in the body, without a 5xx, and stores nothing invalid', async () => {
    await bodyProperty(method, 'nesting', nestedBody, 100);
  }, 60_000);

  it('answers __proto__, constructor and prototype keys at every level without a 5xx, storing nothing invalid and polluting nothing', async () => {
    await bodyProperty(method, 'proto', protoBody, 100);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  }, 60_000);

  it('answers numbers beyond a double or DynamoDB (in the OAuth payload and elsewhere) without a 5xx, and stores nothing invalid', async () => {
    await bodyProperty(method, 'numbers', numberBody, 100);
  }, 60_000);

  it('refuses a body over 64 KB with 413 and an error document that points at it', async () => {
    const tenant = uniqueName('large');
    const target = method === 'PATCH' ? await createValid(tenant) : undefined;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: maxBodyBytes + 1, max: 200_000 }),
        fc.constantFrom(...fields),
        async (size, field) => {
          const attributes = { ...seedBodies.none.data.attributes, [field]: 'x'.repeat(size) };
          const path = target ? `/webhooks/${target.id}` : '/webhooks';
          const answer = await call(tenant, method, path, JSON.stringify({ data: { attributes } }));
          expect(answer.status).toBe(413);
          expectClientAnswer(answer);
        },
      ),
      runs(10),
    );
    await expectOnlyAcceptedStored(tenant, new Set(target ? [target.id] : []));
  });
});

describe.each(['url', 'authentication_server'] as const)('a webhook %s', (field) => {
  it('is refused when it names a private, loopback, link-local or metadata address in any notation, carries credentials, or is not https', async () => {
    const tenant = uniqueName(`forbidden-${field.slice(0, 4)}`);
    const target = await createValid(tenant);
    await fc.assert(
      fc.asyncProperty(
        forbiddenUrl,
        oauthAttributes,
        fc.constantFrom(...methods),
        async (url, oauth, method) => {
          const attributes: Record<string, unknown> = {
            ...seedBodies.none.data.attributes,
            ...(field === 'authentication_server' ? oauth : {}),
            [field]: url,
          };
          const path = method === 'POST' ? '/webhooks' : `/webhooks/${target.id}`;
          const answer = await call(tenant, method, path, JSON.stringify({ data: { attributes } }));
          expectClientAnswer(answer);
          expect({ url, status: answer.status }).toEqual({ url, status: 422 });
          expect(pointers(answer)).toContain(`/data/attributes/${field}`);
        },
      ),
      runs(200),
    );
    await expectOnlyAcceptedStored(tenant, new Set([target.id]));
    expect(await store.get(tenant, target.id)).toEqual(target);
  }, 60_000);
});

describe('valid requests', () => {
  it('accepts seed-like bodies with random valid values (201) and stores them exactly as validated', async () => {
    const tenant = uniqueName('valid');
    const accepted = new Set<string>();
    await fc.assert(
      fc.asyncProperty(validDocument, contentType, async (document, type) => {
        const answer = await call(tenant, 'POST', '/webhooks', JSON.stringify(document), type);
        expect({ status: answer.status, body: answer.body }).toEqual(
          expect.objectContaining({ status: 201 }),
        );
        const stored = await expectStoredAsAnswered(tenant, answer);
        accepted.add(stored.id);
        const sent = document.data.attributes;
        expect(stored.attributes).toEqual(
          expect.objectContaining({
            description: String(sent.description).trim(),
            url: sent.url,
            event_types: sent.event_types,
            authentication_method: sent.authentication_method,
            event_type_prefix: sent.event_type_prefix || null,
            event_type_suffix: sent.event_type_suffix || null,
            environment: sent.environment || null,
            bucket: sent.bucket || null,
          }),
        );
        expect(stored.status).toBe('enabled');
      }),
      runs(100),
    );
    await expectOnlyAcceptedStored(tenant, accepted);
  }, 60_000);

  it('accepts valid partial updates (200), enabling and disabling too, and stores them valid', async () => {
    const patch = fc
      .tuple(
        validAttributes,
        fc.subarray([...fields]),
        fc.option(
          fc.oneof(
            fc.constant({ status: 'enabled' }),
            fc.record({ status: fc.constant('disabled'), disabled_reason: fc.string({ maxLength: 200 }) }),
          ),
        ),
      )
      .map(([attributes, keep, status]) => {
        // o_auth needs its three fields together; the rest may come alone.
        const picked = Object.fromEntries(
          Object.entries(attributes).filter(
            ([k]) => keep.includes(k as (typeof fields)[number]) || k.startsWith('authentication_'),
          ),
        );
        return JSON.stringify({ data: { type: 'webhook', attributes: { ...picked, ...(status ?? {}) } } });
      });
    await bodyProperty('PATCH', 'patch-valid', patch, 100, true);
  }, 60_000);
});
