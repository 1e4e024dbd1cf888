import { type ChildProcess, execFileSync, type SpawnOptions, spawn } from 'node:child_process';
import { join } from 'node:path';
import { until } from './wait';

/** Processes an e2e test starts as a developer would: `npm start`, local mode's entry, a receiver. */

/** The repository's root. */
export const root = join(__dirname, '..', '..', '..');
/** tsx's CLI, to run a TypeScript file with this Node. */
export const tsxCli = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');

export interface Started {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr together. */
  output: () => string;
  /** The exit code, or the signal that ended the process. */
  exited: Promise<number | string | null>;
}

/** Spawns `command` with piped output, kept for {@link Started.output}. */
export function startProcess(command: string, args: string[], options: SpawnOptions): Started {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const keep = (chunk: Buffer) => {
    text += chunk.toString();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  return { child, output: () => text, exited };
}

/** Waits until the output matches `pattern`; fails early, showing the output, when the process exits. */
export async function waitForOutput(
  started: Started,
  pattern: RegExp,
  ms: number,
): Promise<RegExpMatchArray> {
  // `null` once it has exited: no use waiting on.
  const match = await until(
    () => started.output().match(pattern) ?? (started.child.exitCode !== null ? null : undefined),
    { ms, what: String(pattern), everyMs: 100 },
  ).catch(() => null);
  if (!match) throw new Error(`Did not see ${pattern} in:\n${started.output()}`);
  return match;
}

/** Processes running whose command line contains `marker` (an emulator's `-port N`). */
export function processesWith(marker: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return ps.split('\n').filter((line) => line.includes(marker));
}
