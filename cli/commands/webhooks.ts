import { Command, Option } from 'commander';
import { z } from 'zod';
import type {
  WebhookAttributes,
  WebhookCreateAttributes,
  WebhookListQuery,
  WebhookResource,
  WebhookUpdateAttributes,
} from '../../clients/typescript/src';
import { apiAction, forwarded, nextCursor } from '../api';
import type { Context } from '../context';
import { readJsonObject } from '../input';
import { fields, json, type Output, table, UsageError } from '../output';
import { collectList, pageOptions, pageQuery, positiveInteger, wantsAll } from './paging';

/**
 * `herald webhooks`: every webhook operation of the API, on the TypeScript client. Tables for people,
 * the API's documents with `--json`.
 */

/** The seed's field table (docs/api.md), a flag each; `--file` gives a body (or its attributes) instead. */
const textAttributes = [
  { name: 'description', key: 'description', flag: '--description <text>', help: 'what the webhook is for' },
  { name: 'url', key: 'url', flag: '--url <url>', help: 'the endpoint deliveries are POSTed to' },
  {
    name: 'event_type_prefix',
    key: 'eventTypePrefix',
    flag: '--event-type-prefix <prefix>',
    help: 'put before the event type in the delivered type',
  },
  {
    name: 'event_type_suffix',
    key: 'eventTypeSuffix',
    flag: '--event-type-suffix <suffix>',
    help: 'put after the event type in the delivered type',
  },
  {
    name: 'environment',
    key: 'environment',
    flag: '--environment <environment>',
    help: "only this environment's events (default: every one)",
  },
  {
    name: 'authentication_server',
    key: 'authenticationServer',
    flag: '--authentication-server <url>',
    help: 'with o_auth: the token endpoint',
  },
  {
    name: 'bucket',
    key: 'bucket',
    flag: '--bucket <bucket>',
    help: "a grouping the platform's client sends",
  },
] as const;

/** The flags' values, as commander parses them. */
const attributeOptionsSchema = z.object({
  description: z.string().optional(),
  url: z.string().optional(),
  eventTypes: z.array(z.string()).optional(),
  eventTypePrefix: z.string().optional(),
  eventTypeSuffix: z.string().optional(),
  environment: z.string().optional(),
  authenticationMethod: z.string().optional(),
  authenticationPayload: z.string().optional(),
  authenticationPayloadType: z.string().optional(),
  authenticationServer: z.string().optional(),
  bucket: z.string().optional(),
  filter: z.string().optional(),
  rateLimit: z.string().optional(),
  ordering: z.string().optional(),
  file: z.string().optional(),
});

function withAttributeFlags(command: Command): Command {
  for (const a of textAttributes) command.option(a.flag, a.help);
  return command
    .option(
      '--event-types <types>',
      'the event types it receives, comma-separated (or the flag repeated)',
      collectList,
    )
    .addOption(
      new Option('--authentication-method <method>', 'how deliveries authenticate').choices([
        'none',
        'o_auth',
      ]),
    )
    .option('--authentication-payload <json>', 'with o_auth: what is posted for a token, JSON or @file.json')
    .option(
      '--filter <json>',
      'deliver only events matching this pattern (EventBridge syntax on type, environment, data), JSON or @file.json; null removes it',
    )
    .option(
      '--rate-limit <n>',
      'at most n deliveries a second to this webhook (1 to 1000), across all delivery workers; null removes it',
    )
    .addOption(
      new Option(
        '--ordering <ordering>',
        'fifo: deliveries one at a time in the order queued, a failing one holding those behind it; none: no order kept',
      ).choices(['none', 'fifo']),
    )
    .addOption(
      new Option('--authentication-payload-type <type>', 'with o_auth: how the payload is encoded').choices([
        'application/json',
        'application/x-www-form-urlencoded',
      ]),
    )
    .option(
      '--file <body.json>',
      'the request body (as in docs/api.md) or its attributes; flags override it',
    );
}

/**
 * The attributes to send: `--file`'s (a JSON:API body's `data.attributes`, or the attributes
 * themselves), then each flag given over them.
 */
export function attributesFrom(options: unknown, cwd: string): Record<string, unknown> {
  const o = attributeOptionsSchema.parse(options);
  let attributes: Record<string, unknown> = {};
  if (o.file !== undefined) {
    const body = readJsonObject(`@${o.file}`, cwd, '--file');
    const inBody = z.object({ data: z.object({ attributes: z.record(z.unknown()) }) }).safeParse(body);
    attributes = inBody.success ? inBody.data.data.attributes : body;
  }
  for (const a of textAttributes) {
    const value = o[a.key];
    if (value !== undefined) attributes[a.name] = value;
  }
  if (o.eventTypes !== undefined) attributes.event_types = o.eventTypes;
  if (o.authenticationMethod !== undefined) attributes.authentication_method = o.authenticationMethod;
  if (o.authenticationPayloadType !== undefined)
    attributes.authentication_payload_type = o.authenticationPayloadType;
  if (o.authenticationPayload !== undefined)
    attributes.authentication_payload = readJsonObject(
      o.authenticationPayload,
      cwd,
      '--authentication-payload',
    );
  if (o.filter !== undefined) attributes.filter = filterFrom(o.filter, cwd);
  if (o.rateLimit !== undefined) attributes.rate_limit = rateLimitFrom(o.rateLimit);
  if (o.ordering !== undefined) attributes.ordering = o.ordering;
  return attributes;
}

/**
 * `--rate-limit`: a number, or `null` for none. Anything else is sent as given, so the API's 422
 * (with its pointer) says what is wrong, as for every other attribute.
 */
function rateLimitFrom(value: string): number | string | null {
  const trimmed = value.trim();
  if (trimmed === 'null') return null;
  const n = Number(trimmed);
  return trimmed !== '' && Number.isFinite(n) ? n : value;
}

/** `--filter`: a JSON object (or @file), or `null` for none. */
function filterFrom(value: string, cwd: string): Record<string, unknown> | null {
  return value.trim() === 'null' ? null : readJsonObject(value, cwd, '--filter');
}

/** A webhook for people: what it is, where it sends, how it authenticates, and how it is doing. */
function showWebhook(output: Output, id: string, a: WebhookAttributes): string {
  const affixes = [a.event_type_prefix, a.event_type_suffix].some(Boolean)
    ? `${a.event_type_prefix ?? ''}.<event_type>.${a.event_type_suffix ?? ''}`.replace(/^\.|\.$/g, '')
    : '';
  const auth =
    a.authentication_method === 'o_auth'
      ? `o_auth via ${a.authentication_server} (${a.authentication_payload_type}; payload ${a.has_authentication_payload ? 'set' : 'missing'})`
      : 'none';
  const status =
    a.status === 'disabled'
      ? `disabled since ${a.disabled_at}${a.disabled_reason ? `: ${a.disabled_reason}` : ''}`
      : 'enabled';
  const health = a.health.consecutive_failures
    ? `${a.health.consecutive_failures} failures in a row since ${a.health.failing_since}; last: ${a.health.last_failure_reason}`
    : 'healthy';
  return fields(output, [
    ['id', id],
    ['description', a.description],
    ['url', a.url],
    ['event types', a.event_types],
    ['delivered type', affixes],
    ['environment', a.environment ?? 'every one'],
    ['authentication', auth],
    ['bucket', a.bucket],
    ['filter', a.filter ? JSON.stringify(a.filter) : 'none (every event)'],
    ['rate limit', a.rate_limit === null ? 'none' : `${a.rate_limit}/s`],
    ['ordering', a.ordering === 'fifo' ? 'fifo (one at a time, in order)' : 'none'],
    ['status', status],
    ['health', health],
    ['created', a.created_at],
    ['updated', a.updated_at],
  ]);
}

/** `--event`'s shape; what the filter says of it is the API's to answer. */
const filterTestEventSchema = z.object({
  type: z.string(),
  environment: z.string().nullable().optional(),
  data: z.record(z.unknown()),
});

const warningsSchema = z.object({
  meta: z
    .object({
      warnings: z.array(
        z.object({ code: z.string().optional(), detail: z.string().optional() }).passthrough(),
      ),
    })
    .optional(),
});

/** The API's `meta.warnings` (a deprecated event type, an ignored payload), on stderr. */
function sayWarnings(output: Output, document: unknown) {
  for (const w of warningsSchema.parse(document).meta?.warnings ?? [])
    output.err(`${output.errColor.yellow('Warning')} ${w.code ? `${w.code}: ` : ''}${w.detail ?? ''}`);
}

function webhookRows(webhooks: WebhookResource[]): unknown[][] {
  return webhooks.map((w) => [
    w.id,
    w.attributes.description,
    w.attributes.url,
    w.attributes.event_types,
    w.attributes.environment ?? '*',
    w.attributes.status,
  ]);
}
const webhookHead = ['ID', 'DESCRIPTION', 'URL', 'EVENT TYPES', 'ENVIRONMENT', 'STATUS'];

export function webhooksCommand(context: Context): Command {
  const { output } = context;
  const out = (text: string) => output.out(text);
  const webhooks = new Command('webhooks')
    .description('manage webhooks: list, create, update, test, secrets')
    .addHelpText(
      'after',
      `
Examples:
  herald webhooks create --description "Test webhook" --url http://127.0.0.1:4000/hook \\
    --event-types use_case_review_status_updated --event-type-prefix CredoAI --event-type-suffix v1 \\
    --environment production
  herald webhooks create --file body.json          # the seed's request body, as in docs/api.md
  herald webhooks list --all --json | jq -r '.data[].id'
  herald webhooks test wh_... --event-type use_case_review_status_updated
  herald webhooks update wh_... --filter '{"data": {"status": ["approved"]}}'
  herald webhooks update wh_... --rate-limit 5             # null removes the limit
  herald webhooks update wh_... --ordering fifo            # in order, one at a time
  herald webhooks filter-test --filter '{"data": {"status": ["approved"]}}' \\
    --event '{"type": "use_case_review_status_updated", "data": {"status": "approved"}}'`,
    );

  webhooks.addCommand(
    pageOptions(new Command('list'))
      .description("list the tenant's webhooks, in creation order")
      .action(
        apiAction.none(context, async ({ client, json: asJson }, command) => {
          const query = forwarded<WebhookListQuery>().parse(pageQuery(command));
          if (wantsAll(command)) {
            const all: WebhookResource[] = [];
            for await (const webhook of client.webhooks.listAll(query)) all.push(webhook);
            out(asJson ? json({ data: all }) : table(output, webhookHead, webhookRows(all)));
            return;
          }
          const page = await client.webhooks.list(query);
          if (asJson) return out(json(page));
          out(page.data.length ? table(output, webhookHead, webhookRows(page.data)) : 'No webhooks.');
          const cursor = nextCursor(page.links.next);
          if (cursor) out(output.color.dim(`More: --after ${cursor} (or --all)`));
        }),
      ),
  );

  webhooks.addCommand(
    new Command('get')
      .description('show a webhook')
      .argument('<id>', 'the webhook id (wh_...)')
      .action(
        apiAction.one(context, async ({ client, json: asJson }, _command, id) => {
          const document = await client.webhooks.get(id);
          out(asJson ? json(document) : showWebhook(output, document.data.id, document.data.attributes));
        }),
      ),
  );

  webhooks.addCommand(
    withAttributeFlags(new Command('create'))
      .description('create a webhook (authentication method none unless given)')
      .option('--idempotency-key <key>', 'repeat a create safely: the same key and body make one webhook')
      .action(
        apiAction.none(context, async ({ client, json: asJson }, command) => {
          const given = attributesFrom(command.opts(), context.cwd);
          // The seed's table requires a method; none is what a webhook without OAuth has.
          given.authentication_method ??= 'none';
          const attributes = forwarded<WebhookCreateAttributes>().parse(given);
          const key = z
            .object({ idempotencyKey: z.string().optional() })
            .parse(command.opts()).idempotencyKey;
          const document = await client.webhooks.create(attributes, key ? { idempotencyKey: key } : {});
          sayWarnings(output, document);
          if (asJson) return out(json(document));
          out(showWebhook(output, document.data.id, document.data.attributes));
          out(`\nSigning secret  ${document.data.attributes.signing_secret}`);
          out(output.color.dim(`(herald webhooks secret ${document.data.id} shows it again)`));
        }),
      ),
  );

  webhooks.addCommand(
    withAttributeFlags(new Command('update'))
      .description('change the attributes given (PATCH); the others stay')
      .argument('<id>', 'the webhook id')
      .action(
        apiAction.one(context, async ({ client, json: asJson }, command, id) => {
          const given = attributesFrom(command.opts(), context.cwd);
          if (Object.keys(given).length === 0)
            throw new UsageError('Give an attribute to change (see --help).');
          const document = await client.webhooks.update(
            id,
            forwarded<WebhookUpdateAttributes>().parse(given),
          );
          sayWarnings(output, document);
          out(asJson ? json(document) : showWebhook(output, document.data.id, document.data.attributes));
        }),
      ),
  );

  webhooks.addCommand(
    new Command('delete')
      .description('delete a webhook (its deliveries stop)')
      .argument('<id>', 'the webhook id')
      .action(
        apiAction.one(context, async ({ client, json: asJson }, _command, id) => {
          await client.webhooks.delete(id);
          // The API answers 204 with no body: --json prints nothing, the exit code says it.
          if (!asJson) out(`Deleted ${id}.`);
        }),
      ),
  );

  webhooks.addCommand(
    new Command('enable')
      .description('enable a webhook (then `herald deliveries recover` sends what failed meanwhile)')
      .argument('<id>', 'the webhook id')
      .action(
        apiAction.one(context, async ({ client, json: asJson }, _command, id) => {
          const document = await client.webhooks.enable(id);
          out(asJson ? json(document) : `Enabled ${id}.`);
        }),
      ),
  );

  webhooks.addCommand(
    new Command('disable')
      .description('disable a webhook: its deliveries are kept as failed, for recovery')
      .argument('<id>', 'the webhook id')
      .option('--reason <text>', 'why, shown as disabled_reason')
      .action(
        apiAction.one(context, async ({ client, json: asJson }, command, id) => {
          const reason = z.object({ reason: z.string().optional() }).parse(command.opts()).reason;
          const document = await client.webhooks.disable(id, reason);
          out(asJson ? json(document) : `Disabled ${id}${reason ? `: ${reason}` : ''}.`);
        }),
      ),
  );

  webhooks.addCommand(
    new Command('test')
      .description("send the catalog's example event to a webhook, now")
      .argument('<id>', 'the webhook id')
      .option('--event-type <type>', "the event type (default: the webhook's first)")
      .action(
        apiAction.one(context, async ({ client, json: asJson }, command, id) => {
          const eventType = z.object({ eventType: z.string().optional() }).parse(command.opts()).eventType;
          const document = await client.webhooks.test(id, eventType);
          if (asJson) return out(json(document));
          const d = document.data;
          out(
            `Queued a test ${d.attributes.event_type} to ${id}: delivery ${output.color.bold(d.id)} (the receiver's webhook-id).`,
          );
          out(output.color.dim(`See it: herald deliveries get ${id} ${d.id}`));
        }),
      ),
  );

  webhooks.addCommand(
    new Command('filter-test')
      .description('try a payload filter on an event: would a webhook with it receive the event?')
      .requiredOption('--filter <json>', 'the filter, JSON or @file.json (null: none)')
      .requiredOption('--event <json>', 'the event, JSON or @file.json: {"type", "environment", "data"}')
      .action(
        apiAction.none(context, async ({ client, json: asJson }, command) => {
          const o = z.object({ filter: z.string(), event: z.string() }).parse(command.opts());
          const filter = filterFrom(o.filter, context.cwd);
          const event = filterTestEventSchema.safeParse(readJsonObject(o.event, context.cwd, '--event'));
          if (!event.success)
            throw new UsageError(
              '--event must be {"type": "...", "environment": "..." (optional), "data": {...}}.',
            );
          const document = await client.webhooks.filterTest(filter, event.data);
          if (asJson) return out(json(document));
          out(
            document.data.attributes.matches
              ? `${output.color.green('Matches')}: a webhook with this filter receives the event.`
              : `${output.color.yellow('No match')}: a webhook with this filter does not receive the event.`,
          );
        }),
      ),
  );

  webhooks.addCommand(
    new Command('secret')
      .description("show a webhook's signing secret, and when rotated ones stop signing")
      .argument('<id>', 'the webhook id')
      .action(
        apiAction.one(context, async ({ client, json: asJson }, _command, id) => {
          const document = await client.webhooks.secret(id);
          if (asJson) return out(json(document));
          const a = document.data.attributes;
          out(
            fields(output, [
              ['signing secret', a.key],
              ...a.previous_keys.map((k, i): [string, unknown] => [
                `previous ${i + 1}`,
                `signs until ${k.expires_at}`,
              ]),
            ]),
          );
        }),
      ),
  );

  webhooks.addCommand(
    new Command('rotate-secret')
      .description('make a new signing secret; the old one keeps signing for the grace period')
      .argument('<id>', 'the webhook id')
      .option(
        '--grace-period <seconds>',
        'how long the old secret keeps signing (0: stop it at once, for a leaked secret)',
        positiveInteger('--grace-period', 0),
      )
      .action(
        apiAction.one(context, async ({ client, json: asJson }, command, id) => {
          const grace = z.object({ gracePeriod: z.number().optional() }).parse(command.opts()).gracePeriod;
          const document = await client.webhooks.rotateSecret(
            id,
            grace === undefined ? {} : { gracePeriodSeconds: grace },
          );
          if (asJson) return out(json(document));
          const a = document.data.attributes;
          out(
            fields(output, [
              ['signing secret', a.key],
              ['old one signs until', a.previous_key_expires_at],
            ]),
          );
        }),
      ),
  );
  return webhooks;
}
