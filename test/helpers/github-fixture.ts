import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { exerciseCrates } from '../../src/content/exercise-crates.ts';
import { DEFAULT_CONTENT_DIR } from '../../src/content/load-course.ts';
import { renderWorkflow, WORKFLOW_PATH } from '../../src/content/workflow.ts';
import type { Cohort, Learner } from '../../src/core/cohort.ts';
import type { Course } from '../../src/core/course.ts';
import type { Store } from '../../src/store/store.ts';
import type { FakeGithub } from '../fakes/github/fake-github.ts';

let files: Record<string, string> | undefined;
/** The course's workflow and test files as a learner's starter repo holds them (what the tamper check compares). */
export function starterFiles(course: Course): Record<string, string> {
  if (files) return files;
  const crates = exerciseCrates(course, DEFAULT_CONTENT_DIR);
  files = { [WORKFLOW_PATH]: renderWorkflow(crates.map((c) => c.exercise)), 'README.md': '# my course repo\n' };
  for (const { exercise, starterDir } of crates) {
    const testsDir = path.join(starterDir, 'tests');
    for (const file of readdirSync(testsDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.rs'))) {
      files[`exercises/${exercise.id}/tests/${file}`] = readFileSync(path.join(testsDir, file), 'utf8');
    }
  }
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

/** GitHub Actions finishing one job per exercise at the head, with `conclusion` (default success). */
export function runChecks(fake: FakeGithub, repo: string, checks: string[], conclusion: 'success' | 'failure' = 'success'): void {
  for (const name of checks) fake.addCheckRun(repo, { name, conclusion });
}
