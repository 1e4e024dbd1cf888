import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type QueueDescription, type QueueName, queueRetentionSeconds } from '../functions/shared/pipeline';
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
        ],
        KeySchema: [
          { AttributeName: tableSchema.partitionKey, KeyType: 'HASH' },
          { AttributeName: tableSchema.sortKey, KeyType: 'RANGE' },
        ],
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
    // A table kept by `--data` stays as it is. One from before the delivery log's sharded layout
    // may still have the `byDeliveryId` index; nothing reads it, and its old deliveries are not
    // shown (docs/operations.md, "Delivery log layout").
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}

/** Each queue's URL, by its name in the pipeline's description. */
export type QueueUrls = Record<QueueName, string>;

/**
 * The pipeline's queues as the stack makes them (functions/shared/pipeline.ts), with the redrive
 * between the delivery queue and its dead-letter queue. Safe to run on every start; an existing
 * queue keeps its attributes (fauxqs, like SQS, answers CreateQueue with the existing URL).
 */
export async function ensureQueues(
  client: SQSClient,
  prefix: string,
  queues: Record<QueueName, QueueDescription>,
): Promise<QueueUrls> {
  const urls: Partial<QueueUrls> = {};
  const arns: Partial<QueueUrls> = {};
  // Dead-letter queues first: a redrive policy names its target's ARN.
  const names = (Object.keys(queues) as QueueName[]).sort(
    (a, b) => Number(queues[a].redrive !== undefined) - Number(queues[b].redrive !== undefined),
  );
  for (const name of names) {
    const queue = queues[name];
    const attributes: Record<string, string> = { MessageRetentionPeriod: String(queueRetentionSeconds) };
    if (queue.visibilityTimeoutSeconds !== undefined)
      attributes.VisibilityTimeout = String(queue.visibilityTimeoutSeconds);
    if (queue.redrive) {
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: arns[queue.redrive.deadLetters],
        maxReceiveCount: queue.redrive.maxReceiveCount,
      });
    }
    const { QueueUrl } = await client.send(
      new CreateQueueCommand({ QueueName: `${prefix}-${queue.suffix}`, Attributes: attributes }),
    );
    if (!QueueUrl) throw new Error(`SQS gave no URL for the queue ${prefix}-${queue.suffix}`);
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    urls[name] = QueueUrl;
    arns[name] = Attributes?.QueueArn;
  }
  return urls as QueueUrls;
}
