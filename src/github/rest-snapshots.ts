import { createHash } from 'node:crypto';
import type { CheckRunFacts } from '../core/exercise-verdict.ts';
import type { Store } from '../store/store.ts';
import { conditionalGet } from './conditional-get.ts';
import type { RepoClient } from './github-access.ts';
import type { Found, QueryOptions, RepoSnapshot } from './repo-queries.ts';

interface RepoBody {
  default_branch: string;
}
interface BranchBody {
  commit: { sha: string };
}
interface CheckRunsBody {
  check_runs: { name: string; head_sha: string; status: string; conclusion: string | null; completed_at: string | null; app: { slug: string } | null }[];
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
  const lines = runs.map((r) => `${r.name}|${r.status}|${r.conclusion ?? ''}|${r.appSlug ?? ''}|${r.completedAt ?? ''}`).sort();
  return `rest:${createHash('sha1').update(lines.join('\n')).digest('hex')}`;
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
    // A 304 is free, but the point is held in case the answer is a 200.
    await client.budget.reserve('core', 1, options);
    try {
      const answer = await conditionalGet<T>(client.octokit, store, route, params, now, { as: 'snapshot', keep });
      unchanged &&= !answer.changed;
      return answer.data;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 404 || status === 409 || status === 422) return undefined;
      throw error;
    } finally {
      client.budget.release('core', 1);
    }
  };

  const info = await get<RepoBody>('GET /repos/{owner}/{repo}', { owner, repo }, (data) => ({ default_branch: data.default_branch }));
  if (!info) return { found: { kind: 'missing' }, unchanged: false };
  const branch = await get<BranchBody>('GET /repos/{owner}/{repo}/branches/{branch}', { owner, repo, branch: info.default_branch }, (data) => ({
    commit: { sha: data.commit.sha },
  }));
  if (!branch) return { found: { kind: 'empty' }, unchanged };
  const oid = branch.commit.sha;
  const checks = await get<CheckRunsBody>('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', { owner, repo, ref: oid, per_page: 100 }, (data) => ({
    check_runs: data.check_runs.map(({ name, head_sha, status, conclusion, completed_at, app }) => ({ name, head_sha, status, conclusion, completed_at, app: app && { slug: app.slug } })),
  }));
  const runs: CheckRunFacts[] = (checks?.check_runs ?? []).map((run) => ({
    name: run.name,
    headSha: run.head_sha,
    status: run.status as CheckRunFacts['status'],
    conclusion: run.conclusion,
    appSlug: run.app?.slug ?? null,
    completedAt: run.completed_at,
  }));
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
