/**
 * The site's one stylesheet, served as a file (the CSP allows no inline style). Light by default, dark under
 * `prefers-color-scheme: dark`; every text colour keeps at least 4.5:1 against the backgrounds it is used on
 * (test/site/site-styles.test.ts checks the palette and the highlighter's colours).
 */

export interface Palette {
  background: string;
  /** Inline code, the leaderboard's header row, the skip link. */
  surface: string;
  text: string;
  muted: string;
  link: string;
  border: string;
  /** The completion meters' fill. */
  accent: string;
}

export const PALETTES: { light: Palette; dark: Palette } = {
  light: { background: '#ffffff', surface: '#f6f8fa', text: '#1f2328', muted: '#59636e', link: '#0550ae', border: '#d1d9e0', accent: '#1a7f37' },
  dark: { background: '#0d1117', surface: '#151b23', text: '#e6edf3', muted: '#9198a1', link: '#58a6ff', border: '#3d444d', accent: '#3fb950' },
};

function variables(p: Palette): string {
  return [
    `--bg:${p.background}`,
    `--surface:${p.surface}`,
    `--text:${p.text}`,
    `--muted:${p.muted}`,
    `--link:${p.link}`,
    `--border:${p.border}`,
    `--accent:${p.accent}`,
  ].join(';');
}

const BASE_CSS = `
:root{color-scheme:light dark;${variables(PALETTES.light)}}
@media (prefers-color-scheme: dark){:root{${variables(PALETTES.dark)}}}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--text);font:1rem/1.6 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;overflow-wrap:break-word}
.skip-link{position:absolute;left:-10000px;top:0;padding:.5rem 1rem;background:var(--surface);color:var(--link);z-index:10}
.skip-link:focus{left:1rem;top:1rem}
.site-header,.site-footer,main{width:100%;max-width:52rem;margin:0 auto;padding:0 1rem}
.site-header{padding-top:.75rem;padding-bottom:.75rem;border-bottom:1px solid var(--border)}
.site-header a{font-weight:600;text-decoration:none;color:var(--text)}
.site-header a:hover{text-decoration:underline}
main{padding-bottom:3rem}
main:focus{outline:none}
.site-footer{padding-top:1rem;padding-bottom:2rem;border-top:1px solid var(--border);color:var(--muted);font-size:.875rem}
p,li,dd{max-width:72ch}
h1,h2,h3,h4,h5,h6{line-height:1.25;margin:1.75em 0 .6em}
h1{font-size:2rem;margin-top:1rem}
h2{font-size:1.5rem;padding-bottom:.25rem;border-bottom:1px solid var(--border)}
h3{font-size:1.25rem}
h4{font-size:1.1rem}
h5,h6{font-size:1rem}
a{color:var(--link);text-underline-offset:.15em}
a:focus-visible,pre:focus-visible{outline:2px solid var(--link);outline-offset:2px}
.heading-link{color:inherit;text-decoration:none}
.heading-link:hover,.heading-link:focus-visible{text-decoration:underline}
code,pre,kbd,samp{font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace}
:not(pre)>code{background:var(--surface);padding:.1em .3em;border-radius:4px;font-size:.9em;overflow-wrap:anywhere}
pre{overflow-x:auto;max-width:100%;padding:.75rem 1rem;border:1px solid var(--border);border-radius:6px;font-size:.875rem;line-height:1.5;background:var(--bg);color:var(--text);tab-size:4}
pre code{white-space:pre}
blockquote{margin:1rem 0;padding:0 1rem;border-left:4px solid var(--border);color:var(--muted)}
table{display:block;overflow-x:auto;max-width:100%;border-collapse:collapse;margin:1rem 0}
th,td{border:1px solid var(--border);padding:.35rem .65rem;text-align:left;vertical-align:top}
thead th{background:var(--surface)}
.align-left{text-align:left}.align-center{text-align:center}.align-right{text-align:right}
hr{border:0;border-top:1px solid var(--border);margin:2rem 0}
img{max-width:100%;height:auto}
.breadcrumbs{margin:1rem 0 0;font-size:.9rem}
.breadcrumbs ol{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem .5rem}
.breadcrumbs li{max-width:none}
.breadcrumbs li+li::before{content:"/";color:var(--muted);margin-right:.5rem}
.meta{color:var(--muted)}
.lead{font-size:1.125rem}
.cards{list-style:none;padding:0;margin:0}
.cards>li{border:1px solid var(--border);border-radius:8px;padding:.25rem 1rem;margin:0 0 1rem;max-width:none}
.cards h3{margin:.75rem 0 .25rem}
.cards p{margin:.4rem 0 .75rem}
.schedule{border:1px solid var(--border);border-left:4px solid var(--accent);border-radius:6px;padding:.25rem 1rem;margin:1rem 0}
.schedule h2{border:0;font-size:1.125rem;margin:.75rem 0 .25rem}
.exercise{border-top:1px solid var(--border);margin-top:2rem}
.readme{margin-top:1rem}
.pager{display:flex;flex-wrap:wrap;justify-content:space-between;gap:1rem;margin:3rem 0 0;padding-top:1rem;border-top:1px solid var(--border)}
.pager a{max-width:24rem}
.pager .next{margin-left:auto;text-align:right}
.board-table{display:table;width:100%}
.board-table caption{text-align:left;padding:.25rem 0}
.board-table th,.board-table td{border-left:0;border-right:0;overflow-wrap:anywhere}
.num{text-align:right;font-variant-numeric:tabular-nums}
td.num{white-space:nowrap}
.completion{display:flex;align-items:center;gap:.25rem .75rem;flex-wrap:wrap}
.completion meter{flex:1 1 6rem;min-width:4rem;max-width:12rem;height:1rem;accent-color:var(--accent)}
@media (max-width:30rem){h1{font-size:1.6rem}h2{font-size:1.3rem}pre{font-size:.8rem;padding:.6rem .75rem}}
@media print{.skip-link,.pager{display:none}pre{overflow-x:visible;white-space:pre-wrap}}
`.trimStart();

/** The stylesheet: the site's own rules, then the highlighter's colour classes (dark ones last, so they win). */
export function siteStylesheet(highlighterCss: string): string {
  return `${BASE_CSS}\n/* Syntax highlighting (shiki, as classes) */\n${highlighterCss}`;
}
