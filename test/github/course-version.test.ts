import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { COURSE_WORKFLOW_PATH } from '../../src/core/course.ts';
import { gitBlobSha } from '../../src/content/git-blob-sha.ts';
import { DEFAULT_CONTENT_DIR } from '../../src/content/load-course.ts';
import { officialFiles } from '../../src/content/starter-repo.ts';
import { FakeGithub } from '../fakes/github/fake-github.ts';
import { berlinCohort } from '../helpers/cohort-fixture.ts';
import { fakeRepoSync, linkedLearner, starterRepo } from '../helpers/github-fixture.ts';
import { invocation, realCourse, testServices } from '../helpers/test-services.ts';

const NOW = new Date('2026-12-15T12:00:00Z');
const course = realCourse();
const lru = course.modules[0]!.exercises[0]!;
const ORGANISER = { user: { id: 'org', displayName: 'Org', isOrganiser: true } };
/** A workflow the course published before today's: accepted by the tamper check, but without the newer exercises' jobs. */
const EARLIER_WORKFLOW = 'name: Course checks\n# as the course published it before the newest milestones\n';
const EARLIER_FIELD = /^Repos on an earlier version of the course/;

async function setup(fake: FakeGithub, reader: 'graphql' | 'rest') {
  const { store, services, registry } = await testServices(NOW);
  const cohort = berlinCohort(store);
  const guardedFiles = officialFiles(course, DEFAULT_CONTENT_DIR).map((file) =>
    file.path === COURSE_WORKFLOW_PATH ? { ...file, formerShas: [...file.formerShas, gitBlobSha(EARLIER_WORKFLOW)] } : file,
  );
  const github = fakeRepoSync(fake, { ...services, guardedFiles }, reader);
  return { store, services, registry, cohort, github };
}

for (const reader of ['graphql', 'rest'] as const) {
  describe(`a repo from an earlier starter, over ${reader === 'rest' ? 'conditional REST' : 'batched GraphQL'}`, () => {
    let fake: FakeGithub;
    before(async () => (fake = await FakeGithub.start()));
    after(() => fake.close());

    it('is told in /progress and listed in /cohort status until its workflow is the current one', async () => {
      const { store, services, registry, cohort, github } = await setup(fake, reader);
      const repo = `ada-${reader}/course`;
      starterRepo(fake, course, repo);
      const current = officialFiles(course, DEFAULT_CONTENT_DIR).find((f) => f.path === COURSE_WORKFLOW_PATH)!.content;
      // REST reads a commit's files only once a run there passed: each push below has one.
      const passing = () => fake.addCheckRun(repo, { name: lru.check, conclusion: 'success' });
      fake.push(repo, { [COURSE_WORKFLOW_PATH]: EARLIER_WORKFLOW });
      passing();
      const ada = linkedLearner(store, cohort, 'u-ada', repo, NOW);
      await github.sync([ada]);
      assert.equal(store.syncState.get(ada.id)?.courseVersion, 'earlier');
      // A push with only a failing run: what REST did not look at is kept as last known.
      fake.push(repo, { 'exercises/ex01-lru-cache/src/lib.rs': '// closer\n' });
      fake.addCheckRun(repo, { name: lru.check, conclusion: 'failure' });
      await github.sync([ada]);
      assert.equal(store.syncState.get(ada.id)?.courseVersion, 'earlier');
      const progress = await registry.execute(invocation('progress'), services);
      assert.match(progress.footer ?? '', /^Your repo has the course as it was when you started: exercises added since have no check in it/);
      const next = await registry.execute(invocation('next-module'), services);
      assert.match(next.footer ?? '', /Your repo has the course as it was when you started: exercises added since cannot count there/);
      const status = await registry.execute(invocation('cohort', 'status', ORGANISER), services);
      const field = status.fields?.find((f) => EARLIER_FIELD.test(f.name));
      assert.equal(field?.name, 'Repos on an earlier version of the course (1)');
      assert.match(field?.value ?? '', new RegExp(`^u-ada: ${repo}\\n.*npm run starter -- --update`));

      fake.push(repo, { [COURSE_WORKFLOW_PATH]: current });
      passing();
      await github.sync([ada]);
      assert.equal(store.syncState.get(ada.id)?.courseVersion, 'current');
      assert.match((await registry.execute(invocation('progress'), services)).footer ?? '', /^Results come from your repo’s CI checks/);
      assert.doesNotMatch((await registry.execute(invocation('next-module'), services)).footer ?? '', /as it was when you started/);
      assert.equal((await registry.execute(invocation('cohort', 'status', ORGANISER), services)).fields?.find((f) => EARLIER_FIELD.test(f.name)), undefined);

      // A workflow the course never published is no version of it: the exercises' verdicts say it was changed.
      fake.push(repo, { [COURSE_WORKFLOW_PATH]: `${current}# mine\n` });
      passing();
      await github.sync([ada]);
      assert.equal(store.syncState.get(ada.id)?.courseVersion, null);
    });
  });
}
