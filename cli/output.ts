import Table from 'cli-table3';
import picocolors from 'picocolors';
import { z } from 'zod';

/**
 * How the CLI speaks: tables and sentences for people on stdout, exactly the API's JSON with
 * `--json`, and every failure on stderr (the API's JSON:API errors with their pointers) with an exit
 * code a script can branch on.
 */

/** Colour functions; plain ones when colour is off. */
export type Colors = ReturnType<typeof picocolors.createColors>;
const { createColors } = picocolors;

/** The exit codes, documented in `herald --help`. */
export const exitCodes = {
  ok: 0,
  /** The API (or the bus) answered with an error; its detail is on stderr. */
  refused: 1,
  /** The command line was wrong: an unknown flag, a missing argument, unreadable `--data`. */
  usage: 2,
  /** Herald could not be reached: local mode not running, a wrong URL, no network. */
  unreachable: 3,
} as const;

export const exitCodesHelp = `Exit codes:
  0  done
  1  Herald refused: the API's error detail (and pointer) is on stderr
  2  bad usage: an unknown command or flag, a missing argument or key, unreadable input
  3  Herald could not be reached (is local mode running? npm start)`;

/** A mistake on the command line or in its input (exit 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Herald could not be reached (exit 3). */
export class UnreachableError extends Error {
  override name = 'UnreachableError';
}

/** A JSON:API error object, as the API sends it and as the CLI prints refusals of its own. */
const errorObjectSchema = z
  .object({
    status: z.string().optional(),
    code: z.string().optional(),
    title: z.string().optional(),
    detail: z.string().optional(),
    source: z.object({ pointer: z.string().optional(), parameter: z.string().optional() }).optional(),
  })
  .passthrough();
export type ErrorObject = z.infer<typeof errorObjectSchema>;

/**
 * Herald refused (exit 1): the API's errors (the client's `HeraldApiError` has this shape, read
 * structurally so this module need not load the client), or a refused `PutEvents` entry.
 */
const refusalSchema = z.object({ status: z.number().optional(), errors: z.array(errorObjectSchema).min(1) });

export class RefusedError extends Error {
  override name = 'RefusedError';
  constructor(readonly errors: ErrorObject[]) {
    super(errors.map((e) => e.detail ?? e.title ?? e.code ?? 'refused').join('; '));
  }
}

/** Where the CLI writes; the process's streams, or a test's buffers. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** Colours for stdout text: no-ops unless stdout is a terminal and NO_COLOR is unset. */
  readonly color: Colors;
  /** Colours for stderr text, decided the same way for stderr. */
  readonly errColor: Colors;
}

/**
 * Whether to colour a stream: never with NO_COLOR (https://no-color.org) or TERM=dumb, always with
 * FORCE_COLOR, else only on a terminal, so pipes and files get plain text.
 */
export function colorEnabled(env: NodeJS.ProcessEnv, isTty: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return isTty && env.TERM !== 'dumb';
}

/** The process's stdout and stderr. */
export function processOutput(env: NodeJS.ProcessEnv = process.env): Output {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    color: createColors(colorEnabled(env, process.stdout.isTTY === true)),
    errColor: createColors(colorEnabled(env, process.stderr.isTTY === true)),
  };
}

/** Output into strings (tests, and `runKeys`, which hands lines to its caller). */
export function bufferedOutput(
  onOut?: (text: string) => void,
): Output & { stdout(): string; stderr(): string } {
  let stdout = '';
  let stderr = '';
  const plain = createColors(false);
  return {
    out: (text) => {
      stdout += `${text}\n`;
      onOut?.(text);
    },
    err: (text) => {
      stderr += `${text}\n`;
    },
    color: plain,
    errColor: plain,
    stdout: () => stdout,
    stderr: () => stderr,
  };
}

/** A value as `--json` prints it: the API's JSON as received, indented for reading and for `jq`. */
export const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** A cell's text: empty for nothing, lists comma-separated, objects as JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(cellText).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Borderless, like `gh` and `kubectl`: columns two spaces apart, easy to read and to `grep`. */
const plainChars = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

/** cli-table3 pads the last column too: trailing spaces only get in the way of `grep` and diffs. */
const trimLines = (text: string): string =>
  text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');

/** A table with a header row; `undefined` cells print empty. */
export function table(output: Output, head: string[], rows: unknown[][]): string {
  const t = new Table({
    head: head.map((h) => output.color.bold(h)),
    chars: plainChars,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const row of rows) t.push(row.map(cellText));
  return trimLines(t.toString());
}

/** One resource's fields, a label and a value a line. */
export function fields(output: Output, rows: Array<[string, unknown]>): string {
  const t = new Table({
    chars: plainChars,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const [label, value] of rows) t.push([output.color.dim(label), cellText(value)]);
  return trimLines(t.toString());
}

/** Network failures worth a plain sentence, by their `code` (Node's, undici's or the AWS SDK's). */
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

const codedSchema = z.object({ code: z.string() });

/** The network error code of `error` or of its causes, when it is one (`fetch failed` hides it in `cause`). */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Object; depth++) {
    const coded = codedSchema.safeParse(current);
    if (coded.success && unreachableCodes.has(coded.data.code)) return coded.data.code;
    const errors = z.object({ errors: z.array(z.unknown()) }).safeParse(current);
    // AggregateError (both ::1 and 127.0.0.1 refused): each of them says it.
    if (errors.success) {
      const found = errors.data.errors.map(networkErrorCode).find((c) => c !== undefined);
      if (found) return found;
    }
    current = z.object({ cause: z.unknown() }).safeParse(current).data?.cause;
  }
  return undefined;
}

/** One JSON:API error as a person reads it: `422 unknown_event_type: detail (at /data/attributes/...)`. */
export function describeError(e: ErrorObject): string {
  const where = e.source?.pointer ?? (e.source?.parameter ? `?${e.source.parameter}` : undefined);
  const head = [e.status, e.code].filter(Boolean).join(' ');
  const text = e.detail ?? e.title ?? 'refused';
  return `${head ? `${head}: ` : ''}${text}${where ? ` (at ${where})` : ''}`;
}

/**
 * Says what went wrong on stderr and answers the exit code. With `--json`, a refusal prints the
 * API's `{"errors": [...]}` document as is, and other failures an error object of the same shape.
 */
export function reportFailure(output: Output, error: unknown, asJson: boolean): number {
  const c = output.errColor;
  const refusal = error instanceof Object ? refusalSchema.safeParse(error) : undefined;
  if (refusal?.success) {
    if (asJson) output.err(json({ errors: refusal.data.errors }));
    else for (const e of refusal.data.errors) output.err(`${c.red('Error')} ${describeError(e)}`);
    return exitCodes.refused;
  }
  const message = error instanceof Error ? error.message : String(error);
  const [code, kind] =
    error instanceof UsageError
      ? [exitCodes.usage, 'usage']
      : error instanceof UnreachableError || networkErrorCode(error)
        ? [exitCodes.unreachable, 'unreachable']
        : [exitCodes.refused, 'failed'];
  if (asJson) output.err(json({ errors: [{ code: kind, detail: message }] }));
  else output.err(`${c.red('Error')} ${message}`);
  return code;
}
