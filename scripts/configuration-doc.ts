import { type CliSetting, cliSettings } from '../cli/settings';
import {
  contextKey,
  defaultSettings,
  envName,
  type SettingName,
  settingNames,
  settingSpecs,
  toEnvValue,
} from '../functions/shared/settings';

/**
 * docs/configuration.md, written from the one description of the settings
 * (functions/shared/settings.ts): `npm run docs` rewrites it, and a test fails when the committed
 * file differs.
 */
function shown(value: unknown): string {
  const text = toEnvValue(value);
  return text === '' ? '(empty)' : `\`${text}\``;
}

function row(name: SettingName): string {
  const spec: { only?: 'stack' | 'local'; description: string } = settingSpecs[name];
  const deployed = defaultSettings('deployed')[name];
  const local = defaultSettings('local')[name];
  const where =
    spec.only === 'stack'
      ? `\`${contextKey(name)}\``
      : spec.only === 'local'
        ? `\`${envName(name)}\` (local mode only)`
        : `\`${contextKey(name)}\`<br>\`${envName(name)}\``;
  const defaults =
    spec.only === 'local'
      ? shown(local)
      : toEnvValue(local) === toEnvValue(deployed) || spec.only === 'stack'
        ? shown(deployed)
        : `${shown(deployed)}; local mode ${shown(local)}`;
  return `| ${where} | ${defaults} | ${spec.description.replace(/\|/g, '\\|')} |`;
}

export function configurationDoc(): string {
  const all = settingNames('stack')
    .concat(settingNames('local'))
    .filter((n, i, a) => a.indexOf(n) === i);
  return [
    '# Configuration',
    '',
    '<!-- Written by `npm run docs` from functions/shared/settings.ts; edit that, not this. -->',
    '',
    'Each setting has one name. Deployed, it is the CDK context key `herald.<name>`, given on the',
    'command line (`npx cdk deploy -c herald.busName=herald-staging`) or in `cdk.json` under',
    '`context`; unknown keys and bad values fail the synth, naming them. The stack passes each',
    'function the settings it reads as `HERALD_<NAME>` environment variables. Local mode',
    '(`npm start`) reads the same `HERALD_<NAME>` variables from its environment, and fails to start',
    'naming any bad one. Numbers may be written as digits, lists comma-separated.',
    '',
    'Local mode also reads `PORT` (the API, default 3000), `EVENTS_PORT` (the `PutEvents` endpoint,',
    "default 4010) and `HERALD_API_KEY` (the demo tenant's key; by default one is made and kept in",
    '`.herald/demo-api-key`).',
    '',
    '| setting | default | what it does |',
    '| --- | --- | --- |',
    ...all.map(row),
    '',
    '## The `herald` CLI',
    '',
    '<!-- From cli/settings.ts. -->',
    '',
    'The command line (`npx herald`, [cli.md](cli.md)) reads these from its environment; a flag, where',
    'there is one, overrides its variable for one command. The defaults point at local mode, so it',
    'works against `npm start` with nothing set. `herald publish` also reads `HERALD_BUS_NAME` and',
    '`HERALD_EVENT_SOURCE` (above).',
    '',
    '| variable | flag | default | what it does |',
    '| --- | --- | --- | --- |',
    ...Object.values<CliSetting>(cliSettings).map(
      (c) =>
        `| \`${c.env}\` | ${c.flag ? `\`${c.flag}\`` : ''} | ${c.default ? `\`${c.default}\`` : '(none)'} | ${c.description} |`,
    ),
    '',
  ].join('\n');
}
