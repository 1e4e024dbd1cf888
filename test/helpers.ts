import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DeliveryMessage } from '../functions/domain/delivery';
import { deliveryIdFor } from '../functions/domain/delivery-id';
import { newId, newSigningSecret } from '../functions/domain/ids';
import type { Webhook, WebhookAttributes } from '../functions/domain/webhook';
import { seedBodies } from '../functions/shared/api-contract';
import { localAwsConfig } from '../local/emulators';
import { ensureTable } from '../local/resources';

/** Shared test plumbing: the emulators started by the global setup, and a fresh table per file. */
export function emulatorEndpoints(): { dynamoDb: string; sqs: string } {
  const dynamoDb = process.env.HERALD_TEST_DYNAMODB_ENDPOINT;
  const sqs = process.env.HERALD_TEST_SQS_ENDPOINT;
  if (!dynamoDb || !sqs)
    throw new Error('The emulators are not running: run the tests with jest (global setup).');
  return { dynamoDb, sqs };
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A new, empty table in DynamoDB Local and a document client for it. */
export async function freshTable(): Promise<{
  client: DynamoDBDocumentClient;
  raw: DynamoDBClient;
  tableName: string;
}> {
  const raw = new DynamoDBClient({ ...localAwsConfig, endpoint: emulatorEndpoints().dynamoDb });
  const tableName = uniqueName('herald-test');
  await ensureTable(raw, tableName);
  return {
    raw,
    tableName,
    client: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }),
  };
}

/** The seeds' two create bodies: the contract's (they are the OpenAPI document's examples too). */
export { seedBodies };

type Attributes = Record<string, unknown>;

/**
 * A create body: the seed's "none" webhook with `attributes` laid over it (a `null` or `undefined`
 * value is sent as such, to test what the API does with it). A fresh copy each call.
 */
export function webhookBody(attributes: Attributes = {}): {
  data: { type: 'webhook'; attributes: Attributes };
} {
  return {
    data: {
      type: 'webhook',
      attributes: { ...structuredClone(seedBodies.none.data.attributes), ...attributes },
    },
  };
}

/** The data of the seed's review event (`use_case_review_status_updated`). */
export const seedReviewData = {
  reviewId: 'pu7BDgxfVnK4RTQyb88uL',
  status: 'in_progress',
  useCaseId: 'ZiSPid3wLeXWTe4VTRjbq9',
  user: { email: 'steven@credo.ai', userId: 'FSZqZLT8eFUUp53uTM6Ref' },
};

/** A platform event's `detail`: the demo tenant in production unless told otherwise. */
export function eventDetail(
  data: Attributes,
  options: { tenant?: string; environment?: string; id?: string } = {},
): Attributes {
  return {
    tenant: options.tenant ?? 'demo',
    environment: options.environment ?? 'production',
    ...(options.id === undefined ? {} : { id: options.id }),
    data,
  };
}

/**
 * A message on the delivery queue, as the router writes it, for a delivery of event `eventId` to
 * webhook `webhookId` of the demo tenant in production.
 */
export function deliveryMessage(
  fields: Pick<DeliveryMessage, 'eventId' | 'webhookId' | 'eventType' | 'data' | 'time'> &
    Partial<DeliveryMessage>,
): DeliveryMessage {
  return {
    deliveryId: deliveryIdFor(fields.eventId, fields.webhookId, fields.time),
    tenant: 'demo',
    environment: 'production',
    source: 'CredoAI',
    ...fields,
  };
}

/**
 * A webhook as the store keeps it, enabled and healthy, for tests that write it directly (a
 * fan-out of a thousand): the seed's "none" webhook with no affixes, and `attributes` over it.
 */
export function storedWebhook(
  attributes: Partial<WebhookAttributes>,
  options: { tenant?: string; now?: Date } = {},
): Webhook {
  const now = options.now ?? new Date();
  return {
    id: newId('wh', now),
    tenant: options.tenant ?? 'demo',
    attributes: {
      ...structuredClone(seedBodies.none.data.attributes),
      event_types: [...seedBodies.none.data.attributes.event_types],
      event_type_prefix: null,
      event_type_suffix: null,
      authentication_payload: null,
      authentication_payload_type: null,
      authentication_server: null,
      bucket: null,
      filter: null,
      rate_limit: null,
      ...attributes,
    },
    status: 'enabled',
    disabledReason: null,
    disabledAt: null,
    previousSecrets: [],
    health: { consecutiveFailures: 0, failingSince: null, lastFailureAt: null, lastFailureReason: null },
    signingSecret: newSigningSecret(),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
  };
}

/**
 * How far `times` (ms, sorted) go over a rate limit of `perSecond` with a bucket of as many: the
 * largest `count - (perSecond + perSecond × t)` over every stretch of t seconds from one time to a
 * later one. At most 0 when the limit held. A plain loop: checked with `expect` pair by pair, a
 * few thousand times take minutes.
 */
export function mostOverRate(times: readonly number[], perSecond: number): number {
  let worst = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < times.length; i++) {
    const from = times[i] ?? 0;
    for (let j = i; j < times.length; j++) {
      const t = ((times[j] ?? 0) - from) / 1000;
      worst = Math.max(worst, j - i + 1 - (perSecond + perSecond * t));
    }
  }
  return worst;
}
