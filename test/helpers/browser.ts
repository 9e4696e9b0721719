import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core, which downloads nothing. `.ci/run` installs the `chromium` package;
 * where it is missing the browser tests skip with this message, like the cargo tests without cargo.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const browserSkip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: .ci/run installs Debian's chromium package`;

/** The flags this closed machine needs: no background networking, which its firewall would refuse noisily. */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/** What went wrong while a page loaded: console errors, uncaught exceptions, failed or non-2xx requests. */
export interface PageTrouble {
  console: string[];
  failed: string[];
}

/** Opens `url` in a fresh page and records everything that went wrong while it loaded. */
export async function openPage(browser: Browser, url: string, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; trouble: PageTrouble; status: number | undefined }> {
  const page = await browser.newPage({ viewport });
  const trouble: PageTrouble = { console: [], failed: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') trouble.console.push(message.text());
  });
  page.on('pageerror', (error) => trouble.console.push(error.message));
  page.on('requestfailed', (request) => trouble.failed.push(`${request.url()}: ${request.failure()?.errorText ?? 'failed'}`));
  page.on('response', (response) => {
    if (response.status() >= 400) trouble.failed.push(`${response.url()}: HTTP ${response.status()}`);
  });
  const response = await page.goto(url, { waitUntil: 'load' });
  return { page, trouble, status: response?.status() };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page, as `rule: target` lines. */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated over the DevTools protocol, not as a <script> element, so the page's strict CSP stays as it is.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const page = globalThis as unknown as { document: unknown; axe: { run(context: unknown, options: object): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[] }> } };
    return page.axe.run(page.document, { resultTypes: ['violations'] });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${JSON.stringify(n.target)}`));
}
