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
import { deliveryMessageSchema } from '../../domain/delivery';
import { deliveryLogShards, parseDeliveryId } from '../../domain/delivery-id';
import {
  type Attempt,
  type DeliveryLogEntry,
  type DeliveryQuery,
  type DeliveryRecord,
  type DeliveryStatus,
  decodeCursor,
  deliveryStatuses,
  encodeCursor,
  normalizeTime,
} from '../../domain/delivery-log';
import type { DeliveryLog, Page } from '../../domain/ports';
import { mergeShards } from '../../domain/shard-merge';
import { parseItem } from './stored-item';

/**
 * The delivery log on DynamoDB: one item per delivery, its attempts in a list, written with one
 * UpdateItem per attempt (the first creates it). Layout (docs/operations.md, "Delivery log
 * layout"): a webhook's deliveries are spread over {@link deliveryLogShards} partitions by their
 * id's hash, and sorted in each by the id itself, which begins with the event time. So a delivery's
 * key follows from its id (one GetItem, no index), a busy webhook's writes are spread over that
 * many partitions, and a page of the newest is one Query per shard, merged.
 */
export const deliveryKeys = {
  /** The shard's partition; undefined for an id Herald did not issue. */
  of: (tenant: string, webhookId: string, deliveryId: string) => {
    const parts = parseDeliveryId(deliveryId);
    return parts && { pk: deliveryKeys.partition(tenant, webhookId, parts.shard), sk: deliveryId };
  },
  partition: (tenant: string, webhookId: string, shard: number) =>
    `DELIVERIES#${tenant}#${webhookId}#${shard}`,
};

/** Keys a page of a filtered list reads at most over all shards: bounds the work of a sparse filter. */
const maxExaminedPerPage = 2000;

/**
 * An attempt as stored: short names and no nulls, because each attempt repeats its names and the
 * item's size decides its write units (a typical delivery's item stays in one; docs/cost.md).
 * `ok` is there only on success, `via` only when something other than the event queued it.
 */
const storedAttemptSchema = z.object({
  /** attempt */
  n: z.number().int(),
  /** time */
  at: z.string(),
  /** outcome: succeeded when true */
  ok: z.literal(true).optional(),
  /** statusCode */
  code: z.number().int().optional(),
  /** durationMs */
  ms: z.number(),
  /** error */
  err: z.string().optional(),
  /** responseExcerpt */
  body: z.string().optional(),
  /** origin, `event` when absent */
  via: deliveryMessageSchema.shape.origin,
});
type StoredAttempt = z.infer<typeof storedAttemptSchema>;

function storedAttempt(a: Attempt): StoredAttempt {
  return {
    n: a.attempt,
    at: a.time,
    ...(a.outcome === 'succeeded' ? { ok: true } : {}),
    ...(a.statusCode !== null ? { code: a.statusCode } : {}),
    ms: a.durationMs,
    ...(a.error !== null ? { err: a.error } : {}),
    ...(a.responseExcerpt !== null ? { body: a.responseExcerpt } : {}),
    ...(a.origin !== 'event' ? { via: a.origin } : {}),
  };
}

function attemptOf(a: StoredAttempt): Attempt {
  return {
    attempt: a.n,
    time: a.at,
    outcome: a.ok ? 'succeeded' : 'failed',
    statusCode: a.code ?? null,
    durationMs: a.ms,
    error: a.err ?? null,
    responseExcerpt: a.body ?? null,
    origin: a.via ?? 'event',
  };
}

/** A delivery's key: the webhook's shard, then the delivery id. */
const keysSchema = z.object({
  pk: z.string().regex(/^DELIVERIES#[^#]+#[^#]+#\d+$/, 'must be DELIVERIES#<tenant>#<webhook id>#<shard>'),
  sk: z.string().refine((sk) => parseDeliveryId(sk) !== undefined, 'must be a delivery id'),
});

/**
 * What the item stores beside its keys. Anything the keys already say (tenant, webhook, delivery
 * id) or the attempts already say (count, last status, last error) is left out, and so is a null:
 * an item of a typical event stays under 1 KB, one write unit, and the log is most of Herald's
 * DynamoDB bill (docs/cost.md).
 */
const deliveryItemSchema = keysSchema.extend({
  status: z.enum(deliveryStatuses),
  eventId: z.string(),
  eventType: z.string(),
  /** Absent when the event names none. */
  environment: z.string().nullish(),
  source: z.string(),
  /** The event time exactly as sent (the id holds it to the millisecond). */
  time: z.string(),
  // Its shape only, as the delivery message is checked: the router checked the fields.
  data: deliveryMessageSchema.shape.data,
  attempts: z.array(storedAttemptSchema).optional(),
  /** Why it failed when no attempt was made (a disabled webhook). */
  error: z.string().nullish(),
  /** Absent when nothing is scheduled. */
  nextAttemptAt: z.string().nullish(),
  updatedAt: z.string(),
});

function fromItem(item: Record<string, unknown>): DeliveryRecord {
  const i = parseItem(deliveryItemSchema, item, 'delivery');
  const [, tenant = '', webhookId = ''] = i.pk.split('#');
  const attempts = (i.attempts ?? []).map(attemptOf);
  const last = attempts[attempts.length - 1];
  return {
    tenant,
    webhookId,
    deliveryId: i.sk,
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

  /** The key of a delivery Herald issued; throws for any other id (a bug upstream, never a client's). */
  private key(tenant: string, webhookId: string, deliveryId: string) {
    const key = deliveryKeys.of(tenant, webhookId, deliveryId);
    if (!key) throw new Error(`Not a delivery id Herald issues: ${deliveryId}`);
    return key;
  }

  async record(entry: DeliveryLogEntry): Promise<void> {
    const m = entry.message;
    const values: Record<string, unknown> = {
      ':status': entry.status,
      ':at': entry.at,
      ':eventId': m.eventId,
      ':eventType': m.eventType,
      ':source': m.source,
      ':time': m.time,
      ':data': m.data,
      // Retention runs from the latest write, so a recovered delivery stays as long as a new one.
      ':expiresAt': Math.floor(Date.parse(entry.at) / 1000) + this.retentionSeconds,
    };
    // The event's fields are the same on every write: `if_not_exists` keeps the first.
    const sets = [
      '#status = :status',
      'updatedAt = :at',
      'expiresAt = :expiresAt',
      'eventId = if_not_exists(eventId, :eventId)',
      'eventType = if_not_exists(eventType, :eventType)',
      '#source = if_not_exists(#source, :source)',
      '#time = if_not_exists(#time, :time)',
      '#data = if_not_exists(#data, :data)',
    ];
    // Absent rather than null: bytes on every delivery.
    if (m.environment !== null) {
      sets.push('environment = if_not_exists(environment, :environment)');
      values[':environment'] = m.environment;
    }
    const removes: string[] = [];
    if (entry.nextAttemptAt) {
      sets.push('nextAttemptAt = :next');
      values[':next'] = entry.nextAttemptAt;
    } else removes.push('nextAttemptAt');
    if (entry.attempt) {
      sets.push('attempts = list_append(if_not_exists(attempts, :none), :attempt)');
      values[':none'] = [];
      values[':attempt'] = [storedAttempt(entry.attempt)];
    } else {
      sets.push('#error = :error');
      values[':error'] = entry.error;
    }
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(m.tenant, m.webhookId, m.deliveryId),
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
    const key = deliveryKeys.of(tenant, webhookId, deliveryId);
    // An id Herald did not issue names no delivery: no key expression is built from it.
    if (!key) return undefined;
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  /**
   * Newest first over every shard: each read with the same key range and filters, merged by the
   * id (event time, then hash), so pages, filters and the cursor are those of one sorted list.
   */
  async list(tenant: string, webhookId: string, query: DeliveryQuery): Promise<Page<DeliveryRecord>> {
    const after = query.after ? decodeCursor(query.after) : undefined;
    // The id holds the event time, and `since`/`until` bound created_at, which may be any time
    // after it (an archived event replayed weeks later): the range is the whole shard, which the
    // retention period bounds, and the times are a filter.
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    if (query.since || query.until) {
      // created_at as fromItem derives it: the first attempt's time, else the last write's.
      values[':since'] = query.since ? normalizeTime(query.since) : '0';
      values[':until'] = query.until ? normalizeTime(query.until) : '~';
      filters.push(
        '(attempts[0].#at BETWEEN :since AND :until OR (attribute_not_exists(attempts) AND updatedAt BETWEEN :since AND :until))',
      );
      names['#at'] = 'at';
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
    // Each shard holds about 1/N of a page: read a little more than that, so most pages take one
    // read a shard; a filter applies after DynamoDB reads, so read wider for a sparse one.
    const share = Math.ceil((1.5 * (query.limit + 1)) / deliveryLogShards) + 2;
    const page = await mergeShards({
      shards: deliveryLogShards,
      after,
      limit: query.limit,
      perRead: filters.length > 0 ? Math.max(share, 50) : share,
      ...(filters.length > 0 ? { maxExamined: maxExaminedPerPage } : {}),
      sortKey: (record: DeliveryRecord) => record.deliveryId,
      read: async (shard, below, limit) => {
        const input: QueryCommandInput = {
          TableName: this.tableName,
          KeyConditionExpression: below === undefined ? 'pk = :pk' : 'pk = :pk AND sk < :below',
          ExpressionAttributeValues: {
            ...values,
            ':pk': deliveryKeys.partition(tenant, webhookId, shard),
            ...(below === undefined ? {} : { ':below': below }),
          },
          ScanIndexForward: false,
          Limit: limit,
        };
        if (filters.length > 0) input.FilterExpression = filters.join(' AND ');
        if (Object.keys(names).length > 0) input.ExpressionAttributeNames = names;
        const out = await this.client.send(new QueryCommand(input));
        const items = (out.Items ?? []).map(fromItem);
        return out.LastEvaluatedKey
          ? { items, lastRead: parseItem(keysSchema, out.LastEvaluatedKey, 'delivery').sk }
          : { items };
      },
    });
    return page.next ? { items: page.items, next: encodeCursor(page.next) } : { items: page.items };
  }

  async markQueued(record: DeliveryRecord, from: readonly DeliveryStatus[], at: string): Promise<boolean> {
    const allowed = Object.fromEntries(from.map((s, i) => [`:from${i}`, s]));
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(record.tenant, record.webhookId, record.deliveryId),
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
          Key: this.key(record.tenant, record.webhookId, record.deliveryId),
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
