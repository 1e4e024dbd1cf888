import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { ApiKeyRecord } from '../../domain/api-key';
import type { ApiKeyStore } from '../../domain/ports';
import { conditionFailedAt } from './dynamodb-webhook-store';
import { matching, parseItem } from './stored-item';

/**
 * API keys on DynamoDB: one item by hash (what the authorizer reads) and one under the tenant
 * (for lists, revocation by id, and access tokens), written together.
 */
const keys = {
  byHash: (hash: string) => ({ pk: `APIKEY#${hash}`, sk: 'APIKEY' }),
  byTenant: (tenant: string, keyId: string) => ({ pk: `TENANT#${tenant}`, sk: `APIKEY#${keyId}` }),
  portalRevocation: (tenant: string) => ({ pk: `TENANT#${tenant}`, sk: 'PORTAL#REVOKED' }),
};

const portalRevocationSchema = z.object({ revokedAt: z.string().datetime() });

const apiKeyItemSchema = matching<ApiKeyRecord>()(
  z.object({
    keyId: z.string(),
    tenant: z.string(),
    hash: z.string(),
    createdAt: z.string(),
    // Absent rather than null in keys written before revocation and labels existed.
    revokedAt: z
      .string()
      .nullish()
      .transform((v) => v ?? null),
    label: z
      .string()
      .nullish()
      .transform((v) => v ?? null),
  }),
);

/**
 * The item's key as an error shows it: the hash item's key is the key's whole SHA-256, which only
 * its first characters name in a log line.
 */
function shownKey(item: Record<string, unknown>): string {
  const pk = String(item.pk);
  const shown = pk.startsWith('APIKEY#') ? `${pk.slice(0, 'APIKEY#'.length + 8)}…` : pk;
  return `pk=${shown} sk=${String(item.sk)}`;
}

function fromItem(item: Record<string, unknown>): ApiKeyRecord {
  return parseItem(apiKeyItemSchema, item, 'api-key', shownKey(item));
}

export class DynamoDbApiKeyStore implements ApiKeyStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(record: ApiKeyRecord): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: { ...keys.byHash(record.hash), kind: 'api-key', ...record },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: this.tableName,
              Item: { ...keys.byTenant(record.tenant, record.keyId), kind: 'api-key', ...record },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.byHash(hash) }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async findById(tenant: string, keyId: string): Promise<ApiKeyRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.byTenant(tenant, keyId) }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async list(tenant: string): Promise<ApiKeyRecord[]> {
    const records: ApiKeyRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': `TENANT#${tenant}`, ':prefix': 'APIKEY#' },
          ExclusiveStartKey: start,
        }),
      );
      records.push(...(page.Items ?? []).map(fromItem));
      start = page.LastEvaluatedKey;
    } while (start);
    return records;
  }

  async revoke(tenant: string, keyId: string, at: Date): Promise<boolean> {
    const record = await this.findById(tenant, keyId);
    if (!record) return false;
    if (record.revokedAt) return true;
    const update = (key: { pk: string; sk: string }) => ({
      Update: {
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'SET revokedAt = :at',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at.toISOString() },
      },
    });
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [update(keys.byHash(record.hash)), update(keys.byTenant(tenant, keyId))],
        }),
      );
    } catch (error) {
      if (conditionFailedAt(error, 0) || conditionFailedAt(error, 1)) return false;
      throw error;
    }
    return true;
  }

  async portalSessionsRevokedAt(tenant: string): Promise<Date | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.portalRevocation(tenant), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const item = parseItem(portalRevocationSchema, Item, 'portal-revocation', `pk=${String(Item.pk)}`);
    return new Date(item.revokedAt);
  }

  async revokePortalSessions(tenant: string, at: Date): Promise<void> {
    // Only ever later: two revocations racing leave the later time.
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.portalRevocation(tenant),
          UpdateExpression: 'SET revokedAt = :at, kind = :kind',
          ConditionExpression: 'attribute_not_exists(revokedAt) OR revokedAt < :at',
          ExpressionAttributeValues: { ':at': at.toISOString(), ':kind': 'portal-revocation' },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw error;
    }
  }
}
