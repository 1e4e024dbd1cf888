import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { DynamoDbApiKeyStore } from '../functions/adapters/aws/dynamodb-api-key-store';
import { type ApiKeyRecord, newApiKey } from '../functions/domain/api-key';
import { localAwsConfig } from '../local/aws-config';
import { lazy } from './lazy';
import { RefusedError, UsageError } from './output';
import type { Provisioned } from './stack';

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

/** What local mode writes for tools to find it (local/herald.ts). */
const localStateSchema = z.object({ dynamoDbEndpoint: z.string().url(), tableName: z.string().min(1) });

async function openStore(target: KeyTarget): Promise<DynamoDbApiKeyStore> {
  if (target.stack || target.table) {
    const tableName = target.table ?? (await lazy.stack().stackOutput(target.stack ?? '', 'TableName'));
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
  const provisioned = target.stack ? await lazy.stack().provisionTenant(target.stack, tenant) : undefined;
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
