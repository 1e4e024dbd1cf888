import type { Command } from 'commander';
import { z } from 'zod';
import type { HeraldClient } from '../clients/typescript/src';
import { version } from '../package.json';
import { apiKeyOf, apiUrlOf, type Context, globalsOf, tenantOf } from './context';
import { lazy } from './lazy';
import { networkErrorCode, UnreachableError } from './output';
import { cliSettings } from './settings';

/** The API commands' way to Herald: the TypeScript client, set up from the global flags and the environment. */

export interface Api {
  client: HeraldClient;
  tenant: string;
  apiUrl: string;
  /** `--json` was given. */
  json: boolean;
}

/** `fetch` that turns "no answer at all" into a sentence naming where it looked (exit 3). */
function reporting(apiUrl: string): typeof globalThis.fetch {
  return async (input, init) => {
    try {
      return await globalThis.fetch(input, init);
    } catch (error) {
      const code = networkErrorCode(error);
      if (!code) throw error;
      throw new UnreachableError(
        `Could not reach Herald at ${apiUrl} (${code}): is local mode running (npm start)? Else set ${cliSettings.apiUrl.env} or pass ${cliSettings.apiUrl.flag}.`,
      );
    }
  };
}

export function apiFor(context: Context, command: Command): Api {
  const globals = globalsOf(command);
  const apiUrl = apiUrlOf(globals, context.env);
  const tenant = tenantOf(globals, context.env);
  const apiKey = apiKeyOf(globals, context, tenant);
  const client = lazy.client().createHeraldClient({
    baseUrl: apiUrl,
    tenant,
    apiKey,
    // One request a command: the key as the bearer, rather than an exchange for a token first.
    auth: 'key',
    fetch: reporting(apiUrl),
    userAgent: `herald-cli/${version}`,
  });
  return { client, tenant, apiUrl, json: globals.json === true };
}

/**
 * Input the API judges: a webhook's attributes or a list's filters, passed through as the user gave
 * them and typed as the operation's input. The CLI checks only that it is an object; the API answers
 * a bad value with a JSON:API error pointing at it, which the CLI prints as such.
 */
export const forwarded = <T extends object>() =>
  z.custom<T>((value) => typeof value === 'object' && value !== null && !Array.isArray(value));

/** The `page[after]` cursor of a `links.next`, to show people how to get the next page. */
export function nextCursor(next: string | undefined): string | undefined {
  if (!next) return undefined;
  return new URL(next, 'http://x').searchParams.get('page[after]') ?? undefined;
}

/**
 * Actions as commander calls them (the arguments, then the options, then the command), each body
 * given the API client: for commands with no, one or two arguments.
 */
export const apiAction = {
  none:
    (context: Context, body: (api: Api, command: Command) => Promise<void>) =>
    (_options: unknown, command: Command) =>
      body(apiFor(context, command), command),
  one:
    (context: Context, body: (api: Api, command: Command, first: string) => Promise<void>) =>
    (first: string, _options: unknown, command: Command) =>
      body(apiFor(context, command), command, first),
  two:
    (context: Context, body: (api: Api, command: Command, first: string, second: string) => Promise<void>) =>
    (first: string, second: string, _options: unknown, command: Command) =>
      body(apiFor(context, command), command, first, second),
};
