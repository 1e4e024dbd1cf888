import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { weighBundle } from './support/bundle-weights';
import { bytes, count, median, ms, progress, table } from './support/stats';

/**
 * The function bundles as deployed: `cdk synth` (what `npm run synth` runs) into a temporary
 * directory, then, for each Lambda function of the template, its asset's `index.js` (size, gzip,
 * what weighs what) and the time a fresh Node process takes to `require` it with the function's
 * own environment from the template (`NODE_OPTIONS` included) plus what Lambda sets, with made-up
 * values for references and credentials: a cold start's share that is Herald's code.
 * `BENCH_CDK_OUT=<dir>` measures an existing synth output instead (no synth).
 */
const root = join(__dirname, '..');
const samples = Number(process.env.BENCH_BUNDLE_SAMPLES ?? 7);

/** The goals of issue 11, in bytes (1 KB = 1,000 B) and ms. */
const goals: Readonly<Record<string, { bytes: number; coldMs: number }>> = {
  api: { bytes: 400_000, coldMs: 80 },
  authorizer: { bytes: 400_000, coldMs: 80 },
  router: { bytes: 400_000, coldMs: 80 },
  delivery: { bytes: 600_000, coldMs: 80 },
};

const templateSchema = z.object({
  Resources: z.record(
    z.string(),
    z.object({
      Type: z.string(),
      Metadata: z.object({ 'aws:cdk:path': z.string(), 'aws:asset:path': z.string() }).partial().optional(),
      Properties: z
        .object({
          Handler: z.string(),
          MemorySize: z.number(),
          Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }).partial(),
        })
        .partial()
        .optional(),
    }),
  ),
});

interface DeployedFunction {
  /** `api` for `Herald/Api/ApiFunction/Function/Resource`, `router` for `Herald/Pipeline/Router/...`. */
  name: string;
  file: string;
  /** The function's variables; references (queue URLs, the table name, secret ARNs) made up. */
  environment: Record<string, string>;
}

/** A made-up value for a variable the template sets by reference (`Ref`, `Fn::GetAtt`, `Fn::Join`). */
function madeUp(variable: string): string {
  if (variable.endsWith('QUEUE_URL'))
    return `https://sqs.us-east-1.amazonaws.com/000000000000/${variable.toLowerCase()}`;
  if (variable.endsWith('_ARN'))
    return `arn:aws:secretsmanager:us-east-1:000000000000:secret:${variable.toLowerCase()}`;
  if (variable.endsWith('_URL')) return 'https://d000000000000.cloudfront.net/portal/';
  return `bench-${variable.toLowerCase().replaceAll('_', '-')}`;
}

function synth(): string {
  const outdir = mkdtempSync(join(tmpdir(), 'herald-bench-cdk-out-'));
  progress(`cdk synth into ${outdir}`);
  const result = spawnSync('npx', ['cdk', 'synth', '--no-notices', '--quiet', '--output', outdir], {
    cwd: root,
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
    encoding: 'utf8',
    timeout: 5 * 60_000,
  });
  if (result.status !== 0) throw new Error(`cdk synth failed (${result.status}): ${result.stderr}`);
  return outdir;
}

export function deployedFunctions(cdkOut: string): DeployedFunction[] {
  const templates = readdirSync(cdkOut).filter((f) => f.endsWith('.template.json'));
  if (templates.length !== 1)
    throw new Error(`expected one template in ${cdkOut}, found ${templates.join(', ')}`);
  const template = templateSchema.parse(JSON.parse(readFileSync(join(cdkOut, templates[0] ?? ''), 'utf8')));
  const functions: DeployedFunction[] = [];
  for (const resource of Object.values(template.Resources)) {
    const assetPath = resource.Metadata?.['aws:asset:path'];
    const cdkPath = resource.Metadata?.['aws:cdk:path'];
    const handler = resource.Properties?.Handler;
    if (resource.Type !== 'AWS::Lambda::Function' || !assetPath || !cdkPath || !handler) continue;
    const file = join(cdkOut, assetPath, `${handler.replace(/\.[^.]+$/, '')}.js`);
    // The stack's other functions (CDK's own, in Python) have no bundle of ours.
    if (!existsSync(file)) continue;
    const segments = cdkPath.split('/');
    const name = (segments[segments.indexOf('Function') - 1] ?? cdkPath)
      .replace(/Function$/, '')
      .toLowerCase();
    const environment: Record<string, string> = {};
    for (const [variable, value] of Object.entries(resource.Properties?.Environment?.Variables ?? {})) {
      environment[variable] = typeof value === 'string' ? value : madeUp(variable);
    }
    environment.AWS_LAMBDA_FUNCTION_NAME = `Herald-${name}`;
    environment.AWS_LAMBDA_FUNCTION_MEMORY_SIZE = String(resource.Properties?.MemorySize ?? 128);
    functions.push({ name, file, environment });
  }
  return functions;
}

/** What Lambda sets in every function, with made-up credentials; no network is used. */
const lambdaEnvironment = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  TZ: ':UTC',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SESSION_TOKEN: 'bench',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_LOG_FORMAT: 'JSON',
  // This machine's Node 20 draws a deprecation warning from the SDK that Lambda's Node 24 does not.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** One fresh process: ms to `require` the bundle (timed inside it), which must export a handler. */
function coldRequire(fn: DeployedFunction, sourceMaps: boolean): number {
  const script = `const t=process.hrtime.bigint();const m=require(${JSON.stringify(fn.file)});const d=Number(process.hrtime.bigint()-t)/1e6;if(typeof m.handler!=='function')throw new Error('no handler');console.log(d)`;
  const { NODE_OPTIONS: _, ...rest } = fn.environment;
  const out = spawnSync(process.execPath, ['-e', script], {
    env: {
      ...lambdaEnvironment,
      ...rest,
      ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
      LAMBDA_TASK_ROOT: join(fn.file, '..'),
    },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (out.status !== 0) throw new Error(`requiring ${fn.file} failed (${out.status}): ${out.stderr}`);
  const value = Number(out.stdout.trim().split('\n').pop());
  if (!Number.isFinite(value)) throw new Error(`requiring ${fn.file} printed ${out.stdout}`);
  return value;
}

const kb = (n: number) => `${count(n / 1000)} KB`;

export async function run(): Promise<string> {
  const given = process.env.BENCH_CDK_OUT;
  const cdkOut = given ?? synth();
  try {
    const functions = deployedFunctions(cdkOut);
    if (functions.length === 0) throw new Error(`no function bundles in ${cdkOut}`);
    const times = new Map<string, { deployed: number[]; other: number[] }>(
      functions.map((f) => [f.name, { deployed: [], other: [] }]),
    );
    const deployedMaps = (fn: DeployedFunction) =>
      (fn.environment.NODE_OPTIONS ?? '').split(/\s+/).includes('--enable-source-maps');
    // Functions and modes take turns, so drift in the machine's load spreads over all of them.
    for (let i = 0; i < samples; i++) {
      for (const fn of functions) {
        const entry = times.get(fn.name);
        entry?.deployed.push(coldRequire(fn, deployedMaps(fn)));
        entry?.other.push(coldRequire(fn, !deployedMaps(fn)));
      }
      progress(`sample ${i + 1}/${samples} done`);
    }
    const sizeRows: string[][] = [];
    const weightRows: string[][] = [];
    for (const fn of functions) {
      const code = readFileSync(fn.file);
      const map = existsSync(`${fn.file}.map`) ? readFileSync(`${fn.file}.map`, 'utf8') : undefined;
      const deployed = median(times.get(fn.name)?.deployed ?? []);
      const other = median(times.get(fn.name)?.other ?? []);
      const withMaps = deployedMaps(fn) ? deployed : other;
      const withoutMaps = deployedMaps(fn) ? other : deployed;
      const goal = goals[fn.name];
      const verdict = goal
        ? `≤ ${kb(goal.bytes)}, ≤ ${goal.coldMs} ms: ${code.length <= goal.bytes && deployed <= goal.coldMs ? 'met' : 'missed'}`
        : '';
      sizeRows.push([
        `\`${fn.name}\``,
        `${count(code.length)} B (${kb(code.length)})`,
        `${count(gzipSync(code, { level: 9 }).length)} B`,
        map ? bytes(map.length) : 'none',
        fn.environment.NODE_OPTIONS ? `\`${fn.environment.NODE_OPTIONS}\`` : 'none',
        ms(deployed),
        ms(withoutMaps),
        ms(withMaps),
        verdict,
      ]);
      if (map) {
        const top = weighBundle(code.toString('utf8'), map).slice(0, 8);
        weightRows.push([`\`${fn.name}\``, top.map((w) => `${w.name} ${kb(w.bytes)}`).join(', ')]);
      }
    }
    return `Each Lambda function's asset as \`cdk synth\` writes it (the bench runs the synth into a temporary
directory): \`index.js\`, its gzip (level 9) and its source map. Cold require: a fresh \`node -e\` process
requires the asset with the function's environment from the synthesized template (references such as the
table name and queue URLs made up) and what Lambda adds (region, made-up credentials, function name),
timed inside the process with \`process.hrtime\`; median of ${samples}, functions and modes taking turns.
"Deployed" uses the template's \`NODE_OPTIONS\`; the next two columns take \`--enable-source-maps\` out
and put it in, whichever the template does not. No handler makes a network call at import. This machine
runs Node ${process.versions.node}; Lambda runs Node 24 on arm64, so these times compare commits, they do
not predict Lambda's init duration.

${table(
  [
    'function',
    'index.js',
    'gzip -9',
    'source map',
    'NODE_OPTIONS',
    'cold require (deployed)',
    'without source maps',
    'with --enable-source-maps',
    'goal',
  ],
  sizeRows,
)}

What weighs what in each \`index.js\`, read back from its source map (each generated byte charged to
the source its mapping names, grouped by npm package; "herald" is this repository's code):

${table(['function', 'largest contributors'], weightRows)}
`;
  } finally {
    if (!given) rmSync(cdkOut, { recursive: true, force: true });
  }
}
