import {
  buildSchema,
  execute,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { gitBlobSha } from '../../../src/content/git-blob-sha.ts';
import { appBody } from './fake-actions.ts';
import { fullNameKey, latestRuns, resolveRef, rollupState, runsAt, suitesAt, treeEntries, treeSha, type FakeCheckRun, type FakeCommit, type FakeRepo } from './fake-repos.ts';

/**
 * The slice of GitHub's GraphQL schema the bot reads, executed by graphql-js over the fake's repositories, with
 * GitHub's documented cost: each connection costs one request per parent node, the sum divided by 100, at least 1.
 * Names, types and nullability are GitHub's (test/contracts holds the slice to the published schema).
 */
export const SCHEMA_SLICE = `
  scalar DateTime
  scalar GitObjectID
  enum CheckStatusState { COMPLETED IN_PROGRESS PENDING QUEUED REQUESTED WAITING }
  enum CheckConclusionState { ACTION_REQUIRED CANCELLED FAILURE NEUTRAL SKIPPED STALE STARTUP_FAILURE SUCCESS TIMED_OUT }
  enum StatusState { ERROR EXPECTED FAILURE PENDING SUCCESS }
  enum CheckRunState {
    ACTION_REQUIRED CANCELLED COMPLETED FAILURE IN_PROGRESS NEUTRAL PENDING QUEUED SKIPPED STALE STARTUP_FAILURE SUCCESS TIMED_OUT WAITING
  }
  type Query {
    repository(owner: String!, name: String!, followRenames: Boolean): Repository
    rateLimit(dryRun: Boolean): RateLimit
  }
  type RateLimit { limit: Int! cost: Int! remaining: Int! used: Int! resetAt: DateTime! }
  interface RepositoryOwner { login: String! }
  type User implements RepositoryOwner { login: String! }
  type Repository {
    name: String!
    nameWithOwner: String!
    owner: RepositoryOwner!
    description: String
    isPrivate: Boolean!
    defaultBranchRef: Ref
    object(expression: String, oid: GitObjectID): GitObject
  }
  type Ref { name: String! target: GitObject }
  interface GitObject { oid: GitObjectID! }
  type Commit implements GitObject {
    oid: GitObjectID!
    statusCheckRollup: StatusCheckRollup
    checkSuites(first: Int, after: String): CheckSuiteConnection
  }
  type Tree implements GitObject { oid: GitObjectID! entries: [TreeEntry!] }
  type Blob implements GitObject { oid: GitObjectID! byteSize: Int! }
  type TreeEntry { name: String! path: String oid: GitObjectID! type: String! }
  type StatusCheckRollup { state: StatusState! contexts(first: Int, after: String): StatusCheckRollupContextConnection! }
  type StatusCheckRollupContextConnection { totalCount: Int! checkRunCount: Int! checkRunCountsByState: [CheckRunStateCount!] }
  type CheckRunStateCount { state: CheckRunState! count: Int! }
  type App { slug: String! name: String! }
  type CheckSuiteConnection { totalCount: Int! nodes: [CheckSuite] }
  type CheckSuite { app: App workflowRun: WorkflowRun checkRuns(first: Int, after: String): CheckRunConnection }
  type WorkflowRun { file: WorkflowRunFile }
  type WorkflowRunFile { path: String! }
  type CheckRunConnection { totalCount: Int! nodes: [CheckRun] }
  type CheckRun { name: String! status: CheckStatusState! conclusion: CheckConclusionState completedAt: DateTime }
`;
const schema = buildSchema(SCHEMA_SLICE);

export interface RateState {
  limit: number;
  used: number;
  resetAt: number;
}

/** A run's state as the rollup counts it (CheckRunState has no REQUESTED: GitHub shows such a run as queued). */
function runState(run: FakeCheckRun): string {
  if (run.status === 'completed') return (run.conclusion ?? 'neutral').toUpperCase();
  return run.status === 'requested' ? 'QUEUED' : run.status.toUpperCase();
}

function commitNode(repo: FakeRepo, commit: FakeCommit) {
  const runs = runsAt(repo, commit.sha);
  return {
    __typename: 'Commit',
    oid: commit.sha,
    statusCheckRollup: () => {
      const state = rollupState(runs);
      const counts = new Map<string, number>();
      for (const run of latestRuns(runs)) counts.set(runState(run), (counts.get(runState(run)) ?? 0) + 1);
      const contexts = {
        totalCount: latestRuns(runs).length,
        checkRunCount: latestRuns(runs).length,
        checkRunCountsByState: [...counts].map(([state, count]) => ({ state, count })),
      };
      return state === null ? null : { state, contexts: () => contexts };
    },
    // Suites in the order they were created, each with every run it holds, re-runs included: GitHub does not document
    // what checkRuns lists without filterBy, so the fake gives the reader the harder case (the verdict picks the newest).
    checkSuites: ({ first }: { first?: number }) => {
      const suites = suitesAt(repo, commit.sha);
      return {
        totalCount: suites.length,
        nodes: suites.slice(0, first ?? 100).map((suite) => {
          const suiteRuns = runs.filter((run) => run.suiteId === suite.id);
          return {
            app: { slug: suite.app, name: appBody(suite.app).name },
            workflowRun: suite.workflowRun && { file: { path: suite.workflowRun.path } },
            checkRuns: ({ first: firstRuns }: { first?: number }) => ({
              totalCount: suiteRuns.length,
              nodes: suiteRuns.slice(0, firstRuns ?? 100).map((run) => ({
                name: run.name,
                status: run.status.toUpperCase(),
                conclusion: run.conclusion?.toUpperCase() ?? null,
                completedAt: run.completedAt,
              })),
            }),
          };
        }),
      };
    },
  };
}

/** `object(expression: "<ref>:<path>")` or `object(expression: "<ref>")`, as git rev-parse reads it. */
function gitObject(repo: FakeRepo, expression: string) {
  const [ref = '', path] = expression.split(/:(.*)/s);
  const commit = resolveRef(repo, ref);
  if (!commit) return null;
  if (path === undefined) return commitNode(repo, commit);
  const clean = path.replace(/^\/+|\/+$/g, '');
  const file = commit.files.get(clean);
  if (file !== undefined) return { __typename: 'Blob', oid: gitBlobSha(file), byteSize: Buffer.byteLength(file) };
  const entries = treeEntries(commit, clean);
  if (!entries) return null;
  return { __typename: 'Tree', oid: treeSha(commit, clean), entries: entries.map((e) => ({ name: e.name, path: e.path, oid: e.sha, type: e.type })) };
}

function repositoryNode(repo: FakeRepo) {
  const head = resolveRef(repo, 'HEAD');
  return {
    name: repo.name,
    nameWithOwner: `${repo.owner}/${repo.name}`,
    owner: { __typename: 'User', login: repo.owner },
    description: repo.description,
    isPrivate: repo.private,
    defaultBranchRef: head ? { name: repo.defaultBranch, target: commitNode(repo, head) } : null,
    object: ({ expression, oid }: { expression?: string; oid?: string }) => gitObject(repo, expression ?? oid ?? ''),
  };
}

export interface GraphqlAnswer {
  status: number;
  body: unknown;
  cost: number;
}

/**
 * Runs one GraphQL request. `canSee` tells whether the caller's token may read a repository (GitHub answers
 * NOT_FOUND for one it may not); `rate` is charged the query's cost before it runs.
 */
export function runGraphql(
  request: { query?: unknown; variables?: unknown },
  repos: Map<string, FakeRepo>,
  canSee: (repo: FakeRepo) => boolean,
  rate: RateState,
): GraphqlAnswer {
  if (typeof request.query !== 'string') return { status: 400, body: { message: 'Problems parsing JSON' }, cost: 0 };
  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (error) {
    return { status: 200, body: { errors: [{ message: (error as Error).message }] }, cost: 0 };
  }
  const errors = validate(schema, document);
  if (errors.length > 0) return { status: 200, body: { errors: errors.map((e) => ({ message: e.message, locations: e.locations })) }, cost: 0 };
  const variables = (request.variables ?? {}) as Record<string, unknown>;
  const cost = queryCost(document, variables);
  rate.used += cost;
  const root = {
    repository: ({ owner, name }: { owner: string; name: string }) => {
      const repo = repos.get(fullNameKey(owner, name));
      if (!repo || !canSee(repo)) {
        throw new GraphQLError(`Could not resolve to a Repository with the name '${owner}/${name}'.`, { extensions: { type: 'NOT_FOUND' } });
      }
      return repositoryNode(repo);
    },
    rateLimit: () => ({
      limit: rate.limit,
      cost,
      remaining: Math.max(0, rate.limit - rate.used),
      used: rate.used,
      resetAt: new Date(rate.resetAt).toISOString(),
    }),
  };
  const result = execute({ schema, document, rootValue: root, variableValues: variables }) as { data?: unknown; errors?: readonly GraphQLError[] };
  const body: Record<string, unknown> = { data: result.data ?? null };
  // GitHub puts the error type at the top level of each error, beside message and path.
  if (result.errors?.length) body.errors = result.errors.map((e) => ({ type: e.extensions?.type, path: e.path, message: e.message }));
  return { status: 200, body, cost };
}

/** GitHub's rate-limit cost of a query: requests needed for each connection, summed, divided by 100, at least 1. */
export function queryCost(document: DocumentNode, variables: Record<string, unknown>): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const valueOf = (node: ValueNode | undefined): number | undefined => {
    if (!node) return undefined;
    if (node.kind === Kind.INT) return Number(node.value);
    if (node.kind === Kind.VARIABLE) return Number(variables[node.name.value]);
    return undefined;
  };
  let requests = 0;
  const walk = (selections: SelectionSetNode | undefined, parents: number): void => {
    for (const selection of selections?.selections ?? []) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) walk(fragments.get(selection.name.value)?.selectionSet, parents);
      else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet, parents);
      else {
        const first = selection.arguments?.find((a) => a.name.value === 'first' || a.name.value === 'last');
        if (first) {
          requests += parents;
          walk(selection.selectionSet, parents * (valueOf(first.value) ?? 100));
        } else walk(selection.selectionSet, parents);
      }
    }
  };
  for (const definition of document.definitions) if (definition.kind === Kind.OPERATION_DEFINITION) walk(definition.selectionSet, 1);
  return Math.max(1, Math.round(requests / 100));
}

/** Repositories a query names, by literal arguments or variables, so faults can be injected per repository. */
export function reposNamed(request: { query?: unknown; variables?: unknown }): string[] {
  const variables = (request.variables ?? {}) as Record<string, unknown>;
  const names: string[] = [];
  const pattern = /repository\(\s*owner:\s*(?:"([^"]+)"|\$(\w+))\s*,\s*name:\s*(?:"([^"]+)"|\$(\w+))/g;
  for (const match of String(request.query ?? '').matchAll(pattern)) {
    const owner = match[1] ?? String(variables[match[2] ?? ''] ?? '');
    const name = match[3] ?? String(variables[match[4] ?? ''] ?? '');
    names.push(fullNameKey(owner, name));
  }
  return names;
}
