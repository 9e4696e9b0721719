import { latestRuns, runsAt, type FakeCheckRun, type FakeCheckSuite, type FakeRepo } from './fake-repos.ts';
import type { FakeAnnotation } from './workflow-commands.ts';

/**
 * REST bodies of the fake's check runs and workflow runs, shaped like api.github.com's (`GET
 * /repos/{owner}/{repo}/commits/{ref}/check-runs` and `GET /repos/{owner}/{repo}/actions/runs`), trimmed of the
 * nested objects nobody here reads. URLs name api.github.com, as GitHub's own bodies do.
 */

const API = 'https://api.github.com';
const WEB = 'https://github.com';

/** The app object GitHub embeds in check runs; GitHub Actions' as on github.com, others made up or as recorded. */
export type AppBody = { id: number; slug: string; node_id: string; name: string; owner: { login: string; id: number; type: string } & Record<string, unknown> } & Record<string, unknown>;
const apps = new Map<string, AppBody>([
  [
    'github-actions',
    {
      id: 15368,
      slug: 'github-actions',
      node_id: 'MDM6QXBwMTUzNjg=',
      owner: { login: 'github', id: 9919, node_id: 'MDEyOk9yZ2FuaXphdGlvbjk5MTk=', type: 'Organization', site_admin: false },
      name: 'GitHub Actions',
      description: 'Automate your workflow from idea to production',
      external_url: 'https://help.github.com/en/actions',
      html_url: 'https://github.com/apps/github-actions',
      created_at: '2018-07-30T09:30:17Z',
      updated_at: '2024-04-10T20:33:16Z',
      permissions: { actions: 'write', checks: 'write', contents: 'write', metadata: 'read', statuses: 'write' },
      events: ['check_run', 'check_suite', 'push', 'workflow_dispatch'],
    },
  ],
]);

/** Makes the fake embed this app object (e.g. one from a recorded answer) in its check runs. */
export function registerApp(app: AppBody): void {
  apps.set(app.slug, app);
}

export function appBody(slug: string): AppBody {
  const known = apps.get(slug);
  if (known) return known;
  const id = 100_000 + [...slug].reduce((sum, c) => (sum * 31 + c.charCodeAt(0)) % 900_000, 0);
  const app: AppBody = { id, slug, node_id: Buffer.from(`04:App${id}`).toString('base64'), name: slug, owner: { login: `${slug}-org`, id: id + 1, type: 'Organization' } };
  apps.set(slug, app);
  return app;
}

/** `per_page` (default 30, at most 100) and `page` (from 1), as GitHub pages lists. */
function page<T>(items: readonly T[], query: URLSearchParams): T[] {
  const perPage = Math.min(100, Number(query.get('per_page') ?? 30) || 30);
  const pageNumber = Math.max(1, Number(query.get('page') ?? 1) || 1);
  return items.slice((pageNumber - 1) * perPage, pageNumber * perPage);
}

function checkRunBody(repo: FakeRepo, run: FakeCheckRun, suite: FakeCheckSuite | undefined) {
  const full = `${repo.owner}/${repo.name}`;
  const html = suite?.workflowRun ? `${WEB}/${full}/actions/runs/${suite.workflowRun.id}/job/${run.id}` : `${WEB}/${full}/runs/${run.id}`;
  return {
    id: run.id,
    name: run.name,
    node_id: `CR_kwDO${Buffer.from(`${repo.id}:${run.id}`).toString('base64url')}`,
    head_sha: run.headSha,
    external_id: '',
    url: `${API}/repos/${full}/check-runs/${run.id}`,
    html_url: html,
    details_url: html,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt ?? suite?.createdAt ?? null,
    completed_at: run.completedAt,
    output: { title: null, summary: null, text: null, annotations_count: run.annotations?.length ?? 0, annotations_url: `${API}/repos/${full}/check-runs/${run.id}/annotations` },
    check_suite: { id: run.suiteId },
    app: appBody(run.app),
    pull_requests: [],
  };
}

/** `GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations`: GitHub's check-annotation objects, paged. */
export function annotationsBody(repo: FakeRepo, run: FakeCheckRun, query: URLSearchParams) {
  return page(run.annotations ?? [], query).map((a) => annotationBody(a, `${repo.owner}/${repo.name}`, run.headSha));
}

/** One check-annotation as GitHub's REST API gives it. */
export function annotationBody(a: FakeAnnotation, fullName: string, headSha: string) {
  return {
    path: a.path,
    blob_href: `${WEB}/${fullName}/blob/${headSha}/${a.path}`,
    start_line: a.startLine,
    start_column: null,
    end_line: a.endLine,
    end_column: null,
    annotation_level: a.level,
    title: a.title,
    message: a.message,
    raw_details: null,
  };
}

/** `filter=latest` (GitHub's default) hides earlier attempts of a re-run within a suite; `filter=all` lists them. */
export function checkRunsBody(repo: FakeRepo, sha: string, query: URLSearchParams) {
  const all = runsAt(repo, sha);
  const runs = query.get('filter') === 'all' ? all : latestRuns(all);
  const suites = new Map(repo.checkSuites.map((s) => [s.id, s]));
  return { total_count: runs.length, check_runs: page(runs, query).map((run) => checkRunBody(repo, run, suites.get(run.suiteId))) };
}

function workflowRunBody(repo: FakeRepo, suite: FakeCheckSuite & { workflowRun: NonNullable<FakeCheckSuite['workflowRun']> }) {
  const full = `${repo.owner}/${repo.name}`;
  const run = suite.workflowRun;
  const jobs = latestRuns(repo.checkRuns.filter((r) => r.suiteId === suite.id));
  const done = jobs.length > 0 && jobs.every((j) => j.status === 'completed');
  const ok = jobs.every((j) => j.conclusion === 'success' || j.conclusion === 'skipped' || j.conclusion === 'neutral');
  const updatedAt = jobs.map((j) => j.completedAt ?? '').reduce((a, b) => (a > b ? a : b), suite.createdAt);
  const url = `${API}/repos/${full}/actions/runs/${run.id}`;
  return {
    id: run.id,
    name: run.name,
    node_id: `WFR_kwLO${Buffer.from(`${repo.id}:${run.id}`).toString('base64url')}`,
    head_branch: repo.defaultBranch,
    head_sha: suite.headSha,
    path: run.restPath ?? run.path,
    display_title: 'commit',
    run_number: run.runNumber,
    event: run.event,
    status: done ? 'completed' : jobs.some((j) => j.status === 'in_progress') ? 'in_progress' : 'queued',
    conclusion: done ? (ok ? 'success' : 'failure') : null,
    workflow_id: run.workflowId,
    check_suite_id: suite.id,
    check_suite_node_id: `CS_kwDO${Buffer.from(`${repo.id}:${suite.id}`).toString('base64url')}`,
    url,
    html_url: `${WEB}/${full}/actions/runs/${run.id}`,
    pull_requests: [],
    created_at: suite.createdAt,
    updated_at: updatedAt,
    run_attempt: run.runAttempt,
    referenced_workflows: [],
    run_started_at: suite.createdAt,
    jobs_url: `${url}/jobs`,
    logs_url: `${url}/logs`,
    check_suite_url: `${API}/repos/${full}/check-suites/${suite.id}`,
    artifacts_url: `${url}/artifacts`,
    cancel_url: `${url}/cancel`,
    rerun_url: `${url}/rerun`,
    previous_attempt_url: run.runAttempt > 1 ? `${url}/attempts/${run.runAttempt - 1}` : null,
    workflow_url: `${API}/repos/${full}/actions/workflows/${run.workflowId}`,
  };
}

/** Workflow runs, newest first, narrowed by `head_sha` and `check_suite_id` as GitHub's list endpoint does. */
export function workflowRunsBody(repo: FakeRepo, query: URLSearchParams) {
  const headSha = query.get('head_sha');
  const suiteId = query.get('check_suite_id');
  const suites = repo.checkSuites
    .filter((s): s is FakeCheckSuite & { workflowRun: NonNullable<FakeCheckSuite['workflowRun']> } => s.workflowRun !== null)
    .filter((s) => (headSha === null || s.headSha === headSha) && (suiteId === null || String(s.id) === suiteId))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id);
  return { total_count: suites.length, workflow_runs: page(suites, query).map((suite) => workflowRunBody(repo, suite)) };
}
