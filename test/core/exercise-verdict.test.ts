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
  workflowPath: '.github/workflows/course.yml',
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

  it('fails on any conclusion other than success (and skipped), naming it', () => {
    for (const conclusion of ['failure', 'cancelled', 'timed_out', 'neutral', 'action_required']) {
      const verdict = exerciseVerdict(exercise, HEAD, [run({ conclusion })], files, untouched);
      assert.deepEqual([verdict.status, verdict.detail], ['failed', `The ex01-lru-cache check finished with "${conclusion}".`]);
    }
  });

  it('takes the latest completed run when there are several', () => {
    const runs = [run({ conclusion: 'failure', completedAt: '2026-12-08T09:00:00Z' }), run({ completedAt: '2026-12-08T11:00:00Z' })];
    assert.equal(exerciseVerdict(exercise, HEAD, runs, files, untouched).status, 'passed');
  });

  it('re-run in the official suite: the newest completed attempt decides, whichever order they are listed in', () => {
    const first = run({ conclusion: 'failure', completedAt: '2026-12-08T09:00:00Z' });
    const rerun = run({ completedAt: '2026-12-08T09:30:00Z' });
    assert.equal(exerciseVerdict(exercise, HEAD, [rerun, first], files, untouched).status, 'passed');
    assert.equal(exerciseVerdict(exercise, HEAD, [first, rerun], files, untouched).status, 'passed');
    const failedRerun = [run({ completedAt: '2026-12-08T09:00:00Z' }), run({ conclusion: 'failure', completedAt: '2026-12-08T09:30:00Z' })];
    assert.equal(exerciseVerdict(exercise, HEAD, failedRerun, files, untouched).status, 'failed');
  });

  it('does not count a passing job of the same name from another workflow file: tampered, naming the file', () => {
    const verdict = exerciseVerdict(exercise, HEAD, [run({ workflowPath: '.github/workflows/mine.yml' })], files, untouched);
    assert.equal(verdict.status, 'tampered');
    assert.equal(
      verdict.detail,
      "The ex01-lru-cache check that passed ran in .github/workflows/mine.yml, so it does not count: only the course's workflow .github/workflows/course.yml counts.",
    );
  });

  it('does not count a run created by another app, naming the app', () => {
    const verdict = exerciseVerdict(exercise, HEAD, [run({ appSlug: 'my-fake-ci', workflowPath: null })], files, untouched);
    assert.equal(verdict.status, 'tampered');
    assert.match(verdict.detail ?? '', /passed was created by my-fake-ci, not by GitHub Actions, so it does not count: only the course's workflow \.github\/workflows\/course\.yml counts/);
  });

  it('does not count an Actions run whose workflow file GitHub did not name, and does not accuse the learner either', () => {
    // What the bot sees when its GitHub App lacks the Actions permission: no "did not count" message for everyone.
    const verdict = exerciseVerdict(exercise, HEAD, [run({ workflowPath: null })], files, untouched);
    assert.equal(verdict.status, 'pending');
    assert.match(verdict.detail ?? '', /GitHub did not say which workflow ran it/);
  });

  it('a look-alike that passed after the official run failed does not turn the failure into a pass', () => {
    const runs = [
      run({ conclusion: 'failure', completedAt: '2026-12-08T10:00:00Z' }),
      run({ workflowPath: '.github/workflows/mine.yml', completedAt: '2026-12-08T10:05:00Z' }),
      run({ appSlug: 'circleci-checks', workflowPath: null, completedAt: '2026-12-08T10:06:00Z' }),
    ];
    const verdict = exerciseVerdict(exercise, HEAD, runs, files, untouched);
    assert.equal(verdict.status, 'failed');
    assert.match(verdict.detail ?? '', /^The ex01-lru-cache check finished with "failure"\. Another ex01-lru-cache check passed, but it was created by circleci-checks/);
  });

  it('the official run still running stays pending, whatever a look-alike says', () => {
    const runs = [run({ status: 'in_progress', conclusion: null, completedAt: null }), run({ workflowPath: '.github/workflows/mine.yml' })];
    const verdict = exerciseVerdict(exercise, HEAD, runs, files, untouched);
    assert.equal(verdict.status, 'pending');
    assert.match(verdict.detail ?? '', /still running\. Another ex01-lru-cache check passed, but it ran in \.github\/workflows\/mine\.yml/);
  });

  it('an official pass counts even when a look-alike from another app passed later', () => {
    const runs = [run({ completedAt: '2026-12-08T10:00:00Z' }), run({ appSlug: 'circleci-checks', workflowPath: null, completedAt: '2026-12-08T10:06:00Z' })];
    assert.deepEqual(exerciseVerdict(exercise, HEAD, runs, files, untouched), { status: 'passed', commit: HEAD, detail: null });
  });

  it('a look-alike that failed or is still running says nothing: pending until the official run appears', () => {
    const runs = [run({ workflowPath: '.github/workflows/mine.yml', conclusion: 'failure' }), run({ appSlug: 'x', workflowPath: null, status: 'queued', conclusion: null, completedAt: null })];
    const verdict = exerciseVerdict(exercise, HEAD, runs, files, untouched);
    assert.deepEqual([verdict.status, verdict.detail], ['pending', 'No ex01-lru-cache check has run on your latest commit yet.']);
  });

  it('reads a skipped run (the plan found the exercise untouched) as not started, not as a failure', () => {
    const verdict = exerciseVerdict(exercise, HEAD, [run({ conclusion: 'skipped' })], files, untouched);
    assert.equal(verdict.status, 'not-started');
    assert.match(verdict.detail ?? '', /still the starter's/);
  });

  it('counts a pass whose files are an earlier published version, and no other', () => {
    const republished = files.map((f) => ({ ...f, sha: f.sha.replace(/./g, '9'), formerShas: [f.sha, '3'.repeat(40)] }));
    assert.equal(exerciseVerdict(exercise, HEAD, [run()], republished, untouched).status, 'passed', 'the starter the learner was given');
    const older = new Map(untouched).set('exercises/ex01-lru-cache/tests/lru.rs', '3'.repeat(40));
    assert.equal(exerciseVerdict(exercise, HEAD, [run()], republished, older).status, 'passed');
    const other = new Map(untouched).set('exercises/ex01-lru-cache/tests/lru.rs', '4'.repeat(40));
    assert.equal(exerciseVerdict(exercise, HEAD, [run()], republished, other).status, 'tampered');
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
