import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbApiKeyStore } from '../adapters/aws/dynamodb-api-key-store';
import { DynamoDbWebhookStore } from '../adapters/aws/dynamodb-webhook-store';
import { SecretsManagerSigningKey, StaticSigningKey } from '../adapters/aws/secrets-manager-signing-key';
import type { SigningKeyProvider } from '../domain/ports';
import type { ApiConfig } from './config';

/**
 * AWS clients and adapters, made once per container. Endpoints come from the SDK's own
 * `AWS_ENDPOINT_URL_*` variables, so local mode needs no branch here.
 */
export function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

export function signingKeyProvider(config: ApiConfig): SigningKeyProvider {
  return 'key' in config.tokenSigningKey
    ? new StaticSigningKey(config.tokenSigningKey.key)
    : new SecretsManagerSigningKey(new SecretsManagerClient({}), config.tokenSigningKey.secretArn);
}

export function stores(config: ApiConfig, client: DynamoDBDocumentClient = documentClient()) {
  return {
    webhooks: new DynamoDbWebhookStore(client, config.tableName),
    keys: new DynamoDbApiKeyStore(client, config.tableName),
  };
}
