import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { type DeliveryMessage, deliveryMessageSchema } from '../../domain/delivery';
import {
  type Attempt,
  type DeliveryLogEntry,
  type DeliveryQuery,
  type DeliveryRecord,
  type DeliveryStatus,
  decodeCursor,
  deliveryStatuses,
  encodeCursor,
  logSortKey,
  normalizeTime,
} from '../../domain/delivery-log';
import type { DeliveryLog, Page } from '../../domain/ports';
import { tableSchema } from '../../shared/table-schema';
import { matching, parseItem } from './stored-item';

/**
 * The delivery log on DynamoDB: one item per delivery, its attempts in a list, written with one
 * UpdateItem per attempt (the first creates it). Keys in `functions/shared/table-schema.ts`: the
 * partition is the webhook's, sorted by event time, so a page of the newest deliveries is one
 * Query; the keys-only index finds one by its id.
 */
export const deliveryKeys = {
  partition: (tenant: string, webhookId: string) => `DELIVERIES#${tenant}#${webhookId}`,
  /**
   * The index key is the delivery id alone (128 bits of hash: unique), the fewest bytes on every
   * item and index entry; a lookup checks the partition it lands in.
   */
  byId: (deliveryId: string) => deliveryId,
};

/** Query pages read while filling one page of a filtered list: bounds the work of a sparse filter. */
const maxQueriesPerPage = 10;

const attemptSchema = matching<Attempt>()(
  z.object({
    attempt: z.number().int(),
    time: z.string(),
    outcome: z.enum(['succeeded', 'failed']),
    statusCode: z.number().int().nullable(),
    durationMs: z.number(),
    error: z.string().nullable(),
    responseExcerpt: z.string().nullable(),
    origin: deliveryMessageSchema.shape.origin.unwrap(),
  }),
);

/** A delivery's key: the webhook's partition, then the event time and the delivery id. */
const keysSchema = z.object({
  pk: z.string().regex(/^DELIVERIES#[^#]+#[^#]+$/, 'must be DELIVERIES#<tenant>#<webhook id>'),
  sk: z.string().regex(/^[^#]+#.+$/, 'must be <event time>#<delivery id>'),
});

/**
 * What the item stores beside its keys. Anything the keys already say (tenant, webhook, delivery
 * id, event time) or the attempts already say (count, last status, last error) is left out: an
 * item of a typical event stays under 1 KB, one write unit, and the log is most of Herald's
 * DynamoDB bill (docs/cost.md).
 */
const deliveryItemSchema = keysSchema.extend({
  status: z.enum(deliveryStatuses),
  eventId: z.string(),
  eventType: z.string(),
  environment: z.string().nullable(),
  source: z.string(),
  /** The event time exactly as sent (the sort key holds it normalised). */
  time: z.string(),
  // Its shape only, as the delivery message is checked: the router checked the fields.
  data: deliveryMessageSchema.shape.data,
  attempts: z.array(attemptSchema).optional(),
  /** Why it failed when no attempt was made (a disabled webhook). */
  error: z.string().nullish(),
  /** Absent when nothing is scheduled. */
  nextAttemptAt: z.string().nullish(),
  updatedAt: z.string(),
});

function fromItem(item: Record<string, unknown>): DeliveryRecord {
  const i = parseItem(deliveryItemSchema, item, 'delivery');
  const [, tenant = '', webhookId = ''] = i.pk.split('#');
  const deliveryId = i.sk.slice(i.sk.indexOf('#') + 1);
  const attempts = i.attempts ?? [];
  const last = attempts[attempts.length - 1];
  return {
    tenant,
    webhookId,
    deliveryId,
    eventId: i.eventId,
    eventType: i.eventType,
    environment: i.environment ?? null,
    source: i.source,
    time: i.time,
    data: i.data,
    status: i.status,
    attemptCount: last?.attempt ?? 0,
    attempts,
    lastStatusCode: last?.statusCode ?? null,
    lastError: last ? last.error : (i.error ?? null),
    nextAttemptAt: i.nextAttemptAt ?? null,
    // What the log shows as created_at, and what its `since` and `until` compare with (list).
    createdAt: attempts[0]?.time ?? i.updatedAt,
    updatedAt: i.updatedAt,
  };
}

export class DynamoDbDeliveryLog implements DeliveryLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionSeconds: number,
  ) {}

  private key(tenant: string, webhookId: string, time: string, deliveryId: string) {
    return { pk: deliveryKeys.partition(tenant, webhookId), sk: logSortKey(time, deliveryId) };
  }

  async record(entry: DeliveryLogEntry): Promise<void> {
    const m = entry.message;
    const values: Record<string, unknown> = {
      ':status': entry.status,
      ':at': entry.at,
      ':gsi': deliveryKeys.byId(m.deliveryId),
      ':eventId': m.eventId,
      ':eventType': m.eventType,
      ':environment': m.environment,
      ':source': m.source,
      ':time': m.time,
      ':data': m.data,
      // Retention runs from the latest write, so a recovered delivery stays as long as a new one.
      ':expiresAt': Math.floor(Date.parse(entry.at) / 1000) + this.retentionSeconds,
    };
    const index = tableSchema.deliveryIndex.partitionKey;
    // The event's fields are the same on every write: `if_not_exists` keeps the first.
    const sets = [
      '#status = :status',
      'updatedAt = :at',
      'expiresAt = :expiresAt',
      `${index} = if_not_exists(${index}, :gsi)`,
      'eventId = if_not_exists(eventId, :eventId)',
      'eventType = if_not_exists(eventType, :eventType)',
      'environment = if_not_exists(environment, :environment)',
      '#source = if_not_exists(#source, :source)',
      '#time = if_not_exists(#time, :time)',
      '#data = if_not_exists(#data, :data)',
    ];
    // Absent rather than null when nothing is scheduled: bytes on every finished delivery.
    const removes: string[] = [];
    if (entry.nextAttemptAt) {
      sets.push('nextAttemptAt = :next');
      values[':next'] = entry.nextAttemptAt;
    } else removes.push('nextAttemptAt');
    if (entry.attempt) {
      sets.push('attempts = list_append(if_not_exists(attempts, :none), :attempt)');
      values[':none'] = [];
      values[':attempt'] = [entry.attempt];
    } else {
      sets.push('#error = :error');
      values[':error'] = entry.error;
    }
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(m.tenant, m.webhookId, m.time, m.deliveryId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ExpressionAttributeNames: {
          '#status': 'status',
          '#time': 'time',
          '#data': 'data',
          '#source': 'source',
          ...(entry.attempt ? {} : { '#error': 'error' }),
        },
        ExpressionAttributeValues: values,
      }),
    );
  }

  async recordUnsent(entries: DeliveryLogEntry[]): Promise<void> {
    // UpdateItem, not BatchWriteItem: a platform retry of the event must not wipe the attempts
    // already recorded for it. These are rare (disabled webhooks), so a few calls at once is fine.
    for (let i = 0; i < entries.length; i += 25) {
      await Promise.all(entries.slice(i, i + 25).map((e) => this.record(e)));
    }
  }

  async get(tenant: string, webhookId: string, deliveryId: string): Promise<DeliveryRecord | undefined> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: tableSchema.deliveryIndex.name,
        KeyConditionExpression: '#k = :k',
        ExpressionAttributeNames: { '#k': tableSchema.deliveryIndex.partitionKey },
        ExpressionAttributeValues: { ':k': deliveryKeys.byId(deliveryId) },
      }),
    );
    const partition = deliveryKeys.partition(tenant, webhookId);
    // A platform that sends the same event id twice at different times makes two records with
    // one id: show the latest.
    const keys = Items.map((i) => parseItem(keysSchema, i, 'delivery index'))
      // Another tenant's or webhook's delivery is not this one, whatever its id.
      .filter((k) => k.pk === partition)
      .sort((a, b) => b.sk.localeCompare(a.sk));
    for (const key of keys) {
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
      );
      if (Item) return fromItem(Item);
    }
    return undefined;
  }

  async attemptsMade(message: DeliveryMessage): Promise<number> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: this.key(message.tenant, message.webhookId, message.time, message.deliveryId),
        ProjectionExpression: 'attempts',
        ConsistentRead: true,
      }),
    );
    const attempts = Item
      ? z.object({ attempts: z.array(attemptSchema).optional() }).parse(Item).attempts
      : undefined;
    return attempts?.at(-1)?.attempt ?? 0;
  }

  async list(tenant: string, webhookId: string, query: DeliveryQuery): Promise<Page<DeliveryRecord>> {
    const pk = deliveryKeys.partition(tenant, webhookId);
    const after = query.after ? decodeCursor(query.after) : undefined;
    // The sort key holds the event time, and `since`/`until` bound created_at, which may be any
    // time after it (an archived event replayed weeks later): the range is the whole partition,
    // which the retention period bounds, and the times are a filter.
    const upper = after ?? '\uffff';

    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':pk': pk, ':lower': '0', ':upper': upper };
    if (query.since || query.until) {
      // created_at as fromItem derives it: the first attempt's time, else the last write's.
      values[':since'] = query.since ? normalizeTime(query.since) : '0';
      values[':until'] = query.until ? normalizeTime(query.until) : '~';
      names['#time'] = 'time';
      filters.push(
        '(attempts[0].#time BETWEEN :since AND :until OR (attribute_not_exists(attempts) AND updatedAt BETWEEN :since AND :until))',
      );
    }
    if (query.status) {
      filters.push('#status = :status');
      names['#status'] = 'status';
      values[':status'] = query.status;
    }
    if (query.eventType) {
      filters.push('eventType = :eventType');
      values[':eventType'] = query.eventType;
    }

    const items: DeliveryRecord[] = [];
    let start: Record<string, unknown> | undefined;
    let lastKey: string | undefined;
    for (let i = 0; i < maxQueriesPerPage; i++) {
      const input: QueryCommandInput = {
        TableName: this.tableName,
        // BETWEEN is inclusive; the cursor itself was on the previous page, so it is skipped below.
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lower AND :upper',
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        // A filter is applied after DynamoDB reads: read wider pages so a sparse one fills sooner.
        Limit: filters.length > 0 ? Math.max(query.limit + 1, 200) : query.limit + 1,
        ExclusiveStartKey: start,
      };
      if (filters.length > 0) input.FilterExpression = filters.join(' AND ');
      if (Object.keys(names).length > 0) input.ExpressionAttributeNames = names;
      const page = await this.client.send(new QueryCommand(input));
      for (const item of page.Items ?? []) {
        if (item.sk === after) continue;
        items.push(fromItem(item));
        // fromItem has checked it is a string of the sort key's form.
        lastKey = String(item.sk);
        if (items.length > query.limit) break;
      }
      start = page.LastEvaluatedKey;
      if (items.length > query.limit || !start) break;
      lastKey = parseItem(keysSchema, start, 'delivery').sk;
    }
    if (items.length > query.limit) {
      const shown = items.slice(0, query.limit);
      const last = shown[shown.length - 1];
      return { items: shown, next: encodeCursor(logSortKey(last?.time ?? '', last?.deliveryId ?? '')) };
    }
    // A sparse filter may stop before the partition ends: the cursor resumes where the reading did.
    return start && lastKey ? { items, next: encodeCursor(lastKey) } : { items };
  }

  async markQueued(record: DeliveryRecord, from: readonly DeliveryStatus[], at: string): Promise<boolean> {
    const allowed = Object.fromEntries(from.map((s, i) => [`:from${i}`, s]));
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(record.tenant, record.webhookId, record.time, record.deliveryId),
          UpdateExpression: 'SET #status = :pending, updatedAt = :at, nextAttemptAt = :at',
          ConditionExpression: `#status IN (${Object.keys(allowed).join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending', ':at': at, ...allowed },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async unmarkQueued(record: DeliveryRecord): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(record.tenant, record.webhookId, record.time, record.deliveryId),
          UpdateExpression: 'SET #status = :status, nextAttemptAt = :next',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': record.status,
            ':next': record.nextAttemptAt,
            ':pending': 'pending',
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * Marks `failed` every delivery still `pending` or `retrying`, with `reason`: for a table that
   * outlived its queue (local mode keeps the table on disk, fauxqs keeps the queue in memory), so
   * no delivery is left waiting for a message that is gone, and retry or recovery can send it.
   * Scans the whole table: for local mode, never for a deployment. Answers how many it marked.
   */
  async failStranded(reason: string, at: string): Promise<number> {
    let marked = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: 'begins_with(pk, :deliveries) AND #status IN (:pending, :retrying)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':deliveries': 'DELIVERIES#',
            ':pending': 'pending',
            ':retrying': 'retrying',
          },
          ProjectionExpression: 'pk, sk',
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const key = z.object({ pk: z.string(), sk: z.string() }).parse(item);
        try {
          await this.client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: key,
              UpdateExpression:
                'SET #status = :failed, #error = :reason, updatedAt = :at REMOVE nextAttemptAt',
              ConditionExpression: '#status IN (:pending, :retrying)',
              ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
              ExpressionAttributeValues: {
                ':failed': 'failed',
                ':reason': reason,
                ':at': at,
                ':pending': 'pending',
                ':retrying': 'retrying',
              },
            }),
          );
          marked++;
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return marked;
  }
}
