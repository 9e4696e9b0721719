import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { checkContent } from '../../src/content/check-content.ts';
import { withCourseTable } from '../../src/content/course-table.ts';
import { DEFAULT_CONTENT_DIR, loadCourse } from '../../src/content/load-course.ts';

describe('the course in content/', () => {
  it('passes every content check (what `npm run content:check` runs)', () => {
    const problems = checkContent(loadCourse(), DEFAULT_CONTENT_DIR);
    assert.deepEqual(problems.map((p) => `${p.file}: ${p.problem}`), []);
  });

  it("README's course table is the course's (npm run content:table writes it)", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    assert.equal(readme, withCourseTable(readme, loadCourse()));
    assert.match(readme, /\| `ex01-lru-cache` \| An LRU cache with O\(1\) get and put \| 100 \| \d+ \|/);
  });

  it('has all 12 modules, lectures for each (3+ for 01–03) and the six complete projects', () => {
    const course = loadCourse();
    assert.equal(course.modules.length, 12);
    const ids = course.modules.flatMap((m) => m.exercises.map((e) => e.id));
    for (const id of ['ex01-lru-cache', 'ex02-config-cli', 'ex01-tcp-chat', 'ex02-rest-api', 'ex03-websocket-notifications', 'ex01-bitcask']) {
      assert.ok(ids.includes(id), id);
    }
  });
});
