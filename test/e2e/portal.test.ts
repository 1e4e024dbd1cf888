import { createServer, type Server } from 'node:http';
import type { Page } from 'playwright-core';
import { z } from 'zod';
import { portalContentSecurityPolicy } from '../../lib/portal-security';
import type { LocalHeraldOptions } from '../../local/herald';
import { portalLink } from '../../local/portal-link';
import { seedBodies, webhookBody } from '../helpers';
import { resourceOf } from './support/api';
import { evaluate, horizontalOverflow, seriousAccessibilityProblems, useBrowser } from './support/browser';
import { useLocalHerald } from './support/local';
import { createPortalSession, goToRoute, newPortalPage, openPortal, titled } from './support/portal';
import { until } from './support/wait';

/**
 * The customer portal's shell and webhook pages in Chromium through local mode, one story each:
 * as the platform's customer opens it from a session link (or a developer signs in with a key).
 * Local mode runs with the stack's URL rules (no http or private targets), so the API refuses
 * what it refuses deployed.
 */

// A page that frames the portal, on loopback: allowed as http://localhost:P, refused as
// http://127.0.0.1:P (another origin of the same server). Its port is known only once it listens,
// so the setting is filled in before local mode starts (hooks run in the order they are registered).
let framer: Server;
let framerPort = 0;
const frameAncestors: string[] = [];
const settings: Partial<LocalHeraldOptions> = {
  allowPrivateTargets: false,
  portalFrameAncestors: frameAncestors,
};
beforeAll(async () => {
  framer = createServer((req, res) => {
    const src = new URL(req.url ?? '/', 'http://x').searchParams.get('src') ?? '';
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><title>Platform</title><h1>Platform</h1><iframe title="Webhooks" src="${src.replace(/"/g, '&quot;')}" width="800" height="600"></iframe>`,
    );
  });
  await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
  const address = framer.address();
  framerPort = typeof address === 'object' && address ? address.port : 0;
  frameAncestors.push(`http://localhost:${framerPort}`);
});
afterAll(() => new Promise<void>((resolve) => framer.close(() => resolve())));

const local = useLocalHerald('portal', settings);
const browser = useBrowser();

const returnUrl = 'https://app.acme.example/settings/webhooks';
const theme = { name: 'Acme', accent_color: '#7a1fa2' };

/** A page of its own for one story, closed after it; `problems` must stay empty. */
let page: Page;
let problems: string[];
let requests: string[];
let closePage: () => Promise<void>;
async function freshPage(width?: number) {
  ({ page, problems, requests, close: closePage } = await newPortalPage(browser(), { width }));
}
afterEach(async () => {
  await closePage?.();
});

const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });

/**
 * What went wrong in the page, less the browser's own report of an answer the story expects (a
 * 422 for a refused form, a 401 for an ended session, a 404 for what is not found).
 */
const unexpected = (statuses: number[]) =>
  problems.filter((p) => !statuses.some((s) => p.includes(`the server responded with a status of ${s}`)));

/**
 * Waits until the element `selector` has the focus (the page moves it after rendering). Polled
 * with `evaluate`: `waitForFunction` compiles its predicate in the page, which the CSP refuses.
 */
const focusOn = (selector: string) =>
  until(
    async () =>
      (await evaluate(
        page,
        `document.activeElement?.matches(${JSON.stringify(selector)}) === true`,
        z.boolean(),
      )) || undefined,
    { ms: 5000, what: `the focus on ${selector}` },
  );

/** No serious axe violation, and nothing scrolls sideways on a 375 px phone (the viewport is put back after). */
async function expectAccessibleAndFitting() {
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 375, height: 740 });
  expect(await horizontalOverflow(page)).toBe(0);
  expect(await seriousAccessibilityProblems(page)).toEqual([]);
  if (viewport) await page.setViewportSize(viewport);
}

describe('the portal', () => {
  it('opens from a session link: the token leaves the address bar, the list shows with the platform’s theme', async () => {
    const { id } = await local.createWebhook({ description: 'Orders endpoint' });
    const session = await createPortalSession(local.api, { return_url: returnUrl, theme });
    await freshPage();
    const res = await page.goto(session.url);
    expect(res?.headers()['content-security-policy']).toBe(
      portalContentSecurityPolicy([`http://localhost:${framerPort}`]),
    );
    await heading('Webhooks').waitFor();
    expect(page.url()).toBe(`${local.herald.apiUrl}/portal/#/webhooks`);
    expect(await evaluate(page, 'sessionStorage.getItem("herald.portal.token")', z.string())).toBe(
      session.token,
    );

    const card = page.getByRole('article', { name: 'Orders endpoint' });
    await card.getByText('Enabled', { exact: true }).waitFor();
    await card.getByText('Healthy', { exact: true }).waitFor();
    expect(await card.getByRole('link', { name: 'Orders endpoint', exact: true }).getAttribute('href')).toBe(
      `#/webhooks/${id}`,
    );
    await titled(page, 'Webhooks · Acme');
    expect(await page.getByRole('link', { name: 'Back to Acme' }).getAttribute('href')).toBe(returnUrl);
    // The accent is a custom property on the document, used by the primary button.
    expect(
      await evaluate(
        page,
        'getComputedStyle(document.documentElement).getPropertyValue("--brand")',
        z.string(),
      ),
    ).toBe('#7a1fa2');
    expect(
      await evaluate(
        page,
        'getComputedStyle(document.querySelector(".button-primary")).backgroundColor',
        z.string(),
      ),
    ).toBe('rgb(122, 31, 162)');

    // A reload keeps the session: it is in this tab's storage, not the address.
    await page.reload();
    await page.getByRole('article', { name: 'Orders endpoint' }).waitFor();
    await expectAccessibleAndFitting();
    expect(problems).toEqual([]);
    // Nothing but its own origin: no CDN font, script or beacon.
    expect(requests.filter((url) => !url.startsWith(`${local.herald.apiUrl}/`))).toEqual([]);
  }, 60_000);

  it("creates the seed's o_auth webhook through the form and shows its signing secret once", async () => {
    const session = await createPortalSession(local.api);
    await freshPage();
    await openPortal(page, session);
    // From the keyboard: the list's "New webhook" link.
    await page.getByRole('link', { name: 'New webhook' }).focus();
    await page.keyboard.press('Enter');
    await heading('New webhook').waitFor();
    const seed = seedBodies.oAuth.data.attributes;
    await page.getByLabel('Description', { exact: true }).fill(seed.description);
    await page.getByLabel('Endpoint URL').fill(seed.url);
    for (const type of seed.event_types) await page.getByRole('checkbox', { name: type }).check();
    // A deprecated type is offered, and says so.
    await page.getByText('deprecated', { exact: true }).first().waitFor();
    await page.getByLabel('Type prefix').fill(seed.event_type_prefix);
    await page.getByLabel('Type suffix').fill(seed.event_type_suffix);
    await page.getByLabel(/^Environment/).fill(seed.environment);
    await page.getByRole('radio', { name: /^OAuth/ }).check();
    await page.getByLabel('Token server URL').fill(seed.authentication_server);
    await page.getByLabel('Token request payload (JSON)').fill(JSON.stringify(seed.authentication_payload));
    await page.getByLabel('Payload encoding').selectOption(seed.authentication_payload_type);
    await expectAccessibleAndFitting();
    // Enter in a field submits, as in any form.
    await page.getByLabel(/^Environment/).press('Enter');

    await heading('Webhook created').waitFor();
    const secret = await page.locator('.secret-value code').textContent();
    expect(secret).toMatch(/^whsec_/);
    const list = await local.api('GET', '/webhooks?page[size]=100');
    const created = z
      .array(z.object({ id: z.string(), attributes: z.record(z.unknown()) }))
      .parse(list.body.data)
      .find((w) => w.attributes.description === seed.description);
    const { authentication_payload: _payload, ...shown } = seed;
    expect(created?.attributes).toMatchObject({ ...shown, has_authentication_payload: true });
    const stored = await local.api('GET', `/webhooks/${created?.id}/secret`);
    expect(JSON.stringify(stored.body)).toContain(String(secret));
    await expectAccessibleAndFitting();

    // Shown once: the webhook's edit form shows no secret, nor the payload.
    await page.getByRole('link', { name: 'Back to webhooks' }).click();
    await page.getByRole('link', { name: `Edit ${seed.description}` }).click();
    await heading('Edit webhook').waitFor();
    expect(await page.getByLabel('Token request payload (JSON)').inputValue()).toBe('');
    expect(await page.content()).not.toContain(String(secret));
    expect(await page.content()).not.toContain('secret_key_value');
    expect(problems).toEqual([]);
  }, 60_000);

  it("shows the API's error next to each field it points at, with a summary linking to them", async () => {
    const session = await createPortalSession(local.api);
    await freshPage(375);
    await openPortal(page, session, '#/webhooks/new');
    await heading('New webhook').waitFor();
    // Two refusals of the request's shape: no description, a prefix with a space and a "!".
    await page.getByLabel('Endpoint URL').fill('https://example.com/hook');
    await page.getByRole('checkbox', { name: 'use_case_review_comment' }).check();
    await page.getByLabel('Type prefix').fill('not allowed!');
    await page.getByRole('button', { name: 'Create webhook' }).click();

    const summary = page.getByRole('region', { name: 'There are 2 problems' });
    await summary.waitFor();
    // Focus goes to the summary, where a screen reader reads it out.
    await focusOn('.error-summary');
    for (const [label, field] of [
      ['Description', 'field-description'],
      ['Type prefix', 'field-event-type-prefix'],
    ] as const) {
      const input = page.locator(`#${field}`);
      expect(await input.getAttribute('aria-invalid')).toBe('true');
      expect(await input.getAttribute('aria-describedby')).toContain(`${field}-error`);
      const error = (await page.locator(`#${field}-error`).textContent()) ?? '';
      expect(error.length).toBeGreaterThan('Error: '.length);
      // The summary links to the field: following it focuses the field, the route stays.
      await summary.getByRole('link', { name: new RegExp(`^${label}:`) }).click();
      await focusOn(`#${field}`);
      expect(page.url()).toContain('#/webhooks/new');
    }
    expect(await page.locator('#field-event-type-prefix-error').textContent()).toMatch(/letters, digits/);

    // Those put right, the address is refused: plain http, as deployed.
    await page.getByLabel('Description', { exact: true }).fill('Bad one');
    await page.getByLabel('Type prefix').fill('');
    await page.getByLabel('Endpoint URL').fill('http://example.com/hook');
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await page.getByRole('region', { name: 'There is a problem' }).waitFor();
    expect(await page.locator('#field-url-error').textContent()).toMatch(/https/);
    expect(await page.getByLabel('Endpoint URL').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Description', { exact: true }).getAttribute('aria-invalid')).toBeNull();
    expect(await page.getByLabel('Type prefix').getAttribute('aria-invalid')).toBeNull();

    // A payload that is no JSON object is caught before anything is sent.
    await page.getByRole('radio', { name: /^OAuth/ }).check();
    await page.getByLabel('Token request payload (JSON)').fill('client_id=herald');
    await page.getByRole('button', { name: 'Create webhook' }).click();
    await page
      .locator('#field-authentication-payload-error')
      .getByText(/JSON object/)
      .waitFor();
    await expectAccessibleAndFitting();
    expect(unexpected([422])).toEqual([]);
  }, 60_000);

  it('edits a webhook, asks for the payload again when its URL changes, disables, enables and deletes it', async () => {
    const created = await local.api('POST', '/webhooks', structuredClone(seedBodies.oAuth));
    expect(created.status).toBe(201);
    const { id } = resourceOf(created);
    const session = await createPortalSession(local.api);
    await freshPage();
    await openPortal(page, session, `#/webhooks/${id}/edit`);
    await heading('Edit webhook').waitFor();
    await page.getByText('Leave empty to keep it', { exact: false }).waitFor();

    // A new URL for an OAuth webhook needs its credential again: the API says so at the payload.
    await page.getByLabel('Endpoint URL').fill('https://example.com/webhooks/v2');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const payloadError = page.locator('#field-authentication-payload-error');
    await payloadError.waitFor();
    expect(await page.getByLabel('Token request payload (JSON)').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Token request payload (JSON)').fill('{"key": "new_secret_value"}');
    await page.getByLabel('Description', { exact: true }).fill('Orders, v2');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').getByText('Changes saved.').waitFor();
    expect(resourceOf(await local.api('GET', `/webhooks/${id}`)).attributes).toMatchObject({
      description: 'Orders, v2',
      url: 'https://example.com/webhooks/v2',
      has_authentication_payload: true,
    });

    await page.getByLabel('Reason').fill('Endpoint under maintenance');
    await page.getByRole('button', { name: 'Disable webhook' }).click();
    await page.getByRole('status').getByText('Webhook disabled.').waitFor();
    expect(resourceOf(await local.api('GET', `/webhooks/${id}`)).attributes).toMatchObject({
      status: 'disabled',
      disabled_reason: 'Endpoint under maintenance',
    });
    await page.getByRole('link', { name: 'Webhooks', exact: true }).first().click();
    const card = page.getByRole('article', { name: 'Orders, v2' });
    await card.getByText('Disabled', { exact: true }).waitFor();
    await card.getByText('Endpoint under maintenance').waitFor();
    await card.getByRole('link', { name: 'Edit Orders, v2' }).click();
    await page.getByRole('button', { name: 'Enable webhook' }).click();
    await page.getByRole('status').getByText('Webhook enabled.').waitFor();
    await expectAccessibleAndFitting();

    // Delete asks first, and keeping it puts focus back.
    await page.getByRole('button', { name: 'Delete webhook…' }).click();
    await page.getByRole('button', { name: 'Keep it' }).click();
    await focusOn('button.button-danger');
    await page.getByRole('button', { name: 'Delete webhook…' }).click();
    const confirm = page.getByRole('button', { name: 'Delete for good' });
    await focusOn('button[aria-describedby="delete-question"]');
    await confirm.click();
    await heading('Webhooks').waitFor();
    await page.getByRole('article', { name: 'Orders, v2' }).waitFor({ state: 'detached' });
    expect((await local.api('GET', `/webhooks/${id}`)).status).toBe(404);
    expect(unexpected([422])).toEqual([]);
  }, 60_000);

  it('sets a rate limit, a payload filter and ordering, tries the filter on the catalog example first, and shows them', async () => {
    const created = await local.api(
      'POST',
      '/webhooks',
      webhookBody({ description: 'Reviews, approved only', event_types: ['use_case_review_status_updated'] }),
    );
    expect(created.status).toBe(201);
    const { id } = resourceOf(created);
    const session = await createPortalSession(local.api);
    await freshPage();
    await openPortal(page, session, `#/webhooks/${id}/edit`);
    await heading('Edit webhook').waitFor();

    // A filter the API's matcher refuses (a value must be a list): its word shows at the filter field.
    const filterField = page.getByLabel('Payload filter (JSON)');
    await filterField.fill('{"data": {"status": "approved"}}');
    await page.getByText('Try the filter on an event').click();
    await page.getByLabel('Event type', { exact: true }).selectOption('use_case_review_status_updated');
    // The catalog's example is there to try on (its status is in_progress).
    expect(JSON.parse(await page.getByLabel('Event data (JSON)').inputValue())).toMatchObject({
      status: 'in_progress',
    });
    const tryIt = page.getByRole('button', { name: 'Try the filter' });
    await tryIt.click();
    await page.locator('#field-filter-error').waitFor();
    expect(await filterField.getAttribute('aria-invalid')).toBe('true');

    // The same answers delivery would give: the example does not match, an approved review does.
    await filterField.fill('{"data": {"status": ["approved"]}, "environment": [{"prefix": "prod"}]}');
    await tryIt.click();
    const verdict = page.locator('.filter-verdict');
    await verdict.getByText('Does not match').waitFor();
    const data = page.getByLabel('Event data (JSON)');
    await data.fill(JSON.stringify({ ...JSON.parse(await data.inputValue()), status: 'approved' }));
    const environment = page.getByLabel('Event environment');
    await environment.fill('production');
    await tryIt.click();
    await verdict.getByText('Matches').waitFor();
    // Each answer replaces the last, so each wait sees a new one.
    await environment.fill('staging');
    await tryIt.click();
    await verdict.getByText('Does not match').waitFor();
    expect(await page.locator('#field-filter-error').count()).toBe(0);

    // A rate limit the API refuses, then one it takes; both saved with the filter.
    const rateLimit = page.getByLabel('Rate limit (deliveries per second)');
    await rateLimit.fill('0');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('#field-rate-limit-error').waitFor();
    await page
      .locator('.error-summary')
      .getByRole('link', { name: /Rate limit/ })
      .waitFor();
    await rateLimit.fill('5');
    await page.getByRole('radio', { name: 'In order (first in, first out)' }).check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').getByText('Changes saved.').waitFor();
    expect(resourceOf(await local.api('GET', `/webhooks/${id}`)).attributes).toMatchObject({
      ordering: 'fifo',
      rate_limit: 5,
      filter: { data: { status: ['approved'] }, environment: [{ prefix: 'prod' }] },
    });
    await expectAccessibleAndFitting();

    // The webhook's page shows both; emptying them on the form removes them.
    await goToRoute(page, `#/webhooks/${id}`);
    await page.getByText('5 deliveries per second').waitFor();
    await page.getByText('In order, one at a time (FIFO)').waitFor();
    await page.locator('.log-fields pre').getByText('"approved"').waitFor();
    await goToRoute(page, `#/webhooks/${id}/edit`);
    await heading('Edit webhook').waitFor();
    expect(await rateLimit.inputValue()).toBe('5');
    await rateLimit.fill('');
    await filterField.fill('');
    await page.getByRole('radio', { name: 'As fast as possible (any order)' }).check();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').getByText('Changes saved.').waitFor();
    expect(resourceOf(await local.api('GET', `/webhooks/${id}`)).attributes).toMatchObject({
      rate_limit: null,
      filter: null,
      ordering: 'none',
    });
    expect(unexpected([422])).toEqual([]);
  }, 60_000);

  it('gives a read-only session no create, edit or delete control, and says so at #/webhooks/new', async () => {
    const { id } = await local.createWebhook({ description: 'Read me' });
    const session = await createPortalSession(local.api, { capabilities: ['read'] });
    await freshPage();
    await openPortal(page, session);
    await page.getByRole('article', { name: 'Read me' }).waitFor();
    expect(await page.getByRole('link', { name: 'New webhook' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: /^Edit / }).count()).toBe(0);
    await page.getByText('read-only', { exact: false }).first().waitFor();
    for (const route of ['#/webhooks/new', `#/webhooks/${id}/edit`]) {
      await goToRoute(page, route);
      await heading('Read-only session').waitFor();
      expect(await page.getByRole('button').count()).toBe(0);
      expect(await page.getByRole('textbox').count()).toBe(0);
    }
    await expectAccessibleAndFitting();
    expect(problems).toEqual([]);
  }, 60_000);

  it('shows the expiry page with the return link when the session runs out', async () => {
    const session = await createPortalSession(local.api, { expires_in: 60, return_url: returnUrl, theme });
    await freshPage();
    await page.clock.install();
    await openPortal(page, session);
    await heading('Webhooks').waitFor();
    await page.clock.fastForward('01:01');
    await heading('Your session has expired').waitFor();
    expect(await page.getByRole('link', { name: 'Return to Acme' }).getAttribute('href')).toBe(returnUrl);
    await titled(page, 'Session expired · Acme');
    expect(await page.getByRole('navigation', { name: 'Portal' }).count()).toBe(0);
    // Local mode also offers to sign in again.
    await page.getByRole('button', { name: 'Sign in with an API key' }).waitFor();
    await expectAccessibleAndFitting();
    expect(problems).toEqual([]);
  }, 60_000);

  it('shows the session-ended page as soon as the API refuses the session (revoked)', async () => {
    const tenant = await local.newTenant();
    const session = await createPortalSession(tenant.api, { return_url: returnUrl, theme });
    await freshPage();
    await openPortal(page, session);
    await heading('Webhooks').waitFor();
    expect((await tenant.api('DELETE', '/portal-sessions')).status).toBe(204);
    await goToRoute(page, '#/webhooks/new');
    await heading('Your session has ended').waitFor();
    expect(await page.getByRole('link', { name: 'Return to Acme' }).getAttribute('href')).toBe(returnUrl);
    // The browser logged the 401 itself; nothing else went wrong.
    expect(unexpected([401])).toEqual([]);
  }, 60_000);

  it("cannot reach another tenant's webhook: its address shows not found", async () => {
    const other = await local.newTenant();
    const { id } = await local.createWebhook({ description: 'Not yours' }, other.api);
    const session = await createPortalSession(local.api);
    await freshPage();
    await openPortal(page, session, `#/webhooks/${id}/edit`);
    await heading('Webhook not found').waitFor();
    expect(await page.content()).not.toContain('Not yours');
    await expectAccessibleAndFitting();
    // The browser logged the 404 itself.
    expect(unexpected([404])).toEqual([]);
  }, 60_000);

  it('lets a developer sign in with an API key in local mode, and keeps the key nowhere', async () => {
    await freshPage(375);
    await page.goto(`${local.herald.apiUrl}/portal/`);
    await heading('Sign in to the webhooks portal').waitFor();
    expect(await page.getByLabel('Tenant').inputValue()).toBe('demo');
    await expectAccessibleAndFitting();
    await page.getByLabel('API key').fill('hrld_not_a_key');
    await page.getByRole('button', { name: 'Open the portal' }).click();
    await page.getByRole('alert').getByText('does not open tenant demo').waitFor();

    await page.getByLabel('API key').fill(local.herald.demoApiKey);
    await page.getByRole('button', { name: 'Open the portal' }).click();
    await heading('Webhooks').waitFor();
    const stored = await evaluate(page, 'JSON.stringify({ ...sessionStorage, ...localStorage })', z.string());
    expect(stored).not.toContain(local.herald.demoApiKey);
    expect(await page.content()).not.toContain(local.herald.demoApiKey);
    expect(unexpected([401])).toEqual([]);
  }, 60_000);

  it("opens from the link `npm start` prints, a day's session of the demo tenant", async () => {
    const url = await portalLink(local.herald.apiUrl, 'demo', local.herald.demoApiKey);
    expect(url).toMatch(new RegExp(`^${local.herald.apiUrl}/portal/#token=`));
    await freshPage();
    await openPortal(page, { url });
    await heading('Webhooks').waitFor();
    const ends = await page.locator('footer time').getAttribute('datetime');
    expect(Date.parse(ends ?? '') - Date.now()).toBeGreaterThan(86_000_000);
    expect(problems).toEqual([]);
  }, 60_000);

  it('can be framed by an allowed origin and not by another', async () => {
    const session = await createPortalSession(local.api);
    await freshPage();
    const src = encodeURIComponent(session.url);
    await page.goto(`http://localhost:${framerPort}/?src=${src}`);
    await page.frameLocator('iframe').getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();

    const refused = page.waitForEvent('console', (m) => m.text().includes('frame-ancestors'));
    await page.goto(`http://127.0.0.1:${framerPort}/?src=${src}`);
    await refused;
    expect(await page.frameLocator('iframe').getByRole('heading').count()).toBe(0);
  }, 60_000);
});
