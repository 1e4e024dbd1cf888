import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { median, ms, progress, table } from './support/stats';

/**
 * How long the `herald` CLI takes to start and finish: fresh processes of the real bin
 * (cli/herald.mjs, tsx's CommonJS hook), each the median of several after one warm-up run that
 * fills tsx's transform cache. Beside it, Node alone and the bin with tsx's ESM hook registered
 * too (what `import()` of TypeScript would need; cli/lazy.ts explains why the CLI does without).
 */
const root = join(__dirname, '..');
const bin = join(root, 'cli', 'herald.mjs');
const samples = Number(process.env.BENCH_CLI_SAMPLES ?? 5);

const baseEnv = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? '/tmp',
  NO_COLOR: '1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** ms from spawn to exit of one process, which must succeed (not spawnSync: the stub API answers in this process). */
function once(args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: root, env: { ...baseEnv, ...env } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const elapsed = performance.now() - t0;
      if (code === 0) resolve(elapsed);
      else reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr}`));
    });
  });
}

/** ms from spawn until `herald listen` prints its address (then it is stopped). */
function untilListening(): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [bin, 'listen', '--port', '0'], { cwd: root, env: baseEnv });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Listening on')) {
        const elapsed = performance.now() - t0;
        child.once('exit', () => resolve(elapsed));
        child.kill('SIGTERM');
      }
    });
    child.once('error', reject);
  });
}

/** An API that answers every request at once with an empty webhook list, so only the CLI is timed. */
function stubApi(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    request.resume();
    response
      .writeHead(200, { 'Content-Type': 'application/vnd.api+json' })
      .end(JSON.stringify({ data: [], links: { self: `http://127.0.0.1${request.url}` } }));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
        server,
      });
    }),
  );
}

async function measure(what: string, run: () => Promise<number>): Promise<string[]> {
  progress(what);
  await run();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) times.push(await run());
  return [what, ms(median(times), 0), `${ms(Math.min(...times), 0)} / ${ms(Math.max(...times), 0)}`];
}

export async function run(): Promise<string> {
  const api = await stubApi();
  const apiEnv = { HERALD_API_URL: api.url, HERALD_API_KEY: 'hrld_bench' };
  try {
    const rows = [
      await measure('`node -e ""` (Node alone)', () => once(['-e', ''], {})),
      await measure('`herald --version`', () => once([bin, '--version'], {})),
      await measure('**`herald --help`**', () => once([bin, '--help'], {})),
      await measure('`herald webhooks list` (the client and one request, to a stub API)', () =>
        once([bin, 'webhooks', 'list'], apiEnv),
      ),
      await measure('`herald listen --port 0`, spawn to "Listening on"', untilListening),
      await measure('`herald publish --help`', () => once([bin, 'publish', '--help'], {})),
      await measure("*diagnostic*: `herald --help` with tsx's ESM hook too (`node --import tsx`)", () =>
        once(['--import', 'tsx', bin, '--help'], {}),
      ),
    ];
    return [
      `Fresh processes, spawn to exit; median of ${samples} after one warm-up (\`BENCH_CLI_SAMPLES\`).`,
      '',
      table(['command', 'median', 'min / max'], rows),
    ].join('\n');
  } finally {
    api.server.close();
  }
}

if (require.main === module) void run().then((markdown) => console.log(markdown));
