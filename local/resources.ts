import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { tableSchema } from '../functions/shared/table-schema';

/** DynamoDB Local makes tables active at once; poll briefly rather than with the SDK waiter's 20 s steps. */
async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Table ${tableName} did not become active`);
}

/** Creates what the stack would: the table and the delivery queues. Safe to run on every start. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: tableSchema.partitionKey, AttributeType: 'S' },
          { AttributeName: tableSchema.sortKey, AttributeType: 'S' },
          deliveryIndexAttribute,
        ],
        KeySchema: [
          { AttributeName: tableSchema.partitionKey, KeyType: 'HASH' },
          { AttributeName: tableSchema.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [deliveryIndex],
      }),
    );
    await waitUntilActive(client, tableName);
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: tableSchema.timeToLiveAttribute, Enabled: true },
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    await addDeliveryIndexIfMissing(client, tableName);
  }
}

const deliveryIndexAttribute = {
  AttributeName: tableSchema.deliveryIndex.partitionKey,
  AttributeType: 'S',
} as const;
const deliveryIndex = {
  IndexName: tableSchema.deliveryIndex.name,
  KeySchema: [{ AttributeName: tableSchema.deliveryIndex.partitionKey, KeyType: 'HASH' as const }],
  Projection: { ProjectionType: 'KEYS_ONLY' as const },
};

/** A table kept from an older version of local mode (`--data`) gets the index it lacks. */
async function addDeliveryIndexIfMissing(client: DynamoDBClient, tableName: string): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (Table?.GlobalSecondaryIndexes?.some((i) => i.IndexName === deliveryIndex.IndexName)) return;
  await client.send(
    new UpdateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [deliveryIndexAttribute],
      GlobalSecondaryIndexUpdates: [{ Create: deliveryIndex }],
    }),
  );
  await waitUntilActive(client, tableName);
}

export interface QueueUrls {
  deliveries: string;
  deadLetters: string;
  /** Events the router refused (schema), kept for an operator. */
  rejectedEvents: string;
  /** Events the router could not take after the rule's retries. */
  routerDeadLetters: string;
}

/** The delivery queue and its dead-letter queue, with the redrive between them. */
export async function ensureQueues(
  client: SQSClient,
  prefix: string,
  maxReceiveCount = 20,
): Promise<QueueUrls> {
  const dlq = await client.send(new CreateQueueCommand({ QueueName: `${prefix}-deliveries-dlq` }));
  const deadLetters = dlq.QueueUrl as string;
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: deadLetters, AttributeNames: ['QueueArn'] }),
  );
  const main = await client.send(
    new CreateQueueCommand({
      QueueName: `${prefix}-deliveries`,
      Attributes: {
        VisibilityTimeout: '60',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount }),
      },
    }),
  );
  const rejected = await client.send(new CreateQueueCommand({ QueueName: `${prefix}-rejected-events` }));
  const routerDlq = await client.send(new CreateQueueCommand({ QueueName: `${prefix}-router-dlq` }));
  return {
    deliveries: main.QueueUrl as string,
    deadLetters,
    rejectedEvents: rejected.QueueUrl as string,
    routerDeadLetters: routerDlq.QueueUrl as string,
  };
}
