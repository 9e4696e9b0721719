import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { repoToSync } from '../../src/github/webhook-events.ts';

const repository = { full_name: 'octocat/rust-course', default_branch: 'main' };
const event = (name: string, payload: Record<string, unknown>) => ({ name, deliveryId: 'd', payload });

describe('which webhooks lead to a sync', () => {
  it('finished check runs, check suites and workflow runs, and pushes to the default branch', () => {
    for (const name of ['check_run', 'check_suite', 'workflow_run']) {
      assert.equal(repoToSync(event(name, { action: 'completed', repository })), 'octocat/rust-course', name);
      assert.equal(repoToSync(event(name, { action: 'created', repository })), null, `${name} created`);
    }
    assert.equal(repoToSync(event('push', { ref: 'refs/heads/main', repository })), 'octocat/rust-course');
    assert.equal(repoToSync(event('push', { ref: 'refs/heads/wip', repository })), null);
    assert.equal(repoToSync(event('push', { ref: 'refs/tags/v1', repository })), null);
  });

  it('ignores other events and payloads without a usable repository', () => {
    assert.equal(repoToSync(event('issues', { action: 'opened', repository })), null);
    assert.equal(repoToSync(event('ping', { zen: 'Keep it logically awesome.' })), null);
    assert.equal(repoToSync(event('check_run', { action: 'completed', repository: { full_name: 'no slash' } })), null);
    // Only names GitHub could have given are ever stored to sync.
    for (const fullName of ['owner/re\u0000po', `${'o'.repeat(40)}/r`, `o/${'r'.repeat(101)}`, '../etc', '-o/r', 'o/r/x', 'ö/r']) {
      assert.equal(repoToSync(event('check_run', { action: 'completed', repository: { full_name: fullName } })), null, fullName);
    }
    assert.equal(repoToSync(event('check_run', { action: 'completed', repository: { full_name: 'Octo-Cat/rust.course_2' } })), 'Octo-Cat/rust.course_2');
  });
});
