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
  checkSuites?: { totalCount: number; nodes: ({ app: { slug: string } | null; checkRuns: { nodes: ({ name: string; status: string; conclusion: string | null; completedAt: string | null } | null)[] } | null } | null)[] } | null;
}
interface RepoNode {
  defaultBranchRef: { target: Target | null } | null;
  [alias: `d${number}`]: { entries?: { name: string; oid: string }[] | null } | null;
}

function repoVariables(repos: readonly string[]): { declarations: string[]; values: Record<string, string> } {
  const declarations: string[] = [];
  const values: Record<string, string> = {};
  repos.forEach((fullName, i) => {
    const [owner = '', name = ''] = fullName.split('/');
    declarations.push(`$o${i}: String!`, `$n${i}: String!`);
    values[`o${i}`] = owner;
    values[`n${i}`] = name;
  });
  return { declarations, values };
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

/** The head commit of each repository's default branch and its check rollup, in one query. */
export async function fetchHeads(client: RepoClient, repos: readonly string[], options: QueryOptions = {}): Promise<Map<string, Found<HeadState>>> {
  const { declarations, values } = repoVariables(repos);
  const fields = repos.map((_, i) => `r${i}: repository(owner: $o${i}, name: $n${i}) { defaultBranchRef { target { oid ... on Commit { ${ROLLUP} } } } }`);
  const data = await runQuery(client, `query Heads(${declarations.join(', ')}) {\n${fields.join('\n')}\n}`, values, headsCost(repos.length), options);
  return new Map(
    repos.map((fullName, i) => {
      const head = headOf(data[`r${i}`]);
      return [fullName, head.kind === 'ok' ? { kind: 'ok', value: { oid: head.value.oid, rollup: rollupSignature(head.value.statusCheckRollup) } } : head];
    }),
  );
}

/**
 * Everything that decides the verdicts at each head: check runs with the app that made them, and the blob SHAs of
 * the files in `folders` (the workflow's and each exercise's tests), in one query.
 */
export async function fetchSnapshots(
  client: RepoClient,
  repos: readonly string[],
  folders: readonly string[],
  options: QueryOptions = {},
): Promise<Map<string, Found<RepoSnapshot>>> {
  const { declarations, values } = repoVariables(repos);
  folders.forEach((folder, j) => {
    declarations.push(`$d${j}: String!`);
    values[`d${j}`] = `HEAD:${folder}`;
  });
  const trees = folders.map((_, j) => `d${j}: object(expression: $d${j}) { ... on Tree { entries { name oid } } }`).join(' ');
  const runs = `checkSuites(first: ${SUITES}) { totalCount nodes { app { slug } checkRuns(first: ${RUNS}) { nodes { name status conclusion completedAt } } } }`;
  const fields = repos.map(
    (_, i) => `r${i}: repository(owner: $o${i}, name: $n${i}) { defaultBranchRef { target { oid ... on Commit { ${ROLLUP} ${runs} } } } ${trees} }`,
  );
  const data = await runQuery(client, `query Snapshots(${declarations.join(', ')}) {\n${fields.join('\n')}\n}`, values, snapshotsCost(repos.length), options);
  return new Map(
    repos.map((fullName, i): [string, Found<RepoSnapshot>] => {
      const node = data[`r${i}`];
      const head = headOf(node);
      if (head.kind !== 'ok' || !node) return [fullName, head.kind === 'ok' ? { kind: 'missing' } : head];
      const blobs = new Map<string, string>();
      folders.forEach((folder, j) => {
        for (const entry of node[`d${j}`]?.entries ?? []) blobs.set(`${folder}/${entry.name}`, entry.oid);
      });
      const target = head.value;
      const facts: CheckRunFacts[] = (target.checkSuites?.nodes ?? []).flatMap((suite) =>
        (suite?.checkRuns?.nodes ?? []).flatMap((run) =>
          run
            ? [{
                name: run.name,
                headSha: target.oid,
                status: run.status.toLowerCase() as CheckRunFacts['status'],
                conclusion: run.conclusion?.toLowerCase() ?? null,
                appSlug: suite?.app?.slug ?? null,
                completedAt: run.completedAt,
              }]
            : [],
        ),
      );
      const incomplete = (target.checkSuites?.totalCount ?? 0) > SUITES;
      return [fullName, { kind: 'ok', value: { oid: target.oid, rollup: rollupSignature(target.statusCheckRollup), runs: facts, blobs, incomplete } }];
    }),
  );
}
