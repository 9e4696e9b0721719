import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ContentError } from '../../src/content/content-error.ts';
import { DEFAULT_CONTENT_DIR, loadCourse } from '../../src/content/load-course.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { thrown } from '../helpers/thrown.ts';

const MODULE_01 = 'modules/module-01-core-rust/module.yaml';

/** A private copy of content/ with one edit applied. */
function brokenContent(edit: (dir: string) => void): string {
  const dir = path.join(tempDir(), 'content');
  cpSync(DEFAULT_CONTENT_DIR, dir, { recursive: true });
  edit(dir);
  return dir;
}

function rewrite(dir: string, file: string, change: (text: string) => string): void {
  const full = path.join(dir, file);
  const before = readFileSync(full, 'utf8');
  const after = change(before);
  assert.notEqual(after, before, `the edit to ${file} changed nothing`);
  writeFileSync(full, after);
}

const contentError = (dir: string) => thrown(ContentError, () => loadCourse(dir));

describe('loadCourse on the real content', () => {
  it('loads all 12 modules in order with lectures and exercises', () => {
    const course = loadCourse();
    assert.equal(course.modules.length, 12);
    assert.deepEqual(course.modules.map((m) => m.number), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const first = course.modules[0];
    assert.equal(first?.folder, 'module-01-core-rust');
    assert.deepEqual(first?.exercises.map((e) => e.id), ['ex01-lru-cache', 'ex02-config-cli']);
    for (const module of course.modules) {
      assert.ok(module.lectures.length >= 2, `${module.folder} has at least two lectures`);
      assert.ok(module.exercises.length >= 1, `${module.folder} has an exercise`);
      for (const lecture of module.lectures) {
        const text = readFileSync(path.join(DEFAULT_CONTENT_DIR, lecture.contentPath), 'utf8');
        assert.ok(text.startsWith(`# ${lecture.title}\n`), `${lecture.contentPath} starts with its title`);
      }
    }
    const ids = course.modules.flatMap((m) => m.exercises.map((e) => e.id));
    assert.equal(new Set(ids).size, ids.length);
  });
});

describe('loadCourse on broken content', () => {
  const cases: { name: string; edit: (dir: string) => void; file: string; field: string | null; problem: RegExp }[] = [
    {
      name: 'invalid YAML',
      edit: (dir) => rewrite(dir, MODULE_01, (t) => t.replace('weeks: 2', 'weeks: [2')),
      file: `content/${MODULE_01}`,
      field: null,
      problem: /is not valid YAML/,
    },
    {
      name: 'a required field missing',
      edit: (dir) => rewrite(dir, MODULE_01, (t) => t.replace(/^weeks: 2\n/m, '')),
      file: `content/${MODULE_01}`,
      field: 'weeks',
      problem: /is missing/,
    },
    {
      name: 'a field of the wrong type',
      edit: (dir) => rewrite(dir, MODULE_01, (t) => t.replace(/points: \d+/, 'points: lots')),
      file: `content/${MODULE_01}`,
      field: 'exercises[0].points',
      problem: /expected number/,
    },
    {
      name: 'a misspelt key',
      edit: (dir) => rewrite(dir, MODULE_01, (t) => t.replace(/points:/, 'pionts:')),
      file: `content/${MODULE_01}`,
      field: 'exercises[0]',
      problem: /pionts/,
    },
    {
      name: 'a badly formed exercise id',
      edit: (dir) => rewrite(dir, MODULE_01, (t) => t.replace('id: ex01-lru-cache', 'id: LRU Cache')),
      file: `content/${MODULE_01}`,
      field: 'exercises[0].id',
      problem: /must look like ex01-lru-cache/,
    },
    {
      name: 'a lecture file that does not exist',
      edit: (dir) => rmSync(path.join(dir, 'modules/module-01-core-rust/lectures/01-ownership-and-borrowing.md')),
      file: `content/${MODULE_01}`,
      field: 'lectures[0].path',
      problem: /01-ownership-and-borrowing\.md does not exist/,
    },
    {
      name: 'an empty lecture file',
      edit: (dir) => writeFileSync(path.join(dir, 'modules/module-01-core-rust/lectures/01-ownership-and-borrowing.md'), '\n'),
      file: `content/${MODULE_01}`,
      field: 'lectures[0].path',
      problem: /is empty/,
    },
    {
      name: 'an exercise id used twice in the course',
      edit: (dir) => rewrite(dir, 'modules/module-02-async-networking/module.yaml', (t) => t.replace(/id: ex01-tcp-chat/, 'id: ex01-lru-cache')),
      file: 'content/modules/module-02-async-networking/module.yaml',
      field: 'exercises[0].id',
      problem: /"ex01-lru-cache" is already used in module-01-core-rust/,
    },
    {
      name: 'a module number out of order',
      edit: (dir) => rewrite(dir, MODULE_01, (t) => t.replace(/^number: 1$/m, 'number: 4')),
      file: `content/${MODULE_01}`,
      field: 'number',
      problem: /is 4, but this is module 1/,
    },
    {
      name: 'a slug that does not match the folder',
      edit: (dir) => rewrite(dir, MODULE_01, (t) => t.replace(/^slug: core-rust$/m, 'slug: core')),
      file: `content/${MODULE_01}`,
      field: 'slug',
      problem: /does not match the folder name/,
    },
    {
      name: 'a module folder listed in course.yaml but missing',
      edit: (dir) => rmSync(path.join(dir, 'modules/module-12-typescript-interop'), { recursive: true }),
      file: 'content/course.yaml',
      field: 'modules[11]',
      problem: /module-12-typescript-interop\/module\.yaml does not exist/,
    },
    {
      name: 'a phase that course.yaml does not list',
      edit: (dir) => rewrite(dir, MODULE_01, (t) => t.replace(/^phase: 1$/m, 'phase: 9')),
      file: `content/${MODULE_01}`,
      field: 'phase',
      problem: /phase 9 is not listed/,
    },
  ];

  for (const c of cases) {
    it(`GIVEN ${c.name} THEN names the file, the field and the problem`, () => {
      const error = contentError(brokenContent(c.edit));
      assert.equal(error.file, c.file);
      assert.equal(error.field, c.field);
      assert.match(error.problem, c.problem);
      assert.ok(error.message.startsWith(c.file), 'the message leads with the file');
    });
  }
});
