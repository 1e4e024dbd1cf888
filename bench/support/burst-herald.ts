import { subscribe } from 'node:diagnostics_channel';
import { mkdtempSync } from 'node:fs';
import { ClientRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalHerald } from '../../local/herald';
import { type BurstReply, burstCommand } from './burst-protocol';
import { eventSource } from './fixtures';
import { largest, type Profiler, profileCosts, startProfiler } from './profile';

/**
 * Local mode for the burst benchmark (bench/burst.ts), in a process of its own so that its CPU
 * (and its profile) is Herald's alone: `node --import tsx bench/support/burst-herald.ts`, spoken
 * to over the IPC channel. Besides local mode it times every call Herald makes to an emulator
 * (DynamoDB Local, fauxqs), from the request's start to its response's headers, by operation.
 */

/** `DynamoDB_20120810.UpdateItem` → `DynamoDB Local UpdateItem`; `AmazonSQS.ReceiveMessage` → `fauxqs ReceiveMessage`. */
function operationName(target: string): string {
  const [service = '', operation = target] = target.split('.');
  return `${service.startsWith('DynamoDB') ? 'DynamoDB Local' : service === 'AmazonSQS' ? 'fauxqs' : service} ${operation}`;
}

async function main(): Promise<void> {
  const send = (reply: BurstReply) => process.send?.(reply);
  const durations = new Map<string, number[]>();
  const started = new WeakMap<ClientRequest, { operation: string; at: number }>();
  subscribe('http.client.request.start', (message) => {
    if (typeof message !== 'object' || message === null || !('request' in message)) return;
    const { request } = message;
    if (!(request instanceof ClientRequest)) return;
    const target = request.getHeader('x-amz-target');
    if (typeof target === 'string')
      started.set(request, { operation: operationName(target), at: performance.now() });
  });
  subscribe('http.client.response.finish', (message) => {
    if (typeof message !== 'object' || message === null || !('request' in message)) return;
    const { request } = message;
    if (!(request instanceof ClientRequest)) return;
    const start = started.get(request);
    if (!start) return;
    let list = durations.get(start.operation);
    if (!list) {
      list = [];
      durations.set(start.operation, list);
    }
    list.push(performance.now() - start.at);
  });

  const herald = await startLocalHerald({
    apiPort: 0,
    eventsPort: 0,
    memory: true,
    dataDir: mkdtempSync(join(tmpdir(), 'herald-bench-burst-')),
    busName: 'herald',
    eventSource,
    allowPrivateTargets: true,
    logLevel: 'ERROR',
    ...(process.env.BENCH_BURST_MAX_CONCURRENCY
      ? { deliveryMaxConcurrency: Number(process.env.BENCH_BURST_MAX_CONCURRENCY) }
      : {}),
  });
  let profiler: Profiler | undefined;
  let profileFile: string | undefined;
  process.on('message', (raw) => {
    const command = burstCommand.parse(raw);
    void (async () => {
      switch (command.type) {
        case 'start':
          durations.clear();
          profileFile = command.profileFile;
          profiler = profileFile ? await startProfiler() : undefined;
          send({ type: 'started' });
          return;
        case 'stop': {
          const profile = profiler && profileFile ? await profiler.stop(profileFile) : undefined;
          profiler = undefined;
          const costs = profile ? profileCosts(profile, command.deliveries) : undefined;
          send({
            type: 'stopped',
            calls: [...durations].map(([operation, list]) => {
              const sorted = [...list].sort((a, b) => a - b);
              return {
                operation,
                count: list.length,
                totalMs: list.reduce((a, b) => a + b, 0),
                p99Ms: sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? 0,
              };
            }),
            profile: costs && {
              busyUs: costs.busy,
              byPlace: largest(costs.byPlace, costs.byPlace.size),
              byFunction: largest(costs.byFunction, 25),
            },
          });
          return;
        }
        case 'exit':
          await herald.stop();
          process.exit(0);
      }
    })().catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  });
  send({
    type: 'ready',
    apiUrl: herald.apiUrl,
    eventsUrl: herald.eventsUrl,
    apiKey: herald.demoApiKey,
    tenant: herald.demoTenant,
  });
  // The benchmark's end (or death) closes the channel: stop with it.
  process.on('disconnect', () => void herald.stop().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
