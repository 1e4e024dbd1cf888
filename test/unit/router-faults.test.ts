import {
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import {
  RequestThrottled,
  SendMessageBatchCommand,
  type SendMessageBatchCommandInput,
  SendMessageCommand,
  SQSClient,
  SQSServiceException,
} from '@aws-sdk/client-sqs';
import {
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { EventBridgeEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { DeliveryMessage } from '../../functions/domain/delivery';
import { deliveryIdFor } from '../../functions/domain/delivery-id';
import type { RouteResult } from '../../functions/domain/use-cases/route-event';
import { routerRetryPolicy } from '../../functions/shared/pipeline';
import { lambdaContext } from '../../local/api-gateway';
import { createRuleTarget } from '../../local/rule-target';

/**
 * The router function when its AWS calls fail, with aws-sdk-client-mock (the emulators cannot be
 * made to throttle or fail single batch entries on demand). The handler module is imported as
 * Lambda loads it, its clients made at import; the mocks replace `send` on every
 * DynamoDBDocumentClient and SQSClient, so the real store, queue and use case run in between.
 * An event the router could not queue must fail the invocation, so EventBridge retries it (and
 * dead-letters it after the last retry); it must never be reported as routed.
 */

type RouterHandler = (
  event: EventBridgeEvent<string, unknown>,
  context: ReturnType<typeof lambdaContext>,
) => Promise<RouteResult>;

const dynamo = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);

const tableName = 'herald-router-faults';
const deliveryQueueUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/herald-deliveries';
const rejectedQueueUrl = 'https://sqs.us-east-1.amazonaws.com/123456789012/herald-rejected-events';
const savedEnv = { ...process.env };

let handler: RouterHandler;
let infoLogs: jest.SpyInstance;
let metricCalls: jest.SpyInstance;

beforeAll(async () => {
  // What the stack sets on the router function; the handler reads it at import, as at cold start.
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    TABLE_NAME: tableName,
    DELIVERY_QUEUE_URL: deliveryQueueUrl,
    REJECTED_EVENTS_QUEUE_URL: rejectedQueueUrl,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  ({ handler } = await import('../../functions/handlers/router'));
  const { logger } = await import('../../functions/shared/logger');
  const { metrics } = await import('../../functions/shared/metrics');
  infoLogs = jest.spyOn(logger, 'info');
  metricCalls = jest.spyOn(metrics, 'addMetric');
});

afterAll(() => {
  jest.restoreAllMocks();
  dynamo.restore();
  sqs.restore();
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

beforeEach(() => {
  dynamo.reset();
  sqs.reset();
  infoLogs.mockClear();
  metricCalls.mockClear();
});

// --- Fixtures --------------------------------------------------------------------------------

const tenant = 'acme';
const eventType = 'use_case_review_status_updated';
/** The seeds' `use_case_review_status_updated` data. */
const seedData = {
  reviewId: 'pu7BDgxfVnK4RTQyb88uL',
  status: 'in_progress',
  useCaseId: 'ZiSPid3wLeXWTe4VTRjbq9',
  user: { email: 'steven@credo.ai', userId: 'FSZqZLT8eFUUp53uTM6Ref' },
};

let eventCounter = 0;

/** An EventBridge event as the bus rule hands it to the router. */
function busEvent(data: Record<string, unknown> = seedData): EventBridgeEvent<string, unknown> {
  eventCounter += 1;
  return {
    version: '0',
    id: `6f2b8c1e-5d1a-4a43-9d61-${String(eventCounter).padStart(12, '0')}`,
    'detail-type': eventType,
    source: 'CredoAI',
    account: '123456789012',
    time: '2026-03-01T11:59:58Z',
    region: 'us-east-1',
    resources: [],
    detail: { tenant, environment: 'production', id: `plat-evt-${eventCounter}`, data },
  };
}

const eventIdOf = (event: EventBridgeEvent<string, unknown>) => (event.detail as { id: string }).id;

/** Route items as the store keeps them in the `ROUTE#tenant#type` partition. */
function routeItems(count: number, status: 'enabled' | 'disabled' = 'enabled'): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => {
    const webhookId = `wh_${status === 'enabled' ? 'e' : 'd'}${String(i).padStart(4, '0')}`;
    return {
      pk: `ROUTE#${tenant}#${eventType}`,
      sk: `production#${webhookId}`,
      kind: 'route',
      tenant,
      eventType,
      environment: 'production',
      webhookId,
      status,
    };
  });
}

const throttled = () =>
  new ThrottlingException({
    message: 'Rate of requests exceeds the allowed throughput.',
    $metadata: { httpStatusCode: 400 },
  });
const dynamoErrors: Array<[string, () => Error]> = [
  ['ThrottlingException', throttled],
  [
    'ProvisionedThroughputExceededException',
    () =>
      new ProvisionedThroughputExceededException({
        message: 'The level of configured provisioned throughput for the table was exceeded.',
        $metadata: { httpStatusCode: 400 },
      }),
  ],
  [
    'RequestLimitExceeded',
    () =>
      new RequestLimitExceeded({
        message: 'Throughput exceeds the account limit.',
        $metadata: { httpStatusCode: 400 },
      }),
  ],
  [
    'InternalServerError (500)',
    () => new InternalServerError({ message: 'Internal server error', $metadata: { httpStatusCode: 500 } }),
  ],
  ['a reset connection', () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
];

const sqsErrors: Array<[string, () => Error]> = [
  [
    'RequestThrottled',
    () => new RequestThrottled({ message: 'Request is throttled.', $metadata: { httpStatusCode: 400 } }),
  ],
  [
    'an internal error (500)',
    () =>
      new SQSServiceException({
        name: 'InternalError',
        $fault: 'server',
        message: 'We encountered an internal error. Please try again.',
        $metadata: { httpStatusCode: 500 },
      }),
  ],
  ['a reset connection', () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
];

function batchInputs(): SendMessageBatchCommandInput[] {
  return sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);
}

function queryInputs(): QueryCommandInput[] {
  return dynamo.commandCalls(QueryCommand).map((call) => call.args[0].input);
}

/** Deliveries SQS accepted: every entry sent, less the ones it reported failed. */
const accepted: DeliveryMessage[] = [];

/** SendMessageBatch that fails the entries `fail` picks (the batch and the attempt known) and accepts the rest. */
function sqsAnswers(fail: (entries: string[], attempt: number) => string[] = () => []): void {
  let attempt = 0;
  sqs.on(SendMessageBatchCommand).callsFake(async (input: SendMessageBatchCommandInput) => {
    attempt += 1;
    const entries = input.Entries ?? [];
    const failed = new Set(
      fail(
        entries.map((e) => e.Id ?? ''),
        attempt,
      ),
    );
    for (const entry of entries) {
      if (!failed.has(entry.Id ?? ''))
        accepted.push(JSON.parse(entry.MessageBody ?? 'null') as DeliveryMessage);
    }
    return {
      Successful: entries
        .filter((e) => !failed.has(e.Id ?? ''))
        .map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: '' })),
      Failed: [...failed].map((Id) => ({
        Id,
        SenderFault: false,
        Code: 'InternalError',
        Message: 'try again',
      })),
    };
  });
}

beforeEach(() => {
  accepted.length = 0;
});

/** Whether the invocation told anyone (log or metrics) that the event was routed. */
function reportedRouted(): boolean {
  const logged = infoLogs.mock.calls.some(([message]) => message === 'event routed');
  const counted = metricCalls.mock.calls.some(([name]) => name === 'EventRouted' || name === 'FanOut');
  return logged || counted;
}

const invoke = (event: EventBridgeEvent<string, unknown>) => handler(event, lambdaContext('herald-router'));

// --- The tests -------------------------------------------------------------------------------

describe('the router with working DynamoDB and SQS (so the mocks are on the real path)', () => {
  it('queries the routes, queues one delivery per enabled webhook, records the disabled one, and reports it routed', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [...routeItems(2), ...routeItems(1, 'disabled')] });
    dynamo.on(UpdateCommand).resolves({});
    sqsAnswers();
    const event = busEvent();

    const result = await invoke(event);

    expect(result).toMatchObject({ outcome: 'routed', deliveries: 2, tenant });
    expect(queryInputs()).toEqual([
      expect.objectContaining({
        TableName: tableName,
        ExpressionAttributeValues: expect.objectContaining({ ':pk': `ROUTE#${tenant}#${eventType}` }),
      }),
    ]);
    expect(batchInputs().map((i) => i.QueueUrl)).toEqual([deliveryQueueUrl]);
    expect(accepted.map((m) => m.webhookId).sort()).toEqual(['wh_e0000', 'wh_e0001']);
    expect(accepted.map((m) => m.deliveryId).sort()).toEqual(
      ['wh_e0000', 'wh_e0001'].map((w) => deliveryIdFor(eventIdOf(event), w, event.time)).sort(),
    );
    expect(dynamo.commandCalls(UpdateCommand).length).toBeGreaterThan(0);
    expect(reportedRouted()).toBe(true);
  });
});

describe('the router when DynamoDB fails', () => {
  it.each(dynamoErrors)(
    'fails the invocation when the routes query throws %s, queuing nothing and reporting nothing routed',
    async (_name, error) => {
      dynamo.on(QueryCommand).rejects(error());
      sqsAnswers();

      await expect(invoke(busEvent())).rejects.toThrow();

      expect(queryInputs()).toHaveLength(1);
      expect(batchInputs()).toEqual([]);
      expect(reportedRouted()).toBe(false);
    },
  );

  it('fails when a later page of the routes query throws, without queuing the earlier pages’ deliveries', async () => {
    dynamo
      .on(QueryCommand)
      .resolvesOnce({
        Items: routeItems(3),
        LastEvaluatedKey: { pk: 'ROUTE#acme#x', sk: 'production#wh_e0002' },
      })
      .rejects(throttled());
    sqsAnswers();

    await expect(invoke(busEvent())).rejects.toThrow(/throughput/);

    expect(queryInputs()).toHaveLength(2);
    expect(queryInputs()[1]?.ExclusiveStartKey).toEqual({ pk: 'ROUTE#acme#x', sk: 'production#wh_e0002' });
    expect(batchInputs()).toEqual([]);
    expect(reportedRouted()).toBe(false);
  });

  it('fails when recording the deliveries held for disabled webhooks fails; the retried event queues the same delivery ids', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [...routeItems(2), ...routeItems(1, 'disabled')] });
    dynamo.on(UpdateCommand).rejectsOnce(throttled()).resolves({});
    sqsAnswers();
    const event = busEvent();

    await expect(invoke(event)).rejects.toThrow(/throughput/);
    expect(reportedRouted()).toBe(false);
    const firstIds = accepted.map((m) => m.deliveryId).sort();
    expect(firstIds).toHaveLength(2);

    // EventBridge invokes again with the same event: the same deliveries, the same ids.
    accepted.length = 0;
    await expect(invoke(event)).resolves.toMatchObject({ outcome: 'routed', deliveries: 2 });
    expect(accepted.map((m) => m.deliveryId).sort()).toEqual(firstIds);
    expect(reportedRouted()).toBe(true);
  });
});

describe('the router when SQS fails', () => {
  it.each(sqsErrors)(
    'fails the invocation when SendMessageBatch throws %s, reporting nothing routed',
    async (_name, error) => {
      dynamo.on(QueryCommand).resolves({ Items: routeItems(3) });
      sqs.on(SendMessageBatchCommand).rejects(error());

      await expect(invoke(busEvent())).rejects.toThrow();

      expect(batchInputs()).toHaveLength(1);
      expect(reportedRouted()).toBe(false);
    },
  );

  it('sends again only the entries SQS failed, and reports the event routed once every delivery is queued', async () => {
    dynamo.on(QueryCommand).resolves({ Items: routeItems(10) });
    // The first attempt fails entries 2 and 7; the second fails 7 again; the third takes it.
    sqsAnswers((ids, attempt) =>
      attempt === 1
        ? ids.filter((id) => id === '2' || id === '7')
        : attempt === 2
          ? ids.filter((id) => id === '7')
          : [],
    );
    const event = busEvent();

    await expect(invoke(event)).resolves.toMatchObject({ outcome: 'routed', deliveries: 10 });

    const inputs = batchInputs();
    expect(inputs.map((i) => (i.Entries ?? []).length)).toEqual([10, 2, 1]);
    // Each delivery is on the queue exactly once, with its stable id.
    expect(accepted.map((m) => m.webhookId).sort()).toEqual(routeItems(10).map((r) => r.webhookId));
    expect(new Set(accepted.map((m) => m.deliveryId)).size).toBe(10);
    expect(
      accepted.every((m) => m.deliveryId === deliveryIdFor(eventIdOf(event), m.webhookId, event.time)),
    ).toBe(true);
    expect(reportedRouted()).toBe(true);
  });

  it('fails the invocation when entries keep failing after the bounded retries, reporting nothing routed', async () => {
    dynamo.on(QueryCommand).resolves({ Items: routeItems(5) });
    sqsAnswers((ids) => ids.filter((id) => id === '3'));

    await expect(invoke(busEvent())).rejects.toThrow(/SQS refused 1 of 1 deliveries/);

    const inputs = batchInputs();
    expect(inputs.length).toBeGreaterThan(1);
    expect(inputs.length).toBeLessThanOrEqual(5);
    for (const input of inputs.slice(1)) expect((input.Entries ?? []).map((e) => e.Id)).toEqual(['3']);
    expect(reportedRouted()).toBe(false);
  });

  it('fails when one batch of a large fan-out fails; the retried event queues every delivery, under the same ids', async () => {
    dynamo.on(QueryCommand).resolves({ Items: routeItems(25) });
    let failedOnce = false;
    sqs.on(SendMessageBatchCommand).callsFake(async (input: SendMessageBatchCommandInput) => {
      const entries = input.Entries ?? [];
      const bodies = entries.map((e) => JSON.parse(e.MessageBody ?? 'null') as DeliveryMessage);
      if (!failedOnce && bodies.some((m) => m.webhookId === 'wh_e0013')) {
        failedOnce = true;
        throw new RequestThrottled({ message: 'Request is throttled.', $metadata: { httpStatusCode: 400 } });
      }
      accepted.push(...bodies);
      return {
        Successful: entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: '' })),
        Failed: [],
      };
    });
    const event = busEvent();

    await expect(invoke(event)).rejects.toThrow(/throttled/);
    expect(reportedRouted()).toBe(false);
    const queuedFirst = new Set(accepted.map((m) => m.webhookId));
    expect(queuedFirst.has('wh_e0013')).toBe(false);

    await expect(invoke(event)).resolves.toMatchObject({ outcome: 'routed', deliveries: 25 });
    // Nothing lost: every webhook got its delivery; those queued twice carry one id, which receivers dedupe.
    const byWebhook = new Map<string, Set<string>>();
    for (const m of accepted)
      byWebhook.set(m.webhookId, (byWebhook.get(m.webhookId) ?? new Set()).add(m.deliveryId));
    expect([...byWebhook.keys()].sort()).toEqual(routeItems(25).map((r) => r.webhookId));
    for (const [webhookId, ids] of byWebhook)
      expect([...ids]).toEqual([deliveryIdFor(eventIdOf(event), webhookId, event.time)]);
  });

  it('fails the invocation when an event refused by its schema cannot be kept on the rejected-events queue', async () => {
    sqs
      .on(SendMessageCommand)
      .rejects(
        new RequestThrottled({ message: 'Request is throttled.', $metadata: { httpStatusCode: 400 } }),
      );

    await expect(invoke(busEvent({ ...seedData, reviewId: 42 }))).rejects.toThrow(/throttled/);

    expect(sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input.QueueUrl)).toEqual([
      rejectedQueueUrl,
    ]);
    expect(queryInputs()).toEqual([]);
    expect(batchInputs()).toEqual([]);
  });
});

describe('the router behind local mode’s rule target (EventBridge’s retries)', () => {
  function ruleTarget() {
    const deadLettered: Array<{ event: EventBridgeEvent<string, unknown>; error: unknown }> = [];
    const target = createRuleTarget({
      invoke: (event) => invoke(event),
      onDeadLetter: async (event, error) => {
        deadLettered.push({ event, error });
      },
      log: () => undefined,
      policy: { ...routerRetryPolicy, retryAttempts: 2, firstDelayMs: 5 },
    });
    return { target, deadLettered };
  }

  it('retries an invocation that failed on DynamoDB, and queues the deliveries once it answers', async () => {
    dynamo
      .on(QueryCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves({ Items: routeItems(3) });
    sqsAnswers();
    const { target, deadLettered } = ruleTarget();
    const event = busEvent();

    target.dispatch(event);
    await target.drain();

    expect(queryInputs()).toHaveLength(3);
    expect(accepted.map((m) => m.deliveryId).sort()).toEqual(
      routeItems(3)
        .map((r) => deliveryIdFor(eventIdOf(event), String(r.webhookId), event.time))
        .sort(),
    );
    expect(deadLettered).toEqual([]);
  });

  it('dead-letters the event, never dropping it, when SQS keeps failing', async () => {
    dynamo.on(QueryCommand).resolves({ Items: routeItems(3) });
    sqs
      .on(SendMessageBatchCommand)
      .rejects(
        new RequestThrottled({ message: 'Request is throttled.', $metadata: { httpStatusCode: 400 } }),
      );
    const { target, deadLettered } = ruleTarget();
    const event = busEvent();

    target.dispatch(event);
    await target.drain();

    expect(batchInputs()).toHaveLength(3);
    expect(deadLettered).toHaveLength(1);
    expect(deadLettered[0]?.event).toBe(event);
    expect(String(deadLettered[0]?.error)).toMatch(/throttled/);
    expect(reportedRouted()).toBe(false);
  });
});
