import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createGithubClient } from '../../src/github/client.ts';
import { conditionalGet } from '../../src/github/conditional-get.ts';
import { FakeGithub } from '../fakes/github/fake-github.ts';
import { testServices } from '../helpers/test-services.ts';

const NOW = new Date('2026-12-10T12:00:00Z');

describe('conditional GitHub requests', () => {
  let fake: FakeGithub;
  before(async () => {
    fake = await FakeGithub.start();
    fake.addRepo({ owner: 'octocat', name: 'rust-course', defaultBranch: 'main' });
  });
  after(() => fake.close());

  it('stores the ETag, then answers an unchanged resource from the store with a 304 that costs no rate limit', async () => {
    const { store, services } = await testServices(NOW);
    const octokit = createGithubClient({ token: fake.token, apiUrl: fake.apiUrl, logger: services.logger, throttle: false, retry: false });
    const route = 'GET /repos/{owner}/{repo}';
    const params = { owner: 'octocat', repo: 'rust-course' };

    const first = await conditionalGet<{ default_branch: string }>(octokit, store, route, params, NOW);
    assert.deepEqual([first.changed, first.data.default_branch], [true, 'main']);
    const spent = fake.used;

    const second = await conditionalGet<{ default_branch: string }>(octokit, store, route, params, NOW);
    assert.deepEqual([second.changed, second.data.default_branch], [false, 'main']);
    assert.equal(fake.used, spent, 'the 304 spent no rate limit');
    assert.equal(fake.requests.at(-1)?.status, 304);

    fake.addRepo({ owner: 'octocat', name: 'rust-course', defaultBranch: 'trunk' });
    const third = await conditionalGet<{ default_branch: string }>(octokit, store, route, params, NOW);
    assert.deepEqual([third.changed, third.data.default_branch], [true, 'trunk']);
  });

  it('stores only what `keep` keeps, and forgets entries that earned no 304 for a while', async () => {
    const { store, services } = await testServices(NOW);
    const octokit = createGithubClient({ token: fake.token, apiUrl: fake.apiUrl, logger: services.logger, throttle: false, retry: false });
    const route = 'GET /repos/{owner}/{repo}';
    const keep = { as: 'branch', keep: (data: { default_branch: string }) => ({ default_branch: data.default_branch }) };
    await conditionalGet(octokit, store, route, { owner: 'octocat', repo: 'rust-course' }, NOW, keep);
    const key = `${route} ${JSON.stringify({ owner: 'octocat', repo: 'rust-course' })} as branch`;
    assert.deepEqual(store.githubCache.get(key)?.body, { default_branch: 'trunk' });

    const later = new Date(NOW.getTime() + 5 * 24 * 3600_000);
    const again = await conditionalGet(octokit, store, route, { owner: 'octocat', repo: 'rust-course' }, later, keep);
    assert.equal(again.changed, false);
    assert.equal(store.githubCache.prune(new Date(later.getTime() - 1000)), 0, 'the 304 kept it in use');
    assert.equal(store.githubCache.prune(new Date(later.getTime() + 1000)), 1);
    assert.equal(store.githubCache.get(key), undefined);
  });

  it('passes other errors on, such as a missing repository', async () => {
    const { store, services } = await testServices(NOW);
    const octokit = createGithubClient({ token: fake.token, apiUrl: fake.apiUrl, logger: services.logger, throttle: false, retry: false });
    await assert.rejects(conditionalGet(octokit, store, 'GET /repos/{owner}/{repo}', { owner: 'octocat', repo: 'nope' }, NOW), { status: 404 });
  });
});
