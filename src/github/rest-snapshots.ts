import { createHash } from 'node:crypto';
import type { CheckRunFacts } from '../core/exercise-verdict.ts';
import type { Store } from '../store/store.ts';
import { budgetedConditionalGet } from './conditional-get.ts';
import type { RepoClient } from './github-access.ts';
import type { Found, QueryOptions, RepoSnapshot } from './repo-queries.ts';

interface RepoBody {
  default_branch: string;
}
interface BranchBody {
  commit: { sha: string };
}
interface CheckRunsBody {
  check_runs: {
    id: number;
    name: string;
    head_sha: string;
    status: string;
    conclusion: string | null;
    completed_at: string | null;
    app: { slug: string } | null;
    check_suite: { id: number } | null;
  }[];
}
interface WorkflowRunsBody {
  total_count: number;
  workflow_runs: { id: number; check_suite_id?: number; path: string }[];
}
interface TreeBody {
  tree: { path: string; type: string; sha: string }[];
}

/** A snapshot read over REST, and whether every answer was a 304 (nothing changed since the last read). */
export interface RestSnapshot {
  found: Found<RepoSnapshot>;
  unchanged: boolean;
}

/** Stands in for GraphQL's rollup in the sync state: it changes whenever a run at the head does. */
function runsSignature(runs: readonly CheckRunFacts[]): string {
  const lines = runs.map((r) => `${r.name}|${r.status}|${r.conclusion ?? ''}|${r.appSlug ?? ''}|${r.workflowPath ?? ''}|${r.completedAt ?? ''}`).sort();
  return `rest:${createHash('sha1').update(lines.join('\n')).digest('hex')}`;
}

const WORKFLOW_FILE = /^\.github\/workflows\/[^/]+\.ya?ml$/;

/**
 * The workflow file of a workflow run, as a path in `fullName`, from REST's `path`. Real payloads show
 * `.github/workflows/ci.yml` (@octokit/webhooks-examples), but GitHub's REST description's example is
 * `octocat/octo-repo/.github/workflows/ci.yml@main`: the owner/repo of the file and the ref it ran from. Both are
 * read, deliberately and no further: the owner/repo prefix is dropped only when it names this repository (a
 * workflow stored in another repository, e.g. an organisation's required workflow, keeps it and so never counts),
 * and an `@ref` suffix only where it cannot belong to the file's own name — GitHub runs only `.yml`/`.yaml` files
 * placed directly in .github/workflows, so `course.yml@x.yml` is a file of that name, never course.yml at ref x.yml.
 */
export function workflowFilePath(path: string, fullName: string): string {
  const prefix = `${fullName}/`.toLowerCase();
  const inRepo = path.toLowerCase().startsWith(prefix) ? path.slice(prefix.length) : path;
  if (WORKFLOW_FILE.test(inRepo)) return inRepo;
  // The last `@` that leaves a workflow file before it and a ref after it (`refs/heads/a@b` may hold an `@` too).
  for (let at = inRepo.lastIndexOf('@'); at > 0; at = inRepo.lastIndexOf('@', at - 1)) {
    const [file, ref] = [inRepo.slice(0, at), inRepo.slice(at + 1)];
    if (WORKFLOW_FILE.test(file) && ref !== '' && (ref.includes('/') || !/\.ya?ml$/i.test(ref))) return file;
  }
  return inRepo;
}

/**
 * One repository's snapshot from conditional REST requests: repo, branch head, check runs at that commit and,
 * when a run passed, the commit's tree. Each sends its stored ETag, so an unchanged repo costs no rate limit at
 * all — cheaper than a GraphQL query (at least 1 point) when a query would cover only a few repositories, as with
 * a GitHub App installed on one learner's repo.
 */
export async function fetchSnapshotRest(client: RepoClient, store: Store, fullName: string, folders: readonly string[], now: Date, options: QueryOptions): Promise<RestSnapshot> {
  const [owner = '', repo = ''] = fullName.split('/');
  let unchanged = true;
  const get = async <T>(route: string, params: Record<string, string | number>, keep: (data: T) => T): Promise<T | undefined> => {
    try {
      const answer = await budgetedConditionalGet<T>(client, store, route, params, now, options, { as: 'snapshot', keep });
      unchanged &&= !answer.changed;
      return answer.data;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 404 || status === 409 || status === 422) return undefined;
      throw error;
    }
  };

  const info = await get<RepoBody>('GET /repos/{owner}/{repo}', { owner, repo }, (data) => ({ default_branch: data.default_branch }));
  if (!info) return { found: { kind: 'missing' }, unchanged: false };
  const branch = await get<BranchBody>('GET /repos/{owner}/{repo}/branches/{branch}', { owner, repo, branch: info.default_branch }, (data) => ({
    commit: { sha: data.commit.sha },
  }));
  if (!branch) return { found: { kind: 'empty' }, unchanged };
  const oid = branch.commit.sha;
  // Every attempt (`filter=all`, where GitHub's default keeps only each suite's latest): the verdict picks the newest.
  const checks = await get<CheckRunsBody>('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { owner, repo, ref: oid, filter: 'all', per_page: 100 }, (data) => ({
    check_runs: data.check_runs.map(({ id, name, head_sha, status, conclusion, completed_at, app, check_suite }) => ({
      id,
      name,
      head_sha,
      status,
      conclusion,
      completed_at,
      app: app && { slug: app.slug },
      check_suite: check_suite && { id: check_suite.id },
    })),
  }));
  const checkRuns = checks?.check_runs ?? [];
  const paths = await workflowPaths(
    checkRuns.flatMap((run) => (run.app?.slug === 'github-actions' && run.check_suite ? [run.check_suite.id] : [])),
    (params) => get<WorkflowRunsBody>('GET /repos/{owner}/{repo}/actions/runs', { owner, repo, ...params, per_page: 100 }, keepPaths),
    oid,
  );
  const runs: CheckRunFacts[] = checkRuns.map((run) => {
    const path = run.check_suite ? paths.get(run.check_suite.id) : undefined;
    return {
      id: run.id,
      name: run.name,
      headSha: run.head_sha,
      status: run.status as CheckRunFacts['status'],
      conclusion: run.conclusion,
      appSlug: run.app?.slug ?? null,
      workflowPath: path === undefined ? null : workflowFilePath(path, fullName),
      completedAt: run.completed_at,
    };
  });
  const blobs = new Map<string, string>();
  // Files matter only for a run that passed; a commit's tree never changes, so after the first read it is a 304.
  if (runs.some((run) => run.conclusion === 'success')) {
    const wanted = new Set(folders);
    const guarded = (entry: TreeBody['tree'][number]) => entry.type === 'blob' && wanted.has(entry.path.split('/').slice(0, -1).join('/'));
    const tree = await get<TreeBody>('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', { owner, repo, tree_sha: oid, recursive: 1 }, (data) => ({
      tree: data.tree.filter(guarded).map(({ path, type, sha }) => ({ path, type, sha })),
    }));
    for (const entry of tree?.tree ?? []) if (guarded(entry)) blobs.set(entry.path, entry.sha);
  }
  return { found: { kind: 'ok', value: { oid, rollup: runsSignature(runs), runs, blobs } }, unchanged };
}

const keepPaths = (data: WorkflowRunsBody): WorkflowRunsBody => ({
  total_count: data.total_count,
  workflow_runs: data.workflow_runs.map(({ id, check_suite_id, path }) => ({ id, check_suite_id, path })),
});

/**
 * The workflow file (REST's raw `path`) of each Actions check suite, by suite id: one listing of the workflow runs
 * at the head, and, only if that holds more runs than one page, a lookup by `check_suite_id` of each suite it missed.
 */
async function workflowPaths(
  suiteIds: readonly number[],
  list: (params: Record<string, string | number>) => Promise<WorkflowRunsBody | undefined>,
  headSha: string,
): Promise<Map<number, string>> {
  const paths = new Map<number, string>();
  const wanted = [...new Set(suiteIds)];
  if (wanted.length === 0) return paths;
  const add = (body: WorkflowRunsBody | undefined) => {
    for (const run of body?.workflow_runs ?? []) if (run.check_suite_id !== undefined) paths.set(run.check_suite_id, run.path);
  };
  const atHead = await list({ head_sha: headSha });
  add(atHead);
  if (atHead && atHead.total_count > atHead.workflow_runs.length) {
    for (const id of wanted.filter((suite) => !paths.has(suite))) add(await list({ check_suite_id: id }));
  }
  return paths;
}
