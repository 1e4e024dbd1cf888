import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { bytes, count, median, ms, progress, table } from './support/stats';

/**
 * Each function's bundle, made the way lib/constructs/function.ts has NodejsFunction make it
 * (esbuild: bundle, platform node, cjs, minify, external source map without sources, nothing
 * external), and the time a fresh Node process takes to `require` it: a Lambda cold start's share
 * that is Herald's code.
 */
const root = join(__dirname, '..');
const handlers = ['api', 'authorizer', 'router', 'delivery'] as const;
const samples = Number(process.env.BENCH_BUNDLE_SAMPLES ?? 5);

/** What the handlers read at import (functions/shared/config.ts), with made-up values; no network is used. */
const importEnv = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_SERVICE_NAME: 'herald',
  TABLE_NAME: 'herald',
  HERALD_TOKEN_SIGNING_KEY: 'bench-signing-key-of-at-least-32-characters',
  DELIVERY_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/herald-deliveries',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/herald-deliveries-dlq',
  ORDERED_DELIVERY_QUEUE_URL:
    'https://sqs.us-east-1.amazonaws.com/000000000000/herald-ordered-deliveries.fifo',
  ORDERED_DEAD_LETTER_QUEUE_URL:
    'https://sqs.us-east-1.amazonaws.com/000000000000/herald-ordered-deliveries-dlq.fifo',
  REJECTED_EVENTS_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/herald-rejected-events',
};

async function bundle(handler: string, target: string, outdir: string): Promise<string> {
  const outfile = join(outdir, target, handler, 'index.js');
  await build({
    entryPoints: [join(root, 'functions', 'handlers', `${handler}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    target,
    format: 'cjs',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    tsconfig: join(root, 'tsconfig.json'),
    external: [],
    logLevel: 'error',
  });
  return outfile;
}

/** One fresh process: ms to `require` the bundle, and ms from spawn to exit. */
function coldRequire(file: string, nodeOptions: string): { require: number; process: number } {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});console.log(Number(process.hrtime.bigint()-t)/1e6)`;
  const t0 = performance.now();
  const out = spawnSync(process.execPath, ['-e', script], {
    env: { ...importEnv, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const wall = performance.now() - t0;
  if (out.status !== 0) throw new Error(`requiring ${file} failed (${out.status}): ${out.stderr}`);
  const value = Number(out.stdout.trim().split('\n').pop());
  if (!Number.isFinite(value)) throw new Error(`requiring ${file} printed ${out.stdout}`);
  return { require: value, process: wall };
}

export async function run(): Promise<string> {
  const outdir = mkdtempSync(join(tmpdir(), 'herald-bench-bundles-'));
  try {
    const built = new Map<
      string,
      { file: string; size: number; gzip: number; map: number; size24: number }
    >();
    for (const handler of handlers) {
      const file = await bundle(handler, 'node20', outdir);
      const code = readFileSync(file);
      const node24 = await bundle(handler, 'node24', outdir);
      built.set(handler, {
        file,
        size: code.length,
        gzip: gzipSync(code, { level: 9 }).length,
        map: statSync(`${file}.map`).size,
        size24: statSync(node24).size,
      });
    }
    // Without source maps, and with NODE_OPTIONS=--enable-source-maps as the stack sets it.
    const modes = [
      ['plain', ''],
      ['maps', '--enable-source-maps'],
    ] as const;
    const times = new Map<string, { require: number[]; process: number[] }>();
    // Handlers and modes take turns, so drift in the machine's load spreads over all of them.
    for (let i = 0; i < samples; i++) {
      for (const handler of handlers) {
        for (const [mode, options] of modes) {
          const file = built.get(handler)?.file ?? '';
          const t = coldRequire(file, options);
          const key = `${handler}/${mode}`;
          const entry = times.get(key) ?? { require: [], process: [] };
          entry.require.push(t.require);
          entry.process.push(t.process);
          times.set(key, entry);
        }
      }
      progress(`sample ${i + 1}/${samples} done`);
    }
    const rows = handlers.map((handler) => {
      const b = built.get(handler);
      const plain = times.get(`${handler}/plain`);
      const maps = times.get(`${handler}/maps`);
      return [
        `\`${handler}\``,
        `${count(b?.size ?? 0)} B (${bytes(b?.size ?? 0)})`,
        `${count(b?.gzip ?? 0)} B (${bytes(b?.gzip ?? 0)})`,
        `${count(b?.size24 ?? 0)} B`,
        bytes(b?.map ?? 0),
        ms(median(plain?.require ?? [])),
        ms(median(maps?.require ?? [])),
        ms(median(plain?.process ?? []), 0),
      ];
    });
    return `Each of \`functions/handlers/{api,authorizer,router,delivery}.ts\` bundled with esbuild ${
      (
        JSON.parse(readFileSync(join(root, 'node_modules', 'esbuild', 'package.json'), 'utf8')) as {
          version: string;
        }
      ).version
    } as the stack bundles it (\`bundle\`, \`platform: node\`, \`format: cjs\`, \`minify\`, source map without
sources, no externals: the AWS SDK is inside) but with \`target: node20\`, so that it runs on this machine's
Node; the stack targets node24 (that bundle's size is shown too; Lambda runs it on Node 24, not measured
here). gzip is level 9 of the .js alone. Cold require: a fresh \`node -e\` process requires the bundle with
only the environment the handler reads at import (made-up table name, queue URLs, signing key, region),
timed inside the process with \`process.hrtime\`; median of ${samples}. The stack sets
\`NODE_OPTIONS=--enable-source-maps\`, which makes Node read the source map at load: the second column
is that. "Process" is spawn to exit of the plain run (Node's own start included). No handler makes a
network call at import.

${table(
  [
    'function',
    'minified (node20)',
    'gzip -9',
    'minified (node24)',
    'source map',
    'cold require',
    'cold require, --enable-source-maps',
    'process spawn → exit',
  ],
  rows,
)}
`;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
