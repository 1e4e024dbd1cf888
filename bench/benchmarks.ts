/** The benchmarks `npm run bench` knows, in report order. Each module exports `run(): Promise<string>` (markdown). */
export interface Benchmark {
  name: string;
  title: string;
  load: () => Promise<{ run: () => Promise<string> }>;
}

export const benchmarks: readonly Benchmark[] = [
  { name: 'api', title: 'Local mode start and the management API', load: () => import('./api') },
  { name: 'delivery', title: 'Delivery throughput against plain undici', load: () => import('./delivery') },
  { name: 'router', title: 'Router fan-out', load: () => import('./router') },
  { name: 'e2e', title: 'Local end-to-end latency, publish to receipt', load: () => import('./e2e-latency') },
  {
    name: 'burst',
    title: 'Local burst: publish to two webhooks as fast as local mode takes it',
    load: () => import('./burst'),
  },
  { name: 'bundles', title: 'Function bundles: size and cold require', load: () => import('./bundles') },
  { name: 'ui', title: 'Browser UI: build time and asset sizes', load: () => import('./ui') },
  { name: 'cli', title: 'The herald CLI: start time', load: () => import('./cli-start') },
  { name: 'client', title: 'The TypeScript client: size in an app', load: () => import('./client-size') },
];
