import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbApiKeyStore } from '../functions/adapters/aws/dynamodb-api-key-store';
import { DynamoDbDeliveryLog } from '../functions/adapters/aws/dynamodb-delivery-log';
import { hashApiKey, newApiKey } from '../functions/domain/api-key';
import { routerRulePattern } from '../functions/domain/event-pattern';
import { defaultRetrySchedule, parseRetrySchedule } from '../functions/domain/retry';
import {
  deliveryEventSource,
  deliveryEventSourceScaling,
  deliveryTimings,
  pipelineQueues,
} from '../functions/shared/pipeline';
import {
  defaultSettings,
  describeProblem,
  envName,
  parseSettings,
  type SettingName,
  type Settings,
  settingNames,
  settingsEnvironment,
} from '../functions/shared/settings';
import { createApiGatewayServer, lambdaContext } from './api-gateway';
import { activeResponseCheck, type ResponseCheck } from './contract-check';
import {
  assertPortFree,
  type Emulator,
  freePort,
  LocalModeError,
  localAwsConfig,
  startDynamoDbLocal,
  startFauxqs,
} from './emulators';
import { createEventsServer, type PlatformEvent } from './events-endpoint';
import { inboxRoutes } from './inbox';
import { InboxStore } from './inbox-store';
import { inboxWebhookFinder } from './inbox-webhooks';
import { ensureQueues, ensureTable, type QueueUrls } from './resources';
import { createRuleTarget } from './rule-target';
import { startSqsPoller } from './sqs-poller';
import { uiRoutes } from './ui';

/**
 * Local mode: the whole of Herald on one machine. The same handlers run behind a stand-in for
 * API Gateway, against DynamoDB Local and fauxqs through the real AWS SDK clients.
 */
export interface LocalHeraldOptions extends Partial<Settings> {
  /** The API port on 127.0.0.1; 0 for any free port. */
  apiPort: number;
  /** The `PutEvents` port on 127.0.0.1; 0 for any free port. */
  eventsPort: number;
  /** Keep DynamoDB Local's data in memory instead of under `dataDir`. */
  memory: boolean;
  /** Where state is kept between runs. @default .herald */
  dataDir?: string;
  /** The demo tenant's key; a new one is made when absent. */
  apiKey?: string;
  /** Use running emulators instead of starting them (tests share one of each). */
  dynamoDbEndpoint?: string;
  sqsEndpoint?: string;
  tableName?: string;
  /** Names the queues `{prefix}-deliveries` and `{prefix}-deliveries-dlq`. */
  queuePrefix?: string;
  log?: (line: string) => void;
  onEvent?: (event: PlatformEvent, matched: boolean) => void;
  /**
   * Sees every API response before it is sent. @default the contract checks when a test setup
   * enabled them (local/contract-check.ts), else none
   */
  checkResponse?: ResponseCheck;
}

/** The settings of `options` over local mode's defaults; throws naming every bad one. */
function localSettings(options: LocalHeraldOptions): Settings {
  const given: Partial<Record<SettingName, unknown>> = {};
  for (const name of settingNames('local')) if (options[name] !== undefined) given[name] = options[name];
  const parsed = parseSettings(given, settingNames('local'), defaultSettings('local'));
  if (!parsed.ok)
    throw new LocalModeError(
      `Invalid settings: ${parsed.problems.map((p) => describeProblem(p, envName)).join('; ')}`,
    );
  return { ...defaultSettings('local'), ...parsed.settings };
}

export interface LocalHerald {
  apiUrl: string;
  /** The inbox page; `{inboxUrl}/{name}` receives deliveries (local/inbox.ts). */
  inboxUrl: string;
  eventsUrl: string;
  dynamoDbEndpoint: string;
  sqsEndpoint: string;
  tableName: string;
  queues: QueueUrls;
  demoTenant: string;
  /** The demo tenant's key: given (`HERALD_API_KEY`), kept from the last run, or new. */
  demoApiKey: string;
  demoApiKeyOrigin: 'given' | 'kept' | 'new';
  startedInMs: number;
  /**
   * Resolves when every event the bus has accepted so far has been routed (its deliveries
   * queued) or dead-lettered: a publisher that waits on it between events fixes their order.
   */
  routed(): Promise<void>;
  stop(): Promise<void>;
}

export const demoTenant = 'demo';

async function listen(server: Server, port: number, what: string, variable: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new LocalModeError(`Port ${port} (${what}) is already in use. Set ${variable} to another port.`)
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolvePort(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((r) => {
    server.close(() => r());
    server.closeAllConnections();
  });
}

/**
 * The demo tenant's key. A given key is stored (by its hash) if new; otherwise the key kept in
 * `keyFile` by an earlier run is reused while the store still knows it unrevoked, else a new one
 * is made and kept there (readable by its owner only).
 */
async function demoKey(
  keys: DynamoDbApiKeyStore,
  options: { given?: string; keyFile?: string },
): Promise<{ key: string; origin: LocalHerald['demoApiKeyOrigin'] }> {
  if (options.given) {
    if (!(await keys.findByHash(hashApiKey(options.given)))) {
      await keys.create(newApiKey(demoTenant, new Date(), 'HERALD_API_KEY', options.given).record);
    }
    return { key: options.given, origin: 'given' };
  }
  const kept =
    options.keyFile && existsSync(options.keyFile) ? readFileSync(options.keyFile, 'utf8').trim() : '';
  if (kept) {
    const record = await keys.findByHash(hashApiKey(kept));
    if (record && record.tenant === demoTenant && record.revokedAt === null)
      return { key: kept, origin: 'kept' };
  }
  const made = newApiKey(demoTenant, new Date(), 'local mode');
  await keys.create(made.record);
  if (options.keyFile) writeFileSync(options.keyFile, `${made.key}\n`, { mode: 0o600 });
  return { key: made.key, origin: 'new' };
}

let startedInThisProcess = false;

/**
 * Starts local mode. Once per process: the handlers read their configuration at import, as a
 * Lambda does at cold start.
 */
export async function startLocalHerald(options: LocalHeraldOptions): Promise<LocalHerald> {
  if (startedInThisProcess)
    throw new LocalModeError('Local mode runs once per process; start another process.');
  startedInThisProcess = true;
  const started = Date.now();
  const settings = localSettings(options);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const log = options.log ?? (() => undefined);
  const dataDir = resolve(options.dataDir ?? '.herald');
  const emulators: Emulator[] = [];
  const servers: Server[] = [];
  const stoppers: Array<() => Promise<void>> = [];
  const stop = async () => {
    await Promise.all(servers.map(close));
    for (const s of stoppers.reverse()) await s();
    await Promise.all(emulators.map((e) => e.stop()));
  };
  try {
    // DynamoDB Local refuses a data directory that does not exist yet: make it before starting.
    const dynamoDataDir = options.memory ? undefined : join(dataDir, 'dynamodb');
    mkdirSync(dynamoDataDir ?? dataDir, { recursive: true });
    // Say so before starting anything when a port is taken.
    if (options.apiPort) await assertPortFree(options.apiPort, 'the API, set PORT to change it', '127.0.0.1');
    if (options.eventsPort) {
      await assertPortFree(
        options.eventsPort,
        'the PutEvents endpoint, set EVENTS_PORT to change it',
        '127.0.0.1',
      );
    }
    const [dynamo, sqs] = await Promise.all([
      options.dynamoDbEndpoint
        ? { endpoint: options.dynamoDbEndpoint }
        : freePort().then((port) =>
            startDynamoDbLocal({
              port,
              dataDir: dynamoDataDir,
            }).then((e) => {
              emulators.push(e);
              return e;
            }),
          ),
      options.sqsEndpoint
        ? { endpoint: options.sqsEndpoint }
        : freePort().then((port) =>
            startFauxqs({ port }).then((e) => {
              emulators.push(e);
              return e;
            }),
          ),
    ]);

    const tableName = options.tableName ?? 'herald';
    const signingKey = randomBytes(32).toString('base64url');
    // The handlers read these at import, exactly as a Lambda reads its environment.
    Object.assign(process.env, {
      AWS_REGION: localAwsConfig.region,
      AWS_ACCESS_KEY_ID: localAwsConfig.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localAwsConfig.credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      TABLE_NAME: tableName,
      HERALD_TOKEN_SIGNING_KEY: signingKey,
      // On whatever port the API listens: sessions' links are made on the request's origin.
      PORTAL_URL: '/portal/',
      POWERTOOLS_SERVICE_NAME: 'herald',
      POWERTOOLS_LOG_LEVEL: settings.logLevel,
      // Nothing turns EMF lines into metrics here; POWERTOOLS_METRICS_DISABLED=false prints them.
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
      // Every function's settings, always all of them, so an earlier start in the same process
      // cannot leak its values into this one.
      ...settingsEnvironment(settings, [
        ...new Set([...settingNames('api'), ...settingNames('router'), ...settingNames('delivery')]),
      ]),
    });

    const dynamoClient = new DynamoDBClient({ ...localAwsConfig, endpoint: dynamo.endpoint });
    const sqsClient = new SQSClient({
      ...localAwsConfig,
      endpoint: sqs.endpoint,
      useQueueUrlAsEndpoint: false,
    });
    await ensureTable(dynamoClient, tableName);
    const queuePrefix = options.queuePrefix ?? 'herald';
    const deliveryTimeoutMs = settings.deliveryTimeoutMs;
    const pipeline = pipelineQueues({
      retrySchedule: settings.retrySchedule
        ? parseRetrySchedule(settings.retrySchedule)
        : defaultRetrySchedule,
      deliveryTimeoutMs,
    });
    const queues = await ensureQueues(sqsClient, queuePrefix, pipeline);
    Object.assign(process.env, {
      DELIVERY_QUEUE_URL: queues.deliveries,
      DEAD_LETTER_QUEUE_URL: queues.deadLetters,
      ORDERED_DELIVERY_QUEUE_URL: queues.orderedDeliveries,
      ORDERED_DEAD_LETTER_QUEUE_URL: queues.orderedDeadLetters,
      REJECTED_EVENTS_QUEUE_URL: queues.rejectedEvents,
    });

    if (!options.memory && !options.dynamoDbEndpoint) {
      // The table is kept on disk, the queues (fauxqs) are not: what was queued at the last stop is
      // gone. Say so, and leave those deliveries where retry and recovery find them.
      const stranded = await new DynamoDbDeliveryLog(
        DynamoDBDocumentClient.from(dynamoClient),
        tableName,
        settings.attemptRetentionDays * 86_400,
      ).failStranded(
        'Local mode stopped while this delivery was queued; its queue is not kept between runs.',
        new Date().toISOString(),
      );
      if (stranded > 0)
        log(
          `${stranded} deliveries were queued when local mode last stopped (queues are not kept): marked failed; POST /webhooks/{id}/recover sends them again.`,
        );
    }

    const keys = new DynamoDbApiKeyStore(DynamoDBDocumentClient.from(dynamoClient), tableName);
    const demo = await demoKey(keys, {
      given: options.apiKey,
      // Kept beside the data it opens, so a restart onto the same data prints the same key.
      keyFile: options.memory || options.dynamoDbEndpoint ? undefined : join(dataDir, 'demo-api-key'),
    });

    const [{ handler: api }, { handler: authorizer }, { handler: router }, { handler: delivery }] =
      await Promise.all([
        import('../functions/handlers/api'),
        import('../functions/handlers/authorizer'),
        import('../functions/handlers/router'),
        import('../functions/handlers/delivery'),
      ]);
    const ruleTarget = createRuleTarget({
      invoke: (event) => router(event, lambdaContext('herald-router')),
      onDeadLetter: async (event, error) => {
        await sqsClient.send(
          new SendMessageCommand({
            QueueUrl: queues.routerDeadLetters,
            MessageBody: JSON.stringify(event),
            MessageAttributes: { error: { DataType: 'String', StringValue: String(error).slice(0, 256) } },
          }),
        );
      },
      log,
    });
    stoppers.push(() => ruleTarget.stop());
    // The pollers' own client: each long poll holds a socket, and the deletes must not queue behind them.
    const pollerClient = new SQSClient({
      ...localAwsConfig,
      endpoint: sqs.endpoint,
      useQueueUrlAsEndpoint: false,
      requestHandler: {
        httpAgent: new Agent({ keepAlive: true, maxSockets: 2 * settings.deliveryMaxConcurrency }),
      },
    });
    stoppers.push(async () => pollerClient.destroy());
    const poller = startSqsPoller({
      client: pollerClient,
      queueUrl: queues.deliveries,
      queueArn: `arn:aws:sqs:${localAwsConfig.region}:000000000000:${queuePrefix}-deliveries`,
      handler: delivery,
      functionName: 'herald-delivery',
      batchSize: deliveryEventSource.batchSize,
      concurrency: settings.deliveryMaxConcurrency,
      scaling: {
        initial: deliveryEventSourceScaling.initialBatches,
        addedPerMinute: deliveryEventSourceScaling.addedPerMinute,
      },
      waitTimeSeconds: deliveryEventSourceScaling.waitTimeSeconds,
      timeoutMs: deliveryTimings(deliveryTimeoutMs).functionTimeoutSeconds * 1000,
      log,
    });
    stoppers.push(() => poller.stop());
    // The stack's second event source on the delivery function: the ordered (FIFO) queue.
    const orderedPoller = startSqsPoller({
      client: sqsClient,
      queueUrl: queues.orderedDeliveries,
      queueArn: `arn:aws:sqs:${localAwsConfig.region}:000000000000:${queuePrefix}-${pipeline.orderedDeliveries.suffix}`,
      handler: delivery,
      functionName: 'herald-delivery',
      batchSize: deliveryEventSource.batchSize,
      timeoutMs: deliveryTimings(deliveryTimeoutMs).functionTimeoutSeconds * 1000,
      log,
    });
    stoppers.push(() => orderedPoller.stop());
    // Known once the API listens (port 0 picks one); inboxes are only made by requests after that.
    let apiUrl = '';
    const inboxes = new InboxStore((name) => `${apiUrl}/inbox/${name}`);
    const apiServer = createApiGatewayServer(
      {
        api,
        authorizer,
        onError: (error) => log(`API error: ${String(error)}`),
        checkResponse: options.checkResponse ?? activeResponseCheck(),
        localRoutes: [
          uiRoutes(undefined, { portalFrameAncestors: settings.portalFrameAncestors, demoTenant }),
          inboxRoutes({
            store: inboxes,
            findWebhooks: inboxWebhookFinder(DynamoDBDocumentClient.from(dynamoClient), tableName),
          }),
        ],
      },
      {
        tenant: {
          ratePerSecond: settings.tenantRateLimit,
          burst: settings.tenantBurstLimit,
        },
        exchange: {
          ratePerSecond: settings.exchangeRateLimit,
          burst: settings.exchangeBurstLimit,
        },
      },
    );
    servers.push(apiServer);
    const apiPort = await listen(apiServer, options.apiPort, 'the API', 'PORT');
    apiUrl = `http://127.0.0.1:${apiPort}`;

    const eventsServer = createEventsServer({
      busName: settings.busName,
      region: localAwsConfig.region,
      accountId: '000000000000',
      pattern: routerRulePattern(settings.eventSource),
      onMatched: (event) => {
        log(`event ${event.id} ${event['detail-type']} matched the rule`);
        options.onEvent?.(event, true);
        ruleTarget.dispatch(event);
      },
      onUnmatched: (event) => {
        log(`event ${event.id} ${event['detail-type']} from ${event.source} matched no rule`);
        options.onEvent?.(event, false);
      },
    });
    servers.push(eventsServer);
    const eventsPort = await listen(
      eventsServer,
      options.eventsPort,
      'the PutEvents endpoint',
      'EVENTS_PORT',
    );
    // The functions publish operational events to this endpoint, as deployed to the bus: their
    // EventBridge client is made at its first use, after this.
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = `http://127.0.0.1:${eventsPort}`;

    const herald: LocalHerald = {
      apiUrl,
      inboxUrl: `${apiUrl}/inbox`,
      eventsUrl: `http://127.0.0.1:${eventsPort}`,
      dynamoDbEndpoint: dynamo.endpoint,
      sqsEndpoint: sqs.endpoint,
      tableName,
      queues,
      demoTenant,
      demoApiKey: demo.key,
      demoApiKeyOrigin: demo.origin,
      startedInMs: Date.now() - started,
      routed: () => ruleTarget.drain(),
      stop,
    };
    // What `npm run keys` and other tools need to find this local mode.
    writeFileSync(
      join(dataDir, 'local.json'),
      JSON.stringify(
        { dynamoDbEndpoint: dynamo.endpoint, tableName, apiUrl: herald.apiUrl, pid: process.pid },
        null,
        2,
      ),
    );
    return herald;
  } catch (error) {
    await stop();
    throw error;
  }
}
