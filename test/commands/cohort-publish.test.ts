import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Reply } from '../../src/chat/reply.ts';
import { assignmentReply } from '../../src/chat/views/assignment.ts';
import { createContentLinks } from '../../src/content/content-links.ts';
import { DEFAULT_CONTENT_DIR } from '../../src/content/load-course.ts';
import { windowsFor } from '../../src/chat/views/cohort-progress.ts';
import { berlinCohort } from '../helpers/cohort-fixture.ts';
import { invocation, realCourse, testServices } from '../helpers/test-services.ts';

const NOW = new Date('2026-12-10T12:00:00Z');
const PUBLIC_URL = 'https://cohort.example.org';

/** An organiser's console session; with `publicUrl`, links as the app builds them when PUBLIC_URL is set. */
async function organiserSetup(publicUrl?: string) {
  const env = await testServices(NOW);
  if (publicUrl) env.services.links = createContentLinks(DEFAULT_CONTENT_DIR, { publicUrl });
  const cohort = berlinCohort(env.store);
  env.store.organisers.add(cohort.id, 'u-ada', null, NOW);
  const run = (command: string, text = '') => env.registry.execute(invocation(command, text), env.services);
  return { ...env, cohort, run };
}

function boardField(reply: Reply): string | undefined {
  return reply.fields?.find((f) => f.name === 'Board on the web')?.value;
}

describe('/cohort publish', () => {
  it('on: publishes the board and tells the organiser, privately, its address under PUBLIC_URL', async () => {
    const { run, store, cohort } = await organiserSetup(PUBLIC_URL);
    assert.equal(boardField(await run('cohort', 'status')), 'Not published; /cohort publish on shares it.');

    const reply = await run('cohort', 'publish on');
    assert.equal(reply.private, true);
    assert.equal(reply.tone, 'success');
    assert.equal(reply.title, "Winter cohort's board is on the web");
    const url = /https:\/\/\S+/.exec(reply.text ?? '')?.[0];
    assert.match(url ?? '', /^https:\/\/cohort\.example\.org\/cohorts\/[A-Za-z0-9_-]{22}$/);
    const publicId = url!.split('/').pop()!;
    assert.equal(store.cohorts.findPublishedBoard(publicId)?.id, cohort.id);
    assert.equal(boardField(await run('cohort', 'status')), `Published at ${url}`);

    const again = await run('cohort', 'publish board:on');
    assert.equal(again.title, "Winter cohort's board is already on the web");
    assert.match(again.text ?? '', new RegExp(`${url}$`));
  });

  it('off: takes it down (its address no longer finds it), and on again restores the same address', async () => {
    const { run, store, cohort } = await organiserSetup(PUBLIC_URL);
    const url = /https:\/\/\S+/.exec((await run('cohort', 'publish on')).text ?? '')?.[0] ?? '';
    const publicId = url.split('/').pop()!;

    const off = await run('cohort', 'publish off');
    assert.equal(off.title, "Winter cohort's board is off the web");
    assert.equal(off.private, true);
    assert.equal(store.cohorts.findPublishedBoard(publicId), undefined);
    assert.equal(store.cohorts.isBoardPublished(cohort.id), false);
    assert.equal(boardField(await run('cohort', 'status')), 'Not published; /cohort publish on shares it.');
    assert.equal((await run('cohort', 'publish OFF')).title, "Winter cohort's board is not on the web");

    const on = await run('cohort', 'publish on');
    assert.match(on.text ?? '', new RegExp(`${url}$`));
    assert.equal(store.cohorts.findPublishedBoard(publicId)?.id, cohort.id);
  });

  it('without PUBLIC_URL: refuses politely, says to set it, and publishes nothing', async () => {
    const { run, store, cohort } = await organiserSetup();
    const reply = await run('cohort', 'publish on');
    assert.equal(reply.title, 'The board cannot be published yet');
    assert.match(reply.text ?? '', /no public address.*Set PUBLIC_URL/);
    assert.equal(reply.private, true);
    assert.equal(reply.tone, 'warning');
    assert.equal(store.cohorts.isBoardPublished(cohort.id), false);
    assert.equal(boardField(await run('cohort', 'status')), 'Not published.');
  });

  it('is for organisers only, and names on|off when given anything else', async () => {
    const { store, cohort, registry, services, run } = await organiserSetup(PUBLIC_URL);
    const learner = await registry.execute(invocation('cohort', 'publish on', { user: { id: 'u-bob', displayName: 'Bob' } }), services);
    assert.equal(learner.tone, 'error');
    assert.match(learner.text ?? '', /Only the cohort organisers/);
    assert.equal(store.cohorts.isBoardPublished(cohort.id), false);

    const wrong = await run('cohort', 'publish maybe');
    assert.equal(wrong.tone, 'error');
    assert.match(wrong.text ?? '', /"maybe" is neither on nor off/);
    assert.match(wrong.text ?? '', /\/cohort publish <board:on\|off>/);
  });
});

describe('links with PUBLIC_URL', () => {
  it('/next-module links lectures, exercises and the module to the pages of the site', async () => {
    const { store, cohort, registry, services } = await organiserSetup(PUBLIC_URL);
    store.learners.join(cohort.id, 'u-ada', 'Ada', NOW);
    const reply = await registry.execute(invocation('next-module'), services);
    const module1 = realCourse().modules[0]!;
    assert.deepEqual(reply.links?.map((l) => l.url), [
      `${PUBLIC_URL}/course/core-rust/01-ownership-and-borrowing`,
      `${PUBLIC_URL}/course/core-rust/02-lifetimes-smart-pointers-and-arenas`,
      `${PUBLIC_URL}/course/core-rust/03-traits-generics-and-dynamic-dispatch`,
      `${PUBLIC_URL}/course/core-rust/04-enums-pattern-matching-and-errors`,
      `${PUBLIC_URL}/course/core-rust/05-serde-clap-and-cli-design`,
      `${PUBLIC_URL}/course/core-rust/06-testing-tooling-and-cargo`,
      `${PUBLIC_URL}/course/core-rust#exercise-ex01-lru-cache`,
      `${PUBLIC_URL}/course/core-rust#exercise-ex02-config-cli`,
      `${PUBLIC_URL}/course/core-rust`,
    ]);
    assert.equal(reply.links?.[0]?.label, `Lecture 1: ${module1.lectures[0]?.title}`);
  });

  it('the assignment post (/cohort post-now and the weekly post) links the pages of the site', async () => {
    const { run, store, services, cohort } = await organiserSetup(PUBLIC_URL);
    assert.equal((await run('cohort', 'post-now')).tone, 'success');
    const [post] = store.outbox.due(new Date('2100-01-01T00:00:00Z'), ['console'], 10);
    const links = (post?.payload as Reply).links ?? [];
    assert.equal(links.length, 6 + 2 + 1);
    for (const link of links) assert.ok(link.url.startsWith(`${PUBLIC_URL}/course/core-rust`), link.url);

    const module2 = windowsFor(cohort, services)[1]!;
    const weekly = assignmentReply(module2, cohort, services.links);
    assert.equal(weekly.links?.[0]?.url, `${PUBLIC_URL}/course/async-networking/${module2.module.lectures[0]?.contentPath.split('/').pop()?.replace(/\.md$/, '')}`);
  });
});
