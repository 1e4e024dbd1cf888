import AxeBuilder from '@axe-core/playwright';
import chromium from '@sparticuz/chromium';
import { type Browser, type Page, chromium as playwright } from 'playwright-core';
import { z } from 'zod';

/**
 * Chromium for the browser tests: the build inside `@sparticuz/chromium` (an npm package, so
 * `npm ci && npm test` needs no other install), driven by playwright-core. One browser per test
 * file ({@link useBrowser}); each story opens its pages in it.
 */

/**
 * Flags of `chromium.args` (made for Lambda's sandbox) left out: two would switch off what pages
 * are tested for (the same-origin policy, the blocking of mixed content), and `--single-process`
 * takes the whole browser down when a context closes, so a file could hold only one.
 */
const droppedFlags = new Set([
  '--disable-web-security',
  '--allow-running-insecure-content',
  '--single-process',
]);

export async function launchBrowser(): Promise<Browser> {
  return playwright.launch({
    executablePath: await chromium.executablePath(),
    args: chromium.args.filter((arg) => !droppedFlags.has(arg)),
  });
}

/** A browser for the whole file: launched before its tests, closed after them. */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('The browser starts in beforeAll: use it inside a test or hook.');
    return browser;
  };
}

/**
 * What went wrong in `page` from now on, as the browser reports it: console errors (a refused
 * script or connection, a Content-Security-Policy violation), uncaught exceptions, failed requests.
 * A test expects it empty at the end.
 */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => {
    // A live feed the page closes as it goes is no failure.
    if (request.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`);
  });
  return problems;
}

/** axe-core's serious and critical violations on the page as it is now, one line each (none: `[]`). */
export async function seriousAccessibilityProblems(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/**
 * Evaluates `expression` in the page and parses what it answers with `schema`. An expression, not a
 * function: the tests are compiled without the DOM's types.
 */
export async function evaluate<T>(page: Page, expression: string, schema: z.ZodType<T>): Promise<T> {
  return schema.parse(await page.evaluate(expression));
}

/** How much wider than the viewport the page is (0: nothing scrolls sideways). */
export function horizontalOverflow(page: Page): Promise<number> {
  return evaluate(
    page,
    'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    z.number(),
  );
}
