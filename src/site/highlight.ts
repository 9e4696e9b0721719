import MarkdownIt from 'markdown-it';
import { bundledLanguages, createHighlighter, type ShikiTransformer } from 'shiki';

/**
 * Server-side syntax highlighting with shiki, in a light and a dark theme switched by `prefers-color-scheme`.
 *
 * Shiki writes colours as inline `style` attributes (`--shiki-light:#cf222e;--shiki-dark:#ff7b72`). The site's CSP
 * allows styles from the site's own stylesheet only (`style-src 'self'`, no `'unsafe-inline'`), so a transformer
 * turns every such declaration into a class (`sk-l-cf222e`) and remembers it; `css()` then writes one rule per class,
 * the dark ones inside `@media (prefers-color-scheme: dark)`. No page of the site carries a `style` attribute.
 */

/** `-default` variants: their comment and punctuation colours keep a 4.5:1 contrast on their own backgrounds. */
export const LIGHT_THEME = 'github-light-default';
export const DARK_THEME = 'github-dark-default';

/** Fence languages shown as plain text by shiki's built-in plain grammar (no loading needed). */
const PLAIN_LANGUAGES = new Set(['text', 'txt', 'plain', 'plaintext']);

export interface SiteHighlighter {
  /** Languages (and aliases) that highlight() colours. */
  readonly languages: readonly string[];
  /** `<pre class="shiki …">` markup, classes instead of inline styles; undefined for a language that is not loaded. */
  highlight(code: string, language: string): string | undefined;
  /** One rule per class highlight() has emitted so far: build the stylesheet after rendering the pages. */
  css(): string;
}

/** `rust` from a fence's info string such as `rust`, `rust,ignore` or `rust {linenos}`. */
export function fenceLanguage(info: string): string {
  return (info.trim().split(/[\s,{]/)[0] ?? '').toLowerCase();
}

const fenceParser = new MarkdownIt('commonmark');

/** The languages named by the fenced code blocks of some Markdown documents, in first-seen order. */
export function fenceLanguages(documents: Iterable<string>): string[] {
  const seen = new Set<string>();
  for (const document of documents) {
    for (const token of fenceParser.parse(document, {})) {
      const language = token.type === 'fence' ? fenceLanguage(token.info) : '';
      if (language) seen.add(language);
    }
  }
  return [...seen];
}

interface StyleRule {
  dark: boolean;
  property: string;
  value: string;
}

const PROPERTIES: Record<string, [abbreviation: string, property: string]> = {
  '': ['', 'color'],
  '-bg': ['bg', 'background-color'],
  '-font-style': ['fs', 'font-style'],
  '-font-weight': ['fw', 'font-weight'],
  '-text-decoration': ['td', 'text-decoration'],
};

interface HastLike {
  type: string;
  properties?: Record<string, unknown>;
  children?: HastLike[];
}

/**
 * Creates the one highlighter of the process with the languages the content uses (unknown names are skipped and
 * their blocks shown as plain text).
 */
export async function createSiteHighlighter(languages: Iterable<string>): Promise<SiteHighlighter> {
  const wanted = [...new Set([...languages].map((l) => l.toLowerCase()))];
  const loadable = wanted.filter((l) => Object.hasOwn(bundledLanguages, l));
  const shiki = await createHighlighter({ themes: [LIGHT_THEME, DARK_THEME], langs: loadable as (keyof typeof bundledLanguages)[] });
  const known = new Set([...shiki.getLoadedLanguages(), ...PLAIN_LANGUAGES]);
  const rules = new Map<string, StyleRule>();

  /** `--shiki-light:#CF222E;--shiki-dark:#FF7B72` → class names, registering their rules. */
  const classesFor = (style: string): string[] => {
    const classes: string[] = [];
    for (const declaration of style.split(';')) {
      const match = /^\s*--shiki-(light|dark)(-bg|-font-style|-font-weight|-text-decoration)?\s*:\s*(.+?)\s*$/.exec(declaration);
      const value = match?.[3]?.toLowerCase() ?? '';
      const entry = PROPERTIES[match?.[2] ?? ''];
      // Only plain colours and keywords reach the stylesheet; anything else is dropped, never passed through.
      if (!match || !entry || !/^(#[0-9a-f]{3,8}|[a-z-]+|[0-9]{3})$/.test(value)) continue;
      const dark = match[1] === 'dark';
      const name = `sk-${dark ? 'd' : 'l'}${entry[0]}-${value.replace(/[^a-z0-9-]/g, '')}`;
      rules.set(name, { dark, property: entry[1], value });
      classes.push(name);
    }
    return classes;
  };

  const stylesToClasses: ShikiTransformer = {
    name: 'cohort-bot:styles-to-classes',
    root(root) {
      const walk = (node: HastLike) => {
        const style = node.properties?.['style'];
        if (node.properties && style !== undefined) {
          delete node.properties['style'];
          const existing = node.properties['class'];
          const before = Array.isArray(existing) ? existing.map(String) : typeof existing === 'string' ? existing.split(/\s+/).filter(Boolean) : [];
          const classes = [...before, ...classesFor(String(style))];
          if (classes.length > 0) node.properties['class'] = classes.join(' ');
        }
        node.children?.forEach(walk);
      };
      walk(root as unknown as HastLike);
    },
  };

  return {
    languages: [...known].sort(),
    highlight(code, language) {
      const lang = language.toLowerCase();
      if (!known.has(lang)) return undefined;
      return shiki.codeToHtml(code, {
        lang: PLAIN_LANGUAGES.has(lang) ? 'text' : lang,
        themes: { light: LIGHT_THEME, dark: DARK_THEME },
        defaultColor: false,
        transformers: [stylesToClasses],
      });
    },
    css() {
      const sorted = [...rules.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const line = ([name, rule]: [string, StyleRule]) => `.${name}{${rule.property}:${rule.value}}`;
      const light = sorted.filter(([, r]) => !r.dark).map(line);
      const dark = sorted.filter(([, r]) => r.dark).map((entry) => `  ${line(entry)}`);
      return [...light, '@media (prefers-color-scheme: dark) {', ...dark, '}', ''].join('\n');
    },
  };
}
