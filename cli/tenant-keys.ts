import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
import { z } from 'zod';
import { DynamoDbApiKeyStore } from '../functions/adapters/aws/dynamodb-api-key-store';
import { type ApiKeyRecord, newApiKey } from '../functions/domain/api-key';
import { tenantUsageKey } from '../functions/shared/authorizer-policy';
import { localAwsConfig } from '../local/aws-config';
import { RefusedError, UsageError } from './output';

/**
 * Tenant API keys (`herald keys`, `npm run keys`): made, listed and revoked in Herald's table, of
 * the running local mode or of a deployed stack. A new key is shown once; only its hash is stored.
 * Against a stack, a tenant also needs its key in the stack's usage plan, which throttles each
 * tenant (`create` and `provision` add it).
 */

/** Which table: the running local mode's (the default), a stack's, or one by name. */
export interface KeyTarget {
  /** A deployed stack: the table from its TableName output (AWS credentials from the environment). */
  stack?: string;
  /** A table by name (AWS credentials and region from the environment). */
  table?: string;
  /** With `table` (or `stack`): a DynamoDB endpoint, e.g. DynamoDB Local. */
  endpoint?: string;
  /** Local mode's data directory, for the default target. */
  dataDir: string;
}

/** Reads one output of a deployed stack. */
async function stackOutput(stackName: string, name: string): Promise<string> {
  const cfn = new CloudFormationClient({});
  const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  const output = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === name)?.OutputValue;
  if (!output) throw new UsageError(`Stack ${stackName} has no ${name} output.`);
  return output;
}

/** What local mode writes for tools to find it (local/herald.ts). */
const localStateSchema = z.object({ dynamoDbEndpoint: z.string().url(), tableName: z.string().min(1) });

async function openStore(target: KeyTarget): Promise<DynamoDbApiKeyStore> {
  if (target.stack || target.table) {
    const tableName = target.table ?? (await stackOutput(target.stack ?? '', 'TableName'));
    const client = new DynamoDBClient(
      target.endpoint ? { ...localAwsConfig, endpoint: target.endpoint } : {},
    );
    return new DynamoDbApiKeyStore(DynamoDBDocumentClient.from(client), tableName);
  }
  const statePath = join(target.dataDir, 'local.json');
  if (!existsSync(statePath)) {
    throw new UsageError(
      `Local mode is not running (no ${statePath}): run \`npm start\`, or pass --stack or --table.`,
    );
  }
  const state = localStateSchema.safeParse(JSON.parse(readFileSync(statePath, 'utf8')));
  if (!state.success) throw new UsageError(`${statePath} is not what local mode writes: start it again.`);
  const client = new DynamoDBClient({
    ...localAwsConfig,
    endpoint: state.data.dynamoDbEndpoint,
    maxAttempts: 1,
  });
  return new DynamoDbApiKeyStore(DynamoDBDocumentClient.from(client), state.data.tableName);
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

/** A tenant's place in a stack's usage plan, after provisioning. */
export interface Provisioned extends UsageKeyProvisioning {
  usagePlanId: string;
}

/** Provisions `tenant` in the usage plan of stack `stackName` (from its outputs). */
export async function provisionTenant(stackName: string, tenant: string): Promise<Provisioned> {
  const restApiId = await stackOutput(stackName, 'RestApiId');
  const usagePlanId = await stackOutput(stackName, 'TenantUsagePlanId');
  const result = await provisionUsageKey(new APIGatewayClient({}), { restApiId, usagePlanId }, tenant);
  return { ...result, usagePlanId };
}

/** A new key, shown only now, and, against a stack, the tenant's usage-plan key. */
export interface CreatedKey {
  key: string;
  record: ApiKeyRecord;
  provisioned?: Provisioned;
}

export async function createTenantKey(
  target: KeyTarget,
  tenant: string,
  label?: string,
): Promise<CreatedKey> {
  const store = await openStore(target);
  const { key, record } = newApiKey(tenant, new Date(), label ?? null);
  await store.create(record);
  const provisioned = target.stack ? await provisionTenant(target.stack, tenant) : undefined;
  return { key, record, provisioned };
}

export async function listTenantKeys(target: KeyTarget, tenant: string): Promise<ApiKeyRecord[]> {
  return (await openStore(target)).list(tenant);
}

/** Revokes key `keyId` of `tenant`; refuses (404) a key the tenant does not have. */
export async function revokeTenantKey(target: KeyTarget, tenant: string, keyId: string): Promise<void> {
  const store = await openStore(target);
  if (!(await store.revoke(tenant, keyId, new Date())))
    throw new RefusedError([
      { status: '404', code: 'not_found', detail: `Tenant ${tenant} has no key ${keyId}.` },
    ]);
}
