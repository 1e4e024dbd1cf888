import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalHerald } from '../local/herald';
import { count, median, medianOf, ms, percentile, progress, table } from './support/stats';

/**
 * `npm start` time and the management API's throughput, in local mode: the requests go through
 * the API Gateway stand-in, the authorizer (one DynamoDB read) and the API handler to DynamoDB
 * Local, so they measure Herald's code plus the emulator, not AWS.
 */
const runs = Number(process.env.BENCH_RUNS ?? 5);
const requestsPerRun = Number(process.env.BENCH_REQUESTS ?? 300);
const concurrency = 10;
/** No request starts after this long in one run: the run then counts what it completed. */
const maxRunMs = 60_000;

const body = JSON.stringify({
  data: {
    type: 'webhook',
    attributes: {
      description: 'Test webhook',
      url: 'https://your-event-server.com/webhook',
      event_types: ['use_case_review_status_updated', 'use_case_custom_field_updated'],
      event_type_prefix: 'CredoAI',
      event_type_suffix: 'v1',
      environment: 'production',
      authentication_method: 'none',
    },
  },
});

interface Timed {
  perSecond: number;
  p50: number;
  p99: number;
}

async function timedRequests(make: (i: number) => Promise<Response>): Promise<Timed> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requestsPerRun && performance.now() - started < maxRunMs) {
        const i = next++;
        const t0 = performance.now();
        const res = await make(i);
        await res.arrayBuffer();
        if (res.status >= 300) throw new Error(`request ${i} answered ${res.status}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    perSecond: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** Runs `npm start -- --memory` as a developer would and times spawn → "ready" (ms). */
async function timeNpmStart(): Promise<number> {
  const root = join(__dirname, '..');
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'local/main.ts', '--memory'],
    {
      cwd: root,
      env: { ...process.env, PORT: '0', EVENTS_PORT: '0', HERALD_LOG_LEVEL: 'WARN' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGINT');
      reject(new Error('npm start was not ready within 60 s'));
    }, 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('is ready')) {
        const elapsed = performance.now() - t0;
        clearTimeout(timer);
        child.once('exit', () => resolve(elapsed));
        child.kill('SIGINT');
      }
    });
  });
}

export async function run(): Promise<string> {
  const starts: number[] = [];
  for (let r = 0; r < runs; r++) {
    starts.push(await timeNpmStart());
    progress(`npm start ${r + 1}/${runs}: ${ms(starts[r] ?? 0, 0)}`);
  }
  const creates: Timed[] = [];
  const reads: Timed[] = [];
  const herald = await startLocalHerald({
    apiPort: 0,
    eventsPort: 0,
    memory: true,
    dataDir: mkdtempSync(join(tmpdir(), 'herald-bench-')),
    busName: 'herald',
    eventSource: 'CredoAI',
    allowPrivateTargets: false,
    logLevel: 'ERROR',
    // The bench measures the code's cost, not the limits that protect a deployment from one tenant.
    maxWebhooksPerTenant: 100_000,
    tenantRateLimit: 10_000,
    tenantBurstLimit: 5_000,
  });
  try {
    const headers = {
      Authorization: `Bearer ${herald.demoApiKey}`,
      'Content-Type': 'application/vnd.api+json',
    };
    const url = `${herald.apiUrl}/api/v2/demo/webhooks`;
    for (let r = 0; r < runs; r++) {
      const ids: string[] = [];
      creates.push(
        await timedRequests(async () => {
          const res = await fetch(url, { method: 'POST', headers, body });
          const clone = res.clone();
          ids.push(((await clone.json()) as { data: { id: string } }).data.id);
          return res;
        }),
      );
      reads.push(await timedRequests((i) => fetch(`${url}/${ids[i % ids.length]}`, { headers })));
      progress(`API run ${r + 1}/${runs} done`);
    }
  } finally {
    await herald.stop();
  }
  const row = (what: string, list: Timed[]) => [
    what,
    `${count(medianOf(list, (c) => c.perSecond))} req/s`,
    ms(medianOf(list, (c) => c.p50)),
    ms(medianOf(list, (c) => c.p99)),
  ];
  return `${runs} runs (\`BENCH_RUNS\`), ${requestsPerRun} requests per run (\`BENCH_REQUESTS\`), each figure the median
of the runs. The API requests use global \`fetch\` and go through the local API Gateway stand-in, the
authorizer (one DynamoDB read) and the API handler to DynamoDB Local (Java), so they measure Herald's
code plus the emulator, not AWS.

${table(
  ['what', 'throughput', 'p50', 'p99'],
  [
    [
      '`npm start -- --memory`: spawn to ready (tsx, DynamoDB Local, fauxqs, table, queues, key, servers)',
      ms(median(starts), 0),
      '',
      '',
    ],
    row(`POST /webhooks (2 event types, ${concurrency} concurrent)`, creates),
    row(`GET /webhooks/{id} (${concurrency} concurrent)`, reads),
  ],
)}
`;
}
