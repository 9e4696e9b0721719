import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Exercise } from '../../src/core/course.ts';
import { exerciseVerdict, type CheckRunFacts } from '../../src/core/exercise-verdict.ts';

const exercise: Exercise = { id: 'ex01-lru-cache', title: 'LRU', summary: '', points: 100, check: 'ex01-lru-cache' };
const HEAD = 'a'.repeat(40);
const files = [
  { path: '.github/workflows/course.yml', sha: '1'.repeat(40) },
  { path: 'exercises/ex01-lru-cache/tests/lru.rs', sha: '2'.repeat(40) },
];
const untouched = new Map(files.map((f) => [f.path, f.sha]));
const run = (overrides: Partial<CheckRunFacts> = {}): CheckRunFacts => ({
  name: 'ex01-lru-cache',
  headSha: HEAD,
  status: 'completed',
  conclusion: 'success',
  appSlug: 'github-actions',
  completedAt: '2026-12-08T10:00:00Z',
  ...overrides,
});

describe('exerciseVerdict', () => {
  it('passes a successful GitHub Actions run at the head with untouched files', () => {
    assert.deepEqual(exerciseVerdict(exercise, HEAD, [run()], files, untouched), { status: 'passed', commit: HEAD, detail: null });
  });

  it('ignores runs of other checks and of older commits: pending', () => {
    const verdict = exerciseVerdict(exercise, HEAD, [run({ name: 'ex02-config-cli' }), run({ headSha: 'b'.repeat(40) })], files, untouched);
    assert.equal(verdict.status, 'pending');
    assert.match(verdict.detail ?? '', /No ex01-lru-cache check has run on your latest commit/);
  });

  it('is pending while a re-run is in progress at the head', () => {
    const verdict = exerciseVerdict(exercise, HEAD, [run(), run({ status: 'in_progress', conclusion: null, completedAt: null })], files, untouched);
    assert.equal(verdict.status, 'pending');
  });

  it('fails on any conclusion other than success, naming it', () => {
    for (const conclusion of ['failure', 'cancelled', 'timed_out', 'skipped']) {
      const verdict = exerciseVerdict(exercise, HEAD, [run({ conclusion })], files, untouched);
      assert.deepEqual([verdict.status, verdict.detail], ['failed', `The ex01-lru-cache check finished with "${conclusion}".`]);
    }
  });

  it('takes the latest completed run when there are several', () => {
    const runs = [run({ conclusion: 'failure', completedAt: '2026-12-08T09:00:00Z' }), run({ completedAt: '2026-12-08T11:00:00Z' })];
    assert.equal(exerciseVerdict(exercise, HEAD, runs, files, untouched).status, 'passed');
  });

  it('does not count a run created by another app', () => {
    const verdict = exerciseVerdict(exercise, HEAD, [run({ appSlug: 'my-fake-ci' })], files, untouched);
    assert.equal(verdict.status, 'tampered');
    assert.match(verdict.detail ?? '', /not created by GitHub Actions \(my-fake-ci\)/);
  });

  it('does not count a pass with changed or missing tests or workflow, and says which files', () => {
    const changed = new Map(untouched).set('exercises/ex01-lru-cache/tests/lru.rs', 'f'.repeat(40));
    const verdict = exerciseVerdict(exercise, HEAD, [run()], files, changed);
    assert.equal(verdict.status, 'tampered');
    assert.match(verdict.detail ?? '', /exercises\/ex01-lru-cache\/tests\/lru\.rs differs from the course's version/);
    const missing = new Map<string, string | null>(untouched).set('.github/workflows/course.yml', null);
    assert.match(exerciseVerdict(exercise, HEAD, [run()], files, missing).detail ?? '', /course\.yml differs/);
  });
});
