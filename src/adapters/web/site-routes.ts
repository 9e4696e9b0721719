import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from './security-headers.ts';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Clock } from '../../core/clock.ts';
import type { Course } from '../../core/course.ts';
import { COURSE_PATH } from '../../core/site-paths.ts';
import type { Logger } from '../../logger.ts';
import { boardData, boardJson, boardPage } from '../../site/board.ts';
import { buildCourseSite, courseMarkdown, type ReadContent } from '../../site/course-site.ts';
import { createSiteHighlighter, fenceLanguages, type SiteHighlighter } from '../../site/highlight.ts';
import { ICON_PATH, ICON_SVG, STYLESHEET_PATH } from '../../site/layout.ts';
import type { Store } from '../../store/store.ts';
import type { WebServer } from './web-server.ts';

/**
 * The course and the published cohort boards over HTTP: `/course…` (pages and the stylesheet), `/cohorts/<id>` and
 * `/api/cohorts/<id>/leaderboard`. The pages themselves are pure functions of src/site; this file only routes,
 * caches and sets headers.
 */

export interface SiteDeps {
  course: Course;
  /** The content/ folder the course was loaded from: lectures and exercise READMEs are read from it at mount. */
  contentDir: string;
  store: Pick<Store, 'cohorts' | 'learners' | 'results' | 'standings'>;
  clock: Clock;
  logger: Logger;
  /** From `createContentHighlighter(course, contentDir)` (async: build it before mounting). */
  highlighter: SiteHighlighter;
}

/** The one highlighter of the process, loaded with the fence languages the course's Markdown uses. */
export async function createContentHighlighter(course: Course, contentDir: string): Promise<SiteHighlighter> {
  return createSiteHighlighter(fenceLanguages(courseMarkdown(course, contentReader(contentDir))));
}

function contentReader(contentDir: string): ReadContent {
  return (contentPath) => readFileSync(path.join(contentDir, contentPath), 'utf8');
}

/**
 * Content-Security-Policy of every response. No script may run (`default-src 'none'` and no script-src), and styles
 * come only from the site's stylesheet: `style-src 'self'` without `'unsafe-inline'`. Shiki's inline `style`
 * attributes are turned into classes by src/site/highlight.ts, table alignment into `.align-*` classes, and the
 * completion bars are `<meter>` elements, so no page needs an inline style and injected markup could not restyle
 * the page either.
 */
export { CONTENT_SECURITY_POLICY };

const HTML = 'text/html; charset=utf-8';
const CSS = 'text/css; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT = 'text/plain; charset=utf-8';

/** Course pages and the stylesheet change only with a deploy; boards change with every pass. */
const COURSE_CACHE = 'public, max-age=300';
const BOARD_CACHE = 'no-cache';

/** Public ids are 16 random bytes in base64url (22 characters); anything else is not worth a query. */
const PUBLIC_ID = /^[A-Za-z0-9_-]{1,64}$/;

interface Entity {
  body: string;
  type: string;
  etag: string;
  cacheControl: string;
}

function entity(body: string, type: string, cacheControl: string): Entity {
  return { body, type, cacheControl, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"` };
}

/** Registers the site's routes: GET and HEAD only; every course page is rendered here, once. */
export function mountSite(web: Pick<WebServer, 'route'>, deps: SiteDeps): void {
  const { course, store, clock, logger } = deps;
  const started = Date.now();
  const site = buildCourseSite(course, contentReader(deps.contentDir), deps.highlighter);
  const coursePages = new Map([...site.pages].map(([p, html]) => [p, entity(html, HTML, COURSE_CACHE)]));
  const stylesheet = entity(site.stylesheet, CSS, COURSE_CACHE);
  const icon = entity(ICON_SVG, 'image/svg+xml; charset=utf-8', COURSE_CACHE);
  logger.info({ pages: coursePages.size, ms: Date.now() - started }, 'course site rendered');

  const notFoundHtml = (res: ServerResponse, req: IncomingMessage) => send(req, res, 404, { body: site.notFound, type: HTML, cacheControl: 'no-cache' });
  const notFoundJson = (res: ServerResponse, req: IncomingMessage) =>
    send(req, res, 404, { body: '{"error":"not found"}\n', type: JSON_TYPE, cacheControl: 'no-cache' });

  /** The published cohort behind a public id; unknown and unpublished look exactly the same from outside. */
  const publishedCohort = (publicId: string) => (PUBLIC_ID.test(publicId) ? store.cohorts.findPublishedBoard(publicId) : undefined);

  const board = (publicId: string) => {
    const cohort = publishedCohort(publicId);
    if (!cohort) return undefined;
    const now = clock.now();
    const ranked = store.standings.board(cohort, course, now, { top: -1, streaks: false }).top;
    return boardData(course, cohort, publicId, store.learners.listInCohort(cohort.id), store.results.passesInCohort(cohort.id), ranked, now);
  };

  const handlers: Record<string, (req: IncomingMessage, res: ServerResponse, segments: string[], query: URLSearchParams) => void> = {
    course(req, res, segments, query) {
      const pagePath = `/${segments.join('/')}`;
      if (pagePath === STYLESHEET_PATH) return send(req, res, 200, stylesheet);
      if (pagePath === ICON_PATH) return send(req, res, 200, icon);
      const page = coursePages.get(pagePath);
      if (!page) return notFoundHtml(res, req);
      const publicId = segments.length === 2 ? query.get('cohort') : null;
      const cohort = publicId ? publishedCohort(publicId) : undefined;
      if (publicId && cohort) {
        const html = site.modulePageFor(segments[1] ?? '', cohort, publicId);
        if (html) return send(req, res, 200, entity(html, HTML, BOARD_CACHE));
      }
      // An unknown or unpublished cohort gets the plain page (fresh, like a board, so publishing shows soon).
      return send(req, res, 200, publicId ? { ...page, cacheControl: BOARD_CACHE } : page);
    },
    cohorts(req, res, segments) {
      const data = segments.length === 2 ? board(segments[1] ?? '') : undefined;
      if (!data) return notFoundHtml(res, req);
      send(req, res, 200, entity(boardPage(course, data), HTML, BOARD_CACHE));
    },
    api(req, res, segments) {
      const data = segments.length === 4 && segments[1] === 'cohorts' && segments[3] === 'leaderboard' ? board(segments[2] ?? '') : undefined;
      if (!data) return notFoundJson(res, req);
      send(req, res, 200, entity(boardJson(data), JSON_TYPE, BOARD_CACHE));
    },
  };

  const listener = (kind: keyof typeof handlers) => (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        send(req, res, 405, { body: 'Method not allowed\n', type: TEXT, cacheControl: 'no-store' }, { Allow: 'GET, HEAD' });
        return;
      }
      const parsed = parseTarget(req.url ?? '/');
      if (!parsed) return kind === 'api' ? notFoundJson(res, req) : notFoundHtml(res, req);
      handlers[kind]!(req, res, parsed.segments, parsed.query);
    } catch (error) {
      logger.error({ err: error, path: (req.url ?? '').split('?')[0] }, 'site request failed');
      if (!res.headersSent) send(req, res, 500, { body: 'Something went wrong\n', type: TEXT, cacheControl: 'no-store' });
      else res.destroy();
    }
  };

  web.route(COURSE_PATH, listener('course'));
  web.route('/cohorts', listener('cohorts'));
  web.route('/api/cohorts', listener('api'));
}

/** Path segments (decoded, one trailing slash ignored) and the query; undefined for a path that cannot be decoded. */
function parseTarget(url: string): { segments: string[]; query: URLSearchParams } | undefined {
  const queryAt = url.indexOf('?');
  const rawPath = queryAt === -1 ? url : url.slice(0, queryAt);
  const query = new URLSearchParams(queryAt === -1 ? '' : url.slice(queryAt + 1));
  const trimmed = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
  try {
    const segments = trimmed.split('/').slice(1).map(decodeURIComponent);
    if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('/'))) return undefined;
    return { segments, query };
  } catch {
    return undefined;
  }
}

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/` is ignored, `*` matches any current entity. */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t.replace(/^W\//, '') === etag;
  });
}

function send(req: IncomingMessage, res: ServerResponse, status: number, entity: Omit<Entity, 'etag'> & { etag?: string }, extra: Record<string, string> = {}): void {
  const headers: Record<string, string | number> = { ...SECURITY_HEADERS, 'Cache-Control': entity.cacheControl, ...extra };
  if (entity.etag) headers['ETag'] = entity.etag;
  if (status === 200 && entity.etag && matches(req.headers['if-none-match'], entity.etag)) {
    res.writeHead(304, headers).end();
    return;
  }
  headers['Content-Type'] = entity.type;
  headers['Content-Length'] = Buffer.byteLength(entity.body);
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : entity.body);
}
