import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createContentHighlighter } from '../../src/adapters/web/site-routes.ts';
import { DEFAULT_CONTENT_DIR } from '../../src/content/load-course.ts';
import { buildCourseSite } from '../../src/site/course-site.ts';
import { PALETTES } from '../../src/site/styles.ts';
import { realCourse } from '../helpers/test-services.ts';

/** WCAG 2 contrast ratio of two `#rrggbb` colours. */
function contrast(a: string, b: string): number {
  const luminance = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (high! + 0.05) / (low! + 0.05);
}

describe('the site stylesheet', () => {
  it('keeps text, muted text and links at 4.5:1 or more in both themes, and the meters at 3:1', () => {
    for (const [theme, p] of Object.entries(PALETTES)) {
      for (const colour of [p.text, p.muted, p.link]) {
        for (const background of [p.background, p.surface]) {
          assert.ok(contrast(colour, background) >= 4.5, `${theme}: ${colour} on ${background} is ${contrast(colour, background).toFixed(2)}:1`);
        }
      }
      assert.ok(contrast(p.accent, p.background) >= 3, `${theme}: the meter fill`);
    }
  });

  it('has a light and a dark rule for every highlighted token of the course, each readable on its code background', async () => {
    const course = realCourse();
    const highlighter = await createContentHighlighter(course, DEFAULT_CONTENT_DIR);
    const site = buildCourseSite(course, (p) => readFileSync(path.join(DEFAULT_CONTENT_DIR, p), 'utf8'), highlighter);
    const [light = '', dark = ''] = site.stylesheet.split('@media (prefers-color-scheme: dark) {\n');
    const backgrounds = { light: [...light.matchAll(/\.sk-lbg-[0-9a-f]+\{background-color:(#[0-9a-f]{6})\}/g)], dark: [...dark.matchAll(/\.sk-dbg-[0-9a-f]+\{background-color:(#[0-9a-f]{6})\}/g)] };
    assert.equal(backgrounds.light.length, 1);
    assert.equal(backgrounds.dark.length, 1);
    for (const [theme, rules] of [
      ['light', light],
      ['dark', dark],
    ] as const) {
      const background = backgrounds[theme][0]![1]!;
      const colours = [...rules.matchAll(/\.sk-[ld]-[0-9a-f]+\{color:(#[0-9a-f]{6})\}/g)].map((m) => m[1]!);
      assert.ok(colours.length > 5, `${theme} token colours`);
      for (const colour of colours) assert.ok(contrast(colour, background) >= 4.5, `${theme}: ${colour} on ${background} is ${contrast(colour, background).toFixed(2)}:1`);
    }
    // Every page refers only to classes that the stylesheet defines.
    for (const [pagePath, html] of site.pages) {
      for (const m of html.matchAll(/\b(sk-[a-z]+-[0-9a-z-]+)\b/g)) assert.ok(site.stylesheet.includes(`.${m[1]}{`), `${pagePath}: .${m[1]}`);
    }
  });
});
