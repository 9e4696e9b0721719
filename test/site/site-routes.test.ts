import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createContentHighlighter, CONTENT_SECURITY_POLICY, mountSite } from '../../src/adapters/web/site-routes.ts';
import { createWebServer, type WebServer } from '../../src/adapters/web/web-server.ts';
import { DEFAULT_CONTENT_DIR } from '../../src/content/load-course.ts';
import type { Cohort } from '../../src/core/cohort.ts';
import { cohortBoardApiPath, cohortBoardPath, COURSE_PATH, lecturePath, modulePath } from '../../src/core/site-paths.ts';
import { escapeHtml } from '../../src/site/html.ts';
import { STYLESHEET_PATH } from '../../src/site/layout.ts';
import { berlinCohort, pass } from '../helpers/cohort-fixture.ts';
import { testServices } from '../helpers/test-services.ts';

/** Sunday 20 Dec 2026: the Berlin cohort is in module 1, due Monday 21 Dec 09:00 Berlin time. */
const now = new Date('2026-12-20T12:00:00Z');
const at = (day: number, hour = 10) => new Date(Date.UTC(2026, 11, day, hour));

const SECRET_USER_ID = 'U0SECRETADA42';
const SECRET_LOGIN = 'ada-private-login';
const SECRET_REPO = `${SECRET_LOGIN}/ada-secret-repo-7731`;

let env: Awaited<ReturnType<typeof testServices>>;
let web: WebServer;
let base: string;
let cohort: Cohort;
let publicId: string;
let unpublishedId: string;
let adaId: number;

before(async () => {
  env = await testServices(now);
  const { course, logger } = env.services;
  const highlighter = await createContentHighlighter(course, DEFAULT_CONTENT_DIR);
  web = createWebServer(logger);
  mountSite(web, { course, contentDir: DEFAULT_CONTENT_DIR, store: env.store, clock: env.clock, logger, highlighter });
  base = `http://127.0.0.1:${await web.start(0, '127.0.0.1')}`;

  cohort = berlinCohort(env.store);
  const join = (userId: string, name: string) => env.store.learners.join(cohort.id, userId, name, at(7)).learner.id;
  adaId = join(SECRET_USER_ID, 'Ada <Lovelace>');
  const bob = join('U0BOB', 'Bob');
  join('U0CY', 'Cy');
  env.store.learners.linkGithub(adaId, SECRET_LOGIN, SECRET_REPO, at(8));
  pass(env.store, bob, ['ex01-lru-cache'], at(9));
  pass(env.store, bob, ['ex02-config-cli'], at(12));
  pass(env.store, adaId, ['ex01-lru-cache'], at(10));
  publicId = env.store.cohorts.setBoardPublished(cohort.id, true);

  const other = env.store.cohorts.create({ ...cohort, channelId: 'other-channel', name: 'Hidden cohort' }, at(1));
  env.store.learners.join(other.id, 'U0HIDDEN', 'Hidden Learner', at(7));
  unpublishedId = env.store.cohorts.setBoardPublished(other.id, true);
  env.store.cohorts.setBoardPublished(other.id, false);
});

after(async () => {
  await web.stop();
  env.store.close();
});

function get(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(base + path, { redirect: 'manual', ...init });
}

function assertSecurityHeaders(res: Response, where: string): void {
  assert.equal(res.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY, `CSP on ${where}`);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /script-src|unsafe-inline|unsafe-eval/);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `nosniff on ${where}`);
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer', `referrer policy on ${where}`);
  if (res.status !== 304) assert.match(res.headers.get('content-type') ?? '', /; charset=utf-8$/, `charset on ${where}`);
}

const entities: Record<string, string> = { '&amp;': '&', '&quot;': '"', '&#39;': "'", '&lt;': '<', '&gt;': '>' };
const unescape = (text: string) => text.replace(/&(amp|quot|#39|lt|gt);/g, (e) => entities[e] ?? e);

describe('the course site', () => {
  it('serves the course index with every module, its phase, weeks and summary', async () => {
    const res = await get(COURSE_PATH);
    assert.equal(res.status, 200);
    assertSecurityHeaders(res, COURSE_PATH);
    const html = await res.text();
    assert.match(html, /^<!doctype html>\n<html lang="en">/);
    assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
    assert.match(html, new RegExp(`<link rel="stylesheet" href="${STYLESHEET_PATH}">`));
    for (const module of env.services.course.modules) {
      assert.ok(html.includes(`href="${modulePath(module)}"`), module.slug);
      assert.ok(html.includes(escapeHtml(module.summary)), `${module.slug}'s summary`);
    }
    assert.match(html, /Phase 1 · Foundation/);
    assert.match(html, /Phase 5 · Language Interop/);
    assert.match(html, /2 weeks · 6 lectures · 2 exercises/);
  });

  it('shows a module with objectives, lectures and each exercise README under its anchor', async () => {
    const module = env.services.course.modules[0]!;
    const html = await (await get(modulePath(module))).text();
    assert.match(html, /<h2 id="objectives">Objectives<\/h2>/);
    for (const lecture of module.lectures) assert.ok(html.includes(`href="${lecturePath(module, lecture)}"`));
    assert.match(html, /<h3 id="exercise-ex01-lru-cache">An LRU cache with O\(1\) get and put<\/h3>/);
    assert.match(html, /<h4 id="exercise-ex01-lru-cache--what-you-may-change">/);
    assert.doesNotMatch(html, /Released/);
  });

  it("adds a published cohort's release and due dates in its zone, and nothing for an unpublished one", async () => {
    const module = env.services.course.modules[1]!;
    const res = await get(`${modulePath(module)}?cohort=${publicId}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const html = await res.text();
    assert.match(html, /Released <time datetime="2026-12-21T08:00:00.000Z">Mon 21 Dec 2026, 09:00 GMT\+1<\/time>/);
    assert.match(html, /due <time datetime="2027-01-04T08:00:00.000Z">Mon 4 Jan 2027, 09:00 GMT\+1<\/time> \(Europe\/Berlin time\)/);
    assert.ok(html.includes(`href="${cohortBoardPath(publicId)}"`));

    const plain = await (await get(modulePath(module))).text();
    for (const id of [unpublishedId, 'no-such-cohort']) {
      const other = await get(`${modulePath(module)}?cohort=${id}`);
      assert.equal(other.status, 200);
      assert.equal(await other.text(), plain, 'the plain page, whether the cohort is unknown or unpublished');
    }
  });

  it('renders a lecture with highlighted Rust, anchors, and previous/next links across modules', async () => {
    const [first, second] = env.services.course.modules;
    const lastOfFirst = first!.lectures.at(-1)!;
    const html = await (await get(lecturePath(first!, lastOfFirst))).text();
    assert.equal(html.match(/<h1[ >]/g)?.length, 1);
    assert.match(html, /<pre class="shiki shiki-themes github-light-default github-dark-default[^"]*" tabindex="0"><code><span class="line">/);
    assert.match(html, /<h2 id="[a-z0-9-]+"><a class="heading-link" href="#[a-z0-9-]+">/);
    assert.ok(html.includes(`rel="prev" href="${lecturePath(first!, first!.lectures.at(-2)!)}"`));
    assert.ok(html.includes(`rel="next" href="${lecturePath(second!, second!.lectures[0]!)}"`));
    assert.match(html, /Next: Module 02 · /);
  });

  it('answers 404 with the same page for unknown modules, lectures and paths', async () => {
    const bodies = new Set<string>();
    for (const path of ['/course/no-such-module', '/course/core-rust/no-such-lecture', '/course/core-rust/01-ownership-and-borrowing/more', '/course/%E0%A4%A', '/course//core-rust']) {
      const res = await get(path);
      assert.equal(res.status, 404, path);
      assertSecurityHeaders(res, path);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      bodies.add(await res.text());
    }
    assert.equal(bodies.size, 1);
    assert.match([...bodies][0]!, /<h1>Page not found<\/h1>/);
  });

  it('allows GET and HEAD only', async () => {
    for (const path of [COURSE_PATH, STYLESHEET_PATH, cohortBoardPath(publicId), cohortBoardApiPath(publicId)]) {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        const res = await get(path, { method, body: method === 'DELETE' ? null : 'x' });
        assert.equal(res.status, 405, `${method} ${path}`);
        assert.equal(res.headers.get('allow'), 'GET, HEAD');
        assertSecurityHeaders(res, `${method} ${path}`);
        await res.arrayBuffer();
      }
    }
    const head = await get(COURSE_PATH, { method: 'HEAD' });
    const full = await get(COURSE_PATH);
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    assert.equal(head.headers.get('etag'), full.headers.get('etag'));
    assert.equal(Number(head.headers.get('content-length')), Buffer.byteLength(await full.text()));
    assertSecurityHeaders(head, 'HEAD');
  });

  it('serves course pages and the stylesheet with a strong ETag and 5 minutes of caching, and 304 on a match', async () => {
    for (const path of [modulePath(env.services.course.modules[2]!), STYLESHEET_PATH]) {
      const res = await get(path);
      const etag = res.headers.get('etag') ?? '';
      assert.match(etag, /^"[A-Za-z0-9_-]+"$/, 'strong');
      assert.equal(res.headers.get('cache-control'), 'public, max-age=300');
      await res.text();
      const again = await get(path, { headers: { 'If-None-Match': etag } });
      assert.equal(again.status, 304);
      assert.equal(again.headers.get('etag'), etag);
      assert.equal(await again.text(), '');
      assertSecurityHeaders(again, `304 ${path}`);
      const listed = await get(path, { headers: { 'If-None-Match': `"other", W/${etag}` } });
      assert.equal(listed.status, 304);
      const stale = await get(path, { headers: { 'If-None-Match': '"stale"' } });
      assert.equal(stale.status, 200);
      await stale.text();
    }
    const css = await get(STYLESHEET_PATH);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.match(await css.text(), /prefers-color-scheme: dark/);
  });
});

describe('a published cohort board', () => {
  it('ranks the learners by points with display names only', async () => {
    const res = await get(cohortBoardPath(publicId));
    assert.equal(res.status, 200);
    assertSecurityHeaders(res, 'board');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const html = await res.text();
    const rows = [...html.matchAll(/<tr><td class="num">(\d+)<\/td><th scope="row">([^<]*)<\/th><td class="num">(\d+)<\/td><td class="num">(\d+)<\/td><\/tr>/g)].map((m) => [
      Number(m[1]),
      unescape(m[2]!),
      Number(m[3]),
      Number(m[4]),
    ]);
    // The same scores as /leaderboard: these passes came before module 01 was due, so each earns its 20% bonus.
    assert.deepEqual(rows, [
      [1, 'Bob', 240, 2],
      [2, 'Ada <Lovelace>', 120, 1],
      [3, 'Cy', 0, 0],
    ]);
    assert.ok(html.includes('Ada &lt;Lovelace&gt;'), 'display names escaped');
    assert.match(html, /<meter min="0" max="100" value="33" aria-label="Module 01 · Core Rust Fluency: 33% completed">33%<\/meter> <span>33% · 1 of 3<\/span>/);
    assert.match(html, /<meter min="0" max="100" value="0" aria-label="Module 02 /);
    assert.match(html, /Core Rust Fluency<\/a> is due <time datetime="2026-12-21T08:00:00.000Z">Mon 21 Dec 2026, 09:00 GMT\+1<\/time>/);
  });

  it('offers the same data as JSON', async () => {
    const res = await get(cohortBoardApiPath(publicId));
    assert.equal(res.status, 200);
    assertSecurityHeaders(res, 'board JSON');
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['cohort', 'leaderboard', 'learners', 'modules', 'nextDeadline']);
    assert.deepEqual(body['cohort'], { name: 'Winter cohort', timezone: 'Europe/Berlin', board: cohortBoardPath(publicId) });
    assert.equal(body['learners'], 3);
    assert.deepEqual(body['leaderboard'], [
      { rank: 1, displayName: 'Bob', points: 240, exercises: 2 },
      { rank: 2, displayName: 'Ada <Lovelace>', points: 120, exercises: 1 },
      { rank: 3, displayName: 'Cy', points: 0, exercises: 0 },
    ]);
    const modules = body['modules'] as { slug: string; completed: number; share: number; exercises: number }[];
    assert.equal(modules.length, env.services.course.modules.length);
    assert.deepEqual(modules[0], { number: 1, slug: 'core-rust', title: 'Core Rust Fluency', exercises: 2, completed: 1, share: 0.3333 });
    assert.ok(modules.slice(1).every((m) => m.completed === 0 && m.share === 0));
    assert.deepEqual(body['nextDeadline'], {
      module: { number: 1, slug: 'core-rust', title: 'Core Rust Fluency' },
      dueAt: '2026-12-21T08:00:00.000Z',
      dueText: 'Mon 21 Dec 2026, 09:00 GMT+1',
    });
  });

  it('never shows platform user ids, GitHub logins or repos, in the page or the JSON', async () => {
    const learner = env.store.learners.get(adaId)!;
    assert.equal(learner.githubRepo, SECRET_REPO, 'the secret is in the store');
    for (const path of [cohortBoardPath(publicId), cohortBoardApiPath(publicId)]) {
      const body = await (await get(path)).text();
      for (const secret of [SECRET_USER_ID, SECRET_LOGIN, 'ada-secret-repo', 'U0BOB', 'U0CY', 'githubLogin', 'githubRepo', 'platformUserId', 'console', 'terminal']) {
        assert.ok(!body.includes(secret), `${secret} must not appear in ${path}`);
      }
      assert.ok(!body.includes(`"id"`) && !body.includes('learnerId'), `no internal ids in ${path}`);
    }
  });

  it('answers 404, the same way, for unknown and unpublished cohorts', async () => {
    const pages = await Promise.all(['unknown-id', unpublishedId, 'bad%2Fid', `${publicId}/more`].map((id) => get(cohortBoardPath(id))));
    const apis = await Promise.all(['unknown-id', unpublishedId].map((id) => get(cohortBoardApiPath(id))));
    const known404 = await get('/course/no-such-module');
    const expected = await known404.text();
    for (const res of pages) {
      assert.equal(res.status, 404);
      assertSecurityHeaders(res, 'board 404');
      assert.equal(await res.text(), expected);
    }
    const [unknownApi, unpublishedApi] = apis;
    assert.equal(unknownApi!.status, 404);
    assert.equal(unpublishedApi!.status, 404);
    assertSecurityHeaders(unpublishedApi!, 'API 404');
    assert.deepEqual([...unknownApi!.headers.entries()].filter(([k]) => k !== 'date'), [...unpublishedApi!.headers.entries()].filter(([k]) => k !== 'date'));
    assert.equal(await unknownApi!.text(), await unpublishedApi!.text());
    assert.equal((await get(`/api/cohorts/${publicId}/other`)).status, 404);
    assert.ok(!expected.includes('Hidden'));
  });

  it('revalidates with an ETag of the body: 304 while nothing changed, 200 after a pass', async () => {
    for (const path of [cohortBoardPath(publicId), cohortBoardApiPath(publicId)]) {
      const first = await get(path);
      const etag = first.headers.get('etag') ?? '';
      assert.match(etag, /^"[A-Za-z0-9_-]+"$/);
      await first.text();
      const same = await get(path, { headers: { 'If-None-Match': etag } });
      assert.equal(same.status, 304, path);
      assertSecurityHeaders(same, `304 ${path}`);
    }
    const etags = await Promise.all([cohortBoardPath(publicId), cohortBoardApiPath(publicId)].map(async (p) => (await get(p)).headers.get('etag') ?? ''));
    // A pass cannot be taken back: this is the last test that looks at the numbers.
    pass(env.store, adaId, ['ex02-config-cli'], at(19));
    const [page, api] = await Promise.all([
      get(cohortBoardPath(publicId), { headers: { 'If-None-Match': etags[0]! } }),
      get(cohortBoardApiPath(publicId), { headers: { 'If-None-Match': etags[1]! } }),
    ]);
    assert.equal(page.status, 200);
    assert.equal(api.status, 200);
    assert.notEqual(page.headers.get('etag'), etags[0]);
    const body = (await api.json()) as { leaderboard: { displayName: string; rank: number }[] };
    assert.deepEqual(
      body.leaderboard.map((s) => [s.rank, s.displayName]),
      [
        [1, 'Bob'],
        [2, 'Ada <Lovelace>'],
        [3, 'Cy'],
      ],
      'equal points: who got there first leads',
    );
    await page.text();
  });
});

describe('the whole site, crawled', () => {
  it('answers 200 for every link from /course and the board, every #fragment exists, and no page has a script or an inline style', async () => {
    const origin = new URL(base).origin;
    const pages = new Map<string, { status: number; body: string; type: string }>();
    const queue = [COURSE_PATH, cohortBoardPath(publicId)];
    const links: { from: string; to: URL }[] = [];
    while (queue.length > 0) {
      const path = queue.shift()!;
      if (pages.has(path)) continue;
      const res = await get(path);
      const body = await res.text();
      const type = res.headers.get('content-type') ?? '';
      pages.set(path, { status: res.status, body, type });
      assert.equal(res.status, 200, `${path} answers 200`);
      assertSecurityHeaders(res, path);
      if (!type.startsWith('text/html')) continue;

      assert.doesNotMatch(body, /<script|\sstyle=|\son[a-z]+=/i, `${path}: no script, inline style or event handler`);
      assert.equal(body.match(/<h1[ >]/g)?.length, 1, `${path}: one h1`);
      const ids = [...body.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
      assert.equal(new Set(ids).size, ids.length, `${path}: ids are unique`);
      for (const match of body.matchAll(/\shref="([^"]*)"/g)) {
        const to = new URL(unescape(match[1]!), origin + path);
        if (to.origin !== origin) {
          assert.match(to.protocol, /^(https?|mailto):$/, `${path} links to ${to.href}`);
          continue;
        }
        links.push({ from: path, to });
        queue.push(to.pathname + to.search);
      }
    }
    assert.ok(pages.size > 50, `crawled ${pages.size} pages`);
    for (const { from, to } of links) {
      const target = pages.get(to.pathname + to.search);
      assert.equal(target?.status, 200, `${from} → ${to.pathname}${to.search}`);
      if (to.hash) {
        const id = decodeURIComponent(to.hash.slice(1));
        assert.ok(target!.body.includes(` id="${id}"`), `${from} → ${to.pathname}${to.hash}: the fragment exists`);
      }
    }

    const css = pages.get(STYLESHEET_PATH)?.body ?? '';
    assert.ok(css.length > 0, 'the stylesheet was linked and crawled');
    const used = new Set([...pages.values()].flatMap((p) => [...p.body.matchAll(/\b(sk-[a-z]+-[0-9a-z-]+)\b/g)].map((m) => m[1]!)));
    assert.ok(used.size > 10);
    for (const name of used) assert.ok(css.includes(`.${name}{`), `the stylesheet has a rule for .${name}`);
  });
});
