import assert from 'node:assert/strict';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { checkContent, unseededPropertyTest } from '../../src/content/check-content.ts';
import { relativeLinks, rewriteRelativeLinks } from '../../src/content/markdown-links.ts';
import { loadCourse } from '../../src/content/load-course.ts';
import { contentFixture } from '../helpers/content-fixture.ts';

const MODULE = 'modules/module-01-core-rust';

function problemsAfter(edit: (dir: string) => void): string[] {
  const dir = contentFixture();
  edit(dir);
  return checkContent(loadCourse(dir), dir).map((p) => `${p.file}: ${p.problem}`);
}

describe('checkContent', () => {
  it('GIVEN complete content THEN finds nothing', () => {
    assert.deepEqual(problemsAfter(() => {}), []);
  });

  const cases: [string, (dir: string) => void, RegExp][] = [
    ['a missing module README', (dir) => rmSync(path.join(dir, MODULE, 'README.md')), /module-01-core-rust\/README\.md: the module README is missing/],
    ['a lecture that is still an outline', (dir) => writeFileSync(path.join(dir, MODULE, 'lectures/02-lecture.md'), '# Lecture 2\n\n## Outline\n- ownership\n- borrowing\n'), /02-lecture\.md: is still an outline: \d+ words/],
    ['a broken relative link', (dir) => appendFileSync(path.join(dir, MODULE, 'README.md'), '\nSee [nothing](lectures/99-none.md).\n'), /README\.md: links to lectures\/99-none\.md, which does not exist/],
    ['a solution whose tests differ', (dir) => appendFileSync(path.join(dir, MODULE, 'solutions/ex01-lru-cache/tests/lru.rs'), '// tweaked\n'), /solutions\/ex01-lru-cache\/tests\/lru\.rs: differs from/],
    ['an extra test file only in the solution', (dir) => writeFileSync(path.join(dir, MODULE, 'solutions/ex01-lru-cache/tests/extra.rs'), '\n'), /tests\/extra\.rs: differs from/],
    ['a crate named other than its exercise', (dir) => writeFileSync(path.join(dir, MODULE, 'exercises/ex01-lru-cache/Cargo.toml'), '[package]\nname = "lru"\n'), /package name is "lru"; it must be the exercise id "ex01-lru-cache"/],
    ['a lock file in content', (dir) => writeFileSync(path.join(dir, MODULE, 'solutions/ex01-lru-cache/Cargo.lock'), ''), /sits beside a Cargo\.lock/],
    ['a missing solution', (dir) => rmSync(path.join(dir, MODULE, 'solutions'), { recursive: true }), /solutions\/ex01-lru-cache: is missing/],
    ['a missing commentary', (dir) => rmSync(path.join(dir, MODULE, 'solutions/ex01-lru-cache/COMMENTARY.md')), /COMMENTARY\.md: is missing/],
    [
      'an exercise README without a "What you may change" section',
      (dir) => writeFileSync(path.join(dir, MODULE, 'exercises/ex01-lru-cache/README.md'), '# LRU cache\n\n## Done when\n\nTests pass.\n'),
      /exercises\/ex01-lru-cache\/README\.md: has no "## What you may change" section/,
    ],
    [
      'an exercise crate that selects its own tests',
      (dir) => appendFileSync(path.join(dir, MODULE, 'exercises/ex01-lru-cache/Cargo.toml'), '\n[[test]]\nname = "lru"\npath = "tests/lru.rs"\n'),
      /exercises\/ex01-lru-cache\/Cargo\.toml: selects its tests/,
    ],
    [
      'an official test changed without publishing its new version',
      (dir) => {
        for (const side of ['exercises', 'solutions']) appendFileSync(path.join(dir, MODULE, side, 'ex01-lru-cache/tests/lru.rs'), '// clearer\n');
      },
      /published-files\.json: does not record the current version of exercises\/ex01-lru-cache\/tests\/lru\.rs: run `npm run content:publish`/,
    ],
    [
      'an official test file that cargo fmt would rewrite',
      (dir) => {
        for (const side of ['exercises', 'solutions']) writeFileSync(path.join(dir, MODULE, side, 'ex01-lru-cache/tests/lru.rs'), '#[test]\nfn evicts() { assert_eq!(ex01_lru_cache::answer(),42); }\n');
      },
      /exercises\/ex01-lru-cache\/tests\/lru\.rs: is not formatted: run `cargo fmt`/,
    ],
    ['a solution that does not parse', (dir) => writeFileSync(path.join(dir, MODULE, 'solutions/ex01-lru-cache/src/lib.rs'), 'pub fn answer( {\n'), /solutions\/ex01-lru-cache: does not parse: error: this file contains an unclosed delimiter/],
    [
      'a changed starter stub not recorded',
      (dir) => writeFileSync(path.join(dir, MODULE, 'exercises/ex01-lru-cache/src/lib.rs'), 'pub fn answer() -> u32 {\n    todo!("soon")\n}\n'),
      /published-files\.json: does not record the current version of exercises\/ex01-lru-cache\/src\/lib\.rs: run `npm run content:publish`/,
    ],
    ['an exercise without hints', (dir) => rmSync(path.join(dir, MODULE, 'hints/ex01-lru-cache.md')), /hints\/ex01-lru-cache\.md: is missing: every exercise has 3 hints for \/hint/],
    [
      'a README milestone without tests',
      (dir) => appendFileSync(path.join(dir, MODULE, 'exercises/ex01-lru-cache/README.md'), '\n## Milestone 7: persistence\n\nWrite it to disk.\n'),
      /exercises\/ex01-lru-cache\/README\.md: describes milestone 7 but has no tests\/milestone7\.rs: every milestone is tested/,
    ],
    ['an exercise without tests', (dir) => rmSync(path.join(dir, MODULE, 'exercises/ex01-lru-cache/tests'), { recursive: true }), /exercises\/ex01-lru-cache\/tests: has no tests/],
  ];
  for (const [name, edit, expected] of cases) {
    it(`GIVEN ${name} THEN reports it with the file`, () => {
      const problems = problemsAfter(edit);
      assert.ok(problems.some((p) => expected.test(p)), problems.join('\n'));
    });
  }
});

describe('relativeLinks', () => {
  it('finds relative targets, skipping web, mail, anchors and code', () => {
    const markdown = '[a](b.md) [c](../d/e.md#part) [w](https://x.test) [m](mailto:a@b.c) [h](#top) `[x](nope.md)`\n```\n[y](nope2.md)\n```\n[s](f%20g.md "title")';
    assert.deepEqual(relativeLinks(markdown), ['b.md', '../d/e.md', 'f g.md']);
  });

  it('rewrites only relative targets outside code, keeping titles', () => {
    const markdown = '[a](b.md) [w](https://x.test) `[c](d.md)` [e](f.md "t")';
    assert.equal(rewriteRelativeLinks(markdown, (t) => (t === 'f.md' ? 'https://h/f.md' : undefined)), '[a](b.md) [w](https://x.test) `[c](d.md)` [e](https://h/f.md "t")');
  });
});

describe('unseededPropertyTest', () => {
  const seeded = [
    'use proptest::prelude::*;',
    'use proptest::test_runner::{RngAlgorithm, TestRng, TestRunner};',
    '#[test]',
    'fn model() {',
    '    let config = ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() };',
    '    let mut runner = TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));',
    '    runner.run(&any::<u8>(), |_| Ok(())).unwrap();',
    '}',
  ].join('\n');

  it('accepts a runner with a fixed seed and no regression file, and tests without proptest', () => {
    assert.equal(unseededPropertyTest(seeded), undefined);
    assert.equal(unseededPropertyTest('#[test]\nfn plain() {}\n'), undefined);
  });

  it('refuses the proptest! macro, an OS-seeded runner and a persisted failure', () => {
    assert.match(unseededPropertyTest('use proptest::prelude::*;\nproptest! {\n    #[test]\n    fn p(x in 0u8..) {}\n}\n') ?? '', /proptest! macro, which seeds from the OS/);
    assert.match(unseededPropertyTest(seeded.replace(/TestRunner::new_with_rng\(config, TestRng::deterministic_rng\(RngAlgorithm::ChaCha\)\)/, 'TestRunner::new(config)')) ?? '', /without a fixed seed/);
    assert.match(unseededPropertyTest(seeded.replace('failure_persistence: None, ', '')) ?? '', /may write a regression file/);
  });
});
