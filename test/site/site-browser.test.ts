import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { createContentHighlighter, mountSite } from '../../src/adapters/web/site-routes.ts';
import { createWebServer, type WebServer } from '../../src/adapters/web/web-server.ts';
import { DEFAULT_CONTENT_DIR } from '../../src/content/load-course.ts';
import { cohortBoardPath, COURSE_PATH, lecturePath, modulePath } from '../../src/core/site-paths.ts';
import { browserSkip, launchBrowser, openPage, seriousViolations } from '../helpers/browser.ts';
import { berlinCohort, pass } from '../helpers/cohort-fixture.ts';
import { testServices } from '../helpers/test-services.ts';

const now = new Date('2026-12-20T12:00:00Z');

let env: Awaited<ReturnType<typeof testServices>>;
let web: WebServer;
let base: string;
let browser: Browser;
let paths: string[];

describe('the site in a real browser', { skip: browserSkip }, () => {
  before(async () => {
    env = await testServices(now);
    const { course, logger } = env.services;
    web = createWebServer(logger);
    mountSite(web, { course, contentDir: DEFAULT_CONTENT_DIR, store: env.store, clock: env.clock, logger, highlighter: await createContentHighlighter(course, DEFAULT_CONTENT_DIR) });
    base = `http://127.0.0.1:${await web.start(0, '127.0.0.1')}`;
    const cohort = berlinCohort(env.store);
    const ada = env.store.learners.join(cohort.id, 'U1', 'Ada', now).learner.id;
    env.store.learners.join(cohort.id, 'U2', 'Bob', now);
    pass(env.store, ada, ['ex01-lru-cache', 'ex02-config-cli'], now);
    const publicId = env.store.cohorts.setBoardPublished(cohort.id, true);
    const [first, second] = course.modules;
    paths = [
      COURSE_PATH,
      modulePath(first!),
      `${modulePath(second!)}?cohort=${publicId}`,
      lecturePath(first!, first!.lectures[0]!),
      lecturePath(second!, second!.lectures[2]!),
      cohortBoardPath(publicId),
      '/course/no-such-module',
    ];
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await web?.stop();
    env?.store.close();
  });

  it('loads every kind of page without CSP violations, failed requests or serious axe findings, in light and dark', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const path of paths) {
        const { page, trouble } = await openPage(browser, base + path);
        await page.emulateMedia({ colorScheme });
        const where = `${path} (${colorScheme})`;
        const notFound = path === '/course/no-such-module';
        // Chromium logs the 404 of the page itself as a console error; anything else (a CSP violation) counts.
        const errors = trouble.console.filter((e) => !(notFound && /status of 404/.test(e)));
        assert.deepEqual(errors, [], `${where}: console errors (a CSP violation is one)`);
        assert.deepEqual(
          trouble.failed.filter((f) => !(notFound && f.endsWith('/no-such-module: HTTP 404'))),
          [],
          `${where}: failed requests`,
        );
        assert.deepEqual(await seriousViolations(page), [], `${where}: axe`);
        await page.close();
      }
    }
  });

  it('fits a phone: no sideways scrolling of the page, code blocks scroll inside themselves', async () => {
    for (const path of paths) {
      const { page } = await openPage(browser, base + path, { width: 360, height: 740 });
      const overflow = await page.evaluate(() => {
        const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
        return root.scrollWidth - root.clientWidth;
      });
      assert.ok(overflow <= 0, `${path}: the page is ${overflow}px wider than a phone`);
      await page.close();
    }
  });

  it('shows highlighted Rust in colour, and the board in rank order, as a learner sees them', async () => {
    const lecture = paths[3]!;
    const { page } = await openPage(browser, base + lecture);
    // Computed colours of the tokens in the first Rust block: highlighting means more than one colour is used.
    const colours = await page.evaluate(() => {
      type El = { querySelectorAll(s: string): El[]; textContent: string | null };
      const doc = (globalThis as unknown as { document: El; getComputedStyle(e: El): { color: string } });
      const block = doc.document.querySelectorAll('pre code')[0];
      return block ? [...new Set([...block.querySelectorAll('span')].map((span) => doc.getComputedStyle(span).color))] : [];
    });
    assert.ok(colours.length >= 3, `${lecture}: code shown in ${colours.length} colours`);
    await page.close();

    const board = paths[5]!;
    const opened = await openPage(browser, base + board);
    const rows = await opened.page.locator('table tbody tr').allInnerTexts();
    assert.ok(rows.length >= 2, rows.join('\n'));
    assert.match(rows[0] ?? '', /Ada/, 'Ada, with two passes, is first');
    assert.match(rows[1] ?? '', /Bob/);
    await opened.page.close();
  });
});
