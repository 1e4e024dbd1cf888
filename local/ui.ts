import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, relative } from 'node:path';
import { z } from 'zod';
import { portalContentSecurityPolicy } from '../lib/portal-security';
import { type UiPage, uiPages } from '../ui/pages';
import type { LocalRoute } from './api-gateway';
import { LocalModeError } from './emulators';

/**
 * The browser UI in local mode: built by Vite when `ui/dist` is missing or older than its sources
 * (a hash of them, kept in the build), and served from there with a strict Content-Security-Policy.
 */

const repoRoot = join(__dirname, '..');
export const uiDir = join(repoRoot, 'ui');
export const uiDist = join(uiDir, 'dist');
const stampName = '.build-stamp';

/** What the pages import from outside `ui/` (files or folders): part of the build's sources. */
const sourcesOutsideUi = ['local/inbox-model.ts', 'clients/typescript/src'];
/** Packages whose version changes the build. */
const buildPackages = ['vite', 'preact', 'zod'];

const packageJson = z.object({ version: z.string() });

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.') && !(dir === uiDir && entry.name === 'dist'))
    .flatMap((entry) =>
      entry.isDirectory() ? filesUnder(join(dir, entry.name)) : entry.isFile() ? [join(dir, entry.name)] : [],
    );
}

/** A hash of everything the build is made from: `ui/`'s files, what they import from outside, the build's packages. */
export function uiSourceHash(): string {
  const hash = createHash('sha256');
  const outside = sourcesOutsideUi.map((f) => join(repoRoot, f));
  const files = [
    ...filesUnder(uiDir),
    ...outside.flatMap((f) => (statSync(f).isDirectory() ? filesUnder(f) : [f])),
  ];
  for (const file of files.map((f) => relative(repoRoot, f)).sort()) {
    hash
      .update(`${file}\0`)
      .update(readFileSync(join(repoRoot, file)))
      .update('\0');
  }
  for (const name of buildPackages) {
    const { version } = packageJson.parse(
      JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')),
    );
    hash.update(`${name}@${version}\0`);
  }
  return hash.digest('hex');
}

/** Whether `dist` holds a build of exactly these sources. */
export function uiBuildIsCurrent(hash: string, dist = uiDist): boolean {
  const stamp = join(dist, stampName);
  return existsSync(stamp) && readFileSync(stamp, 'utf8') === hash;
}

/**
 * Runs Vite's build of every page into `outDir`. In a process of its own: Vite is ESM-only, which jest's
 * CommonJS runtime cannot load on Node 20, and local mode need not carry the bundler's memory.
 */
export function buildUi(outDir: string): Promise<void> {
  const vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  const child = spawn(
    process.execPath,
    [vite, 'build', uiDir, '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
    { cwd: uiDir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  // A process that exits mid-build (a failed start, Ctrl-C) takes the build with it.
  const stop = () => child.kill();
  process.once('exit', stop);
  return new Promise<void>((resolve, reject) => {
    child.once('error', (error) =>
      reject(new LocalModeError(`The UI build could not start: ${error.message}`)),
    );
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new LocalModeError(`The UI build failed (exit ${code}):\n${output}`)),
    );
  }).finally(() => process.off('exit', stop));
}

/**
 * Builds the UI into `ui/dist` unless it already holds a build of the current sources. Builds
 * beside it and then swaps, so a page is never served half-written, and two starts at once
 * (`npm start` while tests run) do not trample each other.
 */
export async function ensureUiBuilt(): Promise<{ built: boolean; ms: number }> {
  const started = Date.now();
  const hash = uiSourceHash();
  if (uiBuildIsCurrent(hash)) return { built: false, ms: Date.now() - started };
  const staging = join(uiDir, `.dist-${process.pid}-${started}`);
  const removeStaging = () => rmSync(staging, { recursive: true, force: true });
  process.once('exit', removeStaging);
  try {
    await buildUi(staging);
    writeFileSync(join(staging, stampName), hash);
    rmSync(uiDist, { recursive: true, force: true });
    try {
      renameSync(staging, uiDist);
    } catch (error) {
      // Another build finished first: theirs does if it is of the same sources.
      if (!uiBuildIsCurrent(hash)) throw error;
    }
  } finally {
    process.off('exit', removeStaging);
    removeStaging();
  }
  return { built: true, ms: Date.now() - started };
}

/** Headers of every page: scripts, styles and connections from its own origin only, no inline script. */
export const pageSecurityHeaders = {
  'Content-Security-Policy':
    "default-src 'self'; base-uri 'none'; object-src 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
} as const;

/**
 * The portal page's headers, as the stack's CloudFront sends them (lib/constructs/portal.ts, less
 * HSTS, which plain http cannot carry): its CSP, framed only by `frameAncestors`, and
 * X-Frame-Options for browsers without `frame-ancestors` when none may frame it.
 */
export function portalSecurityHeaders(frameAncestors: readonly string[]): Record<string, string> {
  return {
    'Content-Security-Policy': portalContentSecurityPolicy(frameAncestors),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    ...(frameAncestors.length === 0 ? { 'X-Frame-Options': 'DENY' } : {}),
  };
}

/**
 * `/portal/local.json`: how the portal knows local mode serves it (and offers sign-in with an API
 * key, suggesting the demo tenant). The stack serves no such file.
 */
export const portalLocalModePath = `${uiPages.portal.path}/local.json`;

export interface UiRouteOptions {
  /** Origins that may frame the portal (`herald.portalFrameAncestors`). @default none */
  portalFrameAncestors?: readonly string[];
  /** The tenant the portal's sign-in suggests. @default demo */
  demoTenant?: string;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** An asset's name as Vite writes them: no directory, no dot first. */
const assetName = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

function sendFile(req: IncomingMessage, res: ServerResponse, file: string, headers: Record<string, string>) {
  const body = readFileSync(file);
  res.writeHead(200, {
    'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream',
    'Content-Length': String(body.length),
    ...headers,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendText(res: ServerResponse, status: number, text: string) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(text);
}

/** Serves the build in `dist`: each page at its path (`/inbox`, `/inbox/`), assets at `/assets/`. */
export function uiRoutes(dist = uiDist, options: UiRouteOptions = {}): LocalRoute {
  const headers: Record<UiPage, Record<string, string>> = {
    inbox: pageSecurityHeaders,
    portal: portalSecurityHeaders(options.portalFrameAncestors ?? []),
  };
  const pages = new Map(
    Object.keys(uiPages)
      .filter((name): name is UiPage => name in uiPages)
      .flatMap((name) => [
        [uiPages[name].path, name],
        [`${uiPages[name].path}/`, name],
      ]),
  );
  const localMode = JSON.stringify({ mode: 'local', tenant: options.demoTenant ?? 'demo' });
  return (req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (url.pathname === portalLocalModePath) {
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : localMode);
      return true;
    }
    const page = pages.get(url.pathname);
    if (page !== undefined) {
      const file = join(dist, uiPages[page].html);
      if (!existsSync(file)) {
        sendText(res, 503, 'The UI is not built: `npm start` builds it (local/ui.ts).');
        return true;
      }
      sendFile(req, res, file, { ...headers[page], 'Cache-Control': 'no-cache' });
      return true;
    }
    const asset = url.pathname.match(/^\/assets\/([^/]+)$/)?.[1];
    if (asset === undefined) return false;
    const file = join(dist, 'assets', asset);
    if (!assetName.test(asset) || !existsSync(file) || !statSync(file).isFile()) {
      sendText(res, 404, 'No such asset.');
      return true;
    }
    // Names carry a hash of the content: a changed file has a new name.
    sendFile(req, res, file, {
      'Cache-Control': 'public, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
    });
    return true;
  };
}
