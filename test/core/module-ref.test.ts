import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseModuleRef, searchModules } from '../../src/core/module-ref.ts';
import { loadCourse } from '../../src/content/load-course.ts';

const course = loadCourse();

/** The module number a reference resolves to, or fails the test with the error. */
function resolve(text: string): number {
  const result = parseModuleRef(course, text);
  if (!result.ok) assert.fail(`"${text}" did not resolve: ${result.error}`);
  return result.value.number;
}

function errorOf(text: string): string {
  const result = parseModuleRef(course, text);
  if (result.ok) assert.fail(`"${text}" unexpectedly resolved to module ${result.value.number}`);
  return result.error;
}

describe('parseModuleRef', () => {
  it('GIVEN a number in any of the usual spellings THEN it finds that module', () => {
    for (const text of ['3', '03', '003', 'module 3', 'Module 03', 'Module-03', 'module-3', 'mod 3', 'm3', 'M3', ' 3 ']) {
      assert.equal(resolve(text), 3, text);
    }
    assert.equal(resolve('12'), 12);
    assert.equal(resolve('module 1'), 1);
  });

  it('GIVEN a slug or a folder name THEN it finds that module', () => {
    assert.equal(resolve('kv-store'), 3);
    assert.equal(resolve('KV-Store'), 3);
    assert.equal(resolve('module-03-kv-store'), 3);
    assert.equal(resolve('redis-clone'), 4);
    assert.equal(resolve('module-12-typescript-interop'), 12);
  });

  it('GIVEN words of one module title THEN it finds that module', () => {
    assert.equal(resolve('redis'), 4);
    assert.equal(resolve('key value'), 3);
    assert.equal(resolve('Key-Value store'), 3);
    assert.equal(resolve('kv store'), 3);
    assert.equal(resolve('tokio'), 2);
    assert.equal(resolve('python'), 11);
    assert.equal(resolve('S3'), 7);
    assert.equal(resolve('rust typescript'), 12);
  });

  it('GIVEN a number outside the course THEN the error names the valid range', () => {
    for (const text of ['13', 'module 99', '0']) {
      const error = errorOf(text);
      assert.match(error, /1 to 12/, text);
      assert.match(error, /no module/, text);
    }
  });

  it('GIVEN empty input THEN it asks which module', () => {
    assert.match(errorOf(''), /Say which module/);
    assert.match(errorOf('   '), /Say which module/);
    assert.match(errorOf('!?'), /Say which module/);
  });

  it('GIVEN words shared by several modules THEN the error lists every candidate and asks for a number', () => {
    const error = errorOf('rust');
    assert.match(error, /several modules/);
    assert.ok(error.includes('Module 01 · Core Rust Fluency'), error);
    assert.ok(error.includes('Module 11 · Rust + Python'), error);
    assert.ok(error.includes('Module 12 · Rust + TypeScript'), error);
    assert.ok(!error.includes('Module 02'), error);
    assert.match(error, /Use its number/);

    const interop = errorOf('interop');
    assert.ok(interop.includes('Module 11 · Rust + Python') && interop.includes('Module 12 · Rust + TypeScript'), interop);
    assert.ok(!interop.includes('Module 01'), interop);
  });

  it('GIVEN words that match nothing THEN the error says so and suggests the range', () => {
    const error = errorOf('haskell');
    assert.match(error, /no module matching "haskell"/);
    assert.match(error, /1 to 12/);
    assert.match(errorOf('redis python'), /no module matching/);
  });
});

describe('searchModules', () => {
  it('GIVEN no words THEN every module is returned in course order', () => {
    assert.deepEqual(searchModules(course, '').map((m) => m.number), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.equal(searchModules(course, '   ').length, 12);
  });

  it('returns the modules containing every word, in course order', () => {
    assert.deepEqual(searchModules(course, 'rust').map((m) => m.number), [1, 11, 12]);
    assert.deepEqual(searchModules(course, 'store').map((m) => m.number), [3, 7]);
    assert.deepEqual(searchModules(course, 'object store').map((m) => m.number), [7]);
    assert.deepEqual(searchModules(course, 'redis').map((m) => m.number), [4]);
    assert.deepEqual(searchModules(course, 'cobol'), []);
  });

  it('is case-insensitive and ignores punctuation', () => {
    assert.deepEqual(searchModules(course, 'RUST + Python').map((m) => m.number), [11]);
    assert.deepEqual(searchModules(course, 'sqlite-like').map((m) => m.number), [8]);
  });

  it('matches partial words, as typed for autocomplete', () => {
    assert.deepEqual(searchModules(course, 'mess').map((m) => m.number), [5]);
    assert.deepEqual(searchModules(course, 'distrib').map((m) => m.number), [6]);
  });

  it('matches a number against module numbers only, with or without "module" and leading zeros', () => {
    assert.deepEqual(searchModules(course, '3').map((m) => m.number), [3]);
    assert.deepEqual(searchModules(course, '03').map((m) => m.number), [3]);
    assert.deepEqual(searchModules(course, 'module 1').map((m) => m.number), [1]);
    assert.deepEqual(searchModules(course, 'module').length, 12);
  });
});
