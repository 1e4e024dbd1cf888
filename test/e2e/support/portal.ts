import type { Browser, Page } from 'playwright-core';
import { z } from 'zod';
import type { Api } from './api';
import { watchProblems } from './browser';

/**
 * The customer portal in the browser tests: sessions opened as a platform opens them
 * (`POST /portal-sessions` with the tenant's key), and pages opened on their links.
 */

const sessionSchema = z.object({
  data: z.object({
    id: z.string(),
    attributes: z.object({
      url: z.string(),
      token: z.string(),
      expires_at: z.string(),
      capabilities: z.array(z.enum(['read', 'write', 'secrets'])),
    }),
  }),
});

export interface PortalSessionLink {
  /** Opens the portal: local mode's `/portal/`, the token in the fragment. */
  url: string;
  token: string;
  expiresAt: string;
  capabilities: Array<'read' | 'write' | 'secrets'>;
}

/** Opens a portal session with `attributes` (`expires_in`, `capabilities`, `return_url`, `theme`) as the platform. */
export async function createPortalSession(
  api: Api,
  attributes: Record<string, unknown> = {},
): Promise<PortalSessionLink> {
  const res = await api('POST', '/portal-sessions', { data: { type: 'portal-session', attributes } });
  if (res.status !== 201)
    throw new Error(`POST /portal-sessions answered ${res.status}: ${JSON.stringify(res.body)}`);
  const { url, token, expires_at, capabilities } = sessionSchema.parse(res.body).data.attributes;
  return { url, token, expiresAt: expires_at, capabilities };
}

/**
 * Opens the portal on `session`'s link and waits until the shell has taken the session (its
 * navigation shows); then goes to `route` (`#/event-types`) when given, by its link's fragment.
 */
export async function openPortal(page: Page, session: Pick<PortalSessionLink, 'url'>, route?: string) {
  await page.goto(session.url);
  await page.getByRole('navigation', { name: 'Portal' }).waitFor();
  if (route !== undefined) await goToRoute(page, route);
}

/** Follows the portal's hash route `route` (`#/webhooks/new`) as a link in the page would. */
export async function goToRoute(page: Page, route: string) {
  await page.evaluate(`location.hash = ${JSON.stringify(route)}`);
}

/** A page in a context of its own (its own sessionStorage), with what goes wrong in it and what it requests recorded. */
export async function newPortalPage(
  browser: Browser,
  options: { width?: number } = {},
): Promise<{ page: Page; problems: string[]; requests: string[]; close: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: 900 } });
  const page = await context.newPage();
  // Well inside a test's time: a wait that fails names what it waited for.
  page.setDefaultTimeout(10_000);
  // Every URL the page asks for: the portal may ask its own origin only.
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  return { page, problems: watchProblems(page), requests, close: () => context.close() };
}

/**
 * Waits until the page's title is `title`, then checks it. A page sets its title in an effect,
 * after the render that shows its heading, so reading it at once can see the previous page's.
 */
export async function titled(page: Page, title: string): Promise<void> {
  await page
    .waitForFunction(`document.title === ${JSON.stringify(title)}`, undefined, { timeout: 5_000 })
    // The assertion below then says what the title was.
    .catch(() => undefined);
  expect(await page.title()).toBe(title);
}
