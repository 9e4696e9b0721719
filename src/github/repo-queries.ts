import type { CheckRunFacts } from '../core/exercise-verdict.ts';
import type { RepoClient } from './github-access.ts';

/**
 * Batched GraphQL reads of many repositories at once. Heads cost 1 point per query whatever the batch size
 * (one connection each); snapshots cost about (2 + SUITES) points per 100 repositories.
 */

/** Check suites read per commit: one per workflow run or app; the course workflow makes one. */
const SUITES = 5;
const RUNS = 60;

export interface HeadState {
  oid: string;
  /**
   * GitHub's rollup of the checks at the head with its count of runs per state, e.g. `SUCCESS SUCCESS:14
   * FAILURE:1`: it changes whenever a run starts, finishes or is re-run.
   */
  rollup: string | null;
}

/** `missing`: no such repository, or not readable; `empty`: nothing pushed yet. */
export type Found<T> = { kind: 'ok'; value: T } | { kind: 'missing' } | { kind: 'empty' };

export interface RepoSnapshot extends HeadState {
  runs: CheckRunFacts[];
  /** More check suites at the head than one query reads: the caller reads this repo over REST instead. */
  incomplete?: boolean;
  /** Blob SHA of each file found in the asked folders, by path. */
  blobs: Map<string, string>;
}

/** The rollup's counts are one connection per repository: 100 repositories cost 1 point. */
export function headsCost(repos: number): number {
  return Math.max(1, Math.round(repos / 100));
}

const ROLLUP = 'statusCheckRollup { state contexts(first: 1) { checkRunCount checkRunCountsByState { state count } } }';

interface Rollup {
  state: string;
  contexts?: { checkRunCount: number; checkRunCountsByState: { state: string; count: number }[] | null } | null;
}

function rollupSignature(rollup: Rollup | null | undefined): string | null {
  if (!rollup) return null;
  const counts = (rollup.contexts?.checkRunCountsByState ?? []).map((c) => `${c.state}:${c.count}`).sort();
  return [rollup.state, ...counts].join(' ');
}

export function snapshotsCost(repos: number): number {
  return Math.max(1, Math.round((repos * (2 + SUITES)) / 100));
}

interface Target {
  oid: string;
  statusCheckRollup?: Rollup | null;
  checkSuites?: { totalCount: number; nodes: (Suite | null)[] } | null;
}
interface Suite {
  app: { slug: string } | null;
  /** Null for a suite no workflow made; `file` null when GitHub does not say which file ran. */
  workflowRun: { file: { path: string } | null } | null;
  checkRuns: { nodes: ({ name: string; status: string; conclusion: string | null; completedAt: string | null } | null)[] } | null;
}
interface RepoNode {
  defaultBranchRef: { target: Target | null } | null;
  [alias: `d${number}`]: { entries?: { name: string; oid: string; type: string }[] | null } | null;
}

function repoDeclarations(count: number): string[] {
  return Array.from({ length: count }, (_, i) => [`$o${i}: String!`, `$n${i}: String!`]).flat();
}

function repoVariables(repos: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  repos.forEach((fullName, i) => {
    const [owner = '', name = ''] = fullName.split('/');
    values[`o${i}`] = owner;
    values[`n${i}`] = name;
  });
  return values;
}

/** `wait: false` fails at once when the rate budget is spent, for a learner waiting on an answer. */
export interface QueryOptions {
  wait?: boolean;
}

async function runQuery(client: RepoClient, query: string, variables: Record<string, string>, cost: number, options: QueryOptions): Promise<Record<string, RepoNode | null>> {
  await client.budget.reserve('graphql', cost, options);
  try {
    return await client.octokit.graphql<Record<string, RepoNode | null>>(query, variables);
  } catch (error) {
    // Repositories that are gone come back as NOT_FOUND errors beside the others' data.
    const partial = error as { name?: string; errors?: { type?: string }[]; data?: Record<string, RepoNode | null> };
    if (partial.name === 'GraphqlResponseError' && partial.errors?.every((e) => e.type === 'NOT_FOUND') && partial.data) return partial.data;
    throw error;
  } finally {
    client.budget.release('graphql', cost);
  }
}

function headOf(node: RepoNode | null | undefined): Found<Target> {
  if (!node) return { kind: 'missing' };
  const target = node.defaultBranchRef?.target;
  return target ? { kind: 'ok', value: target } : { kind: 'empty' };
}

/** The query document of fetchHeads for `count` repositories (variables $o0, $n0, …). */
export function headsQuery(count: number): string {
  const declarations = repoDeclarations(count);
  const fields = Array.from({ length: count }, (_, i) => `r${i}: repository(owner: $o${i}, name: $n${i}) { defaultBranchRef { target { oid ... on Commit { ${ROLLUP} } } } }`);
  return `query Heads(${declarations.join(', ')}) {\n${fields.join('\n')}\n}`;
}

/** The head commit of each repository's default branch and its check rollup, in one query. */
export async function fetchHeads(client: RepoClient, repos: readonly string[], options: QueryOptions = {}): Promise<Map<string, Found<HeadState>>> {
  const values = repoVariables(repos);
  const data = await runQuery(client, headsQuery(repos.length), values, headsCost(repos.length), options);
  return new Map(
    repos.map((fullName, i) => {
      const head = headOf(data[`r${i}`]);
      return [fullName, head.kind === 'ok' ? { kind: 'ok', value: { oid: head.value.oid, rollup: rollupSignature(head.value.statusCheckRollup) } } : head];
    }),
  );
}

/**
 * The query document of fetchSnapshots for `count` repositories and `folderCount` folders (variables $o0, $n0, …,
 * $d0, …). Each check suite tells its app and, for a workflow's suite, the workflow file: no extra connection, so the
 * cost stays snapshotsCost.
 */
export function snapshotsQuery(count: number, folderCount: number): string {
  const declarations = repoDeclarations(count);
  for (let j = 0; j < folderCount; j += 1) declarations.push(`$d${j}: String!`);
  const trees = Array.from({ length: folderCount }, (_, j) => `d${j}: object(expression: $d${j}) { ... on Tree { entries { name oid type } } }`).join(' ');
  const runs = `checkSuites(first: ${SUITES}) { totalCount nodes { app { slug } workflowRun { file { path } } checkRuns(first: ${RUNS}) { nodes { name status conclusion completedAt } } } }`;
  const fields = Array.from(
    { length: count },
    (_, i) => `r${i}: repository(owner: $o${i}, name: $n${i}) { defaultBranchRef { target { oid ... on Commit { ${ROLLUP} ${runs} } } } ${trees} }`,
  );
  return `query Snapshots(${declarations.join(', ')}) {\n${fields.join('\n')}\n}`;
}

/** The check runs of a snapshot's suites, each with its suite's app and workflow file. */
function runFacts(target: Target): CheckRunFacts[] {
  return (target.checkSuites?.nodes ?? []).flatMap((suite) =>
    (suite?.checkRuns?.nodes ?? []).flatMap((run) =>
      run
        ? [{
            name: run.name,
            headSha: target.oid,
            status: run.status.toLowerCase() as CheckRunFacts['status'],
            conclusion: run.conclusion?.toLowerCase() ?? null,
            appSlug: suite?.app?.slug ?? null,
            // The path of the workflow file relative to its repository, as GitHub's schema describes it.
            workflowPath: suite?.workflowRun?.file?.path ?? null,
            completedAt: run.completedAt,
          }]
        : [],
    ),
  );
}

/**
 * Everything that decides the verdicts at each head: check runs with the app and workflow file that made them, and
 * the blob SHAs of the files in `folders` (the workflow's, each exercise's tests; '' is the repository's root), in
 * one query.
 */
export async function fetchSnapshots(
  client: RepoClient,
  repos: readonly string[],
  folders: readonly string[],
  options: QueryOptions = {},
): Promise<Map<string, Found<RepoSnapshot>>> {
  const values = repoVariables(repos);
  // `HEAD:` names the root tree, `HEAD:a/b` a folder, as git rev-parse reads them.
  folders.forEach((folder, j) => (values[`d${j}`] = `HEAD:${folder}`));
  const data = await runQuery(client, snapshotsQuery(repos.length, folders.length), values, snapshotsCost(repos.length), options);
  return new Map(
    repos.map((fullName, i): [string, Found<RepoSnapshot>] => {
      const node = data[`r${i}`];
      const head = headOf(node);
      if (head.kind !== 'ok' || !node) return [fullName, head.kind === 'ok' ? { kind: 'missing' } : head];
      const blobs = new Map<string, string>();
      folders.forEach((folder, j) => {
        for (const entry of node[`d${j}`]?.entries ?? []) if (entry.type === 'blob') blobs.set(folder ? `${folder}/${entry.name}` : entry.name, entry.oid);
      });
      const target = head.value;
      const incomplete = (target.checkSuites?.totalCount ?? 0) > SUITES;
      return [fullName, { kind: 'ok', value: { oid: target.oid, rollup: rollupSignature(target.statusCheckRollup), runs: runFacts(target), blobs, incomplete } }];
    }),
  );
}
