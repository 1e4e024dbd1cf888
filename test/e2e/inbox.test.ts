import { randomBytes, randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { z } from 'zod';
import { z as zm } from 'zod/v4/mini';
import { deliveredType } from '../../functions/domain/webhook-model';
import { inboxDeliverySchema } from '../../local/inbox-model';
import { seedBodies } from '../helpers';
import {
  evaluate,
  horizontalOverflow,
  seriousAccessibilityProblems,
  useBrowser,
  watchProblems,
} from './support/browser';
import { useLocalHerald } from './support/local';

/**
 * The inbox page in Chromium, as a developer uses it: open it, make an inbox, point the seed's
 * "Test webhook" at it, send a test event, and watch the delivery arrive verified. One browser and
 * one page for the file: each test goes on from where the one before left the page.
 */

const local = useLocalHerald('inbox');
const browser = useBrowser();

let page: Page;
let problems: string[];

beforeAll(async () => {
  const context = await browser().newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: local.herald.apiUrl });
  page = await context.newPage();
  problems = watchProblems(page);
});

const keptSchema = zm.object({ deliveries: zm.array(inboxDeliverySchema) });

/** What inbox `name` kept, from its JSON list. */
async function kept(name: string) {
  const res = await fetch(`${local.herald.inboxUrl}/${name}`);
  expect(res.status).toBe(200);
  return keptSchema.parse(await res.json()).deliveries;
}

/** The delivery on the page whose `webhook-id` is `id`. */
const deliveryItem = (id: string) => page.getByRole('listitem').filter({ hasText: id });

/** Posts `body` to inbox `name` signed with `secret`, as Herald would; answers the `webhook-id`. */
async function postSigned(name: string, secret: string, body: string): Promise<string> {
  const id = `msg_${randomUUID()}`;
  const at = new Date();
  const res = await fetch(`${local.herald.inboxUrl}/${name}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new StandardWebhook(secret).sign(id, at, body),
    },
    body,
  });
  expect(res.status).toBe(200);
  return id;
}

const randomSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

describe('the inbox page', () => {
  it('is served with a strict Content-Security-Policy and connects to the live feed', async () => {
    const res = await page.goto(local.herald.inboxUrl);
    expect(res?.status()).toBe(200);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('script-src');
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
  });

  it('makes an inbox by name from the keyboard and offers its URL to copy', async () => {
    await page.getByLabel('New inbox name').focus();
    await page.keyboard.type('orders');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Deliveries to orders' }).waitFor();
    const url = `${local.herald.inboxUrl}/orders`;
    expect(await page.locator('.inbox-url code').textContent()).toBe(url);
    await page.getByRole('button', { name: 'Copy URL of inbox orders' }).click();
    await page.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    expect(await evaluate(page, 'navigator.clipboard.readText()', z.string())).toBe(url);
    await page.getByRole('link', { name: /^orders/ }).waitFor();
  });

  it("shows the seed's Test webhook's test event, verified, within a second of its arrival", async () => {
    const { id: webhookId, secret } = await local.createWebhook({ url: `${local.herald.inboxUrl}/orders` });
    const deliveryId = await local.sendTest(webhookId, 'use_case_name_updated');

    // The delivered type: the seed's webhook sets a prefix and a suffix.
    const type = deliveredType(seedBodies.none.data.attributes, 'use_case_name_updated');
    expect(type).toBe('CredoAI.use_case_name_updated.v1');
    const item = deliveryItem(deliveryId);
    await item.waitFor({ timeout: 20_000 });
    const shownAt = Date.now();
    const [arrived] = (await kept('orders')).filter((d) => d.webhook_id === deliveryId);
    expect(shownAt - Date.parse(arrived?.received_at ?? '')).toBeLessThan(1000);
    expect(arrived?.verification).toMatchObject({ status: 'verified', verified_by: webhookId });

    await item.getByText('verified', { exact: true }).waitFor();
    await item.getByText(type, { exact: true }).waitFor();
    // Opened from the keyboard: the summary is a native disclosure.
    await item.locator('summary').focus();
    await page.keyboard.press('Enter');
    await item.getByText('webhook-signature', { exact: true }).waitFor();
    expect(await item.locator('pre').textContent()).toContain(`\n  "type": "${type}"`);
    // The signature is shown (it is no secret); the secret itself never is.
    expect(await page.content()).not.toContain(secret.slice('whsec_'.length));
  });

  it('says "not verified" for a delivery signed with a wrong secret', async () => {
    const id = await postSigned('orders', randomSecret(), JSON.stringify({ type: 'use_case_name_updated' }));
    const item = deliveryItem(id);
    await item.getByText('not verified', { exact: true }).waitFor();
    expect((await kept('orders')).find((d) => d.webhook_id === id)?.verification).toMatchObject({
      status: 'not_verified',
      detail: 'No matching signature found.',
    });
  });

  it('says "no webhook with this URL" for a delivery to an inbox no webhook uses', async () => {
    const id = await postSigned('nobody', randomSecret(), '{"type":"ping"}');
    await page.getByRole('link', { name: 'All inboxes' }).click();
    await page.getByRole('heading', { name: 'Deliveries to every inbox' }).waitFor();
    await deliveryItem(id).getByText('no webhook with this URL', { exact: true }).waitFor();
  });

  it('has no serious or critical accessibility problem at 375 px, fits it, and broke no rule of its CSP', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await page.getByRole('link', { name: /^orders/ }).click();
    await page.getByRole('heading', { name: 'Deliveries to orders' }).waitFor();
    // With a delivery open, so its headers and body are checked too.
    const first = page
      .getByRole('listitem')
      .filter({ has: page.locator('summary') })
      .first();
    if ((await first.locator('details').getAttribute('open')) === null)
      await first.locator('summary').click();
    await first.getByText('webhook-id', { exact: true }).waitFor();
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await seriousAccessibilityProblems(page)).toEqual([]);
    expect(problems).toEqual([]);
  });
});
