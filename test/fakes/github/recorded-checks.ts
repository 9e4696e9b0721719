import { readFileSync } from 'node:fs';
import { registerApp, type AppBody } from './fake-actions.ts';
import type { FakeGithub } from './fake-github.ts';
import { addCheckRun, addCheckSuite, type FakeCheckRun } from './fake-repos.ts';

/**
 * GitHub's answers about the checks at one commit, kept in test/fixtures/github/<case>/: the REST check runs
 * (`filter=all`), the workflow runs at that head, and the GraphQL snapshot query's answer (see each case.json).
 */
export interface RecordedCase {
  name: string;
  about: string;
  repository: string;
  headSha: string;
  checkRuns: {
    total_count: number;
    check_runs: {
      id: number;
      name: string;
      head_sha: string;
      status: FakeCheckRun['status'];
      conclusion: FakeCheckRun['conclusion'];
      started_at: string | null;
      completed_at: string | null;
      check_suite: { id: number } | null;
      app: AppBody | null;
    }[];
  };
  workflowRuns: {
    total_count: number;
    workflow_runs: { id: number; name: string; path: string; check_suite_id: number; workflow_id: number; run_number: number; run_attempt: number; event: string; created_at: string }[];
  };
  snapshot: { data: { r0: { defaultBranchRef: { target: Record<string, unknown> } } } };
}

export const RECORDED_CASES = ['two-workflows', 'course-absent', 'renamed-job', 're-run', 'other-app'] as const;

export function readRecordedCase(name: string): RecordedCase {
  const read = (file: string) => JSON.parse(readFileSync(new URL(`../../fixtures/github/${name}/${file}`, import.meta.url), 'utf8')) as unknown;
  const meta = read('case.json') as { about: string; repository: string; head_sha: string };
  return {
    name,
    about: meta.about,
    repository: meta.repository,
    headSha: meta.head_sha,
    checkRuns: read('check-runs.json') as RecordedCase['checkRuns'],
    workflowRuns: read('workflow-runs.json') as RecordedCase['workflowRuns'],
    snapshot: read('snapshot.graphql.json') as RecordedCase['snapshot'],
  };
}

/**
 * Puts a recorded case into the fake's repo `fullName`: a commit with the recorded SHA that adds the workflow
 * files the runs name, then its check suites (with their workflow runs and apps) and check runs, ids as recorded,
 * so the fake serves exactly those runs over REST and GraphQL.
 */
export function loadRecordedCase(fake: FakeGithub, fullName: string, recorded: RecordedCase): void {
  const workflows = Object.fromEntries(recorded.workflowRuns.workflow_runs.map((run) => [run.path, `name: ${run.name}\non: push\n`]));
  delete workflows['.github/workflows/course.yml']; // the course's own stays as the starter has it
  fake.push(fullName, workflows, recorded.headSha);
  const repo = fake.repo(fullName);
  const byId = [...recorded.checkRuns.check_runs].sort((a, b) => a.id - b.id);
  const started = (suiteId: number) => byId.filter((r) => r.check_suite?.id === suiteId).map((r) => r.started_at ?? '').sort()[0] ?? '';
  const suites = new Map<number, { app: AppBody; createdAt: string }>();
  for (const run of byId) {
    if (!run.check_suite || !run.app || suites.has(run.check_suite.id)) continue;
    const workflowRun = recorded.workflowRuns.workflow_runs.find((w) => w.check_suite_id === run.check_suite!.id);
    suites.set(run.check_suite.id, { app: run.app, createdAt: workflowRun?.created_at ?? started(run.check_suite.id) });
  }
  for (const [id, { app, createdAt }] of [...suites].sort(([a, x], [b, y]) => x.createdAt.localeCompare(y.createdAt) || a - b)) {
    registerApp(app);
    const run = recorded.workflowRuns.workflow_runs.find((w) => w.check_suite_id === id);
    addCheckSuite(repo, {
      id,
      headSha: recorded.headSha,
      app: app.slug,
      createdAt,
      workflowRun: run
        ? { id: run.id, name: run.name, path: run.path, workflowId: run.workflow_id, runNumber: run.run_number, runAttempt: run.run_attempt, event: run.event }
        : null,
    });
  }
  for (const run of byId) {
    addCheckRun(repo, {
      id: run.id,
      name: run.name,
      headSha: run.head_sha,
      status: run.status,
      conclusion: run.conclusion,
      app: run.app?.slug ?? 'unknown',
      ...(run.check_suite ? { suiteId: run.check_suite.id } : {}),
      ...(run.started_at ? { startedAt: run.started_at } : {}),
      completedAt: run.completed_at,
    });
  }
}
