import { COURSE_PATH } from '../core/site-paths.ts';
import { escapeHtml } from './html.ts';

/** The stylesheet's address; served by the site's routes under the course's prefix. */
export const STYLESHEET_PATH = `${COURSE_PATH}/assets/site.css`;

/** The site's icon: served, so browsers asking for one get it instead of a 404 for /favicon.ico. */
export const ICON_PATH = `${COURSE_PATH}/assets/icon.svg`;
export const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#b7410e"/>' +
  '<text x="16" y="23" font-family="sans-serif" font-size="20" font-weight="700" text-anchor="middle" fill="#fff">R</text></svg>\n';

export interface Crumb {
  label: string;
  /** Omitted for the current page. */
  href?: string;
}

export interface PageFrame {
  /** The document title (the page's h1 is in `main`). */
  title: string;
  /** The course's title: the header's home link and the title's suffix. */
  siteTitle: string;
  description?: string;
  breadcrumbs?: Crumb[];
  /** The page's content, with exactly one h1. */
  main: string;
}

/**
 * The one layout of every page: landmarks (header, nav, main, footer), a skip link, the stylesheet as a file, the
 * site's icon (so browsers do not ask for /favicon.ico, a 404 on every first visit), and no script at all.
 */
export function layout(page: PageFrame): string {
  const title = page.title === page.siteTitle ? page.title : `${page.title} · ${page.siteTitle}`;
  const crumbs = page.breadcrumbs?.length
    ? `<nav class="breadcrumbs" aria-label="Breadcrumb"><ol>${page.breadcrumbs
        .map((c) => (c.href ? `<li><a href="${escapeHtml(c.href)}">${escapeHtml(c.label)}</a></li>` : `<li><span aria-current="page">${escapeHtml(c.label)}</span></li>`))
        .join('')}</ol></nav>\n`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)}</title>
${page.description ? `<meta name="description" content="${escapeHtml(page.description)}">\n` : ''}<link rel="stylesheet" href="${STYLESHEET_PATH}">
<link rel="icon" href="${ICON_PATH}" type="image/svg+xml">
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header"><nav aria-label="Site"><a href="${COURSE_PATH}">${escapeHtml(page.siteTitle)}</a></nav></header>
<main id="main" tabindex="-1">
${crumbs}${page.main}
</main>
<footer class="site-footer"><p>${escapeHtml(page.siteTitle)}: the course and its cohorts' boards, run by cohort-bot.</p></footer>
</body>
</html>
`;
}
