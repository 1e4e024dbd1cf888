import { freePort, startDynamoDbLocal, startFauxqs } from '../local/emulators';
import { ensureUiBuilt } from '../local/ui';

/**
 * One DynamoDB Local and one fauxqs for the whole run; each test file makes its own table and
 * queues in them. Endpoints reach the tests through the environment. The browser UI is built
 * meanwhile when its sources changed, so the browser tests find it as `npm start` would.
 */
export default async function globalSetup(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const [dynamo, sqs] = await Promise.all([
    freePort().then((port) => startDynamoDbLocal({ port })),
    freePort().then((port) => startFauxqs({ port })),
    ensureUiBuilt(),
  ]);
  process.env.HERALD_TEST_DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.HERALD_TEST_SQS_ENDPOINT = sqs.endpoint;
  (globalThis as { heraldEmulators?: unknown }).heraldEmulators = [dynamo, sqs];
}
