import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { tenantPattern } from '../functions/domain/api-key';
import { type Output, UsageError } from './output';
import { cliSettings } from './settings';

/**
 * What every command is given: where to write, the global flags, and the settings they override
 * (cli/settings.ts), resolved flag first, then the environment, then the default.
 */

/** The global flags, as commander parses them (present on every command through `optsWithGlobals`). */
export const globalOptionsSchema = z.object({
  json: z.boolean().optional(),
  apiUrl: z.string().optional(),
  tenant: z.string().optional(),
  apiKey: z.string().optional(),
});
export type GlobalOptions = z.infer<typeof globalOptionsSchema>;

export interface Context {
  output: Output;
  env: NodeJS.ProcessEnv;
  /** The directory relative paths (`--data @file.json`, `.herald/`) are read from. */
  cwd: string;
}

/** A variable's value; an empty one counts as unset (as for local mode's settings). */
function fromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** The API's root without a trailing slash; refuses what is not an http(s) URL. */
export function apiUrlOf(options: GlobalOptions, env: NodeJS.ProcessEnv): string {
  const setting = cliSettings.apiUrl;
  const raw = options.apiUrl ?? fromEnv(env, setting.env) ?? setting.default;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${setting.env} / ${setting.flag} is not a URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`${setting.env} / ${setting.flag} must be an http(s) URL, not ${raw}`);
  return raw.replace(/\/+$/, '');
}

export function tenantOf(options: GlobalOptions, env: NodeJS.ProcessEnv): string {
  const setting = cliSettings.tenant;
  const tenant = options.tenant ?? fromEnv(env, setting.env) ?? setting.default;
  if (!tenantPattern.test(tenant))
    throw new UsageError(
      `The tenant must be 1 to 63 lowercase letters, digits, - and _ (starting with a letter or digit), not "${tenant}".`,
    );
  return tenant;
}

/** Local mode's data directory (`.herald`), where it keeps the demo key and `local.json`. */
export const dataDirOf = (context: Context): string =>
  resolve(context.cwd, fromEnv(context.env, cliSettings.dataDir.env) ?? cliSettings.dataDir.default);

/**
 * The API key: the flag, else `HERALD_API_KEY`, else (for the demo tenant) the key local mode keeps
 * in `.herald/demo-api-key`, so that `herald` works against `npm start` with nothing set.
 */
export function apiKeyOf(options: GlobalOptions, context: Context, tenant: string): string {
  const setting = cliSettings.apiKey;
  const given = options.apiKey ?? fromEnv(context.env, setting.env);
  if (given) return given;
  const kept = join(dataDirOf(context), 'demo-api-key');
  if (tenant === 'demo' && existsSync(kept)) {
    const key = readFileSync(kept, 'utf8').trim();
    if (key) return key;
  }
  throw new UsageError(
    `No API key: set ${setting.env} or pass ${setting.flag} (npm start prints the demo tenant's key).`,
  );
}

/** The global flags of the command being run (they may be given before or after its name). */
export function globalsOf(command: Command): GlobalOptions {
  return globalOptionsSchema.parse(command.optsWithGlobals());
}
