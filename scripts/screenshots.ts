import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createHeraldClient, type HeraldClient } from '../clients/typescript/src/index';
import { startLocalHerald } from '../local/herald';
import { ensureUiBuilt } from '../local/ui';
import { launchBrowser } from '../test/e2e/support/browser';

/**
 * `npm run screenshots [-- name…]`: the portal's pages as PNGs under docs/portal/, for
 * docs/portal.md. Local mode in this process (its own emulators, nothing kept), a few webhooks
 * with deliveries of the demo tenant (one delivering to the inbox, one failing, one disabled), and
 * a themed session opened as a platform opens one. Names pick pages; none: every page.
 */

const outDir = join(__dirname, '..', 'docs', 'portal');
const theme = { name: 'Acme', accent_color: '#6d28d9' };
const returnUrl = 'https://app.acme.example/settings/integrations';

interface Demo {
  /** Delivers to local mode's inbox, so its log shows successes. */
  working: string;
  delivery: string;
  failing: string;
  disabled: string;
}

interface Shot {
  name: string;
  /** The fragment to open; the page is captured once it settles. */
  route: string;
  width?: number;
  /** Opens its own page: without a session, or with the clock moved on. */
  open?: (browser: Browser, url: string) => Promise<Page>;
  /** Brings the page to the state shown. */
  act?: (page: Page) => Promise<void>;
}

/** Polls `check` every 200 ms until it answers true, up to `ms`. */
async function until(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function seed(client: HeraldClient, inboxUrl: string): Promise<Demo> {
  const create = async (attributes: Parameters<HeraldClient['webhooks']['create']>[0]) =>
    (await client.webhooks.create(attributes)).data.id;
  const working = await create({
    description: 'Review notifications',
    url: `${inboxUrl}/reviews`,
    event_types: ['use_case_review_status_updated', 'use_case_review_comment'],
    event_type_prefix: 'CredoAI',
    event_type_suffix: 'v1',
    environment: 'production',
    authentication_method: 'none',
  });
  const failing = await create({
    description: 'Billing sync',
    // Nothing listens on the discard port: every attempt fails.
    url: 'http://127.0.0.1:9/hooks/billing',
    event_types: ['use_case_custom_field_updated'],
    authentication_method: 'none',
  });
  const disabled = await create({
    description: 'Legacy CRM',
    url: 'https://crm.example.com/webhooks',
    event_types: ['use_case_name_updated', 'use_case_description_updated'],
    authentication_method: 'o_auth',
    authentication_payload: { client_id: 'herald', client_secret: 'example' },
    authentication_payload_type: 'application/json',
    authentication_server: 'https://crm.example.com/oauth/token',
  });
  await client.webhooks.disable(disabled, 'Replaced by the new CRM integration');
  const delivery = (await client.webhooks.test(working, 'use_case_review_status_updated')).data.id;
  await client.webhooks.test(working, 'use_case_review_comment');
  await client.webhooks.test(failing, 'use_case_custom_field_updated');
  await until('the deliveries to succeed and fail', async () => {
    const delivered = (await client.deliveries.list(working)).data.every(
      (d) => d.attributes.status === 'succeeded',
    );
    const health = (await client.webhooks.get(failing)).data.attributes.health;
    return delivered && health.consecutive_failures >= 2;
  });
  return { working, delivery, failing, disabled };
}

function shots(demo: Demo): Shot[] {
  return [
    // The shell's pages.
    { name: 'webhooks', route: '#/webhooks' },
    { name: 'webhooks-phone', route: '#/webhooks', width: 375 },
    { name: 'webhook-new', route: '#/webhooks/new' },
    {
      name: 'webhook-errors',
      route: '#/webhooks/new',
      act: async (page) => {
        await page.getByLabel('Endpoint URL').fill('https://example.com/hooks');
        await page.getByLabel('Type prefix').fill('Acme events!');
        await page.getByRole('button', { name: 'Create webhook' }).click();
        await page.locator('.error-summary').waitFor();
      },
    },
    {
      name: 'webhook-created',
      route: '#/webhooks/new',
      act: async (page) => {
        await page.getByLabel('Description', { exact: true }).fill('Use case changes');
        await page.getByLabel('Endpoint URL').fill('https://hooks.acme-customer.example/herald');
        await page.getByRole('checkbox', { name: 'use_case_name_updated' }).check();
        await page.getByRole('button', { name: 'Create webhook' }).click();
        await page.getByRole('heading', { name: 'Webhook created' }).waitFor();
      },
    },
    { name: 'webhook-edit', route: `#/webhooks/${demo.disabled}/edit` },
    {
      name: 'sign-in',
      route: '',
      open: async (browser, url) => {
        const page = await newPage(browser);
        await page.goto(url.replace(/#.*$/, ''));
        return page;
      },
    },
    {
      name: 'session-expired',
      route: '',
      open: async (browser, url) => {
        const page = await newPage(browser);
        await page.clock.install();
        await page.goto(url);
        await page.getByRole('navigation', { name: 'Portal' }).waitFor();
        await page.clock.fastForward('25:00:00');
        await page.getByRole('heading', { name: 'Your session has expired' }).waitFor();
        return page;
      },
    },
    // The log's pages (helper portal-log's).
    { name: 'event-types', route: '#/event-types' },
    { name: 'webhook-detail', route: `#/webhooks/${demo.working}` },
    { name: 'webhook-detail-failing', route: `#/webhooks/${demo.failing}` },
    { name: 'delivery-detail', route: `#/webhooks/${demo.working}/deliveries/${demo.delivery}` },
  ];
}

async function newPage(browser: Browser, width = 1280): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 800 }, colorScheme: 'light' });
  return context.newPage();
}

async function capture(browser: Browser, url: string, shot: Shot): Promise<void> {
  const page = shot.open ? await shot.open(browser, url) : await newPage(browser, shot.width);
  try {
    if (!shot.open) {
      await page.goto(url);
      await page.getByRole('navigation', { name: 'Portal' }).waitFor();
      await page.evaluate(`location.hash = ${JSON.stringify(shot.route)}`);
    }
    await page.locator('h1').first().waitFor();
    await page.locator('.loading').waitFor({ state: 'detached' });
    await shot.act?.(page);
    const file = join(outDir, `${shot.name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`wrote ${file}`);
  } finally {
    await page.context().close();
  }
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  await ensureUiBuilt();
  mkdirSync(outDir, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-screenshots-'));
  const herald = await startLocalHerald({
    apiPort: 0,
    eventsPort: 0,
    memory: true,
    dataDir,
    allowPrivateTargets: true,
    retrySchedule: '1s,1s,1s',
    logLevel: 'ERROR',
  });
  let browser: Browser | undefined;
  try {
    const client = createHeraldClient({
      baseUrl: herald.apiUrl,
      tenant: herald.demoTenant,
      apiKey: herald.demoApiKey,
      auth: 'key',
    });
    const demo = await seed(client, herald.inboxUrl);
    const session = await client.portalSessions.create({ return_url: returnUrl, theme });
    const all = shots(demo);
    const unknown = wanted.filter((name) => !all.some((s) => s.name === name));
    if (unknown.length > 0)
      throw new Error(`No page named ${unknown.join(', ')}; pages: ${all.map((s) => s.name).join(', ')}`);
    browser = await launchBrowser();
    for (const shot of all.filter((s) => wanted.length === 0 || wanted.includes(s.name)))
      await capture(browser, session.data.attributes.url, shot);
  } finally {
    await browser?.close();
    await herald.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
