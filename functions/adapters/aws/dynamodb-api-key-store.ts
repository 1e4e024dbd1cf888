import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ApiKeyRecord } from '../../domain/api-key';
import type { ApiKeyStore } from '../../domain/ports';
import { conditionFailedAt } from './dynamodb-webhook-store';

/**
 * API keys on DynamoDB: one item by hash (what the authorizer reads) and one under the tenant
 * (for lists, revocation by id, and access tokens), written together.
 */
const keys = {
  byHash: (hash: string) => ({ pk: `APIKEY#${hash}`, sk: 'APIKEY' }),
  byTenant: (tenant: string, keyId: string) => ({ pk: `TENANT#${tenant}`, sk: `APIKEY#${keyId}` }),
};

function fromItem(item: Record<string, unknown>): ApiKeyRecord {
  return {
    keyId: item.keyId as string,
    tenant: item.tenant as string,
    hash: item.hash as string,
    createdAt: item.createdAt as string,
    revokedAt: (item.revokedAt as string | null | undefined) ?? null,
    label: (item.label as string | null | undefined) ?? null,
  };
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
}
