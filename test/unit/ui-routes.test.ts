import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portalContentSecurityPolicy } from '../../lib/portal-security';
import { ensureUiBuilt, pageSecurityHeaders, uiBuildIsCurrent, uiRoutes, uiSourceHash } from '../../local/ui';

/** Local mode's serving of the UI build, over loopback HTTP, from a build laid out as Vite writes it. */

/** Serves `route` on loopback, answering 418 for what it leaves. */
async function serve(
  route: ReturnType<typeof uiRoutes>,
): Promise<{ origin: string; close: () => Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    if (!(await route(req, res, new URL(req.url ?? '/', 'http://127.0.0.1')))) res.writeHead(418).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    origin: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let origin: string;
let close: () => Promise<void>;
let dist: string;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'herald-ui-'));
  mkdirSync(join(dist, 'inbox'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(
    join(dist, 'inbox', 'index.html'),
    '<!doctype html><script type="module" src="../assets/inbox-1.js"></script>',
  );
  writeFileSync(join(dist, 'assets', 'inbox-1.js'), 'console.log(1)');
  mkdirSync(join(dist, 'portal'));
  writeFileSync(join(dist, 'portal', 'index.html'), '<!doctype html><title>Webhooks</title>');
  writeFileSync(join(dist, 'assets', '.hidden'), 'no');
  writeFileSync(join(dist, '.build-stamp'), 'stamp');
  ({ origin, close } = await serve(uiRoutes(dist)));
});

afterAll(async () => {
  await close();
  rmSync(dist, { recursive: true, force: true });
});

describe('the UI in local mode', () => {
  it.each(['/inbox', '/inbox/'])(
    'serves the inbox page at %s with the strict CSP and no caching',
    async (path) => {
      const res = await fetch(`${origin}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toBe(pageSecurityHeaders['Content-Security-Policy']);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('../assets/inbox-1.js');
    },
  );

  it('serves an asset by its hashed name, cached for good, and HEAD without a body', async () => {
    const res = await fetch(`${origin}/assets/inbox-1.js`);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(await res.text()).toBe('console.log(1)');
    const head = await fetch(`${origin}/assets/inbox-1.js`, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe('14');
    expect(await head.text()).toBe('');
  });

  it.each([
    ['a file it does not have', '/assets/nope.js'],
    ['a dot file', '/assets/.hidden'],
    ['a way out of the assets', '/assets/..%2F.build-stamp'],
  ])('answers 404 for %s', async (_, path) => {
    expect((await fetch(`${origin}${path}`)).status).toBe(404);
  });

  it.each(['/portal', '/portal/'])(
    "serves the portal at %s with the stack's portal CSP: no site may frame it by default",
    async (path) => {
      const res = await fetch(`${origin}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toBe(portalContentSecurityPolicy([]));
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(await res.text()).toContain('<title>Webhooks</title>');
    },
  );

  it('lets the origins of `herald.portalFrameAncestors` frame the portal, and says it is local mode', async () => {
    const allowed = ['https://app.acme.example', 'https://*.partner.example'];
    const framed = await serve(uiRoutes(dist, { portalFrameAncestors: allowed, demoTenant: 'demo' }));
    const res = await fetch(`${framed.origin}/portal/`);
    expect(res.headers.get('content-security-policy')).toContain(
      'frame-ancestors https://app.acme.example https://*.partner.example',
    );
    expect(res.headers.get('x-frame-options')).toBeNull();
    const local = await fetch(`${framed.origin}/portal/local.json`);
    expect(local.headers.get('cache-control')).toBe('no-store');
    expect(await local.json()).toEqual({ mode: 'local', tenant: 'demo' });
    await framed.close();
  });

  it('leaves other paths and methods to the next route', async () => {
    expect((await fetch(`${origin}/inbox/orders`)).status).toBe(418);
    expect((await fetch(`${origin}/inbox`, { method: 'POST' })).status).toBe(418);
    expect((await fetch(`${origin}/.build-stamp`)).status).toBe(418);
  });

  it('says the UI is not built (503) when there is no build', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'herald-ui-empty-'));
    const unbuilt = await serve(uiRoutes(empty));
    const res = await fetch(`${unbuilt.origin}/inbox`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm start');
    await unbuilt.close();
    rmSync(empty, { recursive: true, force: true });
  });

  it('does not build again when the build is of the current sources (the global setup built it)', async () => {
    expect(uiSourceHash()).toBe(uiSourceHash());
    expect(uiBuildIsCurrent(uiSourceHash())).toBe(true);
    expect(uiBuildIsCurrent('another hash')).toBe(false);
    expect((await ensureUiBuilt()).built).toBe(false);
  });
});
