import { type Command, InvalidArgumentError } from 'commander';
import { z } from 'zod';

/** Flags shared by the list commands: paging, and lists given comma-separated or repeated. */

/** A whole number of at least `min`, for a flag. */
export const positiveInteger =
  (flag: string, min = 1) =>
  (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min)
      throw new InvalidArgumentError(`${flag} is a whole number of at least ${min}.`);
    return Number(value);
  };

/** `--x a,b --x c` → `['a', 'b', 'c']`. */
export const collectList = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
];

/** Adds `--page-size`, `--after` and `--all`. */
export function pageOptions(command: Command): Command {
  return command
    .option(
      '--page-size <n>',
      'items per page, 1 to 100 (the API default: 20)',
      positiveInteger('--page-size'),
    )
    .option('--after <cursor>', 'the page after this cursor (printed under a page that has more)')
    .option('--all', 'follow the pages to the end (--json: one document with every item in data)');
}

const pageOptionsSchema = z.object({ pageSize: z.number().optional(), after: z.string().optional() });

/** The API's paging parameters from the flags given. */
export function pageQuery(command: Command): Record<string, string> {
  const o = pageOptionsSchema.parse(command.opts());
  return {
    ...(o.pageSize === undefined ? {} : { 'page[size]': String(o.pageSize) }),
    ...(o.after === undefined ? {} : { 'page[after]': o.after }),
  };
}

/** Whether `--all` was given. */
export const wantsAll = (command: Command): boolean =>
  z.object({ all: z.boolean().optional() }).parse(command.opts()).all === true;
