import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { bytes, table } from './support/stats';

/**
 * What the TypeScript client adds to an app: clients/typescript/src/index.ts bundled with
 * openapi-fetch as a browser app's bundler would (esbuild, ESM, minified), raw and gzipped; and
 * openapi-fetch alone, for the share that is Herald's code. `npx tsx bench/client-size.ts` prints it.
 */
const root = join(__dirname, '..');

async function minified(entry: { path: string } | { contents: string }): Promise<Uint8Array> {
  const result = await build({
    ...('path' in entry
      ? { entryPoints: [entry.path] }
      : { stdin: { contents: entry.contents, resolveDir: root, loader: 'ts' } }),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'error',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild wrote no output');
  return file.contents;
}

export async function run(): Promise<string> {
  const client = await minified({ path: join(root, 'clients', 'typescript', 'src', 'index.ts') });
  // What an app using only openapi-fetch would ship: its client, called once so nothing is shaken off.
  const fetchOnly = await minified({
    contents: "import createClient from 'openapi-fetch'; console.log(createClient({ baseUrl: '/' }));",
  });
  const row = (name: string, code: Uint8Array) => [
    name,
    bytes(code.byteLength),
    bytes(gzipSync(code).byteLength),
  ];
  return table(
    ['bundle (esbuild, ESM, minified)', 'size', 'gzip'],
    [row('@herald-webhooks/client with openapi-fetch', client), row('openapi-fetch alone', fetchOnly)],
  );
}

if (require.main === module) void run().then((markdown) => console.log(markdown));
