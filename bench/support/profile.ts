import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { findSourceMap } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * V8's CPU profiler (what `node --cpu-prof` uses), started and stopped around one measured loop,
 * and where its samples fell, in microseconds of CPU per operation of that loop.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface Profiler {
  /** Stops, writes the `.cpuprofile` (loadable in Chrome DevTools) and returns it. */
  stop(file: string): Promise<CpuProfile>;
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) =>
    session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T))),
  );
}

export async function startProfiler(): Promise<Profiler> {
  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: 100 });
  await post(session, 'Profiler.start');
  return {
    async stop(file) {
      const { profile } = await post<{ profile: CpuProfile }>(session, 'Profiler.stop');
      session.disconnect();
      writeFileSync(file, JSON.stringify(profile));
      return profile;
    },
  };
}

const special = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** Where a function lives: a package, Node's internals, or a file of this repository. */
function place(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  if (special.has(functionName)) return functionName;
  if (url === '') return '(native: V8 builtins, bindings)';
  if (url.startsWith('node:')) return url.replace(/^node:internal\/(.*)$/, 'node:$1');
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1] ?? path;
  return relative(process.cwd(), path);
}

/**
 * The source line of a function: tsx compiles each TypeScript file to one line, so the profile's
 * own positions mean nothing until mapped back through the file's source map.
 */
function sourceLine(url: string, line: number, column: number): number {
  if (!url.startsWith('file://') || url.includes('/node_modules/')) return line + 1;
  try {
    const entry = findSourceMap(fileURLToPath(url))?.findEntry(line, column);
    return entry && 'originalLine' in entry ? entry.originalLine + 1 : line + 1;
  } catch {
    return line + 1;
  }
}

export interface ProfileCosts {
  /** CPU µs per operation that was not idle. */
  busy: number;
  /** Self time per operation, in µs, by place and by function. */
  byPlace: Map<string, number>;
  byFunction: Map<string, number>;
  /** Time including callees per operation, in µs (synchronous stacks only: an await ends a stack). */
  inclusive: Map<string, number>;
}

/** Self and inclusive time per operation, for a profile of a loop of `ops` operations. */
export function profileCosts(profile: CpuProfile, ops: number): ProfileCosts {
  const samples = profile.samples?.length ?? profile.nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0);
  const microsPerSample = (profile.endTime - profile.startTime) / Math.max(1, samples);
  const perOp = (hits: number) => (hits * microsPerSample) / Math.max(1, ops);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const labels = new Map<number, string>();
  const label = (n: ProfileNode) => {
    let text = labels.get(n.id);
    if (text === undefined) {
      const { functionName, url, lineNumber, columnNumber } = n.callFrame;
      text = url
        ? `${functionName || '(anonymous)'} ${place(n)}:${sourceLine(url, lineNumber, columnNumber)}`
        : functionName || '(anonymous)';
      labels.set(n.id, text);
    }
    return text;
  };
  const add = (m: Map<string, number>, key: string, hits: number) => m.set(key, (m.get(key) ?? 0) + hits);
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let idle = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (node.callFrame.functionName === '(idle)') idle += hits;
    else {
      add(byPlace, place(node), hits);
      add(byFunction, label(node), hits);
    }
  }
  // Time including callees, counting a function once per stack even when it recurses.
  const walk = (node: ProfileNode, onStack: Set<string>): number => {
    let total = node.callFrame.functionName === '(idle)' ? 0 : (node.hitCount ?? 0);
    const key = label(node);
    const entered = !onStack.has(key);
    if (entered) onStack.add(key);
    for (const child of node.children ?? []) {
      const c = byId.get(child);
      if (c) total += walk(c, onStack);
    }
    if (entered) {
      onStack.delete(key);
      if (!special.has(node.callFrame.functionName)) add(inclusive, key, total);
    }
    return total;
  };
  const root = profile.nodes[0];
  if (root) walk(root, new Set());
  const scale = (m: Map<string, number>) => new Map([...m].map(([k, v]) => [k, perOp(v)]));
  return {
    busy: perOp(samples - idle),
    byPlace: scale(byPlace),
    byFunction: scale(byFunction),
    inclusive: scale(inclusive),
  };
}

/** The `n` largest entries, largest first. */
export function largest(m: Map<string, number>, n: number): Array<[string, number]> {
  return [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
}

/** A plain-text summary of {@link profileCosts}, for the console. */
export function describeCosts(costs: ProfileCosts, top = 25): string {
  const list = (m: Map<string, number>, n: number) =>
    largest(m, n)
      .map(
        ([k, v]) =>
          `${v.toFixed(2).padStart(8)} µs  ${((100 * v) / costs.busy).toFixed(1).padStart(5)}%  ${k}`,
      )
      .join('\n');
  return [
    `${costs.busy.toFixed(1)} µs of CPU per operation (not idle)`,
    '',
    'self time by place:',
    list(costs.byPlace, 15),
    '',
    'self time by function:',
    list(costs.byFunction, top),
    '',
    'time including callees (synchronous stacks only):',
    list(costs.inclusive, top),
  ].join('\n');
}
