import type { Node } from 'constructs';
import { defaultAllowedPorts } from '../functions/domain/target-ports';
import {
  defaultSettings as allDefaults,
  contextKey,
  describeProblem,
  type FunctionName,
  parseSettings,
  type Settings,
  type StackSettingName,
  settingNames,
  settingsEnvironment,
} from '../functions/shared/settings';

/**
 * Typed settings of a Herald deployment: the stack's part of the one description in
 * functions/shared/settings.ts (names, schemas, defaults, docs), which local mode and the
 * functions read too. Each is the CDK context key `herald.<name>`.
 */
export type HeraldSettings = Pick<Settings, StackSettingName>;

const stackNames = settingNames('stack') as StackSettingName[];

export const defaultSettings: HeraldSettings = Object.fromEntries(
  stackNames.map((n) => [n, allDefaults()[n]]),
) as HeraldSettings;

/** Context keys Herald reads: `herald.<setting>`. */
export const settingsContextPrefix = 'herald.';

/**
 * API Gateway applies a request's usage-plan (tenant) or method (exchange) limit and the stage's
 * as well: a limit above the stage's could never be reached, and would only promise a tenant more
 * than it can have.
 */
const stageCeilings = [
  ['tenantRateLimit', 'throttleRateLimit'],
  ['tenantBurstLimit', 'throttleBurstLimit'],
  ['exchangeRateLimit', 'throttleRateLimit'],
  ['exchangeBurstLimit', 'throttleBurstLimit'],
] as const;

/**
 * Validates settings overrides merged over {@link defaultSettings}.
 *
 * @param overrides raw values by setting name: numbers may be numeric strings, lists may be
 *   comma-separated strings.
 * @throws Error naming every bad or unknown setting (as `herald.<name>`).
 */
export function resolveSettings(overrides: Readonly<Record<string, unknown>>): HeraldSettings {
  const known = new Set<string>(stackNames);
  const unknown = Object.keys(overrides).filter((k) => !known.has(k));
  const problems: string[] = [];
  if (unknown.length > 0) {
    problems.push(
      `unknown setting(s) ${unknown.map((k) => `${settingsContextPrefix}${k}`).join(', ')} (known: ${stackNames.map(contextKey).join(', ')})`,
    );
  }
  const parsed = parseSettings(overrides, stackNames);
  if (!parsed.ok) problems.push(...parsed.problems.map((p) => describeProblem(p, contextKey)));
  if (parsed.ok) {
    const s = parsed.settings;
    for (const [limit, ceiling] of stageCeilings) {
      if (s[limit] > s[ceiling]) {
        problems.push(
          `${contextKey(limit)}: ${s[limit]} is above ${contextKey(ceiling)} (${s[ceiling]}), the stage ceiling: raise that too, or lower this`,
        );
      }
    }
  }
  if (problems.length > 0 || !parsed.ok) throw new Error(`Invalid Herald settings: ${problems.join('; ')}`);
  return parsed.settings;
}

/**
 * Reads a deployment's settings from CDK context, merged over {@link defaultSettings}.
 *
 * Each setting is its own context key, `herald.<setting>`:
 * - on the command line: `npx cdk deploy -c herald.busName=herald-staging -c herald.allowedEnvironments=staging,qa`
 *   (numbers as digits, lists comma-separated);
 * - or in `cdk.json` / `cdk.context.json` under `"context"`:
 *   `"herald.throttleRateLimit": 100, "herald.allowedEnvironments": ["production", "staging"]`.
 *
 * The command line wins over cdk.json. An unknown `herald.*` key is an error, so a typo cannot
 * silently deploy the default.
 *
 * @param node the construct node to read context from (usually `app.node`).
 * @throws Error naming every bad or unknown setting.
 */
export function settingsFromContext(node: Node): HeraldSettings {
  const context: Record<string, unknown> = node.getAllContext();
  const overrides: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    if (key.startsWith(settingsContextPrefix)) overrides[key.slice(settingsContextPrefix.length)] = value;
  }
  return resolveSettings(overrides);
}

/**
 * The environment variables that give a function its settings, deployed: `HERALD_<NAME>` for
 * each setting it reads. Deployed Herald never delivers to private, loopback or link-local
 * addresses (SSRF), whatever the settings say.
 */
export function functionEnvironment(settings: HeraldSettings, fn: FunctionName): Record<string, string> {
  return settingsEnvironment(
    {
      ...allDefaults(),
      ...settings,
      allowPrivateTargets: false,
      allowedPorts: settings.allowedPorts || defaultAllowedPorts,
    },
    settingNames(fn),
  );
}
