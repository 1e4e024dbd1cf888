import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { buildUi, uiSourceHash } from '../local/ui';
import { bytes, count, median, ms, progress, table } from './support/stats';

/**
 * The browser UI's build (`ui/`, Vite + Preact, every page): how long `vite build` takes as local
 * mode runs it (a Node process of its own, spawn to exit), and what each page's assets weigh, raw
 * and gzipped: the figure the portal's 300 KB JavaScript budget is held to.
 */
const root = join(__dirname, '..');
const runs = Number(process.env.BENCH_UI_RUNS ?? 5);

const version = (name: string) =>
  z
    .object({ version: z.string() })
    .parse(JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8'))).version;

export async function run(): Promise<string> {
  const times: number[] = [];
  let assets: Array<{ name: string; size: number; gzip: number }> = [];
  for (let i = 0; i < runs; i++) {
    const out = mkdtempSync(join(tmpdir(), 'herald-bench-ui-'));
    try {
      const t0 = performance.now();
      await buildUi(out);
      times.push(performance.now() - t0);
      assets = readdirSync(join(out, 'assets'))
        .filter((name) => ['.js', '.css'].includes(extname(name)))
        .map((name) => {
          const content = readFileSync(join(out, 'assets', name));
          return { name, size: content.length, gzip: gzipSync(content, { level: 9 }).length };
        })
        .sort((a, b) => a.name.localeCompare(b.name));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    progress(`build ${i + 1}/${runs}: ${ms(times.at(-1) ?? 0, 0)}`);
  }
  const hashTimes = Array.from({ length: runs }, () => {
    const t0 = performance.now();
    uiSourceHash();
    return performance.now() - t0;
  });
  // Hashes change with the content; the name before the hash says which page and kind.
  const rows = assets.map((a) => [
    `\`${a.name.replace(/-[A-Za-z0-9_-]{8}\./, '-*.')}\``,
    `${count(a.size)} B (${bytes(a.size)})`,
    `${count(a.gzip)} B (${bytes(a.gzip)})`,
  ]);
  const total = (ext: string, pick: (a: (typeof assets)[number]) => number) =>
    assets.filter((a) => extname(a.name) === ext).reduce((sum, a) => sum + pick(a), 0);
  return `\`vite build ui\` (Vite ${version('vite')}, Preact ${version('preact')}) into a fresh directory, run as local
mode runs it when \`ui/dist\` is missing or stale (\`buildUi\` in local/ui.ts: a Node process of its own,
timed from spawn to exit, Node's and Vite's start included); median of ${runs}: **${ms(median(times), 0)}**
(fastest ${ms(Math.min(...times), 0)}). A start whose build is current costs one hash of the sources instead:
${ms(median(hashTimes))}.
Sizes are of the minified assets as served; gzip is level 9.

${table(['asset', 'minified', 'gzip -9'], rows)}

All JavaScript: ${count(total('.js', (a) => a.size))} B, ${count(total('.js', (a) => a.gzip))} B gzipped; all CSS:
${count(total('.css', (a) => a.size))} B, ${count(total('.css', (a) => a.gzip))} B gzipped.
`;
}
