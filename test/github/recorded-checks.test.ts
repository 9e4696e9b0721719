import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { officialFiles } from '../../src/content/starter-repo.ts';
import { DEFAULT_CONTENT_DIR } from '../../src/content/load-course.ts';
import type { ExerciseStatus } from '../../src/core/cohort.ts';
import { createGithubClient } from '../../src/github/client.ts';
import { snapshotsQuery } from '../../src/github/repo-queries.ts';
import { createLogger } from '../../src/logger.ts';
import { FakeGithub } from '../fakes/github/fake-github.ts';
import { loadRecordedCase, readRecordedCase, RECORDED_CASES } from '../fakes/github/recorded-checks.ts';
import { berlinCohort } from '../helpers/cohort-fixture.ts';
import { fakeRepoSync, linkedLearner, starterRepo } from '../helpers/github-fixture.ts';
import { realCourse, testServices } from '../helpers/test-services.ts';

/**
 * The check suites GitHub reports at a learner's head in each recorded case (test/fixtures/github), served by the
 * fake exactly as recorded and read by both readers: only the course's workflow's own jobs count.
 */
const NOW = new Date('2026-12-08T15:00:00Z');
const course = realCourse();
const [ex01, ex02] = course.modules[0]!.exercises;
const ONLY_OURS = "only the course's workflow .github/workflows/course.yml counts.";

/** What each case must come to, for ex01 and ex02, and the "did not count" message if one is due. */
const expected: Record<(typeof RECORDED_CASES)[number], { ex01: [ExerciseStatus, string | null]; ex02: [ExerciseStatus, string | null]; told?: RegExp[] }> = {
  'two-workflows': {
    ex01: ['failed', `The ex01-lru-cache check finished with "failure". Another ex01-lru-cache check passed, but it ran in .github/workflows/mine.yml: ${ONLY_OURS}`],
    ex02: ['passed', null],
  },
  'course-absent': {
    ex01: ['tampered', `The ex01-lru-cache check that passed ran in .github/workflows/mine.yml, so it does not count: ${ONLY_OURS}`],
    ex02: ['tampered', `The ex02-config-cli check that passed ran in .github/workflows/mine.yml, so it does not count: ${ONLY_OURS}`],
    told: [/^`ex01-lru-cache`: The ex01-lru-cache check that passed ran in \.github\/workflows\/mine\.yml/m, /^`ex02-config-cli`: The ex02-config-cli check that passed ran in \.github\/workflows\/mine\.yml/m],
  },
  'renamed-job': {
    ex01: ['failed', `The ex01-lru-cache check finished with "failure". Another ex01-lru-cache check passed, but it ran in .github/workflows/ci.yml: ${ONLY_OURS}`],
    ex02: ['passed', null],
  },
  're-run': { ex01: ['passed', null], ex02: ['passed', null] },
  'other-app': {
    ex01: ['failed', `The ex01-lru-cache check finished with "failure". Another ex01-lru-cache check passed, but it was created by circleci-checks, not by GitHub Actions: ${ONLY_OURS}`],
    ex02: ['passed', null],
  },
};

describe('recorded check suites, through both readers', () => {
  let fake: FakeGithub;
  before(async () => (fake = await FakeGithub.start()));
  after(() => fake.close());
  const octokit = () => createGithubClient({ token: fake.token, apiUrl: fake.apiUrl, logger: createLogger('silent'), retry: false, throttle: false });

  for (const name of RECORDED_CASES) {
    const recorded = readRecordedCase(name);
    const [owner, repoName] = recorded.repository.split('/') as [string, string];

    it(`${name}: the fake serves the recorded answers (REST check runs and workflow runs, GraphQL suites)`, async () => {
      const repo = `${owner}/${repoName}-served`;
      starterRepo(fake, course, repo);
      loadRecordedCase(fake, repo, recorded);
      const gh = octokit();
      const params = { owner, repo: `${repoName}-served` };
      const runs = await gh.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { ...params, ref: recorded.headSha, filter: 'all', per_page: 100 });
      const used = (r: (typeof runs.data.check_runs)[number] | RecordedRun) => [Number(r.id), r.name, r.head_sha, r.status, r.conclusion, r.completed_at, r.app?.slug, r.check_suite?.id];
      const byId = (list: unknown[][]) => [...list].sort((a, b) => Number(a[0]) - Number(b[0]));
      assert.deepEqual(byId(runs.data.check_runs.map(used)), byId(recorded.checkRuns.check_runs.map(used)));
      const workflowRuns = await gh.request('GET /repos/{owner}/{repo}/actions/runs', { ...params, head_sha: recorded.headSha, per_page: 100 });
      const run = (w: { id: number | bigint; check_suite_id?: number | bigint; path: string; run_attempt?: number; workflow_id: number | bigint; name?: string | null }) => [
        Number(w.id),
        Number(w.check_suite_id),
        w.path,
        w.run_attempt,
        Number(w.workflow_id),
        w.name,
      ];
      assert.deepEqual(workflowRuns.data.workflow_runs.map(run), recorded.workflowRuns.workflow_runs.map(run));
      const answer = await gh.graphql<{ r0: { defaultBranchRef: { target: { checkSuites: unknown } } } }>(snapshotsQuery(1, 1), {
        o0: owner,
        n0: `${repoName}-served`,
        d0: 'HEAD:.github/workflows',
      });
      assert.deepEqual(answer.r0.defaultBranchRef.target.checkSuites, recorded.snapshot.data.r0.defaultBranchRef.target.checkSuites);
    });

    for (const reader of ['graphql', 'rest'] as const) {
      it(`${name} over ${reader}: ${recorded.about}`, async () => {
        const { store, clock, services } = await testServices(NOW);
        const cohort = berlinCohort(store);
        const repo = `${owner}/${repoName}-${name}-${reader}`;
        starterRepo(fake, course, repo);
        loadRecordedCase(fake, repo, recorded);
        const learner = linkedLearner(store, cohort, 'ada', repo, NOW);
        const sync = fakeRepoSync(fake, { store, course, clock, logger: services.logger, guardedFiles: officialFiles(course, DEFAULT_CONTENT_DIR) }, reader);

        const report = await sync.sync([learner]);
        assert.deepEqual(report.failures, []);
        const results = new Map(store.results.listForLearner(learner.id).map((r) => [r.exerciseId, r]));
        const want = expected[name];
        assert.deepEqual([results.get(ex01!.id)?.status, results.get(ex01!.id)?.detail], want.ex01);
        assert.deepEqual([results.get(ex02!.id)?.status, results.get(ex02!.id)?.detail], want.ex02);
        assert.equal(results.get(ex01!.id)?.lastCommit, recorded.headSha);

        const told = store.outbox.due(new Date('2100-01-01'), ['console'], 100).filter((m) => m.kind === 'not-counted');
        assert.equal(told.length, want.told ? 1 : 0, 'a "did not count" message only when a look-alike stood in for a missing official run');
        if (want.told) {
          assert.equal(told[0]?.recipientUserId, 'ada');
          const text = (told[0]?.payload as { text: string }).text;
          for (const line of want.told) assert.match(text, line);
        }
      });
    }
  }
});

type RecordedRun = ReturnType<typeof readRecordedCase>['checkRuns']['check_runs'][number];
