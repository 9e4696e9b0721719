import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gitBlobSha } from '../../../src/content/git-blob-sha.ts';
import { createGithubClient } from '../../../src/github/client.ts';
import { createLogger } from '../../../src/logger.ts';
import { FakeGithub } from './fake-github.ts';

/** The fake answers as GitHub's REST API does, so what Octokit reads from it means what it would on github.com. */
describe('fake GitHub REST, through Octokit', () => {
  let fake: FakeGithub;
  let head = '';
  before(async () => {
    fake = await FakeGithub.start();
    fake.addRepo({ owner: 'octo', name: 'course', defaultBranch: 'main', files: { 'README.md': '# hi\n', 'tests/a.rs': 'fn a() {}\n' } });
    head = fake.push('octo/course', { 'tests/b.rs': 'fn b() {}\n' });
    fake.addCheckRun('octo/course', { name: 'ex01', conclusion: 'failure' });
  });
  after(() => fake.close());
  const octokit = () => createGithubClient({ token: fake.token, apiUrl: fake.apiUrl, logger: createLogger('silent'), retry: false, throttle: false });

  it('serves branches, commits, check runs, contents, trees and blobs with git SHAs', async () => {
    const gh = octokit();
    const params = { owner: 'octo', repo: 'course' };
    const branch = await gh.rest.repos.getBranch({ ...params, branch: 'main' });
    assert.equal(branch.data.commit.sha, head);
    const commit = await gh.rest.repos.getCommit({ ...params, ref: 'main' });
    assert.equal(commit.data.sha, head);
    const runs = await gh.rest.checks.listForRef({ ...params, ref: head });
    assert.deepEqual(runs.data.check_runs.map((r) => [r.name, r.status, r.conclusion, r.app?.slug]), [['ex01', 'completed', 'failure', 'github-actions']]);
    const file = await gh.rest.repos.getContent({ ...params, path: 'tests/b.rs', ref: head });
    assert.ok(!Array.isArray(file.data) && file.data.type === 'file');
    assert.equal(Buffer.from(file.data.content, 'base64').toString(), 'fn b() {}\n');
    assert.equal(file.data.sha, gitBlobSha('fn b() {}\n'));
    const tree = await gh.rest.git.getTree({ ...params, tree_sha: head, recursive: 'true' });
    assert.deepEqual(tree.data.tree.map((e) => [e.path, e.sha]).sort(), [
      ['README.md', gitBlobSha('# hi\n')],
      ['tests/a.rs', gitBlobSha('fn a() {}\n')],
      ['tests/b.rs', gitBlobSha('fn b() {}\n')],
    ]);
    const blob = await gh.rest.git.getBlob({ ...params, file_sha: gitBlobSha('fn a() {}\n') });
    assert.equal(Buffer.from(blob.data.content, 'base64').toString(), 'fn a() {}\n');
  });

  it("lists workflow runs by head_sha and check_suite_id, and check runs per GitHub's filter, each run in its suite", async () => {
    const gh = octokit();
    const params = { owner: 'octo', repo: 'course' };
    const official = fake.addCheckRun('octo/course', { name: 'ex02', conclusion: 'failure' });
    const rerun = fake.addCheckRun('octo/course', { name: 'ex02', suiteId: official.suiteId });
    const mine = fake.addCheckRun('octo/course', { name: 'ex02', workflowPath: '.github/workflows/mine.yml' });
    const other = fake.addCheckRun('octo/course', { name: 'ex02', app: 'my-ci' });

    const runs = await gh.rest.actions.listWorkflowRunsForRepo({ ...params, head_sha: head, per_page: 100 });
    assert.equal(runs.data.total_count, 2, "one per workflow's suite; the other app's suite has no workflow run");
    const bySuite = new Map(runs.data.workflow_runs.map((r) => [r.check_suite_id, [r.path, r.head_sha]]));
    assert.deepEqual(bySuite.get(official.suiteId), ['.github/workflows/course.yml', head]);
    assert.deepEqual(bySuite.get(mine.suiteId), ['.github/workflows/mine.yml', head]);
    const one = await gh.rest.actions.listWorkflowRunsForRepo({ ...params, check_suite_id: mine.suiteId });
    assert.deepEqual(one.data.workflow_runs.map((r) => r.path), ['.github/workflows/mine.yml']);
    assert.equal((await gh.rest.actions.listWorkflowRunsForRepo({ ...params, head_sha: 'f'.repeat(40) })).data.total_count, 0);

    const ids = async (filter?: 'all' | 'latest') =>
      (await gh.rest.checks.listForRef({ ...params, ref: head, per_page: 100, ...(filter ? { filter } : {}) })).data.check_runs
        .filter((r) => r.name === 'ex02')
        .map((r) => [Number(r.id), r.check_suite?.id, r.app?.slug])
        .sort();
    assert.deepEqual(await ids(), [[rerun.id, official.suiteId, 'github-actions'], [mine.id, mine.suiteId, 'github-actions'], [other.id, other.suiteId, 'my-ci']].sort(), 'latest (the default): a re-run hides its first attempt');
    assert.equal((await ids('all')).length, 4);
    const paged = await gh.rest.checks.listForRef({ ...params, ref: head, filter: 'all', per_page: 2, page: 2 });
    assert.deepEqual([paged.data.total_count, paged.data.check_runs.length], [5, 2]);
  });

  it('answers 404 for what does not exist, 401 for a bad token, and counts rate-limit points in headers', async () => {
    const gh = octokit();
    await assert.rejects(gh.rest.repos.get({ owner: 'octo', repo: 'nope' }), { status: 404 });
    await assert.rejects(gh.rest.repos.getContent({ owner: 'octo', repo: 'course', path: 'missing.txt' }), { status: 404 });
    const stranger = createGithubClient({ token: 'ghp_wrong', apiUrl: fake.apiUrl, logger: createLogger('silent'), retry: false, throttle: false });
    await assert.rejects(stranger.rest.repos.get({ owner: 'octo', repo: 'course' }), { status: 401 });
    const answer = await gh.rest.repos.get({ owner: 'octo', repo: 'course' });
    assert.equal(answer.headers['x-ratelimit-resource'], 'core');
    assert.equal(Number(answer.headers['x-ratelimit-remaining']), 5000 - fake.rate.core.used);
  });

  it('prices GraphQL queries as GitHub documents: connections per parent node, divided by 100, at least 1', async () => {
    const gh = octokit();
    const query = `query { rateLimit { cost } a: repository(owner: "octo", name: "course") { defaultBranchRef { target { ... on Commit {
      checkSuites(first: 10) { nodes { checkRuns(first: 50) { nodes { name } } } } } } } } }`;
    const result = await gh.graphql<{ rateLimit: { cost: number } }>(query);
    assert.equal(result.rateLimit.cost, 1, '1 + 10 requests round to 0, and the minimum is 1');
    const wide = Array.from({ length: 30 }, (_, i) => `r${i}: repository(owner: "octo", name: "course") { defaultBranchRef { target { ... on Commit { checkSuites(first: 10) { nodes { checkRuns(first: 5) { nodes { name } } } } } } } }`);
    const priced = await gh.graphql<{ rateLimit: { cost: number } }>(`query { rateLimit { cost } ${wide.join(' ')} }`);
    assert.equal(priced.rateLimit.cost, 3, '30 × (1 + 10) = 330 requests → 3 points');
  });
});
