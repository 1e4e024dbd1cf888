import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchmarks } from './benchmarks';
import { commit, machine } from './support/machine';
import { writeReport } from './support/report';

/**
 * `npm run bench [-- name...]`: runs the benchmarks (all, or those named), each in a Node process
 * of its own and one after another, so that none competes with another for the 2 cores, and
 * writes their sections of docs/benchmarks.md. A benchmark that fails fails the whole command
 * and leaves the file untouched.
 */
const root = join(__dirname, '..');
const reportFile = join(root, 'docs', 'benchmarks.md');
/** No benchmark may take longer than this: it is killed and the run fails. */
const benchmarkTimeoutMs = 6 * 60_000;

/** The benchmark running now, so that Ctrl-C can stop it with its emulators. */
let current: ChildProcess | undefined;

/** Kills a benchmark's whole process group: it, its receiver and its emulators (Java, fauxqs). */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function runChild(name: string, resultFile: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'child.ts'), name, resultFile], {
    cwd: root,
    // A process group of its own, so that a stop takes the emulators it started along.
    detached: true,
    // stdout is dropped: the delivery benchmark's INFO-level row logs a line per delivery there.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  current = child;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new Error(`benchmark ${name} took longer than ${benchmarkTimeoutMs / 60_000} min`));
    }, benchmarkTimeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      if (code === 0) resolve();
      else reject(new Error(`benchmark ${name} failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (current) killGroup(current);
    process.exit(130);
  });
}

/** The command as typed, with the BENCH_* settings that were given. */
function commandLine(args: readonly string[]): string {
  const settings = Object.entries(process.env)
    .filter(([name]) => name.startsWith('BENCH_'))
    .map(([name, value]) => `${name}=${value}`);
  return [...settings, 'npm run bench', ...(args.length > 0 ? ['--', ...args] : [])].join(' ');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => !benchmarks.some((b) => b.name === a));
  if (unknown.length > 0) {
    throw new Error(
      `unknown benchmark ${unknown.join(', ')}; known: ${benchmarks.map((b) => b.name).join(', ')}`,
    );
  }
  const chosen = args.length > 0 ? benchmarks.filter((b) => args.includes(b.name)) : benchmarks;
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  const command = commandLine(args);
  const where = machine();
  const at = commit();
  const sections = [];
  try {
    for (const benchmark of chosen) {
      console.log(`${benchmark.name}: ${benchmark.title}`);
      const load = loadavg()[0] ?? 0;
      const t0 = performance.now();
      const resultFile = join(dir, `${benchmark.name}.md`);
      await runChild(benchmark.name, resultFile);
      const seconds = (performance.now() - t0) / 1000;
      console.log(`${benchmark.name}: done in ${seconds.toFixed(0)} s`);
      sections.push({
        name: benchmark.name,
        title: benchmark.title,
        provenance: `Measured with \`${command}\` at commit ${at} on ${where}, ${new Date().toISOString().slice(0, 10)} (this benchmark took ${seconds.toFixed(0)} s; the 1-minute load average was ${load.toFixed(2)} as it started).`,
        body: readFileSync(resultFile, 'utf8'),
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  writeReport(
    reportFile,
    benchmarks.map((b) => b.name),
    sections,
  );
  console.log(`\n${readFileSync(reportFile, 'utf8')}`);
}

main().catch((error: unknown) => {
  // A failing benchmark has printed its own error; say which, without the runner's stack.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
