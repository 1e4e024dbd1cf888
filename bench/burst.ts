import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { z } from 'zod';
import { deliveryEventSourceScaling } from '../functions/shared/pipeline';
import { defaultSettings } from '../functions/shared/settings';
import { localAwsConfig } from '../local/emulators';
import { type BurstCommand, type BurstReply, burstReply, type CallStats } from './support/burst-protocol';
import { environment, eventData, eventSource, eventType } from './support/fixtures';
import { count, fixed, median, medianOf, ms, percent, percentile, progress, table } from './support/stats';

/**
 * A burst through local mode: 2,000 events published as fast as `PutEvents` (batches of 10) takes
 * them, to two webhooks on loopback receivers, so 4,000 deliveries; deliveries per second over the
 * whole burst and each delivery's latency from its event's publish to its receipt. Local mode runs
 * in a process of its own (bench/support/burst-herald.ts) so its CPU is counted apart from the
 * emulators' and this process's (the publisher and the receivers), and one more burst runs under
 * V8's CPU profiler with every emulator call timed.
 */
const runs = Number(process.env.BENCH_BURST_RUNS ?? 3);
const events = Number(process.env.BENCH_BURST_EVENTS ?? 2000);
const webhooks = 2;
const putBatch = 10;
/** PutEvents calls in flight at once: the platform publishing as fast as it can. */
const publishers = 4;
/** Enough for DynamoDB Local's JVM to compile its hot paths before the first measured burst. */
const warmUpEvents = 500;
/** A burst not fully received within this long fails the benchmark. */
const burstTimeoutMs = 240_000;
/** Every this many events, each webhook's delivery is kept and its signature checked. */
const verifyEvery = 50;

interface Receipt {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver that answers 200 at once and notes when each `benchSeq` arrived. */
function receiver(onReceipt: (seq: string, receipt: Receipt) => void): Server {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }).end('ok');
      const body = Buffer.concat(chunks).toString('utf8');
      const seq = benchSeq.safeParse(JSON.parse(body));
      if (seq.success) onReceipt(seq.data.data.benchSeq, { at, headers: req.headers, body });
    });
  });
  server.keepAliveTimeout = 60_000;
  return server;
}
const benchSeq = z.object({ data: z.object({ benchSeq: z.string() }) });

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`);
    }),
  );
}

/** CPU seconds (user + system) of a process from /proc, 0 when it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** `pid` and every process below it, each named by what it runs. */
function processTree(pid: number): Array<{ pid: number; name: string }> {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const out: Array<{ pid: number; name: string }> = [];
  const visit = (p: number) => {
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
    } catch {
      return;
    }
    const name = /java/.test(cmd)
      ? 'DynamoDB Local (Java)'
      : /fauxqs/.test(cmd)
        ? 'fauxqs (SQS, Node)'
        : p === pid
          ? 'Herald local mode (Node)'
          : 'other';
    out.push({ pid: p, name });
    for (const child of parents.get(p) ?? []) visit(child);
  };
  visit(pid);
  return out;
}

/** The machine's CPU seconds busy and in all, from /proc/stat (all cores). */
function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: (total - idle) / 100, total: total / 100 };
}

/** CPU seconds per process group of the tree, and of this process, since `before`. */
function cpuSnapshot(tree: Array<{ pid: number; name: string }>): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of tree) out.set(p.name, (out.get(p.name) ?? 0) + cpuSeconds(p.pid));
  const own = process.cpuUsage();
  out.set('benchmark: publisher + 2 receivers (Node)', (own.user + own.system) / 1e6);
  return out;
}

interface RunResult {
  deliveriesPerSecond: number;
  seconds: number;
  publishSeconds: number;
  latencies: number[];
  duplicates: number;
  verified: number;
  cpu: Map<string, number>;
  machineBusy: number;
  /** CPU seconds the whole machine was busy (all cores). */
  machineBusySeconds: number;
  calls: CallStats[];
  profile?: Extract<BurstReply, { type: 'stopped' }>['profile'];
}

export async function run(): Promise<string> {
  /** seq → per webhook (index) the receipt; seq → publish time. */
  const receipts = new Map<string, Array<Receipt | undefined>>();
  const published = new Map<string, number>();
  let duplicates = 0;
  let awaited = 0;
  let onAll: (() => void) | undefined;
  const servers = Array.from({ length: webhooks }, (_, index) =>
    receiver((seq, receipt) => {
      const slots = receipts.get(seq);
      if (!slots) return;
      if (slots[index]) {
        duplicates++;
        return;
      }
      // Only a sample keeps its body and headers, for the signature check.
      slots[index] =
        Number(seq.split('-')[1]) % verifyEvery === 0 ? receipt : { ...receipt, body: '', headers: {} };
      awaited--;
      if (awaited === 0) onAll?.();
    }),
  );
  const urls = await Promise.all(servers.map(listen));

  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'support', 'burst-herald.ts')],
    { cwd: join(__dirname, '..'), stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  );
  const replies: BurstReply[] = [];
  let wake: (() => void) | undefined;
  child.on('message', (raw) => {
    replies.push(burstReply.parse(raw));
    wake?.();
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`local mode exited (code ${code})`))),
  );
  exited.catch(() => undefined);
  async function reply<T extends BurstReply['type']>(type: T): Promise<Extract<BurstReply, { type: T }>> {
    for (;;) {
      const index = replies.findIndex((r) => r.type === type);
      const found = replies[index];
      if (found && found.type === type) {
        replies.splice(index, 1);
        return found as Extract<BurstReply, { type: T }>;
      }
      await Promise.race([new Promise<void>((r) => (wake = r)), exited]);
    }
  }
  const command = (c: BurstCommand) => child.send(c);

  const ready = await reply('ready');
  const client = new EventBridgeClient({ ...localAwsConfig, endpoint: ready.eventsUrl });
  try {
    const secrets: string[] = [];
    for (const [i, url] of urls.entries()) {
      const created = await fetch(`${ready.apiUrl}/api/v2/${ready.tenant}/webhooks`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ready.apiKey}`, 'Content-Type': 'application/vnd.api+json' },
        body: JSON.stringify({
          data: {
            type: 'webhook',
            attributes: {
              description: `Burst receiver ${i + 1}`,
              url,
              event_types: [eventType],
              event_type_prefix: 'CredoAI',
              event_type_suffix: 'v1',
              environment,
              authentication_method: 'none',
            },
          },
        }),
      });
      if (created.status !== 201) throw new Error(`creating webhook ${i + 1} answered ${created.status}`);
      const document = z
        .object({ data: z.object({ attributes: z.object({ signing_secret: z.string() }) }) })
        .parse(await created.json());
      secrets.push(document.data.attributes.signing_secret);
    }

    /** Publishes events `prefix-0` … `prefix-(n-1)` and resolves once every delivery was received. */
    async function burst(prefix: string, n: number): Promise<{ firstPublish: number; lastPublish: number }> {
      const all = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `${awaited} of ${n * webhooks} deliveries not received within ${burstTimeoutMs / 1000} s`,
              ),
            ),
          burstTimeoutMs,
        );
        onAll = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      awaited = n * webhooks;
      for (let i = 0; i < n; i++)
        receipts.set(
          `${prefix}-${i}`,
          Array.from({ length: webhooks }, () => undefined),
        );
      let next = 0;
      let firstPublish = Number.POSITIVE_INFINITY;
      let lastPublish = 0;
      const publisher = async () => {
        // Bounded: each pass takes the next 10 events, and there are n / 10 of them.
        while (next < n) {
          const from = next;
          next += putBatch;
          const seqs = Array.from(
            { length: Math.min(putBatch, n - from) },
            (_, k) => `${prefix}-${from + k}`,
          );
          const t0 = performance.now();
          firstPublish = Math.min(firstPublish, t0);
          lastPublish = Math.max(lastPublish, t0);
          for (const seq of seqs) published.set(seq, t0);
          const out = await client.send(
            new PutEventsCommand({
              Entries: seqs.map((seq) => ({
                EventBusName: 'herald',
                Source: eventSource,
                DetailType: eventType,
                Detail: JSON.stringify({
                  tenant: ready.tenant,
                  environment,
                  id: `evt_${seq}`,
                  data: eventData({ benchSeq: seq }),
                }),
              })),
            }),
          );
          if (out.FailedEntryCount) throw new Error(`PutEvents refused ${out.FailedEntryCount} events`);
        }
      };
      await Promise.all(Array.from({ length: publishers }, publisher));
      const ticker = setInterval(
        () => progress(`  ${n * webhooks - awaited} of ${n * webhooks} received`),
        5_000,
      );
      await all.finally(() => clearInterval(ticker));
      return { firstPublish, lastPublish };
    }

    progress(`warming up (${warmUpEvents} events)`);
    await burst('warm', warmUpEvents);

    async function measured(r: number, profileFile?: string): Promise<RunResult> {
      const prefix = `r${r}`;
      command({ type: 'start', profileFile });
      await reply('started');
      const tree = processTree(child.pid ?? 0);
      const cpuBefore = cpuSnapshot(tree);
      const machineBefore = machineCpu();
      duplicates = 0;
      const { firstPublish, lastPublish } = await burst(prefix, events);
      const latencies: number[] = [];
      let lastReceipt = 0;
      let verified = 0;
      for (let i = 0; i < events; i++) {
        const seq = `${prefix}-${i}`;
        const sent = published.get(seq) ?? 0;
        for (const [w, receipt] of (receipts.get(seq) ?? []).entries()) {
          if (!receipt) throw new Error(`delivery ${seq} to webhook ${w + 1} missing`);
          latencies.push(receipt.at - sent);
          lastReceipt = Math.max(lastReceipt, receipt.at);
          if (receipt.body) {
            new StandardWebhook(secrets[w] ?? '').verify(receipt.body, {
              'webhook-id': String(receipt.headers['webhook-id']),
              'webhook-timestamp': String(receipt.headers['webhook-timestamp']),
              'webhook-signature': String(receipt.headers['webhook-signature']),
            });
            verified++;
          }
        }
      }
      const cpuAfter = cpuSnapshot(tree);
      const machineAfter = machineCpu();
      const seconds = (lastReceipt - firstPublish) / 1000;
      command({ type: 'stop', deliveries: events * webhooks });
      const stopped = await reply('stopped');
      return {
        deliveriesPerSecond: (events * webhooks) / seconds,
        seconds,
        publishSeconds: (lastPublish - firstPublish) / 1000,
        latencies,
        duplicates,
        verified,
        cpu: new Map([...cpuAfter].map(([k, v]) => [k, v - (cpuBefore.get(k) ?? 0)])),
        machineBusy: (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total),
        machineBusySeconds: machineAfter.busy - machineBefore.busy,
        calls: stopped.calls,
        profile: stopped.profile,
      };
    }

    const results: RunResult[] = [];
    for (let r = 1; r <= runs; r++) {
      const result = await measured(r);
      results.push(result);
      progress(
        `run ${r}/${runs}: ${count(result.deliveriesPerSecond)} deliveries/s, p50 ${ms(percentile(result.latencies, 50))}, p99 ${ms(percentile(result.latencies, 99))}`,
      );
    }
    const profileDir = mkdtempSync(join(tmpdir(), 'herald-bench-burst-profile-'));
    const profileFile = join(profileDir, 'local-mode-burst.cpuprofile');
    const profiled = await measured(runs + 1, profileFile);
    progress(
      `profiled run: ${count(profiled.deliveriesPerSecond)} deliveries/s; CPU profile in ${profileFile}`,
    );
    return report(results, profiled);
  } finally {
    client.destroy();
    command({ type: 'exit' });
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    for (const server of servers) {
      server.close();
      server.closeAllConnections();
    }
  }
}

function report(results: RunResult[], profiled: RunResult): string {
  const deliveries = events * webhooks;
  const mid = [...results].sort((a, b) => a.deliveriesPerSecond - b.deliveriesPerSecond)[
    Math.floor(results.length / 2)
  ];
  if (!mid) throw new Error('no runs');
  const rate = medianOf(results, (r) => r.deliveriesPerSecond);
  const p50 = medianOf(results, (r) => percentile(r.latencies, 50));
  const p99 = medianOf(results, (r) => percentile(r.latencies, 99));
  const max = medianOf(results, (r) => Math.max(...r.latencies));
  const cpuRows = [...mid.cpu].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  const cpuTotal = cpuRows.reduce((a, [, v]) => a + v, 0);
  const others = Math.max(0, mid.machineBusySeconds - cpuTotal);
  const perDelivery = (seconds: number) => (seconds * 1000) / deliveries;
  /** Java's threads use both cores; a Node process runs its JavaScript on one. */
  const coresOf = (name: string) => (name.includes('Java') ? 2 : 1);
  const bound = [...cpuRows].sort(
    (a, b) => coresOf(a[0]) / perDelivery(a[1]) - coresOf(b[0]) / perDelivery(b[1]),
  )[0];
  const calls = [...profiled.calls].sort((a, b) => b.totalMs - a.totalMs);
  const profile = profiled.profile;
  const maxConcurrency = Number(
    process.env.BENCH_BURST_MAX_CONCURRENCY ?? defaultSettings('local').deliveryMaxConcurrency,
  );
  return `Local mode (\`startLocalHerald\`, memory, \`allowPrivateTargets\`, log level ERROR, its own DynamoDB Local and
fauxqs) in a Node process of its own; two webhooks created through the API, each on a node:http receiver
in the benchmark's process (200 at once). A burst publishes ${count(events)} events (1,024-byte \`data\`) with
\`@aws-sdk/client-eventbridge\` \`PutEvents\`, ${putBatch} entries a call, ${publishers} calls in flight, as fast as local
mode's endpoint takes them: ${count(deliveries)} deliveries. Latency runs from just before an event's \`PutEvents\`
call to its receipt, per delivery; throughput is ${count(deliveries)} over first publish → last receipt. Every
delivery must arrive (counted per event and webhook), and every ${verifyEvery}th event's two deliveries are
verified with \`standardwebhooks\`. The delivery poller scales as the stack's event source does
(${deliveryEventSourceScaling.initialBatches} batches of 10 at first, up to ${deliveryEventSourceScaling.addedPerMinute} more a minute while receives come back full, at most
\`herald.deliveryMaxConcurrency\` = ${maxConcurrency}). ${runs} burst${runs === 1 ? '' : 's'} after a warm-up of ${warmUpEvents} events; figures are medians of the bursts.

| what | median | bursts |
| --- | --- | --- |
| deliveries/s over the burst | **${count(rate)}** | ${results.map((r) => count(r.deliveriesPerSecond)).join(' / ')} |
| publish → receipt p50 | ${ms(p50, 0)} | ${results.map((r) => ms(percentile(r.latencies, 50), 0)).join(' / ')} |
| publish → receipt p99 | **${ms(p99, 0)}** | ${results.map((r) => ms(percentile(r.latencies, 99), 0)).join(' / ')} |
| publish → receipt max | ${ms(max, 0)} | ${results.map((r) => ms(Math.max(...r.latencies), 0)).join(' / ')} |
| publishing the ${count(events)} events took | ${fixed(
    medianOf(results, (r) => r.publishSeconds),
    2,
  )} s | ${results.map((r) => `${fixed(r.publishSeconds, 2)} s`).join(' / ')} |
| deliveries received twice | ${results.reduce((a, r) => a + r.duplicates, 0)} | signatures verified: ${results.reduce((a, r) => a + r.verified, 0)} |
| machine CPU busy during the burst (2 cores, other work included) | ${percent(median(results.map((r) => r.machineBusy)))} | ${results.map((r) => percent(r.machineBusy)).join(' / ')} |

Goal (issue 11): at least 1,000 deliveries/s with p99 under 2 s. ${rate >= 1000 && p99 < 2000 ? '**Met.**' : `**Not met**: ${rate < 1000 ? `${count(rate)} deliveries/s` : ''}${rate < 1000 && p99 >= 2000 ? ', ' : ''}${p99 >= 2000 ? `p99 ${ms(p99, 0)}` : ''}. Where the time goes follows.`}

### Where the CPU goes

CPU seconds of each process over the median burst (${fixed(mid.seconds, 2)} s; 2 cores give at most ${fixed(2 * mid.seconds, 2)} s), from /proc:

${table(
  [
    'process',
    'CPU s',
    "share of the burst's CPU",
    'ms CPU per delivery',
    'deliveries/s it allows alone (cores it can use ÷ CPU per delivery)',
  ],
  [
    ...cpuRows.map(([name, v]) => [
      name,
      fixed(v, 2),
      percent(v / cpuTotal),
      fixed(perDelivery(v), 2),
      `${count((coresOf(name) * 1000) / perDelivery(v))} (${coresOf(name)} core${coresOf(name) > 1 ? 's' : ''})`,
    ]),
    [
      '**all of the burst**',
      fixed(cpuTotal, 2),
      '100%',
      fixed(perDelivery(cpuTotal), 2),
      `${count(2000 / perDelivery(cpuTotal))} (2 cores)`,
    ],
    ['*not the burst*: everything else on the machine meanwhile', fixed(others, 2), '', '', ''],
  ],
)}

${
  bound
    ? `On 2 cores the burst's processes together allow at most ${count(2000 / perDelivery(cpuTotal))} deliveries/s; the
tightest single bound is **${bound[0]}** at ${fixed(perDelivery(bound[1]), 2)} ms of CPU per delivery
(${percent(bound[1] / cpuTotal)} of the burst's CPU), ${count((coresOf(bound[0]) * 1000) / perDelivery(bound[1]))} deliveries/s even with ${coresOf(bound[0]) > 1 ? 'both cores' : 'a core'} to itself.`
    : ''
}

${
  profile
    ? `V8's CPU profile of local mode's process over one more burst (${count(profiled.deliveriesPerSecond)} deliveries/s under the profiler, not counted above): ${fixed(profile.busyUs, 0)} µs of CPU per delivery, by where the code lives (self time):

${table(
  ['code', 'µs per delivery', 'share'],
  profile.byPlace.slice(0, 16).map(([k, v]) => [k, fixed(v, 0), percent(v / profile.busyUs)]),
)}

${shares(profile.byPlace, profile.busyUs, calls, deliveries)} The profiler's µs are wall time in which the
thread was not idle, so on a busy machine they run above the CPU time /proc counts; the shares are what to read.

The functions with the most self time:

${table(
  ['function', 'µs per delivery'],
  profile.byFunction.slice(0, 12).map(([k, v]) => [`\`${k.replace(/\|/g, '\\|')}\``, fixed(v, 1)]),
)}`
    : ''
}

### The emulator calls

Every call local mode made to an emulator during the profiled burst, from the request's start to its
response's headers (so time queued for a socket counts): calls per delivery and the wall time they were
in flight (overlapping; the long-poll \`ReceiveMessage\` waits by design).

${table(
  ['operation', 'calls', 'per delivery', 'mean', 'p99', 'in flight, s total'],
  calls.map((c) => [
    c.operation,
    count(c.count),
    fixed(c.count / deliveries, 2),
    ms(c.totalMs / c.count, 1),
    ms(c.p99Ms, 0),
    fixed(c.totalMs / 1000, 1),
  ]),
)}
`;
}

/** A sentence: how local mode's CPU splits between the AWS SDK, Node's networking, and Herald's own code. */
function shares(
  byPlace: ReadonlyArray<readonly [string, number]>,
  busyUs: number,
  calls: readonly CallStats[],
  deliveries: number,
): string {
  const sum = (match: (place: string) => boolean) =>
    byPlace.filter(([place]) => match(place)).reduce((a, [, v]) => a + v, 0) / busyUs;
  const sdk = sum((p) => p.startsWith('@smithy/') || p.startsWith('@aws-sdk/'));
  const node = sum((p) => p.startsWith('node:') || p.startsWith('(native'));
  const gc = sum((p) => p === '(garbage collector)');
  const herald = sum((p) => p.startsWith('functions/') || p.startsWith('local/'));
  const middy = sum((p) => p.startsWith('@middy/') || p.startsWith('@aws-lambda-powertools/'));
  const http = sum((p) => p === 'undici');
  const perDelivery = calls.reduce((a, c) => a + c.count, 0) / deliveries;
  return `Of local mode's CPU, the AWS SDK (\`@smithy/*\`, \`@aws-sdk/*\`) takes ${percent(sdk)}, Node's own code and
V8 builtins (HTTP, streams, crypto, microtasks) ${percent(node)}, the garbage collector ${percent(gc)}, undici (the
webhook POSTs) ${percent(http)}, middy and Powertools ${percent(middy)}, and Herald's own code (\`functions/\`,
\`local/\`) ${percent(herald)}: the cost follows the ${fixed(perDelivery, 2)} emulator calls per delivery (the table below),
each a full SDK request (middleware stack, SigV4 signing, JSON serde, an HTTP exchange), not Herald's logic.`;
}
