import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  APIGatewayClient,
  ConflictException,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  GetApiKeysCommand,
  GetUsagePlanKeyCommand,
  NotFoundException,
} from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbApiKeyStore } from '../functions/adapters/aws/dynamodb-api-key-store';
import { newApiKey, tenantPattern } from '../functions/domain/api-key';
import { tenantUsageKey } from '../functions/shared/authorizer-policy';
import { localAwsConfig } from '../local/emulators';

/**
 * `npm run keys -- <create|provision|revoke|list> ...`: tenant API keys, against local mode
 * (default) or a deployed stack. A new key is printed once; only its hash is stored. Against a
 * stack, a tenant also needs its key in the stack's usage plan, which throttles each tenant
 * (`create` and `provision` add it).
 */
const usage = `Usage:
  npm run keys -- create <tenant> [--label <text>] [target]
  npm run keys -- provision <tenant> --stack <name>
  npm run keys -- revoke <tenant> <keyId> [target]
  npm run keys -- list <tenant> [target]

  provision   adds an existing tenant to the stack's usage plan (create does it with --stack);
              a tenant without it is refused (403) by a deployment. Safe to repeat.

Target (default: the running local mode, from .herald/local.json):
  --stack <name>     a deployed stack: the table from its TableName output (AWS credentials from the environment)
  --table <name>     a table by name (AWS credentials and region from the environment)
  --endpoint <url>   with --table: a DynamoDB endpoint (e.g. DynamoDB Local)`;

class UsageError extends Error {}

interface Args {
  command: string;
  positional: string[];
  flags: Record<string, string>;
}

function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg.startsWith('--')) {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value.`);
      flags[arg.slice(2)] = value;
      i++;
    } else {
      positional.push(arg);
    }
  }
  const [command = '', ...rest] = positional;
  return { command, positional: rest, flags };
}

/** Reads one output of a deployed stack. */
async function stackOutput(stackName: string, name: string): Promise<string> {
  const cfn = new CloudFormationClient({});
  const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  const output = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === name)?.OutputValue;
  if (!output) throw new UsageError(`Stack ${stackName} has no ${name} output.`);
  return output;
}

async function openStore(flags: Record<string, string>): Promise<DynamoDbApiKeyStore> {
  if (flags.stack || flags.table) {
    const tableName = flags.table ?? (await stackOutput(flags.stack as string, 'TableName'));
    const client = new DynamoDBClient(flags.endpoint ? { ...localAwsConfig, endpoint: flags.endpoint } : {});
    return new DynamoDbApiKeyStore(DynamoDBDocumentClient.from(client), tableName);
  }
  const statePath = resolve(process.env.HERALD_DATA_DIR ?? '.herald', 'local.json');
  if (!existsSync(statePath)) {
    throw new UsageError(
      'Local mode is not running (no .herald/local.json): run `npm start`, or pass --stack or --table.',
    );
  }
  const state = JSON.parse(readFileSync(statePath, 'utf8')) as {
    dynamoDbEndpoint: string;
    tableName: string;
  };
  const client = new DynamoDBClient({ ...localAwsConfig, endpoint: state.dynamoDbEndpoint, maxAttempts: 1 });
  return new DynamoDbApiKeyStore(DynamoDBDocumentClient.from(client), state.tableName);
}

/** What provisioning found or did in API Gateway. */
export interface UsageKeyProvisioning {
  apiKeyId: string;
  created: boolean;
  attached: boolean;
  enabled: boolean;
}

/** The API Gateway key whose value is `value` (looking among the keys named `nameQuery`, or all). */
async function findUsageKey(
  client: APIGatewayClient,
  value: string,
  nameQuery?: string,
): Promise<{ id: string; enabled: boolean } | undefined> {
  let position: string | undefined;
  do {
    const page = await client.send(
      new GetApiKeysCommand({ nameQuery, includeValues: true, limit: 500, position }),
    );
    const found = page.items?.find((k) => k.value === value && k.id);
    if (found?.id) return { id: found.id, enabled: found.enabled !== false };
    position = page.position;
  } while (position);
  return undefined;
}

/**
 * Gives a tenant its key in the stack's usage plan, so that API Gateway throttles it on its own:
 * an API Gateway API key whose value is the usage identifier the authorizer returns for the tenant
 * ({@link tenantUsageKey}), attached to the plan. Idempotent: an existing key (by value) is reused
 * and an existing attachment kept. A disabled key is left disabled: an operator may have disabled
 * it to stop the tenant.
 */
export async function provisionUsageKey(
  client: APIGatewayClient,
  target: { restApiId: string; usagePlanId: string },
  tenant: string,
): Promise<UsageKeyProvisioning> {
  const value = tenantUsageKey(target.restApiId, tenant);
  const name = `herald-${target.restApiId}-${tenant}`;
  let key = await findUsageKey(client, value, name);
  let created = false;
  if (!key) {
    try {
      const made = await client.send(
        new CreateApiKeyCommand({
          name,
          value,
          enabled: true,
          description: `Herald tenant ${tenant}: its API throttle. The value identifies the tenant to the usage plan; it is no credential.`,
        }),
      );
      if (!made.id) throw new Error(`API Gateway made no id for the key of tenant ${tenant}.`);
      key = { id: made.id, enabled: made.enabled !== false };
      created = true;
    } catch (error) {
      // Values are unique: the key exists under another name (renamed by hand).
      if (!(error instanceof ConflictException)) throw error;
      key = await findUsageKey(client, value);
      if (!key) throw error;
    }
  }
  let attached = false;
  try {
    await client.send(new GetUsagePlanKeyCommand({ usagePlanId: target.usagePlanId, keyId: key.id }));
  } catch (error) {
    if (!(error instanceof NotFoundException)) throw error;
    try {
      await client.send(
        new CreateUsagePlanKeyCommand({ usagePlanId: target.usagePlanId, keyId: key.id, keyType: 'API_KEY' }),
      );
      attached = true;
    } catch (conflict) {
      // Attached meanwhile by another run.
      if (!(conflict instanceof ConflictException)) throw conflict;
    }
  }
  return { apiKeyId: key.id, created, attached, enabled: key.enabled };
}

async function provisionFromStack(stackName: string, tenant: string, out: (line: string) => void) {
  const restApiId = await stackOutput(stackName, 'RestApiId');
  const usagePlanId = await stackOutput(stackName, 'TenantUsagePlanId');
  const result = await provisionUsageKey(new APIGatewayClient({}), { restApiId, usagePlanId }, tenant);
  out(
    `Tenant ${tenant}: API Gateway key ${result.apiKeyId} (${result.created ? 'new' : 'already there'}) ` +
      `in usage plan ${usagePlanId} (${result.attached ? 'added' : 'already in it'}).`,
  );
  if (!result.enabled) {
    out(`The key ${result.apiKeyId} is disabled: the tenant's requests answer 403 until it is enabled.`);
  }
}

function requireTenant(tenant: string | undefined): string {
  if (!tenant || !tenantPattern.test(tenant)) {
    throw new UsageError('Give a tenant: lowercase letters, digits, - and _, up to 63 characters.');
  }
  return tenant;
}

export async function runKeys(argv: string[], out: (line: string) => void = console.log): Promise<void> {
  const { command, positional, flags } = parseArgs(argv);
  switch (command) {
    case 'create': {
      const tenant = requireTenant(positional[0]);
      const store = await openStore(flags);
      const { key, record } = newApiKey(tenant, new Date(), flags.label ?? null);
      await store.create(record);
      out(`Created key ${record.keyId} for tenant ${tenant}. It is shown only now:\n\n  ${key}\n`);
      if (flags.stack) await provisionFromStack(flags.stack, tenant, out);
      else if (flags.table && !flags.endpoint) {
        out(
          `A deployment also needs the tenant in its usage plan: npm run keys -- provision ${tenant} --stack <name>`,
        );
      }
      return;
    }
    case 'provision': {
      const tenant = requireTenant(positional[0]);
      if (!flags.stack) {
        throw new UsageError(
          'provision needs --stack <name>: the usage plan and API are read from its outputs (local mode needs none).',
        );
      }
      await provisionFromStack(flags.stack, tenant, out);
      return;
    }
    case 'revoke': {
      const tenant = requireTenant(positional[0]);
      const keyId = positional[1];
      if (!keyId) throw new UsageError('Give the key id to revoke (see `list`).');
      const store = await openStore(flags);
      if (!(await store.revoke(tenant, keyId, new Date())))
        throw new UsageError(`Tenant ${tenant} has no key ${keyId}.`);
      out(`Revoked key ${keyId} of tenant ${tenant}.`);
      return;
    }
    case 'list': {
      const tenant = requireTenant(positional[0]);
      const store = await openStore(flags);
      const records = await store.list(tenant);
      if (records.length === 0) out(`Tenant ${tenant} has no keys.`);
      for (const r of records) {
        out(
          `${r.keyId}  created ${r.createdAt}  ${r.revokedAt ? `revoked ${r.revokedAt}` : 'active'}${r.label ? `  ${r.label}` : ''}`,
        );
      }
      return;
    }
    default:
      throw new UsageError(command ? `Unknown command ${command}.` : 'Give a command.');
  }
}

if (require.main === module) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  runKeys(process.argv.slice(2)).catch((error: unknown) => {
    if (error instanceof UsageError) console.error(`${error.message}\n\n${usage}`);
    else console.error(`keys failed: ${(error as Error).message}`);
    process.exit(1);
  });
}
