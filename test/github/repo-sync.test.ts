import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { githubWiring } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { DEFAULT_CONTENT_DIR } from '../../src/content/load-course.ts';
import type { Cohort } from '../../src/core/cohort.ts';
import { createGithubService } from '../../src/github/github-service.ts';
import type { Store } from '../../src/store/store.ts';
import { FakeGithub } from '../fakes/github/fake-github.ts';
import { berlinCohort } from '../helpers/cohort-fixture.ts';
import { linkedLearner, runChecks, starterRepo } from '../helpers/github-fixture.ts';
import { realCourse, testServices } from '../helpers/test-services.ts';

const NOW = new Date('2026-12-10T12:00:00Z');
const course = realCourse();
const [first, second] = course.modules[0]!.exercises;

async function setup(fake: FakeGithub, env: Record<string, string> = {}, restGroupMax?: number) {
  const { store, services, logs } = await testServices(NOW);
  const cohort = berlinCohort(store);
  const config = loadConfig({ GITHUB_TOKEN: fake.token, GITHUB_API_URL: fake.apiUrl, ...env });
  let woken = 0;
  const github = createGithubService({
    config: config.github,
    store,
    course,
    ...githubWiring(course, DEFAULT_CONTENT_DIR, store),
    clock: services.clock,
    logger: services.logger,
    onCelebrated: () => (woken += 1),
    tuning: { retryBaseMs: 5, timeoutMs: 400, headsBatch: 4, snapshotBatch: 4, ...(restGroupMax === undefined ? {} : { restGroupMax }) },
  });
  assert.ok(github);
  return { store, cohort, github, logs, woken: () => woken };
}

function notices(store: Store, cohort: Cohort): { to: string | null; title: string; text: string }[] {
  const due = store.outbox.due(new Date('2100-01-01'), ['console'], 1000).filter((m) => m.cohortId === cohort.id && m.kind === 'not-counted');
  return due.map((m) => ({ to: m.recipientUserId, ...(m.payload as { title: string; text: string }) }));
}

function celebrations(store: Store, cohort: Cohort): string[] {
  const due = store.outbox.due(new Date('2100-01-01'), ['console'], 1000).filter((m) => m.cohortId === cohort.id && m.kind === 'celebration');
  return due.map((m) => (m.payload as { title: string }).title);
}

for (const [reader, restGroupMax] of [['batched GraphQL', 0], ['conditional REST', 100]] as const) {
  describe(`GitHub sync over ${reader}: when an exercise counts`, () => {
    let fake: FakeGithub;
    before(async () => (fake = await FakeGithub.start()));
    after(() => fake.close());

    it('counts a passing GitHub Actions check at the head, once, with a celebration in the outbox', async () => {
      const { store, cohort, github, woken } = await setup(fake, {}, restGroupMax);
      starterRepo(fake, course, 'ada/course-pass');
      const ada = linkedLearner(store, cohort, 'ada', 'ada/course-pass', NOW);
      runChecks(fake, 'ada/course-pass', [first!.check]);
      runChecks(fake, 'ada/course-pass', [second!.check], 'failure');

      const report = await github.sync([ada]);
      assert.equal(report.newPasses, 1);
      const results = new Map(store.results.listForLearner(ada.id).map((r) => [r.exerciseId, r]));
      assert.equal(results.get(first!.id)?.status, 'passed');
      assert.equal(results.get(first!.id)?.passedCommit, fake.repo('ada/course-pass').branches.get('main'));
      assert.equal(results.get(second!.id)?.status, 'failed');
      assert.deepEqual(celebrations(store, cohort), [`🎉 ada passed ${first!.title}`]);
      assert.equal(woken(), 1);

      // A later push whose check fails keeps the credit and shows the failure.
      fake.push('ada/course-pass', { 'exercises/notes.md': 'wip' });
      runChecks(fake, 'ada/course-pass', [first!.check], 'failure');
      const again = await github.sync([ada]);
      assert.equal(again.newPasses, 0);
      const later = store.results.listForLearner(ada.id).find((r) => r.exerciseId === first!.id);
      assert.equal(later?.status, 'failed');
      assert.ok(later?.firstPassedAt, 'credit kept');
      assert.equal(celebrations(store, cohort).length, 1, 'no second celebration');
    });

    it('does not count a pass when the tests or the workflow were changed, and says which file', async () => {
      const { store, cohort, github } = await setup(fake, {}, restGroupMax);
      starterRepo(fake, course, 'bob/course-tamper');
      const bob = linkedLearner(store, cohort, 'bob', 'bob/course-tamper', NOW);
      const files = [...fake.repo('bob/course-tamper').commits.values()][0]!.files;
      const guarded = [...files.keys()].find((p) => p.startsWith(`exercises/${first!.id}/tests/`))!;
      fake.push('bob/course-tamper', { [guarded]: '#[test] fn always() {}\n' });
      runChecks(fake, 'bob/course-tamper', [first!.check, second!.check]);

      await github.sync([bob]);
      const results = new Map(store.results.listForLearner(bob.id).map((r) => [r.exerciseId, r]));
      assert.equal(results.get(first!.id)?.status, 'tampered');
      assert.match(results.get(first!.id)?.detail ?? '', new RegExp(guarded.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      assert.equal(results.get(first!.id)?.firstPassedAt, null);
      assert.equal(results.get(second!.id)?.status, 'passed', "another exercise's tests are untouched");
      assert.deepEqual(celebrations(store, cohort), [`🎉 bob passed ${second!.title}`]);

      // Bob is told directly, once for this commit.
      const told = notices(store, cohort);
      assert.equal(told.length, 1);
      assert.equal(told[0]?.to, 'bob');
      assert.equal(told[0]?.title, `Your ${first!.title} pass did not count`);
      assert.ok(told[0]?.text.includes(guarded));
      await github.sync([bob], { force: true });
      assert.equal(notices(store, cohort).length, 1, 'not told twice about the same commit');
    });

    it('does not count a check of the right name made by another app', async () => {
      const { store, cohort, github } = await setup(fake, {}, restGroupMax);
      starterRepo(fake, course, 'eve/course-app');
      const eve = linkedLearner(store, cohort, 'eve', 'eve/course-app', NOW);
      runChecks(fake, 'eve/course-app', [first!.check], 'success', { app: 'my-own-app' });
      await github.sync([eve]);
      const result = store.results.listForLearner(eve.id).find((r) => r.exerciseId === first!.id);
      assert.equal(result?.status, 'tampered');
      assert.match(result?.detail ?? '', /was created by my-own-app, not by GitHub Actions/);
    });

    it("does not count a job of the exercise's name in the learner's own workflow, and tells them why", async () => {
      const { store, cohort, github } = await setup(fake, {}, restGroupMax);
      const repo = `mal-${restGroupMax}/course`;
      starterRepo(fake, course, repo);
      const mal = linkedLearner(store, cohort, 'mal', repo, NOW);
      fake.push(repo, { '.github/workflows/mine.yml': `on: push\njobs:\n  ${first!.check}:\n    runs-on: ubuntu-latest\n    steps:\n      - run: "true"\n` });
      runChecks(fake, repo, [first!.check], 'success', { workflowPath: '.github/workflows/mine.yml' });

      assert.equal((await github.sync([mal])).newPasses, 0);
      const result = store.results.listForLearner(mal.id).find((r) => r.exerciseId === first!.id);
      assert.equal(result?.status, 'tampered');
      assert.equal(result?.firstPassedAt, null);
      const told = notices(store, cohort).filter((n) => n.to === 'mal');
      assert.equal(told.length, 1);
      assert.equal(told[0]?.title, `Your ${first!.title} pass did not count`);
      assert.match(told[0]?.text ?? '', /ran in \.github\/workflows\/mine\.yml, so it does not count: only the course's workflow \.github\/workflows\/course\.yml counts/);

      // The official workflow then runs the real tests: they decide, its newest attempt last.
      fake.addCheckRun(repo, { name: first!.check, conclusion: 'failure', completedAt: '2026-12-10T12:01:00Z' });
      await github.sync([mal]);
      const later = store.results.listForLearner(mal.id).find((r) => r.exerciseId === first!.id);
      assert.equal(later?.status, 'failed');
      fake.addCheckRun(repo, { name: first!.check, conclusion: 'success', completedAt: '2026-12-10T12:05:00Z' });
      assert.equal((await github.sync([mal])).newPasses, 1, 'a re-run of the official job that passes counts');
    });

    it('reads a skipped check (the plan found the exercise untouched) as not started: an old failure goes, credit stays', async () => {
      const { store, cohort, github } = await setup(fake, {}, restGroupMax);
      const repo = `sam-${restGroupMax}/course`;
      starterRepo(fake, course, repo);
      const sam = linkedLearner(store, cohort, 'sam', repo, NOW);
      // Before the plan job existed every exercise ran: the untouched ones failed.
      runChecks(fake, repo, [first!.check]);
      runChecks(fake, repo, [second!.check], 'failure');
      await github.sync([sam]);
      assert.equal(store.results.listForLearner(sam.id).find((r) => r.exerciseId === second!.id)?.status, 'failed');

      fake.push(repo, { 'README.md': '# notes\n' });
      fake.addCheckRun(repo, { name: first!.check, conclusion: 'skipped' });
      fake.addCheckRun(repo, { name: second!.check, conclusion: 'skipped' });
      const report = await github.sync([sam]);
      assert.equal(report.failures.length, 0);
      const results = new Map(store.results.listForLearner(sam.id).map((r) => [r.exerciseId, r]));
      assert.equal(results.get(first!.id)?.status, 'passed', 'credit stays');
      assert.equal(results.has(second!.id), false, 'not started: no failure shown');
      assert.deepEqual(celebrations(store, cohort), [`🎉 sam passed ${first!.title}`]);
    });
  });
}

describe('GitHub sync: reading only what changed', () => {
  let fake: FakeGithub;
  before(async () => (fake = await FakeGithub.start()));
  after(() => fake.close());

  it('reads only repos whose head or checks changed: an unchanged poll costs one point per 100 repos', async () => {
    const { store, cohort, github } = await setup(fake, {}, 0);
    const learners = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'].map((name) => {
      starterRepo(fake, course, `${name}/course`);
      runChecks(fake, `${name}/course`, [first!.check]);
      return linkedLearner(store, cohort, name, `${name}/course`, NOW);
    });
    const firstRound = await github.sync(learners);
    assert.deepEqual([firstRound.looked, firstRound.unchanged], [6, 0]);

    const before = fake.requests.length;
    const unchanged = await github.sync(learners);
    assert.deepEqual([unchanged.looked, unchanged.unchanged], [0, 6]);
    const graphql = fake.requests.slice(before);
    assert.equal(graphql.length, 2, 'two head queries of four repos (the test batch size), nothing else');

    runChecks(fake, 'c3/course', [second!.check]);
    const oneChanged = await github.sync(learners);
    assert.deepEqual([oneChanged.looked, oneChanged.newPasses], [1, 1]);
  });

  it('reads a repo with more check suites than a query holds over REST, so the Actions suite is never missed', async () => {
    const { store, cohort, github } = await setup(fake, {}, 0);
    starterRepo(fake, course, 'crowded/course');
    for (let i = 0; i < 6; i += 1) fake.addCheckRun('crowded/course', { name: `lint-${i}`, app: `app-${i}` });
    runChecks(fake, 'crowded/course', [first!.check]);
    const crowded = linkedLearner(store, cohort, 'crowded', 'crowded/course', NOW);
    const report = await github.sync([crowded]);
    assert.equal(report.newPasses, 1);
    assert.equal(fake.requests.at(-1)?.path, '/repos/crowded/course/git/trees/' + fake.repo('crowded/course').branches.get('main'));
    const again = await github.sync([crowded]);
    assert.deepEqual([again.looked, again.unchanged], [0, 1], 'the next poll compares GraphQL rollups and finds nothing new');
  });

  it('a repo read over conditional REST costs nothing while unchanged: every answer is a 304', async () => {
    const { store, cohort, github } = await setup(fake, {}, 100);
    starterRepo(fake, course, 'solo/course');
    runChecks(fake, 'solo/course', [first!.check]);
    const solo = linkedLearner(store, cohort, 'solo', 'solo/course', NOW);
    assert.equal((await github.sync([solo])).newPasses, 1);
    const [requests, points] = [fake.requests.length, fake.used];
    const again = await github.sync([solo]);
    assert.deepEqual([again.looked, again.unchanged], [0, 1]);
    assert.equal(fake.used, points, 'no rate limit spent');
    assert.ok(fake.requests.slice(requests).every((r) => r.status === 304));
    runChecks(fake, 'solo/course', [second!.check]);
    assert.equal((await github.sync([solo])).newPasses, 1, 'a new run is seen');
  });
});

describe('GitHub sync: failures stay with their repo', () => {
  let fake: FakeGithub;
  before(async () => (fake = await FakeGithub.start()));
  after(() => fake.close());

  for (const [reader, restGroupMax] of [['batched GraphQL', 0], ['conditional REST', 100]] as const) {
    it(`over ${reader}, a repo that answers 5xx or never answers does not stop the others`, async () => {
      const { store, cohort, github } = await setup(fake, {}, restGroupMax);
      const names = ['ok1', 'broken', 'ok2', 'slow', 'ok3'].map((n) => `${n}${restGroupMax}`);
      const learners = names.map((name) => {
        starterRepo(fake, course, `${name}/course`);
        runChecks(fake, `${name}/course`, [first!.check]);
        return linkedLearner(store, cohort, name, `${name}/course`, NOW);
      });
      fake.fault(`${names[1]}/course`, { status: 502 });
      fake.fault(`${names[3]}/course`, { hangMs: 1000 });
      const report = await github.sync(learners, { force: true });
      fake.fault(`${names[1]}/course`, undefined);
      fake.fault(`${names[3]}/course`, undefined);

      assert.equal(report.newPasses, 3);
      const failed = new Map(report.failures.map((f) => [f.learnerId, f.reason]));
      assert.match(failed.get(learners[1]!.id) ?? '', new RegExp(`could not answer for ${names[1]}/course \\(HTTP 502\\)`));
      assert.match(failed.get(learners[3]!.id) ?? '', new RegExp(`${names[3]}/course`));
      assert.equal(failed.size, 2);
      for (const i of [0, 2, 4]) assert.ok(store.results.listForLearner(learners[i]!.id).some((r) => r.status === 'passed'));
      assert.match(store.syncState.get(learners[1]!.id)?.error ?? '', /502/);

      const retry = await github.sync(learners);
      assert.equal(retry.newPasses, 2, 'the next sync picks up the two that failed');
      assert.equal(celebrations(store, cohort).length, 5);
    });
  }

  for (const [reader, restGroupMax] of [['batched GraphQL', 0], ['conditional REST', 100]] as const) {
    it(`over ${reader}, says when a linked repo is gone, and still reads the others`, async () => {
      const { store, cohort, github } = await setup(fake, {}, restGroupMax);
      const gone = linkedLearner(store, cohort, 'gone', 'gone/nowhere', NOW);
      starterRepo(fake, course, `here${restGroupMax}/course`);
      runChecks(fake, `here${restGroupMax}/course`, [first!.check]);
      const here = linkedLearner(store, cohort, 'here', `here${restGroupMax}/course`, NOW);
      const report = await github.sync([gone, here]);
      assert.deepEqual(report.failures.map((f) => f.learnerId), [gone.id]);
      assert.match(report.failures[0]?.reason ?? '', /cannot see gone\/nowhere on GitHub/);
      assert.equal(report.newPasses, 1);
    });
  }
});

describe('GitHub sync: rate limits', () => {
  it('stops at its share of the hourly budget, waits for the reset, resumes and finishes', async () => {
    const fake = await FakeGithub.start('ghp_small', { limit: 6, windowMs: 1500 });
    try {
      const { store, cohort, github, logs } = await setup(fake, { GITHUB_SYNC_SHARE: '0.5' });
      const learners = Array.from({ length: 12 }, (_, i) => {
        starterRepo(fake, course, `r${i}/course`);
        runChecks(fake, `r${i}/course`, [first!.check]);
        return linkedLearner(store, cohort, `r${i}`, `r${i}/course`, NOW);
      });
      const report = await github.sync(learners);
      assert.equal(report.newPasses, 12, 'everyone synced in the end');
      assert.equal(report.failures.length, 0);
      assert.ok(logs.lines().some((l) => /waiting for the reset/.test(String(l.msg))), 'it waited for a reset');
      const overspent = fake.requests.filter((r) => r.status === 403);
      assert.equal(overspent.length, 0, 'never ran into the hard limit');
    } finally {
      await fake.close();
    }
  });

  it('when another client of the token used up the limit, waits for the reset and finishes', async () => {
    const fake = await FakeGithub.start('ghp_shared', { windowMs: 1500 });
    try {
      const { store, cohort, github } = await setup(fake);
      starterRepo(fake, course, 'shared/course');
      runChecks(fake, 'shared/course', [first!.check]);
      const learner = linkedLearner(store, cohort, 'shared', 'shared/course', NOW);
      fake.exhaust('graphql');
      fake.exhaust('core');
      const report = await github.sync([learner]);
      assert.equal(report.newPasses, 1);
      assert.equal(fake.requests[0]?.status, 403, 'GitHub refused the first try');
    } finally {
      await fake.close();
    }
  });

  it("rides out GitHub's secondary rate limit (429 with retry-after)", async () => {
    const fake = await FakeGithub.start();
    try {
      const { store, cohort, github } = await setup(fake);
      starterRepo(fake, course, 'sec/course');
      runChecks(fake, 'sec/course', [first!.check]);
      const learner = linkedLearner(store, cohort, 'sec', 'sec/course', NOW);
      fake.secondaryLimit(1, 1);
      const started = Date.now();
      const report = await github.sync([learner], { force: true });
      assert.equal(report.newPasses, 1);
      assert.ok(Date.now() - started >= 900, 'waited the second that retry-after asked for');
      assert.deepEqual(fake.requests.map((r) => r.status).slice(0, 2), [429, 200]);
    } finally {
      await fake.close();
    }
  });
});

