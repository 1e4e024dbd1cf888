import { Command } from 'commander';
import { z } from 'zod';
import { type Context, dataDirOf, globalsOf, tenantOf } from '../context';
import { lazy } from '../lazy';
import { json, type Output, table, UsageError } from '../output';
import type { Provisioned } from '../stack';
import type { KeyTarget } from '../tenant-keys';

/**
 * `herald keys`: tenant API keys, made in Herald's table directly (an operator's job: there is no
 * API for it), in the running local mode by default or in a deployed stack's table.
 */

const targetSchema = z.object({
  stack: z.string().optional(),
  table: z.string().optional(),
  endpoint: z.string().optional(),
});

function targetOf(context: Context, command: Command): KeyTarget {
  const target = targetSchema.parse(command.opts());
  if (target.stack && target.table) throw new UsageError('Give --stack or --table, not both.');
  if (target.endpoint && !target.stack && !target.table)
    throw new UsageError('--endpoint goes with --table (or --stack): it names where that table is.');
  return { ...target, dataDir: dataDirOf(context) };
}

/** The tenant argument, else --tenant / HERALD_TENANT; checked either way. */
const tenantArg = (context: Context, command: Command, given: string | undefined): string =>
  tenantOf({ ...globalsOf(command), ...(given === undefined ? {} : { tenant: given }) }, context.env);

/** Adds the flags that choose the table. */
function withTarget(command: Command): Command {
  return command
    .option('--stack <name>', 'a deployed stack: its table, from its TableName output (AWS credentials)')
    .option('--table <name>', 'a table by name (AWS credentials and region from the environment)')
    .option('--endpoint <url>', 'with --table: a DynamoDB endpoint (e.g. DynamoDB Local)');
}

function sayProvisioned(output: Output, tenant: string, p: Provisioned) {
  output.out(
    `Tenant ${tenant}: API Gateway key ${p.apiKeyId} (${p.created ? 'new' : 'already there'}) ` +
      `in usage plan ${p.usagePlanId} (${p.attached ? 'added' : 'already in it'}).`,
  );
  if (!p.enabled)
    output.out(`The key ${p.apiKeyId} is disabled: the tenant's requests answer 403 until it is enabled.`);
}

const provisionedJson = (p: Provisioned) => ({
  api_key_id: p.apiKeyId,
  usage_plan_id: p.usagePlanId,
  created: p.created,
  attached: p.attached,
  enabled: p.enabled,
});

export function keysCommand(context: Context): Command {
  const { output } = context;
  const keys = new Command('keys')
    .description("tenant API keys: create, list, revoke (an operator's tool)")
    .addHelpText(
      'after',
      `
Works on the running local mode's table (found through .herald/local.json) unless given --stack or
--table. A new key is printed once; only its hash is kept. Against a stack, create also adds the
tenant to the stack's usage plan (its throttle); provision does that alone for an existing tenant.

Examples:
  herald keys create acme --label CI
  herald keys list acme
  herald keys revoke acme key_06h0...
  herald keys create acme --stack Herald`,
    );

  keys.addCommand(
    withTarget(new Command('create'))
      .description('make a new key for a tenant (printed only now)')
      .argument('[tenant]', 'the tenant (default: --tenant / HERALD_TENANT)')
      .option('--label <text>', 'what the key is for, shown by list')
      .action(async (given: string | undefined, _options: unknown, command: Command) => {
        const tenant = tenantArg(context, command, given);
        const target = targetOf(context, command);
        const label = z.object({ label: z.string().optional() }).parse(command.opts()).label;
        const created = await lazy.tenantKeys().createTenantKey(target, tenant, label);
        if (globalsOf(command).json) {
          output.out(
            json({
              tenant,
              key_id: created.record.keyId,
              key: created.key,
              created_at: created.record.createdAt,
              label: created.record.label,
              usage_plan: created.provisioned ? provisionedJson(created.provisioned) : null,
            }),
          );
          return;
        }
        output.out(
          `Created key ${created.record.keyId} for tenant ${tenant}. It is shown only now:\n\n  ${created.key}\n`,
        );
        if (created.provisioned) sayProvisioned(output, tenant, created.provisioned);
        else if (target.table && !target.endpoint)
          output.out(
            `A deployment also needs the tenant in its usage plan: herald keys provision ${tenant} --stack <name>`,
          );
      }),
  );

  keys.addCommand(
    withTarget(new Command('list'))
      .description("list a tenant's keys (ids, never the keys)")
      .argument('[tenant]', 'the tenant (default: --tenant / HERALD_TENANT)')
      .action(async (given: string | undefined, _options: unknown, command: Command) => {
        const tenant = tenantArg(context, command, given);
        const records = await lazy.tenantKeys().listTenantKeys(targetOf(context, command), tenant);
        if (globalsOf(command).json) {
          output.out(
            json(
              records.map((r) => ({
                key_id: r.keyId,
                created_at: r.createdAt,
                revoked_at: r.revokedAt,
                label: r.label,
              })),
            ),
          );
          return;
        }
        if (records.length === 0) {
          output.out(`Tenant ${tenant} has no keys.`);
          return;
        }
        output.out(
          table(
            output,
            ['KEY ID', 'CREATED', 'STATUS', 'LABEL'],
            records.map((r) => [
              r.keyId,
              r.createdAt,
              r.revokedAt ? `revoked ${r.revokedAt}` : 'active',
              r.label,
            ]),
          ),
        );
      }),
  );

  keys.addCommand(
    withTarget(new Command('revoke'))
      .description('revoke a key: it answers 401 from now on')
      .argument('<tenant_or_key_id>', 'the tenant then the key id, or only the key id (tenant from --tenant)')
      .argument('[key_id]', 'the key id (see list)')
      .action(async (first: string, second: string | undefined, _options: unknown, command: Command) => {
        const [given, keyId] = second === undefined ? [undefined, first] : [first, second];
        const tenant = tenantArg(context, command, given);
        await lazy.tenantKeys().revokeTenantKey(targetOf(context, command), tenant, keyId);
        if (globalsOf(command).json) output.out(json({ tenant, key_id: keyId, revoked: true }));
        else output.out(`Revoked key ${keyId} of tenant ${tenant}.`);
      }),
  );

  keys.addCommand(
    withTarget(new Command('provision'))
      .description("add an existing tenant to a stack's usage plan (needs --stack; safe to repeat)")
      .argument('[tenant]', 'the tenant (default: --tenant / HERALD_TENANT)')
      .action(async (given: string | undefined, _options: unknown, command: Command) => {
        const tenant = tenantArg(context, command, given);
        const target = targetOf(context, command);
        if (!target.stack)
          throw new UsageError(
            'provision needs --stack <name>: the usage plan and API are read from its outputs (local mode needs none).',
          );
        const provisioned = await lazy.stack().provisionTenant(target.stack, tenant);
        if (globalsOf(command).json) output.out(json({ tenant, ...provisionedJson(provisioned) }));
        else sayProvisioned(output, tenant, provisioned);
      }),
  );
  return keys;
}
