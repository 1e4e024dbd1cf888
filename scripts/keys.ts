import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbApiKeyStore } from '../functions/adapters/aws/dynamodb-api-key-store';
import { newApiKey, tenantPattern } from '../functions/domain/api-key';
import { localAwsConfig } from '../local/emulators';

/**
 * `npm run keys -- <create|revoke|list> ...`: tenant API keys, against local mode (default) or a
 * deployed stack. A new key is printed once; only its hash is stored.
 */
const usage = `Usage:
  npm run keys -- create <tenant> [--label <text>] [target]
  npm run keys -- revoke <tenant> <keyId> [target]
  npm run keys -- list <tenant> [target]

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

async function tableFromStack(stackName: string): Promise<string> {
  const cfn = new CloudFormationClient({});
  const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  const output = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'TableName')?.OutputValue;
  if (!output) throw new UsageError(`Stack ${stackName} has no TableName output.`);
  return output;
}

async function openStore(flags: Record<string, string>): Promise<DynamoDbApiKeyStore> {
  if (flags.stack || flags.table) {
    const tableName = flags.table ?? (await tableFromStack(flags.stack as string));
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
