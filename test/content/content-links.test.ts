import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { createContentLinks, sitePathFor } from '../../src/content/content-links.ts';
import { DEFAULT_CONTENT_DIR, loadCourse } from '../../src/content/load-course.ts';
import { cohortBoardPath, exerciseAnchor, lecturePath, modulePath } from '../../src/core/site-paths.ts';

const course = loadCourse();
const lectures = course.modules.flatMap((module) => module.lectures.map((lecture) => ({ module, lecture })));
const exercises = course.modules.flatMap((module) => module.exercises.map((exercise) => ({ module, exercise })));

/** Every link a module view can give, for one set of links. */
function allLinks(links: ReturnType<typeof createContentLinks>): string[] {
  return [
    ...lectures.map(({ module, lecture }) => links.lecture(module, lecture)),
    ...exercises.map(({ module, exercise }) => links.exercise(module, exercise.id)),
    ...course.modules.map((module) => links.module(module)),
  ];
}

describe('content links with PUBLIC_URL', () => {
  const publicUrl = 'https://cohort.example.org/rust';
  const links = createContentLinks(DEFAULT_CONTENT_DIR, { publicUrl, contentBaseUrl: 'https://example.test/content' });

  it('point at the pages of the bot’s site, even when CONTENT_BASE_URL is set too', () => {
    for (const { module, lecture } of lectures) assert.equal(links.lecture(module, lecture), `${publicUrl}${lecturePath(module, lecture)}`);
    for (const module of course.modules) assert.equal(links.module(module), `${publicUrl}${modulePath(module)}`);
    for (const { module, exercise } of exercises) {
      assert.equal(links.exercise(module, exercise.id), `${publicUrl}${modulePath(module)}#${exerciseAnchor(exercise.id)}`);
    }
    const [first] = lectures;
    assert.ok(first);
    assert.equal(links.lecture(first.module, first.lecture), 'https://cohort.example.org/rust/course/core-rust/01-ownership-and-borrowing');
  });

  it('give a published board its address', () => {
    assert.equal(links.board?.('AbC_123'), `${publicUrl}${cohortBoardPath('AbC_123')}`);
  });

  it('never repeat an address: each lecture and module has its own page', () => {
    const pages = [...lectures.map(({ module, lecture }) => links.lecture(module, lecture)), ...course.modules.map((m) => links.module(m))];
    assert.equal(new Set(pages).size, pages.length);
  });
});

describe('content links with CONTENT_BASE_URL', () => {
  const base = 'https://example.test/you/cohort-bot/blob/main/content';
  const links = createContentLinks(DEFAULT_CONTENT_DIR, { contentBaseUrl: base });

  it('name files under the base that exist in content/: lectures, exercise READMEs, module READMEs', () => {
    for (const url of allLinks(links)) {
      assert.ok(url.startsWith(`${base}/`), url);
      assert.ok(existsSync(path.join(DEFAULT_CONTENT_DIR, url.slice(base.length + 1))), `${url} points at a missing file`);
    }
    const [first] = lectures;
    assert.ok(first);
    assert.equal(links.lecture(first.module, first.lecture), `${base}/${first.lecture.contentPath}`);
  });

  it('have no board: a published copy of content/ does not serve one', () => {
    assert.equal(links.board, undefined);
  });
});

describe('content links in local mode', () => {
  const links = createContentLinks(DEFAULT_CONTENT_DIR, {});

  it('are file URLs of existing files in the checkout', () => {
    for (const url of allLinks(links)) {
      assert.match(url, /^file:\/\//);
      assert.ok(existsSync(fileURLToPath(url)), url);
    }
    assert.equal(links.board, undefined);
  });
});

describe('package.json', () => {
  it('names no repository: nothing may link to a placeholder', () => {
    const manifest = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(manifest.repository, undefined);
  });
});

describe('sitePathFor: the page that shows a file of content/', () => {
  it('maps lectures to their pages, exercise files to their module page at the exercise, the rest to the module or the course', () => {
    for (const { module, lecture } of lectures) assert.equal(sitePathFor(course, lecture.contentPath), lecturePath(module, lecture));
    for (const { module, exercise } of exercises) {
      const at = `${modulePath(module)}#${exerciseAnchor(exercise.id)}`;
      assert.equal(sitePathFor(course, `modules/${module.folder}/exercises/${exercise.id}/README.md`), at);
      assert.equal(sitePathFor(course, `modules/${module.folder}/solutions/${exercise.id}/COMMENTARY.md`), at);
    }
    const [first] = course.modules;
    assert.equal(sitePathFor(course, `modules/${first!.folder}/README.md`), modulePath(first!));
    assert.equal(sitePathFor(course, 'AUTHORING.md'), '/course');
  });
});
