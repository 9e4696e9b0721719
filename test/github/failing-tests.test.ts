import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_CONTENT_DIR } from '../../src/content/load-course.ts';
import { officialFiles } from '../../src/content/starter-repo.ts';
import { FakeGithub } from '../fakes/github/fake-github.ts';
import { annotationsFromStepLog } from '../fakes/github/workflow-commands.ts';
import { berlinCohort } from '../helpers/cohort-fixture.ts';
import { fakeRepoSync, linkedLearner, starterRepo } from '../helpers/github-fixture.ts';
import { invocation, realCourse, testServices } from '../helpers/test-services.ts';

/** A day in the cohort's second week: module 01 is released, module 03 is not. */
const NOW = new Date('2026-12-15T12:00:00Z');
const course = realCourse();
const [lru, cli] = course.modules[0]!.exercises;
const later = course.modules[2]!.exercises[0]!;

/** The log lines the course's check script writes for these failing tests (see course-check.test.ts for the script itself). */
function checkLog(failing: string[], more = 0): string {
  return [
    ...failing.map((name) => `::error title=Failing test::${name}`),
    ...(more > 0 ? [`::error title=More failing tests::and ${more} more; the log above lists every one.`] : []),
    '::error title=Tests failed::cargo test exited with status 101.',
  ].join('\n');
}

async function setup(fake: FakeGithub, reader: 'graphql' | 'rest') {
  const { store, services, registry } = await testServices(NOW);
  const cohort = berlinCohort(store);
  const github = fakeRepoSync(fake, { ...services, guardedFiles: officialFiles(course, DEFAULT_CONTENT_DIR) }, reader);
  return { store, services, registry, cohort, github };
}

for (const reader of ['graphql', 'rest'] as const) {
  describe(`failing tests by name, over ${reader === 'rest' ? 'conditional REST' : 'batched GraphQL'}`, () => {
    let fake: FakeGithub;
    before(async () => (fake = await FakeGithub.start()));
    after(() => fake.close());
    const annotationReads = () => fake.requests.filter((r) => /\/check-runs\/\d+\/annotations$/.test(r.path));

    it('reads the annotations of a run that just failed, once, and /progress shows the names under the exercise', async () => {
      const { store, services, registry, cohort, github } = await setup(fake, reader);
      const repo = `ada-${reader}/course`;
      starterRepo(fake, course, repo);
      const ada = linkedLearner(store, cohort, 'u-ada', repo, NOW);
      const failed = fake.addCheckRun(repo, { name: lru!.check, conclusion: 'failure', annotations: annotationsFromStepLog(checkLog(['lru::evicts_least_recent', 'model::matches_a_model'])) });
      fake.addCheckRun(repo, { name: cli!.check, conclusion: 'success' });
      // Module 03 is not released: its starter fails on every push, and nobody reads why.
      fake.addCheckRun(repo, { name: later.check, conclusion: 'failure', annotations: annotationsFromStepLog(checkLog(['basic::opens'])) });
      const before = annotationReads().length;

      await github.sync([ada]);
      assert.deepEqual(annotationReads().slice(before).map((r) => r.path), [`/repos/${repo}/check-runs/${failed.id}/annotations`]);
      const result = store.results.listForLearner(ada.id).find((r) => r.exerciseId === lru!.id);
      assert.deepEqual(result?.failing, { runId: failed.id, tests: { names: ['lru::evicts_least_recent', 'model::matches_a_model'], more: 0 } });
      assert.equal(store.results.listForLearner(ada.id).find((r) => r.exerciseId === later.id)?.failing, null);

      const progress = await registry.execute(invocation('progress'), services);
      const module1 = progress.fields?.find((f) => f.name.startsWith('Module 01'))?.value ?? '';
      assert.match(module1, /❌ .*`ex01-lru-cache`\).*\n {4}failing: `lru::evicts_least_recent`, `model::matches_a_model`/);

      // Read again (nothing new, or forced): the names are kept and the annotations are not asked for again.
      await github.sync([ada]);
      await github.sync([ada], { force: true });
      assert.equal(annotationReads().length - before, 1);
      assert.deepEqual(store.results.listForLearner(ada.id).find((r) => r.exerciseId === lru!.id)?.failing?.tests.names, ['lru::evicts_least_recent', 'model::matches_a_model']);
    });

    it('a new failing push is read again; a pass clears the names', async () => {
      const { store, cohort, github } = await setup(fake, reader);
      const repo = `bob-${reader}/course`;
      starterRepo(fake, course, repo);
      const bob = linkedLearner(store, cohort, 'u-bob', repo, NOW);
      fake.addCheckRun(repo, { name: lru!.check, conclusion: 'failure', annotations: annotationsFromStepLog(checkLog(['lru::a'])) });
      await github.sync([bob]);

      fake.push(repo, { 'exercises/ex01-lru-cache/src/lib.rs': '// closer\n' });
      const names = Array.from({ length: 5 }, (_, i) => `lru::case_${i}`);
      fake.addCheckRun(repo, { name: lru!.check, conclusion: 'failure', annotations: annotationsFromStepLog(checkLog(names, 7)) });
      await github.sync([bob]);
      assert.deepEqual(store.results.listForLearner(bob.id).find((r) => r.exerciseId === lru!.id)?.failing?.tests, { names, more: 7 });

      fake.push(repo, { 'exercises/ex01-lru-cache/src/lib.rs': '// done\n' });
      fake.addCheckRun(repo, { name: lru!.check, conclusion: 'success' });
      await github.sync([bob]);
      const result = store.results.listForLearner(bob.id).find((r) => r.exerciseId === lru!.id);
      assert.equal(result?.status, 'passed');
      assert.equal(result?.failing, null);
    });

    it('takes only test names from annotations: a mention, a link or another title is not stored', async () => {
      const { store, cohort, github } = await setup(fake, reader);
      const repo = `eve-${reader}/course`;
      starterRepo(fake, course, repo);
      const eve = linkedLearner(store, cohort, 'u-eve', repo, NOW);
      const log = [
        '::error title=Failing test::@everyone <@&123> look',
        '::error title=Failing test::[click](https://evil.example)',
        `::error title=Failing test::${'x'.repeat(300)}`,
        '::warning title=Failing test::lru::only_a_warning',
        '::error title=Build script::lru::not_a_test',
        '::error title=Failing test::lru::real_one',
      ].join('\n');
      fake.addCheckRun(repo, { name: lru!.check, conclusion: 'failure', annotations: annotationsFromStepLog(log) });
      await github.sync([eve]);
      assert.deepEqual(store.results.listForLearner(eve.id).find((r) => r.exerciseId === lru!.id)?.failing?.tests, { names: ['lru::real_one'], more: 0 });
    });

    it('a timed-out or cancelled run names nothing and costs no read', async () => {
      const { store, cohort, github } = await setup(fake, reader);
      const repo = `tim-${reader}/course`;
      starterRepo(fake, course, repo);
      const tim = linkedLearner(store, cohort, 'u-tim', repo, NOW);
      fake.addCheckRun(repo, { name: lru!.check, conclusion: 'timed_out' });
      const before = annotationReads().length;
      await github.sync([tim]);
      assert.equal(annotationReads().length, before);
      assert.equal(store.results.listForLearner(tim.id).find((r) => r.exerciseId === lru!.id)?.status, 'failed');
    });

    it('GitHub failing to give the annotations costs only the names: the verdict is stored and the next run is read', async () => {
      const { store, cohort, github } = await setup(fake, reader);
      const repo = `uma-${reader}/course`;
      starterRepo(fake, course, repo);
      const uma = linkedLearner(store, cohort, 'u-uma', repo, NOW);
      const run = fake.addCheckRun(repo, { name: lru!.check, conclusion: 'failure', annotations: annotationsFromStepLog(checkLog(['lru::a'])) });
      fake.failPath(`/repos/${repo}/check-runs/${run.id}/annotations`, 502);
      const report = await github.sync([uma]);
      assert.equal(report.failures.length, 0);
      const result = store.results.listForLearner(uma.id).find((r) => r.exerciseId === lru!.id);
      assert.equal(result?.status, 'failed');
      assert.equal(result?.failing, null);
      fake.failPath(`/repos/${repo}/check-runs/${run.id}/annotations`, undefined);
      await github.sync([uma], { force: true });
      assert.deepEqual(store.results.listForLearner(uma.id).find((r) => r.exerciseId === lru!.id)?.failing?.tests.names, ['lru::a'], 'read once GitHub answers');
    });
  });
}
