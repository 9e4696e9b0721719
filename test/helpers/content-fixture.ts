import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadCourse } from '../../src/content/load-course.ts';
import { recordPublished } from '../../src/content/published-files.ts';
import { starterFiles } from '../../src/content/starter-files.ts';
import { officialFiles } from '../../src/content/starter-repo.ts';
import { tempDir } from './temp-dir.ts';

/** A small but complete content/ folder: one module, three real-length lectures, one exercise with its solution. */
export function contentFixture(): string {
  const dir = path.join(tempDir(), 'content');
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  const module = 'modules/module-01-core-rust';
  write('course.yaml', 'title: Fixture course\nslug: fixture\nsummary: A course for tests.\nphases:\n  - number: 1\n    name: Foundation\nmodules:\n  - module-01-core-rust\n');
  write(
    `${module}/module.yaml`,
    [
      'number: 1',
      'slug: core-rust',
      'title: Core Rust',
      'phase: 1',
      'weeks: 1',
      'summary: Ownership and friends.',
      'objectives:',
      '  - Explain ownership',
      'lectures:',
      ...[1, 2, 3].flatMap((n) => [`  - title: Lecture ${n}`, `    path: lectures/0${n}-lecture.md`]),
      'exercises:',
      '  - id: ex01-lru-cache',
      '    title: An LRU cache',
      '    summary: Build it.',
      '    points: 100',
      '    check: ex01-lru-cache',
      '    tests: 1',
      '',
    ].join('\n'),
  );
  const prose = Array.from({ length: 120 }, (_, i) => `Ownership sentence ${i} explains moves and borrows clearly.`).join(' ');
  for (const n of [1, 2, 3]) write(`${module}/lectures/0${n}-lecture.md`, `# Lecture ${n}\n\n${prose}\n\nSee [the exercise](../exercises/ex01-lru-cache/README.md).\n`);
  write(`${module}/README.md`, '# Core Rust\n\nStart with [lecture 1](lectures/01-lecture.md).\n');
  const cargo = '[package]\nname = "ex01-lru-cache"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n[dependencies]\n';
  const test = '#[test]\nfn evicts_the_least_recently_used() {\n    assert_eq!(ex01_lru_cache::answer(), 42);\n}\n';
  write(`${module}/exercises/ex01-lru-cache/Cargo.toml`, cargo);
  write(`${module}/exercises/ex01-lru-cache/README.md`, '# LRU cache\n\n## What you may change\n\nYour code in src/, never tests/.\n');
  write(`${module}/exercises/ex01-lru-cache/src/lib.rs`, 'pub fn answer() -> u32 {\n    todo!()\n}\n');
  write(`${module}/exercises/ex01-lru-cache/tests/lru.rs`, test);
  write(`${module}/solutions/ex01-lru-cache/Cargo.toml`, cargo);
  write(`${module}/solutions/ex01-lru-cache/COMMENTARY.md`, '# Commentary\n');
  write(`${module}/solutions/ex01-lru-cache/src/lib.rs`, 'pub fn answer() -> u32 {\n    42\n}\n');
  write(`${module}/solutions/ex01-lru-cache/tests/lru.rs`, test);
  write(`${module}/hints/ex01-lru-cache.md`, '# Hints: An LRU cache\n\n## Hint 1\n\nRead the test.\n\n## Hint 2\n\nWhat does `answer` return?\n\n## Hint 3\n\nThe answer to everything.\n');
  recordPublished(dir, starterFiles(loadCourse(dir), dir), 'starters');
  recordPublished(dir, officialFiles(loadCourse(dir), dir));
  return dir;
}
