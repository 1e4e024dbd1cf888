import { writeFileSync } from 'node:fs';
import { benchmarks } from './benchmarks';

/**
 * Runs one benchmark in this process (`node --import tsx bench/child.ts <name> <result file>`):
 * local mode starts once per process and the handlers read their configuration at import, so
 * each benchmark gets a fresh process. The markdown result goes to the file, progress to stderr.
 */
async function main(): Promise<void> {
  const [name, resultFile] = process.argv.slice(2);
  const benchmark = benchmarks.find((b) => b.name === name);
  if (!benchmark || !resultFile)
    throw new Error(`usage: child.ts <${benchmarks.map((b) => b.name).join('|')}> <file>`);
  const { run } = await benchmark.load();
  writeFileSync(resultFile, await run());
}

main().then(
  // Open handles (an SDK client's sockets, an emulator's pipes) must not keep a finished run alive.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
