import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_CONTENT_DIR } from '../../src/content/load-course.ts';
import { officialFiles } from '../../src/content/starter-repo.ts';
import { FakeGithub } from '../fakes/github/fake-github.ts';
import { berlinCohort } from '../helpers/cohort-fixture.ts';
import { fakeRepoSync, linkedLearner, runChecks, starterFiles, starterRepo } from '../helpers/github-fixture.ts';
import { realCourse, testServices } from '../helpers/test-services.ts';

/** Where the readers look: the root tree for a guarded root file, REST's workflow runs for a suite's file. */
const NOW = new Date('2026-12-10T12:00:00Z');
const course = realCourse();
const [first] = course.modules[0]!.exercises;

async function setup(fake: FakeGithub, reader: 'graphql' | 'rest' = 'rest') {
  const { store, services } = await testServices(NOW);
  const sync = fakeRepoSync(fake, { store, course, clock: services.clock, logger: services.logger, guardedFiles: officialFiles(course, DEFAULT_CONTENT_DIR) }, reader);
  return { store, cohort: berlinCohort(store), sync };
}

describe('GitHub sync: a guarded file at the root of the repo (Cargo.toml)', () => {
  let fake: FakeGithub;
  before(async () => (fake = await FakeGithub.start()));
  after(() => fake.close());

  for (const reader of ['graphql', 'rest'] as const) {
    it(`over ${reader}, reads it from the root tree: unchanged counts, changed does not`, async () => {
      const { store, cohort, sync } = await setup(fake, reader);
      assert.ok(officialFiles(course, DEFAULT_CONTENT_DIR).some((f) => f.path === 'Cargo.toml'), "the workspace's Cargo.toml is guarded");
      const [kept, changed] = [`kept-${reader}/course`, `changed-${reader}/course`];
      for (const repo of [kept, changed]) starterRepo(fake, course, repo);
      fake.push(changed, { 'Cargo.toml': `${starterFiles(course)['Cargo.toml']}\n[profile.test]\nopt-level = 3\n` });
      for (const repo of [kept, changed]) runChecks(fake, repo, [first!.check]);
      const learners = [linkedLearner(store, cohort, 'kept', kept, NOW), linkedLearner(store, cohort, 'changed', changed, NOW)];
      await sync.sync(learners);
      const [ok, bad] = learners.map((l) => store.results.listForLearner(l.id).find((r) => r.exerciseId === first!.id));
      assert.deepEqual([ok?.status, ok?.detail], ['passed', null]);
      assert.equal(bad?.status, 'tampered');
      assert.match(bad?.detail ?? '', /but Cargo\.toml differs from the course's version/);
    });
  }
});

describe('GitHub sync over REST: what a workflow run says its file is', () => {
  let fake: FakeGithub;
  before(async () => (fake = await FakeGithub.start()));
  after(() => fake.close());

  it("counts the course's workflow named with a ref, and not a file named after it", async () => {
    const { store, cohort, sync } = await setup(fake);
    starterRepo(fake, course, 'refs/course');
    runChecks(fake, 'refs/course', [first!.check]);
    const suite = fake.repo('refs/course').checkSuites.at(-1)!;
    suite.workflowRun!.restPath = 'refs/course/.github/workflows/course.yml@refs/heads/main';
    fake.push('refs/course', {});
    runChecks(fake, 'refs/course', [first!.check], 'success', { workflowPath: '.github/workflows/course.yml@x.yml' });
    const refs = linkedLearner(store, cohort, 'refs', 'refs/course', NOW);
    const head = fake.repo('refs/course').branches.get('main');

    await sync.sync([refs]);
    const result = store.results.listForLearner(refs.id).find((r) => r.exerciseId === first!.id);
    assert.deepEqual([result?.status, result?.lastCommit], ['tampered', head]);
    assert.match(result?.detail ?? '', /ran in \.github\/workflows\/course\.yml@x\.yml, so it does not count/);

    const earlier = [...fake.repo('refs/course').commits.keys()].at(-2)!;
    fake.repo('refs/course').branches.set('main', earlier);
    await sync.sync([refs]);
    assert.equal(store.results.listForLearner(refs.id).find((r) => r.exerciseId === first!.id)?.status, 'passed', 'the suffixed path is the course workflow');
  });

  it("finds the course's suite when more workflow runs than one page share the head", async () => {
    const { store, cohort, sync } = await setup(fake);
    starterRepo(fake, course, 'busy/course');
    runChecks(fake, 'busy/course', [first!.check]);
    for (let i = 0; i < 100; i += 1) fake.addCheckRun('busy/course', { name: `lint-${i}`, workflowPath: `.github/workflows/lint-${i}.yml` });
    const busy = linkedLearner(store, cohort, 'busy', 'busy/course', NOW);
    assert.equal((await sync.sync([busy])).newPasses, 1);
    // The course's run is the oldest, so not on the first page (newest first): it is looked up by check_suite_id.
    assert.equal(fake.requests.filter((r) => r.path === '/repos/busy/course/actions/runs').length, 2);
  });
});
