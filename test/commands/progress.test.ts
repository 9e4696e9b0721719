import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { berlinCohort } from '../helpers/cohort-fixture.ts';
import { invocation, realCourse, testServices } from '../helpers/test-services.ts';

const NOW = new Date('2026-12-22T12:00:00Z');

describe('/progress', () => {
  it('shows released modules with credit kept, failures and uncounted passes explained, and points', async () => {
    const { services, registry, store } = await testServices(NOW);
    const cohort = berlinCohort(store);
    const { learner } = store.learners.join(cohort.id, 'u-ada', 'Ada', NOW);
    const record = (exerciseId: string, status: 'passed' | 'failed' | 'tampered', detail: string | null, at: Date) =>
      store.results.record({ learnerId: learner.id, exerciseId, status, commit: 'c0ffee', detail }, at);
    record('ex01-lru-cache', 'passed', null, new Date('2026-12-09T10:00:00Z'));
    record('ex01-lru-cache', 'failed', 'The ex01-lru-cache check finished with "failure".', NOW);
    record('ex02-config-cli', 'tampered', 'The check passed, but exercises/ex02-config-cli/tests/cli.rs differs from the course\'s version, so it does not count.', NOW);
    record('ex01-tcp-chat', 'failed', 'The ex01-tcp-chat check finished with "failure".', NOW);

    const reply = await registry.execute(invocation('progress'), services);
    const total = realCourse().modules.flatMap((m) => m.exercises).length;
    assert.equal(reply.title, "Ada's progress in Winter cohort");
    assert.equal(reply.text, `▰${'▱'.repeat(Math.min(total, 10) - 1)} 1/${total} exercises · 120 points (20 on-time bonus) · rank 1 of 1`);
    assert.deepEqual(reply.fields?.map((f) => f.name), ['Module 01 · Core Rust Fluency', 'Module 02 · Async and Networking with Tokio']);
    const module1 = reply.fields?.[0]?.value ?? '';
    assert.match(module1, /✅ .*`ex01-lru-cache`\), passed Wed 9 Dec 2026 — latest run: The ex01-lru-cache check finished with "failure"\./);
    assert.match(module1, /⚠️ .*`ex02-config-cli`\) — The check passed, but .* does not count\./);
    assert.match(reply.fields?.[1]?.value ?? '', /❌ .*ex01-tcp-chat/);
    assert.match(reply.footer ?? '', /Link your GitHub repo/);
  });

  it('asks someone who has not joined to join first', async () => {
    const { services, registry, store } = await testServices(NOW);
    berlinCohort(store);
    assert.match((await registry.execute(invocation('progress'), services)).text ?? '', /You have not joined Winter cohort yet/);
  });
});
