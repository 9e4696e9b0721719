import MarkdownIt, { type Env, type StateCore, type Token } from 'markdown-it';
import anchor from 'markdown-it-anchor';
import type { ContentIndex, LinkSource } from './content-urls.ts';
import { exerciseHeadingId, siteHref } from './content-urls.ts';
import { fenceLanguage, type SiteHighlighter } from './highlight.ts';
import { escapeHtml } from './html.ts';

type TokenConstructor = StateCore['Token'];

/** How one document is rendered: where it comes from (for its links) and where its headings sit on the page. */
export interface RenderOptions {
  source: LinkSource;
  /** Added to every heading level, capped at h6: 2 for a README under an exercise's h3. */
  headingOffset?: number;
  /** Drops a leading h1 (a README's title: the page shows the exercise's title from module.yaml instead). */
  dropLeadingH1?: boolean;
}

export interface RenderedMarkdown {
  html: string;
  /** The text of the leading h1, when the document starts with one (and it was kept): the page's one h1. */
  leadingH1: string | null;
}

export interface MarkdownRenderer {
  render(markdown: string, options: RenderOptions): RenderedMarkdown;
}

interface SiteEnv extends Env {
  site: RenderOptions;
}

/** GitHub's heading slugs (lowercase, punctuation dropped, spaces to hyphens), so content's `#anchors` keep working. */
export function headingSlug(text: string): string {
  const slug = text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
  return slug || 'section';
}

function plainCodeBlock(code: string): string {
  // Focusable, so a keyboard user can scroll a long line sideways.
  return `<pre class="code" tabindex="0"><code>${escapeHtml(code)}</code></pre>\n`;
}

/**
 * Markdown as the site renders it: raw HTML in content is escaped (`html: false`), only http(s)/mailto links are
 * linkified, fenced code is highlighted on the server, headings get GitHub-style ids with a self-link, relative links
 * are mapped to site pages (or shown as text), and no element carries a `style` attribute (the CSP forbids them).
 */
export function createMarkdownRenderer(index: ContentIndex, highlighter: SiteHighlighter | undefined): MarkdownRenderer {
  const md = new MarkdownIt({
    html: false,
    linkify: true,
    typographer: false,
    highlight: (code, info) => {
      const language = fenceLanguage(info);
      // markdown-it hands over the block with its final newline, which shiki would show as an empty last line.
      const text = code.endsWith('\n') ? code.slice(0, -1) : code;
      return (language && highlighter?.highlight(text, language)) || plainCodeBlock(text);
    },
  });
  // Fuzzy links would turn `README.md` or `lib.rs` into links to Moldovan and Serbian domains.
  md.linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false });
  md.renderer.rules.code_block = (tokens, i) => plainCodeBlock(tokens[i]?.content ?? '');

  // Before the anchors are made: content links become site links (or text), and images become text or links.
  md.core.ruler.push('site_links', (state) => {
    const { source } = (state.env as unknown as SiteEnv).site;
    for (let b = 0; b < state.tokens.length; b += 1) {
      const block = state.tokens[b];
      if (block?.type !== 'inline' || !block.children) continue;
      const inHeading = state.tokens[b - 1]?.type === 'heading_open';
      block.children = rewriteInline(block.children, source, inHeading, index, state.Token);
    }
  });

  md.use(anchor, {
    slugifyWithState: (text, state) => {
      const { source } = (state.env as unknown as SiteEnv).site;
      const slug = headingSlug(text);
      return source.exerciseId ? exerciseHeadingId(source.exerciseId, slug) : slug;
    },
    permalink: anchor.permalink.headerLink({ safariReaderFix: true, class: 'heading-link' }),
    tabIndex: false,
  });

  // After the anchors: heading levels for where the document sits on its page, and styles turned into classes.
  md.core.ruler.push('site_layout', (state) => {
    const options = (state.env as unknown as SiteEnv).site;
    const tokens = state.tokens;
    const leading = tokens[0]?.type === 'heading_open' && tokens[0].tag === 'h1';
    if (leading && options.dropLeadingH1) tokens.splice(0, 3);
    const offset = options.headingOffset ?? 0;
    tokens.forEach((token, i) => {
      if (token.type === 'heading_open' || token.type === 'heading_close') {
        let level = Number(token.tag.slice(1));
        // One h1 per page: only a kept leading h1 stays one.
        if (level === 1 && !(leading && !options.dropLeadingH1 && i <= 2)) level = 2;
        token.tag = `h${Math.min(6, level + offset)}`;
      }
      styleToClass(token);
      token.children?.forEach(styleToClass);
    });
  });

  return {
    render(markdown, options) {
      const env: SiteEnv = { site: options };
      const tokens = md.parse(markdown, env);
      const first = tokens[0];
      const leadingH1 = first?.type === 'heading_open' && first.tag === 'h1' && !options.dropLeadingH1 ? inlineText(tokens[1]) : null;
      return { html: md.renderer.render(tokens, md.options, env), leadingH1 };
    },
  };
}

function inlineText(token: Token | undefined): string {
  return (token?.children ?? [])
    .filter((t) => t.type === 'text' || t.type === 'code_inline')
    .map((t) => t.content)
    .join('');
}

/** Table cell alignment arrives as `style="text-align:right"`; the stylesheet has `.align-right`. */
function styleToClass(token: Token): void {
  const style = token.attrGet('style');
  if (style === null) return;
  const text = String(style);
  token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'style');
  const align = /text-align:\s*(left|center|right)/.exec(text)?.[1];
  if (align) token.attrJoin('class', `align-${align}`);
}

function rewriteInline(children: Token[], source: LinkSource, inHeading: boolean, index: ContentIndex, TokenClass: TokenConstructor): Token[] {
  const out: Token[] = [];
  let droppingLink = false;
  for (const token of children) {
    if (token.type === 'link_open') {
      const href = String(token.attrGet('href') ?? '');
      const mapped = siteHref(index, source, href);
      // A heading becomes a link to itself, and links do not nest: a link inside one is kept as its text.
      if (mapped === null || inHeading) {
        droppingLink = true;
        continue;
      }
      token.attrSet('href', mapped);
    } else if (token.type === 'link_close' && droppingLink) {
      droppingLink = false;
      continue;
    } else if (token.type === 'image') {
      out.push(...imageReplacement(token, TokenClass));
      continue;
    }
    out.push(token);
  }
  return out;
}

/** The CSP allows images from the site only and the site serves none from content: an image shows its alt text. */
function imageReplacement(token: Token, TokenClass: TokenConstructor): Token[] {
  const alt = token.content || 'image';
  const text = Object.assign(new TokenClass('text', '', 0), { content: `[${alt}]` });
  const src = String(token.attrGet('src') ?? '');
  const href = /^https?:/i.test(src) ? src : null;
  if (href === null) return [text];
  const open = new TokenClass('link_open', 'a', 1);
  open.attrSet('href', href);
  return [open, text, new TokenClass('link_close', 'a', -1)];
}
