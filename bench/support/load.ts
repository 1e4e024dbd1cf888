/**
 * A closed-loop load generator: `workers` loops, each awaiting one task at a time, until
 * `maxOps` operations have been started or `maxMs` has passed, whichever comes first. Every loop
 * is bounded in count and time and stops by itself.
 */
export interface LoadOptions {
  /** Tasks in flight at once. */
  workers: number;
  /** Operations one task performs (e.g. 10 for an SQS batch of 10 deliveries). @default 1 */
  opsPerTask?: number;
  /** No task starts once this many operations have been started. */
  maxOps: number;
  /** No task starts after this long. */
  maxMs: number;
  /** One task; `first` is the index of its first operation. Throws to fail the run. */
  task: (first: number) => Promise<void>;
}

export interface LoadResult {
  ops: number;
  seconds: number;
  perSecond: number;
  /** CPU time (user + system) of this process per operation, in microseconds. */
  cpuMicrosPerOp: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const opsPerTask = options.opsPerTask ?? 1;
  let started = 0;
  let done = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + options.maxMs;
  const worker = async () => {
    while (started + opsPerTask <= options.maxOps && performance.now() < deadline) {
      const first = started;
      started += opsPerTask;
      await options.task(first);
      done += opsPerTask;
    }
  };
  await Promise.all(Array.from({ length: options.workers }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    ops: done,
    seconds,
    perSecond: done / seconds,
    cpuMicrosPerOp: (cpu.user + cpu.system) / Math.max(1, done),
  };
}
