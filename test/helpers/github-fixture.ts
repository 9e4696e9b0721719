import { DEFAULT_CONTENT_DIR } from '../../src/content/load-course.ts';
import { officialFiles } from '../../src/content/starter-repo.ts';
import { notCountedReply } from '../../src/chat/views/not-counted.ts';
import { loadConfig } from '../../src/config.ts';
import type { OfficialFile } from '../../src/content/starter-repo.ts';
import type { Clock } from '../../src/core/clock.ts';
import type { Cohort, Learner } from '../../src/core/cohort.ts';
import type { Course } from '../../src/core/course.ts';
import { createGithubAccess } from '../../src/github/github-access.ts';
import { createRepoSync, type RepoSync } from '../../src/github/repo-sync.ts';
import type { Logger } from '../../src/logger.ts';
import type { Store } from '../../src/store/store.ts';
import type { FakeGithub } from '../fakes/github/fake-github.ts';

let files: Record<string, string> | undefined;
/**
 * Every official file (workflow, check script and data, workspace Cargo.toml, tests) with the content a learner's
 * starter repo holds, plus a README: what the tamper check compares.
 */
export function starterFiles(course: Course): Record<string, string> {
  if (files) return files;
  files = { 'README.md': '# my course repo\n' };
  for (const file of officialFiles(course, DEFAULT_CONTENT_DIR)) files[file.path] = file.content;
  return files;
}

/** A learner's repo on the fake, created from the starter. */
export function starterRepo(fake: FakeGithub, course: Course, fullName: string): void {
  const [owner = '', name = ''] = fullName.split('/');
  fake.addRepo({ owner, name, defaultBranch: 'main', files: starterFiles(course) });
}

/** A learner of `cohort` whose verified repo is `repo`. */
export function linkedLearner(store: Store, cohort: Cohort, userId: string, repo: string, at: Date): Learner {
  const { learner } = store.learners.join(cohort.id, userId, userId, at);
  store.learners.linkGithub(learner.id, repo.split('/')[0] ?? '', repo, at);
  return store.learners.get(learner.id) ?? learner;
}

/** Where check runs come from: the course's workflow by default, or another workflow file, or another app. */
export type RunSource = { workflowPath: string } | { app: string };

/**
 * GitHub Actions finishing one job per exercise at the head, with `conclusion` (default success), in the suite of
 * the course's workflow — or, given `from`, look-alike runs of the same names from another workflow file or app.
 */
export function runChecks(fake: FakeGithub, repo: string, checks: string[], conclusion: 'success' | 'failure' = 'success', from?: RunSource): void {
  for (const name of checks) fake.addCheckRun(repo, { name, conclusion, ...from });
}

/**
 * A repo sync against the fake, wired as the service wires it (celebrations reduced to their exercises), reading
 * over batched GraphQL or conditional REST. `guardedFiles` defaults to the course's official files.
 */
export function fakeRepoSync(
  fake: FakeGithub,
  deps: { store: Store; course: Course; clock: Clock; logger: Logger; guardedFiles: readonly OfficialFile[] },
  reader: 'graphql' | 'rest',
): RepoSync {
  const config = loadConfig({ GITHUB_TOKEN: fake.token, GITHUB_API_URL: fake.apiUrl });
  const access = createGithubAccess(config.github, { share: config.github.syncShare, logger: deps.logger, retryBaseMs: 5, timeoutMs: 2000 });
  if (!access) throw new Error('no GitHub access');
  return createRepoSync({
    ...deps,
    access,
    celebrate: (_learner: Learner, exercises: unknown) => ({ title: 'passed', exercises }),
    notCounted: notCountedReply,
    onCelebrated: () => {},
    restGroupMax: reader === 'rest' ? 100 : 0,
  });
}
