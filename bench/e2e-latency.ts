import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { localAwsConfig } from '../local/emulators';
import { startLocalHerald } from '../local/herald';
import { environment, eventData, eventSource, eventType } from './support/fixtures';
import { median, medianOf, ms, percentile, progress, table } from './support/stats';

/**
 * Local mode end to end: PutEvents (AWS SDK) → the PutEvents endpoint and rule → router → fauxqs →
 * the SQS poller → delivery handler → a receiver, timed from send to receipt.
 */
const runs = Number(process.env.BENCH_E2E_RUNS ?? 3);
const eventsPerRun = Number(process.env.BENCH_E2E_EVENTS ?? 200);
const warmUpEvents = 10;
/** An event not received within this long fails the benchmark. */
const receiptTimeoutMs = 10_000;
/** No event is sent after this long in one run: the run then reports what it received. */
const maxRunMs = 60_000;

interface RunResult {
  latencies: number[];
  putEvents: number[];
}

export async function run(): Promise<string> {
  // The receiver lives in this process (the timing needs one clock); it answers 200 at once.
  const waiting = new Map<string, (at: number) => void>();
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: { benchSeq?: string } };
        const seq = body.data?.benchSeq;
        if (seq) waiting.get(seq)?.(at);
      } catch {
        // Not a bench delivery: nothing waits for it.
      }
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  const address = receiver.address();
  const receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;

  const herald = await startLocalHerald({
    apiPort: 0,
    eventsPort: 0,
    memory: true,
    dataDir: mkdtempSync(join(tmpdir(), 'herald-bench-e2e-')),
    busName: 'herald',
    eventSource,
    allowPrivateTargets: true,
    logLevel: 'ERROR',
  });
  const events = new EventBridgeClient({ ...localAwsConfig, endpoint: herald.eventsUrl });
  try {
    const created = await fetch(`${herald.apiUrl}/api/v2/${herald.demoTenant}/webhooks`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${herald.demoApiKey}`, 'Content-Type': 'application/vnd.api+json' },
      body: JSON.stringify({
        data: {
          type: 'webhook',
          attributes: {
            description: 'Benchmark receiver',
            url: receiverUrl,
            event_types: [eventType],
            event_type_prefix: 'CredoAI',
            event_type_suffix: 'v1',
            environment,
            authentication_method: 'none',
          },
        },
      }),
    });
    if (created.status !== 201) throw new Error(`creating the webhook answered ${created.status}`);

    /** Publishes one event and resolves with (send → receipt, PutEvents round trip) in ms. */
    const publish = async (seq: string): Promise<[number, number]> => {
      const received = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`event ${seq} not received within ${receiptTimeoutMs} ms`)),
          receiptTimeoutMs,
        );
        waiting.set(seq, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
      });
      const t0 = performance.now();
      const out = await events.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: 'herald',
              Source: eventSource,
              DetailType: eventType,
              Detail: JSON.stringify({
                tenant: herald.demoTenant,
                environment,
                id: `evt_${seq}`,
                data: eventData({ benchSeq: seq }),
              }),
            },
          ],
        }),
      );
      const acknowledged = performance.now() - t0;
      if (out.FailedEntryCount) throw new Error(`PutEvents refused event ${seq}`);
      const at = await received;
      waiting.delete(seq);
      return [at - t0, acknowledged];
    };

    progress(`warming up (${warmUpEvents} events)`);
    for (let i = 0; i < warmUpEvents; i++) await publish(`warm-${i}`);
    const results: RunResult[] = [];
    for (let r = 1; r <= runs; r++) {
      const result: RunResult = { latencies: [], putEvents: [] };
      // One at a time: each event is received before the next is sent.
      const runStarted = performance.now();
      for (let i = 0; i < eventsPerRun && performance.now() - runStarted < maxRunMs; i++) {
        const [latency, put] = await publish(`r${r}-${i}`);
        result.latencies.push(latency);
        result.putEvents.push(put);
      }
      results.push(result);
      progress(
        `run ${r}/${runs}: p50 ${ms(percentile(result.latencies, 50))}, p99 ${ms(percentile(result.latencies, 99))}`,
      );
    }

    const all = results.flatMap((r) => r.latencies);
    return `\`startLocalHerald\` (memory, ports 0, \`allowPrivateTargets: true\`, log level ERROR, its own DynamoDB
Local and fauxqs) in the benchmark process, with a webhook created through the HTTP API that points at a
node:http receiver **in the same process** (it answers 200 at once and notes the arrival time). Each event
(1,024-byte \`data\` plus a unique \`benchSeq\`) is sent with \`@aws-sdk/client-eventbridge\` \`PutEvents\` to
local mode's endpoint, and the next is sent only after it was received: latency is send → receipt. ${runs}
runs of ${eventsPerRun} events (or ${maxRunMs / 1000} s) after ${warmUpEvents} to warm up; p50 and p99 are medians of the runs' values.

The path is local mode's, not AWS's: the PutEvents endpoint hands a matching event to the router at
once (no EventBridge delivery delay); the router queues the delivery on fauxqs; local mode's SQS poller
(5 long polls of \`ReceiveMessage\` waiting at first, as Lambda's pollers) picks it up as it arrives; then the delivery handler POSTs it. Everything (the
benchmark, Herald, the receiver, and the emulators' processes) shares 2 cores.

${table(
  ['what', 'p50', 'p99', 'max (all runs)'],
  [
    [
      'publish → receipt',
      ms(medianOf(results, (r) => percentile(r.latencies, 50))),
      ms(medianOf(results, (r) => percentile(r.latencies, 99))),
      ms(Math.max(...all)),
    ],
    [
      'PutEvents round trip (the platform waits this long)',
      ms(medianOf(results, (r) => percentile(r.putEvents, 50))),
      ms(medianOf(results, (r) => percentile(r.putEvents, 99))),
      ms(Math.max(...results.flatMap((r) => r.putEvents))),
    ],
  ],
)}

Runs' p50: ${results.map((r) => ms(percentile(r.latencies, 50))).join(' / ')}; median of all ${all.length} events: ${ms(median(all))}.
`;
  } finally {
    events.destroy();
    await herald.stop();
    await new Promise<void>((resolve) => {
      receiver.close(() => resolve());
      receiver.closeAllConnections();
    });
  }
}
