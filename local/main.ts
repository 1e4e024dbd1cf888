import { defaultSettings, envName, settingNames, settingsFromEnv } from '../functions/shared/settings';
import { LocalModeError } from './emulators';
import { demoTenant, type LocalHerald, startLocalHerald } from './herald';
import { portalLink } from './portal-link';
import { ensureUiBuilt } from './ui';

/**
 * `npm start`: local mode. Settings come from the environment (docs/configuration.md); flags:
 * `--memory` keeps no data between runs.
 */
const usage = `Usage: npm start [-- --memory]

  --memory   keep DynamoDB Local's data in memory (default: under .herald/)

Environment: PORT (3000), EVENTS_PORT (4010), HERALD_API_KEY (the demo tenant's key), and the
settings (docs/configuration.md): ${settingNames('local').map(envName).join(', ')}`;

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535)
    throw new LocalModeError(`${name} must be a port number, not ${raw}.`);
  return value;
}

/** Local mode's settings from the environment, with local defaults; throws naming every bad variable. */
function readSettings() {
  return settingsFromEnv(process.env, settingNames('local'), defaultSettings('local'));
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

  let settings: ReturnType<typeof readSettings>;
  try {
    settings = readSettings();
  } catch (error) {
    throw new LocalModeError((error as Error).message);
  }
  const log = (line: string) => console.log(`[herald] ${line}`);
  // The UI builds (when its sources changed) while the emulators start; without it the API still works.
  const ui = ensureUiBuilt().then(
    (result) => {
      if (result.built) log(`built the UI (ui/dist) in ${result.ms} ms`);
      return true;
    },
    (error: unknown) => {
      log(`the inbox page is unavailable: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    },
  );
  try {
    herald = await startLocalHerald({
      apiPort: port('PORT', 3000),
      eventsPort: port('EVENTS_PORT', 4010),
      memory: args.includes('--memory'),
      apiKey: process.env.HERALD_API_KEY || undefined,
      ...settings,
      log,
    });
  } catch (error) {
    // Let a build under way finish (the next start needs none) rather than leave it half done.
    await ui;
    throw error;
  }
  const uiBuilt = await ui;
  if (stopping) return;

  // The API works without it: say why instead of failing the start.
  const portal = uiBuilt
    ? await portalLink(herald.apiUrl, demoTenant, herald.demoApiKey).then(
        (url) =>
          `${url}\n                   (a session of ${demoTenant} for a day; or open ${herald.apiUrl}/portal/ and sign in with the key)`,
        (error: unknown) =>
          `${herald.apiUrl}/portal/   (no session link: ${error instanceof Error ? error.message : String(error)})`,
      )
    : `${herald.apiUrl}/portal/   (page unavailable: the UI build failed, see above)`;
  const keyLine = {
    given: 'the key in HERALD_API_KEY',
    kept: `${herald.demoApiKey}   (kept in .herald/demo-api-key; set HERALD_API_KEY to choose one)`,
    new: `${herald.demoApiKey}   (new${args.includes('--memory') ? '' : ', kept in .herald/demo-api-key'}; set HERALD_API_KEY to choose one)`,
  }[herald.demoApiKeyOrigin];
  console.log(`
Herald local mode is ready (${herald.startedInMs} ms).

  API              ${herald.apiUrl}/api/v2/${demoTenant}/webhooks
  Inbox            ${herald.inboxUrl}${uiBuilt ? '' : '   (page unavailable: the UI build failed, see above)'}
                   a webhook's url may be ${herald.inboxUrl}/{name}: its deliveries show there, verified
  Portal           ${portal}
  Event types      ${herald.apiUrl}/api/v2/${demoTenant}/webhook-event-types
  Delivery log     ${herald.apiUrl}/api/v2/${demoTenant}/webhooks/{id}/deliveries   (also /test, /recover, /secret/rotate)
  Key exchange     ${herald.apiUrl}/auth/exchange
  PutEvents        ${herald.eventsUrl}   (bus "${settings.busName}", source "${settings.eventSource}")
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
