import { z } from 'zod/v4';
import { failingThreshold } from '../functions/domain/operational-events';
import { openApiText } from '../functions/shared/openapi';

/**
 * docs/api.md, written from the OpenAPI document (itself generated from the contract's schemas):
 * the operations, their parameters, the webhook's attributes and the error statuses come from
 * the document; the prose around them lives here. `npm run docs` rewrites it, and a test fails
 * when the committed file differs.
 */

interface SchemaNode {
  description?: string;
  type?: string | string[];
  enum?: string[];
  const?: string;
  format?: string;
  $ref?: string;
  anyOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
}

const schemaNode: z.ZodType<SchemaNode> = z.lazy(() =>
  z.object({
    description: z.string().optional(),
    type: z.union([z.string(), z.array(z.string())]).optional(),
    enum: z.array(z.string()).optional(),
    const: z.string().optional(),
    format: z.string().optional(),
    $ref: z.string().optional(),
    anyOf: z.array(schemaNode).optional(),
    properties: z.record(z.string(), schemaNode).optional(),
    required: z.array(z.string()).optional(),
  }),
);

const parameter = z.object({
  name: z.string(),
  in: z.enum(['path', 'query', 'header']),
  required: z.boolean().optional(),
  description: z.string().optional(),
  schema: schemaNode.optional(),
});

const operation = z.object({
  operationId: z.string(),
  summary: z.string(),
  description: z.string().optional(),
  security: z.array(z.unknown()).optional(),
  parameters: z.array(parameter).optional(),
  responses: z.record(z.string(), z.object({ description: z.string() })),
});

const document = z.object({
  paths: z.record(z.string(), z.record(z.string(), operation)),
  components: z.object({ schemas: z.record(z.string(), schemaNode) }),
});

type Document = z.infer<typeof document>;

const tenantBase = '/api/v2/{tenant}';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A schema's type as a reader says it: `string`, `string or null`, `none, o_auth`. */
function typeOf(node: SchemaNode): string {
  if (node.anyOf) return node.anyOf.map(typeOf).join(' or ');
  if (node.enum && node.enum.length > 6) return 'one of the event types';
  if (node.enum) return node.enum.map((v) => `\`${v}\``).join(', ');
  if (node.const) return `\`${node.const}\``;
  if (node.format) return node.format;
  if (Array.isArray(node.type)) return node.type.join(' or ');
  return node.type ?? 'object';
}

function operationsTable(doc: Document): string[] {
  const rows = ['| operation | method and path | what |', '| --- | --- | --- |'];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const shown = path.startsWith(tenantBase) ? path.slice(tenantBase.length) : path;
      const credential = op.security?.length === 0 ? ' (no credential)' : '';
      const what = op.description ? `${op.summary}. ${op.description}` : `${op.summary}.`;
      rows.push(
        `| \`${op.operationId}\` | \`${method.toUpperCase()} ${shown}\`${credential} | ${cell(what)} |`,
      );
    }
  }
  return rows;
}

function parametersSection(doc: Document): string[] {
  const lines: string[] = [];
  for (const methods of Object.values(doc.paths)) {
    for (const op of Object.values(methods)) {
      const params = (op.parameters ?? []).filter((p) => p.in !== 'path');
      if (params.length === 0) continue;
      lines.push(
        `\`${op.operationId}\`:`,
        '',
        '| parameter | in | type | meaning |',
        '| --- | --- | --- | --- |',
      );
      for (const p of params) {
        const type = p.schema ? typeOf(p.schema) : 'string';
        lines.push(`| \`${p.name}\` | ${p.in} | ${cell(type)} | ${cell(p.description ?? '')} |`);
      }
      lines.push('');
    }
  }
  return lines;
}

function attributesTable(doc: Document): string[] {
  const schemas = doc.components.schemas;
  const create = schemas.WebhookCreateAttributes;
  const patch = schemas.WebhookPatchAttributes;
  const shown = schemas.Webhook?.properties?.attributes;
  if (!create?.properties || !patch?.properties || !shown?.properties) {
    throw new Error('The document lacks the webhook attribute schemas');
  }
  const rows = ['| attribute | type | on create | meaning |', '| --- | --- | --- | --- |'];
  const required = new Set(create.required ?? []);
  const seen = new Set<string>();
  const add = (name: string, node: SchemaNode, when: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    rows.push(`| \`${name}\` | ${cell(typeOf(node))} | ${when} | ${cell(node.description ?? '')} |`);
  };
  for (const [name, node] of Object.entries(create.properties)) {
    add(name, node, required.has(name) ? 'required' : 'optional');
  }
  for (const [name, node] of Object.entries(patch.properties)) add(name, node, 'no: PATCH sets it');
  for (const [name, node] of Object.entries(shown.properties)) add(name, node, 'no: read only');
  return rows;
}

function errorsTable(doc: Document): string[] {
  const statuses = new Map<string, string>();
  for (const methods of Object.values(doc.paths)) {
    for (const op of Object.values(methods)) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400 && !statuses.has(status)) statuses.set(status, response.description);
      }
    }
  }
  const rows = ['| status | when |', '| --- | --- |'];
  for (const [status, description] of [...statuses].sort(([a], [b]) => Number(a) - Number(b))) {
    rows.push(`| ${status} | ${cell(description)} |`);
  }
  return rows;
}

export function apiDoc(): string {
  const doc = document.parse(JSON.parse(openApiText()));
  return [
    '# The API',
    '',
    '<!-- Written by `npm run docs` from the OpenAPI document (functions/shared/openapi.ts and the',
    '     schemas in functions/shared/api-contract.ts); edit those, not this. -->',
    '',
    'The OpenAPI 3.1 document is served, with no credential, at `GET /api/v2/openapi.json` (local mode',
    'and the stack) and committed as [openapi.json](openapi.json). `npm run openapi` generates it from',
    'the zod schemas that parse every request; a test fails when the committed file differs, and every',
    'response the tests receive from local mode is checked against it. The TypeScript client',
    '([clients/typescript](../clients/typescript/README.md)) and the `herald` CLI are typed from it.',
    '',
    'Base: `/api/v2/{tenant}`; JSON:API (`application/vnd.api+json`, plain `application/json` accepted);',
    '`Authorization: Bearer <API key or access token>`. A key reaches only its own tenant (another',
    "tenant's paths answer 403); a missing, unknown or revoked key answers 401.",
    '',
    '## Operations',
    '',
    'Paths below are relative to `/api/v2/{tenant}` unless they start with `/api` or `/auth`.',
    '',
    ...operationsTable(doc),
    '',
    '### Parameters',
    '',
    ...parametersSection(doc),
    '## Webhook attributes',
    '',
    "The Credo AI guide's field table, and what a response adds. Unknown attributes are refused. The",
    'three OAuth fields are accepted (and may be blank) with `authentication_method: none`; a payload',
    'sent with `none` is not stored (warning `authentication_payload_ignored`).',
    '',
    ...attributesTable(doc),
    '',
    '### Write-only secrets',
    '',
    'The payload is write-only, and a credential goes only where it was given: a PATCH of an `o_auth`',
    'webhook that changes `url` or `authentication_server`, or switches `authentication_method` to',
    '`o_auth`, must carry `authentication_payload` too (else `422 authentication_payload_required`,',
    'pointer `/data/attributes/authentication_payload`); sending the stored `url` and',
    "`authentication_server` again (as the platform's client does on a full PATCH) is not a change.",
    'Switching to `none` deletes the stored payload. Changing `authentication_payload_type` alone keeps',
    'it.',
    '',
    '### Payload filters',
    '',
    "A webhook with a `filter` receives only the events it matches: a pattern in EventBridge's",
    'content-filtering syntax on `{ "type", "environment", "data" }` of the event (`type` is the event',
    'type\'s name): exact values, arrays as "any of", nested keys, `prefix`, `suffix`, `anything-but`,',
    '`numeric` ranges, `exists`, `equals-ignore-case`. At most 10 levels deep and 4 KB; each problem is a',
    '422 pointing into `/data/attributes/filter`. The router applies it (it is kept on each route item,',
    'so it costs no extra read): an event it does not match is neither delivered nor logged, which is',
    'not a failure. `POST /webhooks/filter-test` answers whether a filter matches an event, with the',
    'same matcher. Example: `{"data": {"status": ["completed"], "reviewId": [{"prefix": "rev_"}]}}`.',
    '',
    '### Rate limits',
    '',
    'A webhook with a `rate_limit` (an integer, 1 to 1000; null for none) receives at most that many',
    'deliveries a second: in any stretch of t seconds, no more than `rate_limit × (1 + t)` (a token bucket',
    'holding `rate_limit` tokens, refilled continuously). The bucket is one small item per webhook on',
    'the main table, so the limit holds across every delivery container; each delivery takes a token',
    'with one conditional `UpdateItem` before it is signed and sent. A delivery over the limit is not',
    'sent and is neither an attempt nor a failure: it goes back on the queue as a new message delayed',
    'until about when the next token is there (1 to 3 s, jittered), carrying how many times it was',
    'received before, so its retry schedule and attempt numbers carry on unchanged and no wait, however',
    'long, can move it to the dead-letter queue. In the log it shows `pending` (with `next_attempt_at`)',
    'until it is sent; a waiting retry stays `retrying`. Why a bucket on the table rather than',
    "`rate-limiter-flexible`'s `RateLimiterDynamo`: one write per delivery instead of up to three, no",
    'second table, and a continuous refill where its fixed window lets twice the limit through across a',
    'window boundary. Cost: one more write unit per delivery to a limited webhook',
    '([cost.md](cost.md#rate-limits)). Bad values are a 422 pointing at `/data/attributes/rate_limit`.',
    '',
    '### Ordered delivery',
    '',
    'A webhook with `ordering: fifo` (the default is `none`) receives its deliveries one at a time, in',
    'the order Herald queued them: a delivery is sent only once the one before it has succeeded or run',
    'out of attempts. A failing delivery holds every later one of its webhook until it succeeds or is',
    'dead-lettered; then the next goes, and the log shows the dead-lettered one `failed`, its last',
    'attempt\'s error ending "out of attempts: dead-lettered, and the next delivery in order was',
    'released". Other webhooks, ordered or not, are never held up by it.',
    '',
    "How: the router puts a fifo webhook's deliveries on a second delivery queue, an SQS FIFO queue in",
    'high-throughput mode, with the webhook (`tenant/webhook id`) as message group and the delivery id as',
    'deduplication id (an event routed twice within five minutes is queued once). SQS hands out no',
    'message of a group while an earlier one is in flight. The delivery function goes through each',
    "webhook's messages of a batch one by one, webhooks side by side; when one is not done (a retry is",
    "due, or it waits on the webhook's rate limit, or Herald failed on it), it and the webhook's later",
    'messages in the batch are reported as batch item failures, the later ones handed back at once. A',
    "FIFO queue has no per-message delay, so the retry delay is the held message's visibility timeout",
    "(the default schedule's longest step, 10 h ±20%, stays under SQS's 12 h cap); a rate-limited",
    'delivery waits the same way, without spending an attempt: receive counts there are no attempt',
    'count, so the function reads the attempt number from the delivery log (one strongly consistent',
    "read per receive after the first) and dead-letters after the schedule's last attempt itself, to",
    "the FIFO queue's own dead-letter queue. Its redrive (after 1,000 receives, SQS's maximum) only",
    'catches a message the function keeps failing on.',
    '',
    'What "in order" means: the order in which the router queued the events. Once queued, the order is',
    'strict. Between publishing and queueing, EventBridge promises no order: it invokes the router for',
    'each event asynchronously and retries failed invocations, so two events published a few',
    'milliseconds apart can be queued the other way round. A publisher that needs a strict order should',
    "publish the next event of a sequence only after the previous one's effect is visible, or carry a",
    "sequence number in `data` for the receiver to check. Local mode's `PutEvents` endpoint takes its",
    'entries in order and routes them as they come, concurrently, so it gives the same (near-)order.',
    'Retries, recoveries and test events sent through the API go on the ordinary queue: they are',
    're-sends of past events, outside the order. Changing `ordering` applies to events routed after the',
    'change; deliveries already queued finish on their queue.',
    '',
    'Costs and limits: SQS FIFO requests cost $0.50 per million against $0.40 for standard queues',
    "(us-east-1), so about 25% more per delivery on the queue's part, plus a read unit per retried or",
    "held receive. Throughput per webhook is one delivery at a time: about one over (the endpoint's",
    "response time plus a log write) when a batch carries several of the webhook's messages, which SQS",
    'FIFO does; measured in local mode, where fauxqs gives out one message per group per receive, 12.6',
    'deliveries a second to a fast receiver on a loaded machine. While an endpoint is down, a fifo',
    'webhook advances one event per full retry schedule (about 27 h by default) until it is disabled',
    '(`herald.autoDisableAfterSeconds`); recovery then re-sends the failed deliveries, unordered. Bad',
    'values are a 422 pointing at `/data/attributes/ordering`.',
    '',
    '### Read-your-writes',
    '',
    'Once a PATCH, a status change, a rotation or a delete has answered, every delivery attempted after',
    'it uses the new webhook (URL, secrets, auth, status), retries queued before it included. The',
    'delivery function reads each webhook once per SQS batch, strongly consistent, and keeps none',
    'between batches (cost: [cost.md](cost.md#read-your-writes)).',
    '',
    '## Errors',
    '',
    'Errors are JSON:API error objects that point at the problem:',
    '',
    '```json',
    '{',
    '  "errors": [',
    '    {',
    '      "status": "422",',
    '      "code": "unknown_event_type",',
    '      "title": "Invalid attribute",',
    '      "detail": "order_created is not a known event type; see GET /webhook-event-types.",',
    '      "source": { "pointer": "/data/attributes/event_types/1" }',
    '    }',
    '  ]',
    '}',
    '```',
    '',
    ...errorsTable(doc),
    '',
    'Deployed, a tenant without its key in the usage plan answers 403 `tenant_not_provisioned`. 429',
    '(`throttled`, `rate_limited`) carries `Retry-After`. No client input produces a 5xx.',
    '',
    '## Publishing an event',
    '',
    'The platform publishes with `PutEvents`: `DetailType` is the event type, `Source` the configured',
    'source, `Detail` `{ "tenant", "environment", "data", "id"? }`. From a shell: `npx herald publish',
    'use_case_review_status_updated --tenant demo --environment production --data @data.json`. From',
    "code, point the SDK at local mode's `PutEvents` endpoint:",
    '',
    '```ts',
    "import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';",
    '',
    'const events = new EventBridgeClient({',
    "  endpoint: 'http://127.0.0.1:4010', // omit when deployed",
    "  region: 'us-east-1',",
    "  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },",
    '});',
    'await events.send(',
    '  new PutEventsCommand({',
    '    Entries: [',
    '      {',
    "        EventBusName: 'herald',",
    "        Source: 'CredoAI',",
    "        DetailType: 'use_case_review_status_updated',",
    '        Detail: JSON.stringify({',
    "          tenant: 'demo',",
    "          environment: 'production',",
    "          id: 'evt_123',",
    '          data: {',
    "            reviewId: 'pu7BDgxfVnK4RTQyb88uL',",
    "            status: 'in_progress',",
    "            useCaseId: 'ZiSPid3wLeXWTe4VTRjbq9',",
    "            user: { email: 'steven@credo.ai', userId: 'FSZqZLT8eFUUp53uTM6Ref' },",
    '          },',
    '        }),',
    '      },',
    '    ],',
    '  }),',
    ');',
    '```',
    '',
    'Local mode checks each entry as EventBridge does (bus name, source, detail type, JSON detail) and',
    "applies the stack's rule pattern (the configured source and the catalog's event types); a",
    "matching event goes to the router, which checks `data` against its event type's schema (extra",
    'fields allowed, wrong types refused: such an event is kept on the rejected-events queue, not',
    'delivered), finds the subscribed webhooks with one DynamoDB query and queues one delivery per',
    "webhook. `id` is the platform's event id: a platform retry with the same `id` and the same `Time`",
    'gives receivers the same `webhook-id`. The delivery id carries the event time, so a retry should',
    "set the entry's `Time` to when the event happened; without it EventBridge stamps the retry's own",
    'second, and receivers see a new `webhook-id`.',
    '',
    '## Operational events',
    '',
    'Herald reports what happens to endpoints as events of its own, in the catalog (group',
    "`operational`) beside the platform's, with a schema and an example each:",
    '',
    '| type | when |',
    '| --- | --- |',
    '| `webhook.disabled` | a webhook was disabled: `trigger` `manual` (PATCH `status: disabled`, with its `disabled_reason`) or `automatic` (its endpoint answered 410 Gone, or failed every attempt for `herald.autoDisableAfterSeconds`) |',
    '| `webhook.enabled` | a disabled webhook was enabled again (PATCH `status: enabled`); its failure streak starts over |',
    `| \`webhook.failing\` | the ${failingThreshold}th failed attempt in a row, once per streak: one or two failures are routine (a deploy, a 429), the ${failingThreshold}th in a row is a pattern (for one event, about 35 minutes of the default retries). A count, not a duration, because the store's atomic counter lets exactly one attempt see it reached |`,
    '| `webhook.recovered` | the first successful attempt after `webhook.failing` (only a streak that reached it), once |',
    '| `delivery.exhausted` | a delivery ran out of attempts and was dead-lettered (`POST /webhooks/{id}/recover` sends it again) |',
    '',
    'Each `data` names the tenant, the webhook it is about (`id`, `url`, `description`, never a',
    'secret), `trigger`, `reason`, the last attempt (`time`, `status_code`, `error`) and the counts',
    '(`consecutive_failures`, `failing_since`, and `attempts` for `delivery.exhausted`, which also names',
    'the `delivery`). Nothing is emitted while deliveries succeed.',
    '',
    'A tenant subscribes a webhook to them like any event type (`event_types: ["webhook.failing"]`),',
    'and it receives them like every other delivery, signed, with `source` `herald`. Two rules keep them from',
    'looping: an operational event is never delivered to the webhook it is about, and a delivery *of*',
    'an operational event that fails reports no `webhook.failing` or `delivery.exhausted` of its own',
    "(else two failing webhooks subscribed to each other's events would report each other's",
    "exhausted deliveries forever). Its failures still count toward its webhook's streak, and the",
    'webhook is still disabled and reported disabled in the end: that happens once.',
    '',
    "The platform receives the same events on Herald's bus (`herald.busName`), published with",
    '`PutEvents`: `Source` `herald`, `DetailType` the type, `Detail`',
    '`{ "tenant", "environment" (the webhook\'s), "id", "data" }`, the platform events\' shape. `id` is',
    "derived from what happened (the webhook and the streak's start, or the delivery), so a repeated",
    "publish is recognisable. A rule for them, say to a queue of the platform's:",
    '',
    '```json',
    '{ "source": ["herald"], "detail-type": ["webhook.disabled", "webhook.failing", "delivery.exhausted"],',
    '  "detail": { "tenant": ["acme"] } }',
    '```',
    '',
    "Herald's own rule matches the platform's source with the platform's types, or `herald` with the",
    'operational types, and sends both to the router. Publishing never fails or holds up the API call',
    'or delivery it reports on: it waits at most about 3 s, tries once, and a failure is logged',
    '(types, ids and tenants only) and counted as the metric `OperationalEventFailed`. In local mode',
    "the functions publish to local mode's `PutEvents` endpoint, which routes them the same way.",
    '',
    '## Deliveries',
    '',
    "Each subscribed webhook receives a POST with `Content-Type: application/json` and the seed's",
    'envelope, made a CloudEvents 1.0 structured event:',
    '',
    '```json',
    '{"data":{"reviewId":"pu7BDgxfVnK4RTQyb88uL","status":"in_progress","useCaseId":"ZiSPid3wLeXWTe4VTRjbq9","user":{"email":"steven@credo.ai","userId":"FSZqZLT8eFUUp53uTM6Ref"}},',
    ' "type":"CredoAI.use_case_review_status_updated.v1","time":"2026-11-24T10:00:00Z","source":"CredoAI",',
    ' "subject":"use_case_review_status_updated","id":"evt_123","specversion":"1.0","datacontenttype":"application/json"}',
    '```',
    '',
    'signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`; verify with',
    "the `standardwebhooks` or `svix` libraries and the webhook's `whsec_` secret), with the same three",
    'values as `svix-*` headers. A webhook with `o_auth` gets `Authorization: Bearer <token>`: Herald',
    'posts `authentication_payload` to `authentication_server` as `authentication_payload_type`,',
    'caches the token until shortly before `expires_in`, and refreshes once on a 401. Any 2xx is',
    'success; anything else, a timeout (15 s) or a network error is retried with jitter on the retry',
    'schedule (`Retry-After` honoured within limits), and a delivery out of attempts goes to the',
    'dead-letter queue. Redirects are not followed. Deployed, a URL that resolves to a private,',
    'loopback, link-local or metadata address is refused at connect time too.',
    '',
    "Every delivery is in the webhook's delivery log (`GET /webhooks/{id}/deliveries`, kept",
    '`herald.attemptRetentionDays`) with each attempt. While a rotated secret is in its grace period,',
    '`webhook-signature` carries two signatures (`v1,<new> v1,<old>`): receivers holding either secret',
    'verify. Endpoint health: every failed attempt counts against the endpoint, a success ends the',
    'streak. A webhook that has failed every attempt for `herald.autoDisableAfterSeconds` (5 days) is',
    'disabled, and one answered `410 Gone` at once, with `disabled_reason` and `disabled_at` saying why',
    'and when; its deliveries, and those of events published while it is disabled, are kept as `failed`',
    '(never dropped). After `PATCH status: enabled`, `POST /recover` sends them. Retry and recovery keep',
    'the `webhook-id`, so receivers that dedupe see one delivery, attempted again; a delivery already on',
    'the queue is never queued twice.',
    '',
    'How to receive and verify them: [receiving.md](receiving.md).',
    '',
  ].join('\n');
}
