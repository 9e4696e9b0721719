import { createHash, randomBytes } from 'node:crypto';
import { gitBlobSha } from '../../../src/content/git-blob-sha.ts';

/** The state of a fake GitHub: repositories, their commits (full file trees) and check runs. */

export interface FakeRepoInput {
  owner: string;
  name: string;
  defaultBranch: string;
  private?: boolean;
  description?: string | null;
  /** Files of the first commit on the default branch; none leaves the repository empty. */
  files?: Record<string, string>;
}

export interface FakeCommit {
  sha: string;
  files: Map<string, string>;
}

export interface FakeCheckRun {
  id: number;
  headSha: string;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'cancelled' | 'timed_out' | 'skipped' | null;
  /** The app that created it: `github-actions` for workflow jobs. */
  app: string;
  /** Jobs of one workflow run share a suite. */
  suiteId: number;
  completedAt: string | null;
}

export interface FakeRepo {
  owner: string;
  name: string;
  defaultBranch: string;
  private: boolean;
  description: string | null;
  id: number;
  branches: Map<string, string>;
  commits: Map<string, FakeCommit>;
  checkRuns: FakeCheckRun[];
}

let nextId = 1;

export function fullNameKey(owner: string, name: string): string {
  return `${owner}/${name}`.toLowerCase();
}

export function newRepo(input: FakeRepoInput): FakeRepo {
  const repo: FakeRepo = {
    owner: input.owner,
    name: input.name,
    defaultBranch: input.defaultBranch,
    private: input.private ?? false,
    description: input.description ?? null,
    id: nextId++,
    branches: new Map(),
    commits: new Map(),
    checkRuns: [],
  };
  if (input.files) commitTo(repo, input.files);
  return repo;
}

/** A new commit on the default branch: the previous tree with `changes` applied (null deletes a file). */
export function commitTo(repo: FakeRepo, changes: Record<string, string | null>): string {
  const parent = headCommit(repo);
  const files = new Map(parent?.files ?? []);
  for (const [path, content] of Object.entries(changes)) {
    if (content === null) files.delete(path);
    else files.set(path, content);
  }
  const sha = createHash('sha1').update(randomBytes(16)).digest('hex');
  repo.commits.set(sha, { sha, files });
  repo.branches.set(repo.defaultBranch, sha);
  return sha;
}

export function headCommit(repo: FakeRepo): FakeCommit | undefined {
  const sha = repo.branches.get(repo.defaultBranch);
  return sha === undefined ? undefined : repo.commits.get(sha);
}

/** A branch name, a full SHA or HEAD, as GitHub resolves refs. */
export function resolveRef(repo: FakeRepo, ref: string): FakeCommit | undefined {
  if (ref === 'HEAD') return headCommit(repo);
  const branch = repo.branches.get(ref);
  return repo.commits.get(branch ?? ref);
}

export function addCheckRun(repo: FakeRepo, run: Omit<FakeCheckRun, 'id' | 'suiteId' | 'completedAt'> & { suiteId?: number; completedAt?: string | null }): FakeCheckRun {
  // Runs of one app at one commit share a suite, as a workflow's jobs do.
  const sibling = repo.checkRuns.find((r) => r.headSha === run.headSha && r.app === run.app);
  const created: FakeCheckRun = {
    id: nextId++,
    suiteId: run.suiteId ?? sibling?.suiteId ?? nextId++,
    completedAt: run.completedAt ?? (run.status === 'completed' ? new Date().toISOString() : null),
    ...run,
  } as FakeCheckRun;
  repo.checkRuns.push(created);
  return created;
}

export function runsAt(repo: FakeRepo, sha: string): FakeCheckRun[] {
  return repo.checkRuns.filter((run) => run.headSha === sha);
}

/** GitHub's rollup of every check at a commit; null when there are none. */
export function rollupState(runs: readonly FakeCheckRun[]): 'PENDING' | 'FAILURE' | 'SUCCESS' | null {
  if (runs.length === 0) return null;
  if (runs.some((run) => run.status !== 'completed')) return 'PENDING';
  return runs.every((run) => run.conclusion === 'success' || run.conclusion === 'skipped') ? 'SUCCESS' : 'FAILURE';
}

/** The entries directly inside `dir` ('' for the root): files as blobs, sub-folders as trees. */
export function treeEntries(commit: FakeCommit, dir: string): { name: string; path: string; type: 'blob' | 'tree'; sha: string }[] | undefined {
  const prefix = dir === '' ? '' : `${dir.replace(/\/+$/, '')}/`;
  const entries = new Map<string, { name: string; path: string; type: 'blob' | 'tree'; sha: string }>();
  let found = prefix === '';
  for (const [path, content] of commit.files) {
    if (!path.startsWith(prefix)) continue;
    found = true;
    const rest = path.slice(prefix.length);
    const [name, ...deeper] = rest.split('/');
    if (!name) continue;
    if (deeper.length === 0) entries.set(name, { name, path, type: 'blob', sha: gitBlobSha(content) });
    else if (!entries.has(name)) entries.set(name, { name, path: `${prefix}${name}`, type: 'tree', sha: treeSha(commit, `${prefix}${name}`) });
  }
  return found ? [...entries.values()].sort((a, b) => a.name.localeCompare(b.name)) : undefined;
}

/** A stable stand-in for a tree's SHA: it changes exactly when a file below it does. */
export function treeSha(commit: FakeCommit, dir: string): string {
  const hash = createHash('sha1').update(`tree ${dir}\0`);
  for (const [path, content] of [...commit.files].sort(([a], [b]) => a.localeCompare(b))) {
    if (dir === '' || path.startsWith(`${dir}/`)) hash.update(`${path}\0${gitBlobSha(content)}\0`);
  }
  return hash.digest('hex');
}
