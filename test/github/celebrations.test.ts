import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { berlinCohort } from '../helpers/cohort-fixture.ts';
import { linkedLearner, runChecks, starterRepo } from '../helpers/github-fixture.ts';
import { githubTestServices } from '../helpers/github-services.ts';
import { realCourse } from '../helpers/test-services.ts';
import { FakeGithub } from '../fakes/github/fake-github.ts';

const NOW = new Date('2026-12-10T12:00:00Z');
const course = realCourse();
const TOTAL = course.modules.flatMap((m) => m.exercises).length;
const exercises = course.modules.flatMap((m) => m.exercises);

describe('celebrations of passes found by a sync', { timeout: 60_000 }, () => {
  let fake: FakeGithub;
  before(async () => (fake = await FakeGithub.start()));
  after(() => fake.close());

  const celebrations = (store: Awaited<ReturnType<typeof githubTestServices>>['store'], cohortId: number) =>
    store.outbox.listForCohort(cohortId).filter((m) => m.kind === 'celebration').map((m) => m.payload as { title: string; text: string });

  it('says once that a newly linked repo already passes ten exercises, then celebrates each later pass', async () => {
    const { store, github } = await githubTestServices(fake, NOW);
    const cohort = berlinCohort(store);
    starterRepo(fake, course, 'tenner/course');
    runChecks(fake, 'tenner/course', exercises.slice(0, 10).map((e) => e.check));
    const learner = linkedLearner(store, cohort, 'tenner', 'tenner/course', NOW);

    const report = await github.sync([learner], { force: true });
    assert.equal(report.newPasses, 10);
    const first = celebrations(store, cohort.id);
    assert.equal(first.length, 1, 'one message, not ten');
    assert.equal(first[0]?.title, '🎉 tenner linked their repo: 10 exercises already passing');
    const [listed = '', points = ''] = (first[0]?.text ?? '').split('\n');
    assert.ok(listed.startsWith(`${exercises[0]!.title}, ${exercises[1]!.title}, `) && listed.endsWith(' and 5 more'), listed);
    assert.match(points, new RegExp(`^\\+\\d+ points · .* 10/${TOTAL} exercises done$`));

    runChecks(fake, 'tenner/course', [exercises[10]!.check]);
    await github.sync([learner], { force: true });
    assert.deepEqual(celebrations(store, cohort.id).slice(1).map((c) => c.title), [`🎉 tenner passed ${exercises[10]!.title}`]);
  });

  it('records the passes of a paused cohort but keeps its channel quiet', async () => {
    const { store, github } = await githubTestServices(fake, NOW);
    const cohort = berlinCohort(store);
    store.cohorts.setStatus(cohort.id, 'paused');
    starterRepo(fake, course, 'quiet/course');
    runChecks(fake, 'quiet/course', [exercises[0]!.check]);
    const learner = linkedLearner(store, cohort, 'quiet', 'quiet/course', NOW);

    const report = await github.sync([learner], { force: true });
    assert.equal(report.newPasses, 1);
    assert.ok(store.results.listForLearner(learner.id).find((r) => r.exerciseId === exercises[0]!.id)?.firstPassedAt);
    assert.deepEqual(celebrations(store, cohort.id), []);
  });
});
