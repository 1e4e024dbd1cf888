import { execSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { startLocalHerald } from '../local/herald';

/**
 * `npm run bench`: what this part of Herald costs in time, measured in local mode on loopback.
 * Every loop is bounded; results go to docs/benchmarks.md. Numbers are medians of several runs.
 */
const runs = Number(process.env.BENCH_RUNS ?? 5);
const requestsPerRun = Number(process.env.BENCH_REQUESTS ?? 300);
const concurrency = 10;

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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function timedRequests(
  make: (i: number) => Promise<Response>,
): Promise<{ perSecond: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requestsPerRun) {
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
    perSecond: requestsPerRun / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** Runs `npm start -- --memory` as a developer would and times spawn → "ready" (ms). */
async function timeNpmStart(): Promise<number> {
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [join(__dirname, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'local/main.ts', '--memory'],
    {
      cwd: join(__dirname, '..'),
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
        const ms = performance.now() - t0;
        clearTimeout(timer);
        child.once('exit', () => resolve(ms));
        child.kill('SIGINT');
      }
    });
  });
}

async function main() {
  const starts: number[] = [];
  for (let run = 0; run < runs; run++) starts.push(await timeNpmStart());
  const creates: Array<{ perSecond: number; p50: number; p99: number }> = [];
  const reads: Array<{ perSecond: number; p50: number; p99: number }> = [];
  const herald = await startLocalHerald({
    apiPort: 0,
    eventsPort: 0,
    memory: true,
    dataDir: mkdtempSync(join(tmpdir(), 'herald-bench-')),
    busName: 'herald',
    eventSource: 'CredoAI',
    allowPrivateTargets: false,
    logLevel: 'ERROR',
  });
  for (let run = 0; run < runs; run++) {
    const headers = {
      Authorization: `Bearer ${herald.demoApiKey}`,
      'Content-Type': 'application/vnd.api+json',
    };
    const url = `${herald.apiUrl}/api/v2/demo/webhooks`;
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
    console.log(`run ${run + 1}/${runs} done`);
  }
  await herald.stop();
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const rows = [
    [
      '`npm start -- --memory`: spawn to ready (tsx, DynamoDB Local, fauxqs, table, queues, key, servers)',
      `${median(starts).toFixed(0)} ms`,
      '',
      '',
    ],
    [
      `POST /webhooks (2 event types, ${concurrency} concurrent)`,
      `${median(creates.map((c) => c.perSecond)).toFixed(0)} req/s`,
      `${median(creates.map((c) => c.p50)).toFixed(1)} ms`,
      `${median(creates.map((c) => c.p99)).toFixed(1)} ms`,
    ],
    [
      `GET /webhooks/{id} (${concurrency} concurrent)`,
      `${median(reads.map((c) => c.perSecond)).toFixed(0)} req/s`,
      `${median(reads.map((c) => c.p50)).toFixed(1)} ms`,
      `${median(reads.map((c) => c.p99)).toFixed(1)} ms`,
    ],
  ];
  const commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
  const report = `# Benchmarks

Command: \`npm run bench\` (BENCH_RUNS=${runs}, BENCH_REQUESTS=${requestsPerRun} per run).
Machine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}. Commit ${commit}.
Each figure is the median of ${runs} runs. Everything runs on loopback in local mode: the API
requests go through the local API Gateway stand-in, the authorizer (one DynamoDB read) and the
API handler to DynamoDB Local (Java), so they measure Herald's code plus the emulator, not AWS.

| what | throughput | p50 | p99 |
| --- | --- | --- | --- |
${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}
`;
  writeFileSync(join(__dirname, '..', 'docs', 'benchmarks.md'), report);
  console.log(report);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
