import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import {
  type EndpointHealthStore,
  IdempotencyKeyTaken,
  type IdempotencyRecord,
  type Page,
  type Route,
  StaleWebhook,
  WebhookQuotaReached,
  type WebhookStore,
} from '../../domain/ports';
import type {
  EndpointHealth,
  PreviousSecret,
  Webhook,
  WebhookAttributes,
  WebhookStatus,
} from '../../domain/webhook';
import {
  authenticationMethods,
  authenticationPayloadTypes,
  deliveryOrderings,
} from '../../domain/webhook-model';
import { matching, parseItem } from './stored-item';

/**
 * The webhook store on DynamoDB (layout in `functions/shared/table-schema.ts`). Every write is
 * one transaction over the webhook item and its route items, so the routing index the router
 * queries is exact at every moment.
 */

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

const anyEnvironment = '*';

export const keys = {
  webhook: (tenant: string, id: string) => ({ pk: `TENANT#${tenant}`, sk: `WEBHOOK#${id}` }),
  routePartition: (tenant: string, eventType: string) => `ROUTE#${tenant}#${eventType}`,
  route: (tenant: string, eventType: string, environment: string | null, webhookId: string) => ({
    pk: `ROUTE#${tenant}#${eventType}`,
    sk: `${environment ?? anyEnvironment}#${webhookId}`,
  }),
  idempotency: (tenant: string, key: string) => ({ pk: `TENANT#${tenant}`, sk: `IDEMPOTENCY#${key}` }),
  /** The tenant's webhook count, kept by every create and delete (the quota). */
  webhookCount: (tenant: string) => ({ pk: `TENANT#${tenant}`, sk: 'COUNT#webhooks' }),
};

/** Tries of a create or delete whose count a concurrent one changed between read and write. */
const counterTries = 5;

/** The count item (index 1) failed its condition or collided with another transaction on it. */
function countContended(error: unknown): boolean {
  const code =
    error instanceof TransactionCanceledException ? error.CancellationReasons?.[1]?.Code : undefined;
  return code === 'ConditionalCheckFailed' || code === 'TransactionConflict';
}

/**
 * Endpoint health lives in top-level attributes, absent when unset, so a failure can be counted
 * with one UpdateItem (`if_not_exists` keeps a streak's start) without touching the version.
 */
const healthAttributesSchema = z.object({
  healthFailures: z.number().int().min(0).optional(),
  healthFailingSince: z.string().optional(),
  healthLastFailureAt: z.string().optional(),
  healthLastFailureReason: z.string().optional(),
});
type HealthAttributes = z.infer<typeof healthAttributesSchema>;

// The stored item's schemas, checked against the domain's types at compile time: a field added to
// or changed in `Webhook` stops this file compiling until the item's schema says the same.
const statusSchema = matching<WebhookStatus>()(z.enum(['enabled', 'disabled']));

const attributesSchema = matching<WebhookAttributes>()(
  z.object({
    description: z.string(),
    url: z.string(),
    event_types: z.array(z.string()),
    event_type_prefix: z.string().nullable(),
    event_type_suffix: z.string().nullable(),
    environment: z.string().nullable(),
    authentication_method: z.enum(authenticationMethods),
    authentication_payload: z.record(z.unknown()).nullable(),
    authentication_payload_type: z.enum(authenticationPayloadTypes).nullable(),
    authentication_server: z.string().nullable(),
    bucket: z.string().nullable(),
    // Absent in items written before filters existed.
    filter: z.record(z.unknown()).nullable().default(null),
    // Absent in items written before rate limits existed.
    rate_limit: z.number().int().nullable().default(null),
    // Absent in items written before ordered delivery existed.
    ordering: z.enum(deliveryOrderings).default('none'),
  }),
);

const previousSecretSchema = matching<PreviousSecret>()(
  z.object({ secret: z.string(), expiresAt: z.string() }),
);

const webhookItemSchema = healthAttributesSchema.extend({
  id: z.string(),
  tenant: z.string(),
  attributes: attributesSchema,
  status: statusSchema,
  // Absent in items written before these existed. No transforms here: in zod 3 they cost more
  // than the rest of the parse, which the delivery function does per batch.
  disabledReason: z.string().nullish(),
  disabledAt: z.string().nullish(),
  signingSecret: z.string().min(1),
  previousSecrets: z.array(previousSecretSchema).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});

type WebhookItem = Omit<Webhook, 'health'> & HealthAttributes & { pk: string; sk: string; kind: 'webhook' };

function toItem(webhook: Webhook): WebhookItem {
  const { health, ...rest } = webhook;
  const item: WebhookItem = { ...keys.webhook(webhook.tenant, webhook.id), kind: 'webhook', ...rest };
  if (health.consecutiveFailures > 0) item.healthFailures = health.consecutiveFailures;
  if (health.failingSince) item.healthFailingSince = health.failingSince;
  if (health.lastFailureAt) item.healthLastFailureAt = health.lastFailureAt;
  if (health.lastFailureReason) item.healthLastFailureReason = health.lastFailureReason;
  return item;
}

function healthOf(i: HealthAttributes): EndpointHealth {
  return {
    consecutiveFailures: i.healthFailures ?? 0,
    failingSince: i.healthFailingSince ?? null,
    lastFailureAt: i.healthLastFailureAt ?? null,
    lastFailureReason: i.healthLastFailureReason ?? null,
  };
}

/** A stored webhook item as the domain's `Webhook`; throws `MalformedItem` naming what does not fit. */
export function webhookFromItem(item: Record<string, unknown>): Webhook {
  const i = parseItem(webhookItemSchema, item, 'webhook');
  return {
    id: i.id,
    tenant: i.tenant,
    attributes: i.attributes,
    status: i.status,
    disabledReason: i.disabledReason ?? null,
    disabledAt: i.disabledAt ?? null,
    signingSecret: i.signingSecret,
    previousSecrets: i.previousSecrets ?? [],
    health: healthOf(i),
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
    version: i.version,
  };
}

// The router parses up to a partition of these per event: no transform (a zod 3 transform costs
// about three times the rest of the parse). `environment` is always there, a string or null:
// findRoutes's filter matches no route without it.
const routeItemSchema = matching<Route>()(
  z.object({
    tenant: z.string(),
    eventType: z.string(),
    environment: z.string().nullable(),
    webhookId: z.string(),
    status: statusSchema,
    // The webhook's filter, copied onto each route so the router matches without reading the
    // webhook; validated when written. Absent in routes written before filters existed.
    filter: z.record(z.unknown()).nullable().default(null),
    // Copied too, so the router knows the webhook's queue; absent in routes written before it.
    ordering: z.enum(deliveryOrderings).default('none'),
  }),
);

const idempotencyItemSchema = matching<IdempotencyRecord>()(
  z.object({
    tenant: z.string(),
    key: z.string(),
    requestHash: z.string(),
    webhookId: z.string(),
    createdAt: z.string(),
    expiresAt: z.number(),
  }),
);

function routesOf(webhook: Webhook): Route[] {
  return webhook.attributes.event_types.map((eventType) => ({
    tenant: webhook.tenant,
    eventType,
    environment: webhook.attributes.environment,
    webhookId: webhook.id,
    status: webhook.status,
    filter: webhook.attributes.filter,
    ordering: webhook.attributes.ordering,
  }));
}

function routeKey(route: Route): { pk: string; sk: string } {
  return keys.route(route.tenant, route.eventType, route.environment, route.webhookId);
}

export class DynamoDbWebhookStore implements WebhookStore, EndpointHealthStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private putRoute(route: Route): TransactItem {
    return { Put: { TableName: this.tableName, Item: { ...routeKey(route), kind: 'route', ...route } } };
  }

  private deleteRoute(route: Route): TransactItem {
    return { Delete: { TableName: this.tableName, Key: routeKey(route) } };
  }

  /**
   * The transaction item that moves the tenant's webhook count by `delta`, refusing to pass
   * `max` or to go below zero. A tenant whose webhooks predate the counter has none yet, and a
   * count at zero with a webhook still to delete has drifted (a write that skipped the counter):
   * either is made again from a count of the tenant's webhooks, on the condition that nobody
   * changed it meanwhile.
   */
  private async countChange(tenant: string, delta: 1 | -1, max?: number): Promise<TransactItem> {
    const Key = keys.webhookCount(tenant);
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }),
    );
    const current = typeof Item?.count === 'number' ? Item.count : undefined;
    if (current === undefined || (delta < 0 && current <= 0)) {
      const counted = (await this.countWebhooks(tenant)) + delta;
      if (max !== undefined && counted > max) throw new WebhookQuotaReached(tenant);
      return {
        Put: {
          TableName: this.tableName,
          Item: { ...Key, kind: 'count', count: Math.max(0, counted) },
          ...(current === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#count = :current',
                ExpressionAttributeNames: { '#count': 'count' },
                ExpressionAttributeValues: { ':current': current },
              }),
        },
      };
    }
    if (max !== undefined && current >= max) throw new WebhookQuotaReached(tenant);
    return {
      Update: {
        TableName: this.tableName,
        Key,
        UpdateExpression: 'ADD #count :delta',
        // The count read may be stale by now: the condition is what holds under concurrency.
        ...(delta < 0
          ? {
              ConditionExpression: '#count > :zero',
              ExpressionAttributeValues: { ':delta': delta, ':zero': 0 },
            }
          : max === undefined
            ? {
                ConditionExpression: 'attribute_exists(#count)',
                ExpressionAttributeValues: { ':delta': delta },
              }
            : {
                ConditionExpression: '#count < :max',
                ExpressionAttributeValues: { ':delta': delta, ':max': max },
              }),
        ExpressionAttributeNames: { '#count': 'count' },
      },
    };
  }

  private async countWebhooks(tenant: string): Promise<number> {
    let count = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': `TENANT#${tenant}`, ':prefix': 'WEBHOOK#' },
          Select: 'COUNT',
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      count += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return count;
  }

  async create(
    webhook: Webhook,
    idempotency?: IdempotencyRecord,
    limits?: { maxWebhooks: number },
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const count = await this.countChange(webhook.tenant, 1, limits?.maxWebhooks);
      try {
        return await this.createWith(webhook, count, idempotency);
      } catch (error) {
        // Index 1 is the count: full, or made or moved by a concurrent create since it was read.
        if (!countContended(error) || attempt >= counterTries) {
          if (conditionFailedAt(error, 1)) throw new WebhookQuotaReached(webhook.tenant);
          throw error;
        }
      }
    }
  }

  private async createWith(
    webhook: Webhook,
    count: TransactItem,
    idempotency?: IdempotencyRecord,
  ): Promise<void> {
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: toItem(webhook),
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      count,
      ...routesOf(webhook).map((r) => this.putRoute(r)),
    ];
    if (idempotency) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: {
            ...keys.idempotency(idempotency.tenant, idempotency.key),
            kind: 'idempotency',
            ...idempotency,
          },
          // An expired record may still be there until TTL removes it: it may be taken over.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': Math.floor(Date.parse(idempotency.createdAt) / 1000) },
        },
      });
    }
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (idempotency && conditionFailedAt(error, items.length - 1))
        throw new IdempotencyKeyTaken(idempotency.key);
      throw error;
    }
  }

  async get(tenant: string, id: string): Promise<Webhook | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.webhook(tenant, id), ConsistentRead: true }),
    );
    return Item ? webhookFromItem(Item) : undefined;
  }

  async list(tenant: string, options: { limit: number; after?: string }): Promise<Page<Webhook>> {
    const input: QueryCommandInput = {
      TableName: this.tableName,
      KeyConditionExpression: options.after
        ? 'pk = :pk AND sk BETWEEN :from AND :to'
        : 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: options.after
        ? { ':pk': `TENANT#${tenant}`, ':from': `WEBHOOK#${options.after}\u0000`, ':to': 'WEBHOOK#\uffff' }
        : { ':pk': `TENANT#${tenant}`, ':prefix': 'WEBHOOK#' },
      // One more than asked tells whether there is a next page without a second query.
      Limit: options.limit + 1,
    };
    const { Items = [] } = await this.client.send(new QueryCommand(input));
    const items = Items.slice(0, options.limit).map(webhookFromItem);
    const last = items[items.length - 1];
    return Items.length > options.limit && last ? { items, next: last.id } : { items };
  }

  async update(previous: Webhook, next: Webhook): Promise<void> {
    const nextRoutes = routesOf(next);
    const nextKeys = new Set(nextRoutes.map((r) => JSON.stringify(routeKey(r))));
    const removed = routesOf(previous).filter((r) => !nextKeys.has(JSON.stringify(routeKey(r))));
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: toItem(next),
          ConditionExpression: 'version = :version',
          ExpressionAttributeValues: { ':version': previous.version },
        },
      },
      ...removed.map((r) => this.deleteRoute(r)),
      ...nextRoutes.map((r) => this.putRoute(r)),
    ];
    await this.write(items, previous.id);
  }

  async delete(webhook: Webhook): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const items: TransactItem[] = [
        {
          Delete: {
            TableName: this.tableName,
            Key: keys.webhook(webhook.tenant, webhook.id),
            ConditionExpression: 'version = :version',
            ExpressionAttributeValues: { ':version': webhook.version },
          },
        },
        await this.countChange(webhook.tenant, -1),
        ...routesOf(webhook).map((r) => this.deleteRoute(r)),
      ];
      try {
        return await this.write(items, webhook.id);
      } catch (error) {
        // The count was made by a concurrent first create or delete since it was read: again.
        if (!countContended(error) || conditionFailedAt(error, 0) || attempt >= counterTries) throw error;
      }
    }
  }

  private async write(items: TransactItem[], webhookId: string): Promise<void> {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (conditionFailedAt(error, 0)) throw new StaleWebhook(webhookId);
      throw error;
    }
  }

  async findRoutes(tenant: string, eventType: string, environment: string | null): Promise<Route[]> {
    const routes: Route[] = [];
    let start: Record<string, unknown> | undefined;
    // One query (paged by DynamoDB past 1 MB): the partition holds exactly this pair's routes.
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression:
            environment === null
              ? 'attribute_type(environment, :null)'
              : 'environment = :env OR attribute_type(environment, :null)',
          ExpressionAttributeValues:
            environment === null
              ? { ':pk': keys.routePartition(tenant, eventType), ':null': 'NULL' }
              : { ':pk': keys.routePartition(tenant, eventType), ':env': environment, ':null': 'NULL' },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) routes.push(parseItem(routeItemSchema, item, 'route'));
      start = page.LastEvaluatedKey;
    } while (start);
    return routes;
  }

  async recordFailure(
    tenant: string,
    webhookId: string,
    at: string,
    reason: string,
  ): Promise<EndpointHealth | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.webhook(tenant, webhookId),
          UpdateExpression:
            'SET healthFailures = if_not_exists(healthFailures, :zero) + :one, ' +
            'healthFailingSince = if_not_exists(healthFailingSince, :at), ' +
            'healthLastFailureAt = :at, healthLastFailureReason = :reason',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':at': at, ':reason': reason.slice(0, 512) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? healthOf(parseItem(healthAttributesSchema, Attributes, 'webhook')) : undefined;
    } catch (error) {
      // Deleted meanwhile: nothing to count.
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async recordSuccess(tenant: string, webhookId: string): Promise<EndpointHealth | undefined> {
    try {
      // The old values tell whether this write ended a streak (webhook.recovered fires once).
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.webhook(tenant, webhookId),
          UpdateExpression: 'SET healthFailures = :zero REMOVE healthFailingSince',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':zero': 0 },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return Attributes ? healthOf(parseItem(healthAttributesSchema, Attributes, 'webhook')) : undefined;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return undefined;
    }
  }

  async getIdempotencyRecord(tenant: string, key: string): Promise<IdempotencyRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.idempotency(tenant, key), ConsistentRead: true }),
    );
    return Item ? parseItem(idempotencyItemSchema, Item, 'idempotency') : undefined;
  }
}

/** True when a transaction was cancelled because the condition on item `index` failed. */
export function conditionFailedAt(error: unknown, index: number): boolean {
  return (
    error instanceof TransactionCanceledException &&
    error.CancellationReasons?.[index]?.Code === 'ConditionalCheckFailed'
  );
}
