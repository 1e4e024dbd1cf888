import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
export { seedBodies } from '../functions/shared/api-contract';
