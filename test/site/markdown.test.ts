import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { indexCourse, siteHref } from '../../src/site/content-urls.ts';
import { createSiteHighlighter, fenceLanguages, type SiteHighlighter } from '../../src/site/highlight.ts';
import { createMarkdownRenderer, headingSlug, type MarkdownRenderer } from '../../src/site/markdown.ts';
import { realCourse } from '../helpers/test-services.ts';

const course = realCourse();
const index = indexCourse(course);
const lectureSource = { contentPath: 'modules/module-01-core-rust/lectures/01-ownership-and-borrowing.md' };
const readmeSource = { contentPath: 'modules/module-03-kv-store/exercises/ex01-bitcask/README.md', exerciseId: 'ex01-bitcask' };

let highlighter: SiteHighlighter;
let renderer: MarkdownRenderer;
before(async () => {
  highlighter = await createSiteHighlighter(['rust', 'toml', 'text']);
  renderer = createMarkdownRenderer(index, highlighter);
});

describe('Markdown on the site', () => {
  it('escapes raw HTML in content instead of passing it through', () => {
    const { html } = renderer.render(
      '# Title\n\n<script>alert(1)</script>\n\nInline <img src=x onerror="alert(1)"> and <b>bold</b>.\n\n[click](javascript:alert(1)) [data](data:text/html,<script>)\n',
      { source: lectureSource },
    );
    assert.doesNotMatch(html, /<script|<img|<b>|onerror="/i);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(html, /&lt;b&gt;bold&lt;\/b&gt;/);
    assert.doesNotMatch(html, /href="(javascript|data):/i);
  });

  it('highlights a rust fence on the server with shiki, as classes (no inline style)', () => {
    const { html } = renderer.render('```rust\nfn main() { let x: u8 = 1; }\n```\n', { source: lectureSource });
    assert.match(html, /<pre class="shiki shiki-themes github-light-default github-dark-default[^"]*" tabindex="0"><code><span class="line">/);
    assert.match(html, /<span class="sk-l-[0-9a-f]{6} sk-d-[0-9a-f]{6}">fn<\/span>/);
    assert.doesNotMatch(html, /style=/);
    assert.doesNotMatch(html, /<span class="line"><\/span><\/code>/, 'no empty last line');
    assert.match(highlighter.css(), /\.sk-l-[0-9a-f]{6}\{color:#[0-9a-f]{6}\}/);
    assert.match(highlighter.css(), /@media \(prefers-color-scheme: dark\) \{\n {2}\.sk-d/);
  });

  it('shows an unknown fence language, and an indented block, as plain escaped text', () => {
    const { html } = renderer.render('```brainfudge\n<b>&</b>\n```\n\n    indented <i>\n', { source: lectureSource });
    assert.match(html, /<pre class="code" tabindex="0"><code>&lt;b&gt;&amp;&lt;\/b&gt;<\/code><\/pre>/);
    assert.match(html, /<pre class="code" tabindex="0"><code>indented &lt;i&gt;\n<\/code><\/pre>/);
  });

  it('gives headings GitHub-style ids with a link to themselves, and keeps one h1', () => {
    const { html, leadingH1 } = renderer.render('# The title\n\n## Why `select!` cancels\n\n## Why `select!` cancels\n\n# Another h1\n', { source: lectureSource });
    assert.equal(leadingH1, 'The title');
    assert.match(html, /<h1 id="the-title"><a class="heading-link" href="#the-title">/);
    assert.match(html, /<h2 id="why-select-cancels">/);
    assert.match(html, /<h2 id="why-select-cancels-1">/);
    assert.match(html, /<h2 id="another-h1">/);
    assert.equal(html.match(/<h1/g)?.length, 1);
    assert.equal(headingSlug('Crash safety of the merge itself'), 'crash-safety-of-the-merge-itself');
  });

  it('turns table alignment into classes', () => {
    const { html } = renderer.render('| a | b |\n|--:|:-:|\n| 1 | 2 |\n', { source: lectureSource });
    assert.match(html, /<th class="align-right">a<\/th>/);
    assert.match(html, /<td class="align-center">2<\/td>/);
    assert.doesNotMatch(html, /style=/);
  });

  it('does not linkify file names as domains, only real URLs', () => {
    const { html } = renderer.render('Edit README.md and src/lib.rs; see https://doc.rust-lang.org/book/.\n', { source: lectureSource });
    assert.doesNotMatch(html, /href="http:\/\/README\.md"|href="http:\/\/lib\.rs"/);
    assert.match(html, /<a href="https:\/\/doc\.rust-lang\.org\/book\/">/);
  });

  it('maps links between lectures and to exercise READMEs onto site pages, keeping #anchors', () => {
    const { html } = renderer.render(
      [
        '[ex](../exercises/ex01-lru-cache/README.md)',
        '[next](02-lifetimes-smart-pointers-and-arenas.md#rc-and-refcell)',
        '[other module](../../module-03-kv-store/lectures/04-merge-compaction-and-hint-files.md)',
        '[module](../README.md)',
      ].join('\n\n'),
      { source: lectureSource },
    );
    assert.match(html, /href="\/course\/core-rust#exercise-ex01-lru-cache"/);
    assert.match(html, /href="\/course\/core-rust\/02-lifetimes-smart-pointers-and-arenas#rc-and-refcell"/);
    assert.match(html, /href="\/course\/kv-store\/04-merge-compaction-and-hint-files"/);
    assert.match(html, /href="\/course\/core-rust"/);
  });

  it('renders links to files the site does not serve (sources, solutions) as their text', () => {
    const { html } = renderer.render(
      'See [`Clock`](src/clock.rs), the [commentary](../../solutions/ex01-bitcask/COMMENTARY.md) and [outside](../../../../README.md).\n',
      { source: readmeSource, headingOffset: 2, dropLeadingH1: true },
    );
    assert.equal(html, '<p>See <code>Clock</code>, the commentary and outside.</p>\n');
  });

  it('places a README under its exercise: leading h1 dropped, headings shifted and prefixed, in-page links too', () => {
    const { html, leadingH1 } = renderer.render('# ex01-bitcask: title\n\n## The API\n\n[api](#the-api) [lecture](../../lectures/02-log-structured-storage-and-bitcask.md#the-keydir)\n', {
      source: readmeSource,
      headingOffset: 2,
      dropLeadingH1: true,
    });
    assert.equal(leadingH1, null);
    assert.doesNotMatch(html, /<h1|<h2|<h3/);
    assert.match(html, /<h4 id="exercise-ex01-bitcask--the-api"><a class="heading-link" href="#exercise-ex01-bitcask--the-api">/);
    assert.match(html, /href="#exercise-ex01-bitcask--the-api">api<\/a>/);
    assert.match(html, /href="\/course\/kv-store\/02-log-structured-storage-and-bitcask#the-keydir">lecture<\/a>/);
  });

  it('resolves every kind of content link target', () => {
    const href = (target: string, source: { contentPath: string; exerciseId?: string } = lectureSource) => siteHref(index, source, target);
    assert.equal(href('https://example.com/x.md'), 'https://example.com/x.md');
    assert.equal(href('mailto:a@b.c'), 'mailto:a@b.c');
    assert.equal(href('#intro'), '#intro');
    assert.equal(href('../exercises/ex01-lru-cache'), '/course/core-rust#exercise-ex01-lru-cache');
    assert.equal(href('../exercises/ex01-lru-cache/README.md#milestones'), '/course/core-rust#exercise-ex01-lru-cache--milestones');
    assert.equal(href('../exercises/ex01-lru-cache/src/lib.rs'), null);
    assert.equal(href('../exercises/ex99-nope/README.md'), null);
    assert.equal(href('../module.yaml'), '/course/core-rust');
    assert.equal(href('./'), '/course/core-rust#lectures');
    assert.equal(href('../../module-02-async-networking/'), '/course/async-networking');
    assert.equal(href('../../../course.yaml'), null);
    assert.equal(href('%E0%A4%A.md'), null);
  });

  it('collects the fence languages the content uses', () => {
    assert.deepEqual(fenceLanguages(['```rust,ignore\nx\n```\n', '~~~toml\n~~~\n```\nplain\n```\n    ```indented\n']), ['rust', 'toml']);
  });
});
