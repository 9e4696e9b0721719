import { createHash, randomBytes } from 'node:crypto';
import { gitBlobSha } from '../../../src/content/git-blob-sha.ts';
import { COURSE_WORKFLOW_PATH } from '../../../src/core/course.ts';
import type { FakeAnnotation } from './workflow-commands.ts';

/** The state of a fake GitHub: repositories, their commits (full file trees), check suites and check runs. */

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
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  conclusion: 'success' | 'failure' | 'neutral' | 'cancelled' | 'timed_out' | 'skipped' | 'action_required' | null;
  /** The app that created it (its suite's): `github-actions` for workflow jobs. */
  app: string;
  /** Jobs of one workflow run share a suite; a re-run adds runs to the same suite. */
  suiteId: number;
  startedAt?: string;
  completedAt: string | null;
  /** What the job's workflow commands annotated (see workflow-commands.ts). */
  annotations?: FakeAnnotation[];
}

/** The workflow run behind an Actions check suite: one per workflow file and triggering event. */
export interface FakeWorkflowRun {
  id: number;
  /** The workflow's `name:` (what the Actions tab shows); any workflow can take any name. */
  name: string;
  /** The workflow file in the repository, e.g. `.github/workflows/course.yml`. */
  path: string;
  /** What REST's `path` says when it differs from `path`, e.g. with an `@ref` suffix. */
  restPath?: string;
  workflowId: number;
  runNumber: number;
  runAttempt: number;
  event: string;
}

export interface FakeCheckSuite {
  id: number;
  headSha: string;
  app: string;
  /** Null for a suite that no workflow made (another app's). */
  workflowRun: FakeWorkflowRun | null;
  createdAt: string;
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
  checkSuites: FakeCheckSuite[];
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
    checkSuites: [],
    checkRuns: [],
  };
  if (input.files) commitTo(repo, input.files);
  return repo;
}

/** A new commit on the default branch: the previous tree with `changes` applied (null deletes a file); `sha` as recorded. */
export function commitTo(repo: FakeRepo, changes: Record<string, string | null>, sha = createHash('sha1').update(randomBytes(16)).digest('hex')): string {
  const parent = headCommit(repo);
  const files = new Map(parent?.files ?? []);
  for (const [path, content] of Object.entries(changes)) {
    if (content === null) files.delete(path);
    else files.set(path, content);
  }
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

/** A check suite at `headSha`; an Actions suite made by a workflow has its workflow run. */
export function addCheckSuite(repo: FakeRepo, suite: Omit<FakeCheckSuite, 'id' | 'createdAt'> & { id?: number; createdAt?: string }): FakeCheckSuite {
  const created: FakeCheckSuite = { ...suite, id: suite.id ?? nextId++, createdAt: suite.createdAt ?? new Date().toISOString() };
  repo.checkSuites.push(created);
  return created;
}

export interface CheckRunInput extends Omit<FakeCheckRun, 'id' | 'suiteId' | 'completedAt'> {
  id?: number;
  suiteId?: number;
  completedAt?: string | null;
  /** The workflow file of an Actions run's suite: the course's by default, null for none. Ignored for other apps. */
  workflowPath?: string | null;
}

/**
 * A check run in the suite `suiteId`, or else in the suite of its app (and, for GitHub Actions, of its workflow
 * file) at that commit, made when missing: jobs of one workflow run share a suite, as on GitHub.
 */
export function addCheckRun(repo: FakeRepo, input: CheckRunInput): FakeCheckRun {
  const { workflowPath: askedPath, suiteId, ...run } = input;
  const workflowPath = run.app === 'github-actions' ? (askedPath === undefined ? COURSE_WORKFLOW_PATH : askedPath) : null;
  const suite =
    (suiteId === undefined
      ? repo.checkSuites.find((s) => s.headSha === run.headSha && s.app === run.app && (s.workflowRun?.path ?? null) === workflowPath)
      : repo.checkSuites.find((s) => s.id === suiteId)) ??
    addCheckSuite(repo, {
      ...(suiteId === undefined ? {} : { id: suiteId }),
      headSha: run.headSha,
      app: run.app,
      workflowRun: workflowPath === null ? null : newWorkflowRun(repo, workflowPath),
    });
  const created: FakeCheckRun = {
    ...run,
    id: run.id ?? nextId++,
    suiteId: suite.id,
    completedAt: run.completedAt ?? (run.status === 'completed' ? new Date().toISOString() : null),
  };
  repo.checkRuns.push(created);
  return created;
}

function newWorkflowRun(repo: FakeRepo, path: string): FakeWorkflowRun {
  const earlier = repo.checkSuites.filter((s) => s.workflowRun?.path === path).length;
  const workflowId = Number.parseInt(createHash('sha1').update(`${repo.id} ${path}`).digest('hex').slice(0, 7), 16);
  return { id: nextId++, name: path === COURSE_WORKFLOW_PATH ? 'course' : path.split('/').at(-1) ?? path, path, workflowId, runNumber: earlier + 1, runAttempt: 1, event: 'push' };
}

export function runsAt(repo: FakeRepo, sha: string): FakeCheckRun[] {
  return repo.checkRuns.filter((run) => run.headSha === sha);
}

/** GitHub's `filter=latest`: the most recent run of each name within each suite (a re-run hides its attempts). */
export function latestRuns(runs: readonly FakeCheckRun[]): FakeCheckRun[] {
  const latest = new Map<string, FakeCheckRun>();
  for (const run of runs) latest.set(`${run.suiteId} ${run.name}`, run);
  return runs.filter((run) => latest.get(`${run.suiteId} ${run.name}`) === run);
}

export function suitesAt(repo: FakeRepo, sha: string): FakeCheckSuite[] {
  return repo.checkSuites.filter((suite) => suite.headSha === sha);
}

/** GitHub's rollup of every check at a commit; null when there are none. */
export function rollupState(all: readonly FakeCheckRun[]): 'PENDING' | 'FAILURE' | 'SUCCESS' | null {
  const runs = latestRuns(all);
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
