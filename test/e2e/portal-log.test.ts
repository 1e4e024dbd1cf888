import type { BrowserContext, Page } from 'playwright-core';
import { z } from 'zod';
import { resourceOf } from './support/api';
import {
  evaluate,
  horizontalOverflow,
  seriousAccessibilityProblems,
  useBrowser,
  watchProblems,
} from './support/browser';
import { useLocalHerald } from './support/local';
import { titled } from './support/portal';
import { isSignedBy, useReceiver, verifySignature } from './support/receiver';
import { until } from './support/wait';

/**
 * The portal's event catalog, webhook detail, delivery log and delivery detail in Chromium, through
 * local mode, as a platform's customer uses them from a session link: send a test event and watch
 * it land, make an endpoint fail and recover it, rotate the secret, and what a session without
 * `secrets` (or without `write`) is offered. One browser for the file; each story opens its own
 * session in a context of its own.
 */

const local = useLocalHerald('portal-log', {
  retrySchedule: '1s,1s',
  deliveryTimeoutMs: 2000,
  // The paging story sends a page and more of test events to one webhook at once, while pages poll.
  testEventsPerMinute: 100,
  tenantRateLimit: 100,
  tenantBurstLimit: 200,
});
const browser = useBrowser();
const receiver = useReceiver();

type Capability = 'read' | 'write' | 'secrets';

const sessionSchema = z.object({ data: z.object({ attributes: z.object({ url: z.string() }) }) });

interface Portal {
  page: Page;
  /** What the browser reported going wrong (CSP, console errors, failed requests). */
  problems: string[];
  /** Opens a portal page by its route (`#/event-types`) in the session's tab, as a link to it would. */
  open(route: string): Promise<void>;
}

const contexts: BrowserContext[] = [];
afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

/**
 * A session for the demo tenant with `capabilities`, made by the platform's call, opened from its
 * link in a tab of its own, as a customer opens it.
 */
async function openPortal(
  capabilities: Capability[] = ['read', 'write', 'secrets'],
  viewport = { width: 1280, height: 900 },
): Promise<Portal> {
  const res = await local.api('POST', '/portal-sessions', { data: { attributes: { capabilities } } });
  expect(res.status).toBe(201);
  const { url } = sessionSchema.parse(res.body).data.attributes;
  const context = await browser().newContext({ viewport });
  contexts.push(context);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: local.herald.apiUrl });
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(url);
  // The shell takes the token out of the address and keeps it for the tab.
  await page.waitForURL(/#\/webhooks$/);
  const portalUrl = url.slice(0, url.indexOf('#'));
  // Each route opened as a fresh load of its address (a deep link), the session kept by the tab.
  const open = async (route: string) => {
    await page.goto('about:blank');
    await page.goto(`${portalUrl}${route}`);
  };
  return { page, problems, open };
}

const createWebhook = (path: string, attributes: Record<string, unknown> = {}) =>
  local.createWebhook({
    url: `${receiver().url}${path}`,
    description: `Endpoint ${path}`,
    event_types: ['use_case_review_status_updated', 'use_case_name_updated'],
    ...attributes,
  });

/** Opens the webhook's page and waits for it and its log. */
async function openWebhook(portal: Portal, id: string, path: string) {
  await portal.open(`#/webhooks/${id}`);
  await portal.page.getByRole('heading', { level: 1, name: `Webhook Endpoint ${path}` }).waitFor();
  await portal.page.getByRole('heading', { name: 'Delivery log' }).waitFor();
}

/** The log's row of a delivery. */
const row = (page: Page, deliveryId: string) =>
  page.getByRole('row').filter({ has: page.getByRole('link', { name: deliveryId, exact: true }) });

/** The cells of a log row: time, event type, status, attempts, last status code, delivery[, actions]. */
async function cellsOf(page: Page, deliveryId: string): Promise<string[]> {
  return (await row(page, deliveryId).getByRole('cell').allTextContents()).map((t) => t.trim());
}

/** Sends a test event of `eventType` from the page; answers the delivery id the page names. */
async function sendTest(page: Page, eventType: string): Promise<string> {
  await page.getByLabel('Test event type').selectOption(eventType);
  await page.getByRole('button', { name: 'Send test event' }).click();
  const said = page.getByRole('status').filter({ hasText: 'Test event sent' });
  await said.waitFor();
  const id = (await said.textContent())?.match(/delivery (\S+)\./)?.[1];
  if (!id) throw new Error(`no delivery id in: ${await said.textContent()}`);
  return id;
}

describe('the portal: catalog, webhook detail and delivery log', () => {
  it('sends a test event and shows it land in the log, its payload and attempt, and retries it', async () => {
    const portal = await openPortal();
    const { page } = portal;
    const { id } = await createWebhook('/land');
    await openWebhook(portal, id, '/land');
    await page.getByText('No deliveries yet.').waitFor();

    const deliveryId = await sendTest(page, 'use_case_name_updated');
    // No reload, no click: the log refreshes itself until the delivery has landed.
    await row(page, deliveryId).getByText('Succeeded').waitFor();
    const cells = await cellsOf(page, deliveryId);
    expect(cells.slice(1, 6)).toEqual(['use_case_name_updated', 'Succeeded', '1', '200', deliveryId]);
    const [hit] = receiver().at('/land');
    expect(hit?.headers['webhook-id']).toBe(deliveryId);

    // Retry one: a second attempt, the same webhook-id.
    await page.getByRole('button', { name: `Retry delivery ${deliveryId}` }).click();
    await until(async () => ((await cellsOf(page, deliveryId))[3] === '2' ? true : undefined), {
      what: 'a second attempt in the log',
    });
    await row(page, deliveryId).getByText('Succeeded').waitFor();
    expect(
      receiver()
        .at('/land')
        .map((h) => h.headers['webhook-id']),
    ).toEqual([deliveryId, deliveryId]);

    // The delivery's page: the payload pretty-printed, and every attempt.
    await page.getByRole('link', { name: deliveryId, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: `Delivery ${deliveryId}` }).waitFor();
    await titled(page, `Delivery ${deliveryId} · Herald`);
    const payload = await page.locator('section', { hasText: 'Payload' }).locator('pre').textContent();
    expect(payload).toContain('\n  "type": "CredoAI.use_case_name_updated.v1",');
    expect(JSON.parse(payload ?? '')).toMatchObject({ specversion: '1.0', subject: 'use_case_name_updated' });
    const attempts = page.locator('section', { hasText: 'Attempts' }).getByRole('listitem');
    await until(async () => ((await attempts.count()) === 2 ? true : undefined), { what: 'two attempts' });
    const first = await attempts.nth(0).textContent();
    expect(first).toMatch(/Attempt 1\s*Succeeded/);
    expect(first).toContain('Test event');
    expect(first).toMatch(/Status code\s*200/);
    expect(first).toMatch(/Duration\s*\d+ ms/);
    expect(await attempts.nth(1).textContent()).toContain('Retry');
    expect(portal.problems).toEqual([]);
  }, 60_000);

  it('shows an endpoint failing, then recovers its failures once it is fixed', async () => {
    const portal = await openPortal();
    const { page } = portal;
    const { id } = await createWebhook('/broken');
    receiver().answers.set('/broken', 500);
    await openWebhook(portal, id, '/broken');

    const deliveryId = await sendTest(page, 'use_case_review_status_updated');
    // Three attempts (retries after 1 s and 1 s), all answered 500: failed, the log says so.
    await row(page, deliveryId).getByText('Failed').waitFor({ timeout: 20_000 });
    expect((await cellsOf(page, deliveryId)).slice(2, 5)).toEqual(['Failed', '3', '500']);
    await page.getByText(/Failing: \d+ failures in a row/).waitFor();

    // What the endpoint answered, on the delivery's page.
    await page.getByRole('link', { name: deliveryId, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: `Delivery ${deliveryId}` }).waitFor();
    expect(await page.locator('section', { hasText: 'Attempts' }).textContent()).toContain(
      'answer 500 from /broken',
    );
    await page.getByRole('link', { name: 'Back to the webhook' }).click();
    await page.getByRole('heading', { name: 'Delivery log' }).waitFor();

    receiver().answers.set('/broken', 200);
    const since = page.getByLabel('Recover failures since');
    // A time typed in the reader's clock: an hour ago.
    await since.fill(
      await evaluate(
        page,
        `(() => { const d = new Date(Date.now() - 3600e3); const p = (n) => String(n).padStart(2, '0');
          return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes()); })()`,
        z.string(),
      ),
    );
    await page.getByRole('button', { name: 'Recover failures…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send failed deliveries again?' });
    await dialog.getByRole('button', { name: 'Recover', exact: true }).click();
    const result = page.getByRole('status').filter({ hasText: 'Queued' });
    await result.waitFor();
    // The counts the API answered: the one failed delivery, from the log or the dead-letter queue.
    const counts = (await result.textContent())?.match(
      /Queued (\d+) deliver(?:y|ies) again, (\d+) from the dead-letter queue\./,
    );
    expect(Number(counts?.[1]) + Number(counts?.[2])).toBe(1);

    await row(page, deliveryId).getByText('Succeeded').waitFor();
    expect((await cellsOf(page, deliveryId)).slice(2, 5)).toEqual(['Succeeded', '4', '200']);
    expect(receiver().at('/broken').at(-1)?.headers['webhook-id']).toBe(deliveryId);
    await page.getByText('Healthy').waitFor();
    expect(portal.problems).toEqual([]);
  }, 60_000);

  it('reveals and copies the secret, rotates it, and the next delivery verifies with the new one', async () => {
    const portal = await openPortal();
    const { page } = portal;
    const { id, secret: old } = await createWebhook('/rotate');
    await openWebhook(portal, id, '/rotate');

    // Hidden until asked for.
    expect(await page.content()).not.toContain(old);
    await page.getByRole('button', { name: 'Reveal signing secret' }).click();
    expect(await page.locator('#signing-secret').textContent()).toBe(old);
    await page.getByRole('button', { name: 'Copy signing secret' }).click();
    await page.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    expect(await evaluate(page, 'navigator.clipboard.readText()', z.string())).toBe(old);

    await page
      .getByLabel('Old secret keeps signing for')
      .selectOption({ label: 'None: the old secret stops now' });
    await page.getByRole('button', { name: 'Rotate secret…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rotate the signing secret?' });
    expect(await dialog.textContent()).toContain('None: the old secret stops now');
    await dialog.getByRole('button', { name: 'Rotate', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Rotated. The new signing secret is below.' }).waitFor();
    const fresh = (await page.locator('#new-signing-secret').textContent()) ?? '';
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(old);
    await page.getByText('The old secret no longer signs.').waitFor();
    // The API holds the new one.
    expect(resourceOf(await local.api('GET', `/webhooks/${id}/secret`)).attributes.key).toBe(fresh);

    const deliveryId = await sendTest(page, 'use_case_review_status_updated');
    const hit = await until(() =>
      receiver()
        .at('/rotate')
        .find((h) => h.headers['webhook-id'] === deliveryId),
    );
    expect(verifySignature(fresh, hit)).toMatchObject({ type: 'CredoAI.use_case_review_status_updated.v1' });
    expect(isSignedBy(old, hit)).toBe(false);
    expect(portal.problems).toEqual([]);
  }, 60_000);

  it('offers no reveal or rotation without `secrets`, and no change at all without `write`', async () => {
    const { id } = await createWebhook('/limited');
    await local.sendTest(id, 'use_case_name_updated');

    const noSecrets = await openPortal(['read', 'write']);
    await openWebhook(noSecrets, id, '/limited');
    await noSecrets.page.getByRole('button', { name: 'Send test event' }).waitFor();
    expect(await noSecrets.page.getByRole('heading', { name: 'Signing secret' }).count()).toBe(0);
    expect(await noSecrets.page.getByRole('button', { name: /Reveal|Rotate/ }).count()).toBe(0);
    expect(noSecrets.problems).toEqual([]);

    const readOnly = await openPortal(['read']);
    await openWebhook(readOnly, id, '/limited');
    await readOnly.page.getByRole('link', { name: /^msg_/ }).first().waitFor();
    const offered = await readOnly.page.getByRole('button').allTextContents();
    // Reading only: the filters, refreshing the log, copying nothing secret.
    expect(offered.filter((b) => /Retry|Recover|Send|Rotate|Reveal/.test(b))).toEqual([]);
    expect(await readOnly.page.getByRole('link', { name: 'Edit webhook' }).count()).toBe(0);
    expect(readOnly.problems).toEqual([]);
  }, 60_000);

  it('filters the log by status, event type and time, and loads older deliveries on request', async () => {
    const portal = await openPortal();
    const { page } = portal;
    const { id } = await createWebhook('/many');
    // One more than a page (20), oldest first: the review event, then the name events.
    const review = await local.sendTest(id, 'use_case_review_status_updated');
    const names: string[] = [];
    for (let i = 0; i < 20; i++) names.push(await local.sendTest(id, 'use_case_name_updated'));
    await openWebhook(portal, id, '/many');
    await row(page, names.at(-1) ?? '').waitFor();

    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBe(20);
    expect(await row(page, review).count()).toBe(0);
    await page.getByRole('button', { name: 'Load more deliveries' }).click();
    await row(page, review).waitFor();
    expect(await rows.count()).toBe(21);
    expect(await page.getByRole('button', { name: 'Load more deliveries' }).count()).toBe(0);

    const filters = page.getByRole('form', { name: 'Filter deliveries' });
    await filters.getByLabel('Event type', { exact: true }).selectOption('use_case_review_status_updated');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await until(async () => ((await rows.count()) === 1 ? true : undefined), { what: 'one review delivery' });
    await row(page, review).waitFor();

    await filters.getByLabel('Event type', { exact: true }).selectOption('');
    await filters.getByLabel('Status').selectOption('failed');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No deliveries match these filters.').waitFor();

    // Since an hour ahead: nothing yet; until an hour ahead (no since): all of them again.
    await filters.getByLabel('Status').selectOption('');
    const hourAhead = await evaluate(
      page,
      `(() => { const d = new Date(Date.now() + 3600e3); const p = (n) => String(n).padStart(2, '0');
        return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes()); })()`,
      z.string(),
    );
    await filters.getByLabel('Since').fill(hourAhead);
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No deliveries match these filters.').waitFor();
    await filters.getByLabel('Since').fill('');
    await filters.getByLabel('Until').fill(hourAhead);
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await until(async () => ((await rows.count()) === 20 ? true : undefined), {
      what: 'the first page again',
    });
    expect(portal.problems).toEqual([]);
  }, 60_000);

  it('lists every event type with its description, deprecation, schema and example', async () => {
    const portal = await openPortal();
    const { page } = portal;
    await portal.open('#/event-types');
    await page.getByRole('heading', { level: 1, name: 'Event types' }).waitFor();
    await titled(page, 'Event types · Herald');
    const catalog = z
      .object({ data: z.array(z.object({ id: z.string() })) })
      .parse((await local.api('GET', '/webhook-event-types')).body);
    const shown = await page.locator('.log-card h3 code').allTextContents();
    expect(shown.sort()).toEqual(catalog.data.map((t) => t.id).sort());

    const deprecated = page.getByRole('listitem').filter({ hasText: 'use_case_governance_status_updated' });
    await deprecated.getByText('Deprecated', { exact: true }).waitFor();
    const review = page.getByRole('listitem').filter({ hasText: 'use_case_review_status_updated' });
    await review.getByText('Schema of data of use_case_review_status_updated').click();
    const schema = JSON.parse((await review.locator('pre').first().textContent()) ?? '');
    expect(schema).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['reviewId', 'status']),
    });
    await review.getByText('Example data of use_case_review_status_updated').click();
    const example = (await review.locator('pre').nth(1).textContent()) ?? '';
    expect(example).toContain('\n  "reviewId": ');
    expect(JSON.parse(example)).toHaveProperty('useCaseId');
    expect(portal.problems).toEqual([]);
  }, 60_000);

  it('has no serious accessibility problem on any of its pages, and fits 375 px without sideways scrolling', async () => {
    const { id } = await createWebhook('/narrow', {
      url: `${receiver().url}/narrow/a-rather-long-path-that-would-widen-a-narrow-screen-if-it-did-not-wrap`,
    });
    const deliveryId = await local.sendTest(id, 'use_case_review_status_updated');
    const portal = await openPortal(['read', 'write', 'secrets'], { width: 375, height: 740 });
    const { page } = portal;

    const check = async (what: string) => {
      expect({ what, overflow: await horizontalOverflow(page) }).toEqual({ what, overflow: 0 });
      expect({ what, problems: await seriousAccessibilityProblems(page) }).toEqual({ what, problems: [] });
    };

    await portal.open('#/event-types');
    await page.getByRole('heading', { name: 'Reviews' }).waitFor();
    await page.locator('details').first().locator('summary').click();
    await check('event types');

    await portal.open(`#/webhooks/${id}`);
    await row(page, deliveryId).getByText('Succeeded').waitFor();
    await page.getByRole('button', { name: 'Reveal signing secret' }).click();
    await page.getByRole('button', { name: 'Copy signing secret' }).waitFor();
    await check('webhook detail');
    // The confirmation, open over the page.
    await page.getByRole('button', { name: 'Rotate secret…' }).click();
    await page.getByRole('dialog').waitFor();
    await check('rotation dialog');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });

    // From the keyboard: to the delivery's link, and follow it.
    await page.getByRole('link', { name: deliveryId, exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: `Delivery ${deliveryId}` }).waitFor();
    await page.getByRole('heading', { name: 'Attempts' }).waitFor();
    await check('delivery detail');
    expect(portal.problems).toEqual([]);
  }, 60_000);
});
