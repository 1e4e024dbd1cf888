import { LocalModeError } from './emulators';
import { demoTenant, type LocalHerald, startLocalHerald } from './herald';

/**
 * `npm start`: local mode. Settings come from the environment (README "Settings"); flags:
 * `--memory` keeps no data between runs.
 */
const usage = `Usage: npm start [-- --memory]

  --memory   keep DynamoDB Local's data in memory (default: under .herald/)

Settings (environment): PORT, EVENTS_PORT, HERALD_BUS_NAME, HERALD_EVENT_SOURCE, HERALD_API_KEY,
HERALD_ALLOW_PRIVATE_TARGETS, HERALD_ALLOWED_PORTS, HERALD_ALLOWED_ENVIRONMENTS, HERALD_DEFAULT_TYPE_PREFIX,
HERALD_LOG_LEVEL, HERALD_TENANT_RATE_LIMIT, HERALD_TENANT_BURST_LIMIT, HERALD_EXCHANGE_RATE_LIMIT, HERALD_EXCHANGE_BURST_LIMIT`;

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw new LocalModeError(`${name} must be a port number, not ${raw}.`);
  return value;
}

function flag(name: string, fallback: boolean): boolean {
  const raw = process.env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new LocalModeError(`${name} must be true or false, not ${raw}.`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage);
    return;
  }
  const unknown = args.filter((a) => a !== '--memory');
  if (unknown.length > 0) throw new LocalModeError(`Unknown argument ${unknown.join(' ')}.\n\n${usage}`);

  let herald: LocalHerald | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping Herald local mode...`);
    await herald?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  /** A whole number from the environment; the handlers' own configuration checks its range. */
  const seconds = (name: string): number | undefined => {
    const value = process.env[name];
    if (value === undefined || value === '') return undefined;
    if (!/^\d+$/.test(value))
      throw new LocalModeError(`${name} must be a whole number, not ${JSON.stringify(value)}.`);
    return Number(value);
  };
  /** A throttle from the environment: a whole number of requests, at least 1. */
  const limit = (name: string): number | undefined => {
    const value = seconds(name);
    if (value === 0) throw new LocalModeError(`${name} must be at least 1.`);
    return value;
  };
  const busName = process.env.HERALD_BUS_NAME || 'herald';
  const eventSource = process.env.HERALD_EVENT_SOURCE || 'CredoAI';
  herald = await startLocalHerald({
    apiPort: port('PORT', 3000),
    eventsPort: port('EVENTS_PORT', 4010),
    memory: args.includes('--memory'),
    busName,
    eventSource,
    allowPrivateTargets: flag('HERALD_ALLOW_PRIVATE_TARGETS', true),
    allowedPorts: process.env.HERALD_ALLOWED_PORTS || undefined,
    allowedEnvironments: process.env.HERALD_ALLOWED_ENVIRONMENTS || undefined,
    defaultTypePrefix: process.env.HERALD_DEFAULT_TYPE_PREFIX,
    apiKey: process.env.HERALD_API_KEY || undefined,
    logLevel: process.env.HERALD_LOG_LEVEL || 'INFO',
    retrySchedule: process.env.HERALD_RETRY_SCHEDULE || undefined,
    deliveryTimeoutMs: seconds('HERALD_DELIVERY_TIMEOUT_MS'),
    autoDisableAfterSeconds: seconds('HERALD_AUTO_DISABLE_AFTER_SECONDS'),
    secretRotationGraceSeconds: seconds('HERALD_SECRET_ROTATION_GRACE_SECONDS'),
    maxWebhooksPerTenant: limit('HERALD_MAX_WEBHOOKS_PER_TENANT'),
    testEventsPerMinute: limit('HERALD_TEST_EVENTS_PER_MINUTE'),
    tenantRateLimit: limit('HERALD_TENANT_RATE_LIMIT'),
    tenantBurstLimit: limit('HERALD_TENANT_BURST_LIMIT'),
    exchangeRateLimit: limit('HERALD_EXCHANGE_RATE_LIMIT'),
    exchangeBurstLimit: limit('HERALD_EXCHANGE_BURST_LIMIT'),
    log: (line) => console.log(`[herald] ${line}`),
  });
  if (stopping) return;

  const keyLine = {
    given: 'the key in HERALD_API_KEY',
    kept: `${herald.demoApiKey}   (kept in .herald/demo-api-key; set HERALD_API_KEY to choose one)`,
    new: `${herald.demoApiKey}   (new${args.includes('--memory') ? '' : ', kept in .herald/demo-api-key'}; set HERALD_API_KEY to choose one)`,
  }[herald.demoApiKeyOrigin];
  console.log(`
Herald local mode is ready (${herald.startedInMs} ms).

  API              ${herald.apiUrl}/api/v2/${demoTenant}/webhooks
  Event types      ${herald.apiUrl}/api/v2/${demoTenant}/webhook-event-types
  Delivery log     ${herald.apiUrl}/api/v2/${demoTenant}/webhooks/{id}/deliveries   (also /test, /recover, /secret/rotate)
  Key exchange     ${herald.apiUrl}/auth/exchange
  PutEvents        ${herald.eventsUrl}   (bus "${busName}", source "${eventSource}")
  DynamoDB Local   ${herald.dynamoDbEndpoint}   (table "${herald.tableName}")
  SQS (fauxqs)     ${herald.sqsEndpoint}
                   ${herald.queues.deliveries}
                   ${herald.queues.deadLetters}

  Tenant           ${demoTenant}
  API key          ${keyLine}

Try:
  curl -s ${herald.apiUrl}/api/v2/${demoTenant}/webhooks -H "Authorization: Bearer $HERALD_API_KEY"

Ctrl-C stops everything.
`);
}

main().catch((error: unknown) => {
  if (error instanceof LocalModeError) {
    console.error(`Herald local mode could not start: ${error.message}`);
  } else {
    console.error('Herald local mode failed:', error);
  }
  process.exit(1);
});
