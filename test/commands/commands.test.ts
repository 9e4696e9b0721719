import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { berlinCohort, pass } from '../helpers/cohort-fixture.ts';
import { invocation, realCourse, testServices } from '../helpers/test-services.ts';

const NOW = new Date('2026-12-10T12:00:00Z');

describe('every command through the registry', () => {
  it('answers each command without error for a joined learner (commands with a required option get one)', async () => {
    const { services, registry, store } = await testServices(NOW);
    const cohort = berlinCohort(store);
    store.learners.join(cohort.id, 'u-ada', 'Ada', NOW);
    const names = registry.list().map((c) => c.name);
    assert.deepEqual(names, ['buddy', 'cohort', 'help', 'hint', 'join', 'leaderboard', 'link-github', 'module', 'next-module', 'progress', 'reminders', 'schedule', 'sync']);
    // /cohort is for organisers; /link-github and /sync need GitHub (test/commands/link-github.test.ts).
    const arguments_: Record<string, string> = { module: '1', reminders: 'on', buddy: 'on', hint: 'ex01-lru-cache' };
    for (const name of names.filter((n) => !['cohort', 'link-github', 'sync'].includes(n))) {
      const reply = await registry.execute(invocation(name, arguments_[name] ?? ''), services);
      assert.notEqual(reply.tone, 'error', `/${name} answered with an error: ${reply.text}`);
      assert.ok(reply.title, `/${name} has a title`);
    }
  });
});

describe('/help', () => {
  it('lists every command of the registry with its usage', async () => {
    const { services, registry } = await testServices(NOW);
    const reply = await registry.execute(invocation('help'), services);
    assert.deepEqual(reply.fields?.map((f) => f.name), [
      '/buddy <state:on|off>',
      '/cohort <create|status|pause|resume|post-now|resend|timezone|add-organiser|remove-organiser|sync|publish|exclude|include|export|board|skip|settings>',
      '/help [command:command]',
      '/hint <exercise>',
      '/join',
      '/leaderboard [show:text|image]',
      '/link-github <start|verify>',
      '/module <module>',
      '/next-module',
      '/progress [learner:@person]',
      '/reminders <state:on|off>',
      '/schedule',
      '/sync',
    ]);
    assert.match(reply.fields?.find((f) => f.name.startsWith('/cohort'))?.value ?? '', /\(organisers\)$/);
    assert.equal(reply.private, true);
  });

  it('explains one command and its options, with or without the slash', async () => {
    const { services, registry } = await testServices(NOW);
    const reply = await registry.execute(invocation('help', '/module'), services);
    assert.equal(reply.title, '/module');
    assert.match(reply.text ?? '', /Usage: `\/module <module>`/);
    assert.deepEqual(reply.fields?.map((f) => f.name), ['module']);
    const unknown = await registry.execute(invocation('help', 'leaderbored'), services);
    assert.match(unknown.text ?? '', /There is no \/leaderbored command/);
  });
});

describe('/join', () => {
  it('joins the cohort of the channel once, and says so on a second try', async () => {
    const { services, registry, store } = await testServices(NOW);
    const cohort = berlinCohort(store);
    const first = await registry.execute(invocation('join'), services);
    assert.equal(first.title, 'Welcome to Winter cohort, Ada!');
    assert.equal(first.tone, 'success');
    assert.equal(store.learners.find(cohort.id, 'u-ada')?.displayName, 'Ada');
    const second = await registry.execute(invocation('join'), services);
    assert.equal(second.title, 'You are already in Winter cohort');
    assert.equal(store.learners.listInCohort(cohort.id).length, 1);
  });

  it('stores a platform display name plain: no control or text-direction characters, bounded, never empty', async () => {
    const { services, registry, store } = await testServices(NOW);
    const cohort = berlinCohort(store);
    const named = (id: string, displayName: string) => invocation('join', '', { user: { id, displayName } });
    await registry.execute(named('u-rlo', 'Eve\u202Egnp.exe\u0000\nhi'), services);
    await registry.execute(named('u-long', 'x'.repeat(100_000)), services);
    await registry.execute(named('u-empty', '\u200F\u0007 '), services);
    assert.equal(store.learners.find(cohort.id, 'u-rlo')?.displayName, 'Eve gnp.exe hi');
    const long = store.learners.find(cohort.id, 'u-long')?.displayName ?? '';
    assert.equal([...long].length, 80);
    assert.ok(long.endsWith('…'));
    assert.equal(store.learners.find(cohort.id, 'u-empty')?.displayName, 'u-empty', 'an all-invisible name falls back to the platform id');
  });

  it('refuses in a channel without a cohort, and stores nothing', async () => {
    const { services, registry, store } = await testServices(NOW);
    const cohort = berlinCohort(store);
    const reply = await registry.execute(invocation('join', '', { channelId: 'random' }), services);
    assert.match(reply.text ?? '', /There is no cohort in this channel/);
    assert.equal(store.learners.listInCohort(cohort.id).length, 0);
  });
});

describe('/module', () => {
  for (const ref of ['3', 'module-03', 'kv-store', 'key value']) {
    it(`finds module 03 from "${ref}"`, async () => {
      const { services, registry } = await testServices(NOW);
      assert.equal((await registry.execute(invocation('module', ref), services)).title, 'Module 03 · Log-Structured Key-Value Store');
    });
  }

  it('shows summary, objectives, exercises and links to lectures, exercises and module; dates and marks when in a cohort', async () => {
    const { services, registry, store } = await testServices(NOW);
    const outside = await registry.execute(invocation('module', '1'), services);
    assert.deepEqual(outside.fields?.map((f) => f.name), ['Phase', 'Length', 'Points', 'You will be able to', 'Exercises']);
    assert.match(outside.fields?.[4]?.value ?? '', /^• /);

    const cohort = berlinCohort(store);
    const { learner } = store.learners.join(cohort.id, 'u-ada', 'Ada', NOW);
    pass(store, learner.id, ['ex02-config-cli'], NOW);
    const inside = await registry.execute(invocation('module', '1'), services);
    const module1 = realCourse().modules[0]!;
    assert.equal(inside.text, module1.summary);
    assert.match(inside.fields?.find((f) => f.name === 'Exercises')?.value ?? '', /⬜ .*ex01-lru-cache.*\n✅ .*ex02-config-cli/);
    assert.equal(inside.fields?.find((f) => f.name === 'Dates')?.value, 'Released Mon 7 Dec 2026, 09:00 GMT+1\nDue Mon 21 Dec 2026, 09:00 GMT+1');
    assert.deepEqual(inside.links?.map((l) => l.label), [
      ...module1.lectures.map((l, i) => `Lecture ${i + 1}: ${l.title}`),
      'Exercise: An LRU cache with O(1) get and put',
      'Exercise: A validating config CLI tool',
      'Module 01 · Core Rust Fluency: overview',
    ]);
    assert.deepEqual(inside.links?.slice(-3).map((l) => l.url), [
      'https://example.test/content/modules/module-01-core-rust/exercises/ex01-lru-cache/README.md',
      'https://example.test/content/modules/module-01-core-rust/exercises/ex02-config-cli/README.md',
      'https://example.test/content/modules/module-01-core-rust/README.md',
    ]);
  });

  it('GIVEN no module or a wrong one THEN says how to name one', async () => {
    const { services, registry } = await testServices(NOW);
    assert.match((await registry.execute(invocation('module'), services)).text ?? '', /\/module needs module/);
    assert.match((await registry.execute(invocation('module', '13'), services)).text ?? '', /There is no module 13: the course has modules 1 to 12/);
    assert.match((await registry.execute(invocation('module', 'quantum'), services)).text ?? '', /I found no module matching "quantum"/);
  });
});

describe('/schedule', () => {
  it('lists all modules with release and due days in the cohort zone, marking the current one', async () => {
    const { services, registry, store } = await testServices(new Date('2026-12-22T12:00:00Z'));
    berlinCohort(store);
    const reply = await registry.execute(invocation('schedule'), services);
    assert.equal(reply.fields?.length, 12);
    assert.match(reply.text ?? '', /^This is week 3 of 26\. Modules are posted on Mondays at 09:00 \(Europe\/Berlin\)\./);
    assert.equal(reply.fields?.[1]?.name, '▶ Module 02 · Async and Networking with Tokio');
    assert.equal(reply.fields?.[1]?.value, 'Mon 21 Dec 2026 → Mon 4 Jan 2027 · 2 wk');
    assert.equal(reply.fields?.filter((f) => f.name.startsWith('▶')).length, 1);
  });

  it('before the start and after the end says so', async () => {
    const before = await testServices(new Date('2026-12-01T00:00:00Z'));
    berlinCohort(before.store);
    assert.match((await before.registry.execute(invocation('schedule'), before.services)).text ?? '', /^The cohort has not started yet\./);
    const after = await testServices(new Date('2027-12-01T00:00:00Z'));
    berlinCohort(after.store);
    assert.match((await after.registry.execute(invocation('schedule'), after.services)).text ?? '', /^The course is over/);
  });
});

describe('/cohort organisers', () => {
  it('lets the creator and added organisers run the cohort, and no one else', async () => {
    const { services, registry, store } = await testServices(NOW);
    const asSlack = (user: { id: string; admin?: boolean }, text: string) =>
      registry.execute(
        invocation('cohort', text, { platform: 'slack', workspaceId: 'T1', channelId: 'C1', user: { id: user.id, displayName: user.id, isOrganiser: user.admin ?? false } }),
        services,
      );
    const admin = { id: 'U0ADMIN', admin: true };
    const creator = { id: 'U0CREATOR' };
    const helper = { id: 'U0HELPER' };

    assert.match((await asSlack(creator, 'create name=Winter start=2026-12-07 timezone=UTC')).text ?? '', /Only the cohort organisers/);
    assert.equal((await asSlack(admin, 'create name=Winter start=2026-12-07 timezone=UTC')).tone, 'success');
    const cohort = store.cohorts.findByChannel('slack', 'T1', 'C1')!;
    assert.deepEqual(store.organisers.list(cohort.id), ['U0ADMIN']);

    assert.match((await asSlack(helper, 'pause')).text ?? '', /Only the cohort organisers can do that\.\nOrganisers here are workspace admins/);
    assert.equal((await asSlack(admin, 'add-organiser <@U0HELPER|helper>')).title, 'They can now run Winter');
    assert.equal((await asSlack(helper, 'pause')).title, 'Winter is paused');
    assert.equal((await asSlack(helper, 'remove-organiser person:U0HELPER')).title, 'They no longer run Winter');
    assert.match((await asSlack(helper, 'resume')).text ?? '', /Only the cohort organisers/);
    assert.equal(store.cohorts.findById(cohort.id)?.status, 'paused');
  });
});

describe('/leaderboard', () => {
  it('ranks the cohort by points from passed exercises, and shows the asker where they stand', async () => {
    const { services, registry, store } = await testServices(NOW);
    const cohort = berlinCohort(store);
    const exercises = realCourse().modules.flatMap((m) => m.exercises);
    const empty = await registry.execute(invocation('leaderboard'), services);
    assert.match(empty.text ?? '', /Nobody has joined yet/);
    // Twelve learners with 12, 11, … 1 exercises passed; Ada (the asker) has none and comes last.
    for (let i = 0; i < 12; i += 1) {
      const { learner } = store.learners.join(cohort.id, `u-${i}`, `Learner ${12 - i}`, NOW);
      pass(store, learner.id, exercises.slice(0, 12 - i).map((e) => e.id), new Date(NOW.getTime() + i * 1000));
    }
    store.learners.join(cohort.id, 'u-ada', 'Ada', NOW);
    const reply = await registry.execute(invocation('leaderboard'), services);
    const lines = (reply.text ?? '').split('\n');
    // Every pass came before its module was due: each exercise earns its points and a 20% bonus.
    const top = exercises.slice(0, 12).reduce((sum, e) => sum + e.points + Math.round(e.points * 0.2), 0);
    assert.match(lines[0] ?? '', new RegExp(`^🥇 Learner 12 — ${top} pts · \`▰+▱* 12/${exercises.length}\` · \\d+ modules$`));
    assert.match(lines[1] ?? '', /^🥈 Learner 11 — \d+ pts · `▰+▱* 11\/\d+`/);
    assert.match(lines[3] ?? '', /^4\. Learner 9 /);
    assert.equal(lines.length, 12, 'the top ten, an ellipsis and the asker');
    assert.deepEqual(lines.slice(10), ['…', `13. **Ada** (you) — 0 pts · \`▱▱▱▱▱▱▱▱▱▱ 0/${exercises.length}\``]);
    assert.match(reply.footer ?? '', /^12 of 13 learners have points/);
    assert.deepEqual(reply.actions, [{ label: 'Show me', command: 'progress' }]);
    assert.equal(reply.private, true);
  });

  it('gives no medal for 0 points, and explains the scoring in /help leaderboard', async () => {
    const { services, registry, store } = await testServices(NOW);
    const cohort = berlinCohort(store);
    store.learners.join(cohort.id, 'u-ada', 'Ada', NOW);
    store.learners.join(cohort.id, 'u-bob', 'Bob', NOW);
    const lines = ((await registry.execute(invocation('leaderboard'), services)).text ?? '').split('\n');
    assert.ok(lines.every((line) => line.startsWith('1. ')), lines.join('\n'));
    const help = await registry.execute(invocation('help', 'leaderboard'), services);
    assert.match(help.text ?? '', /before its module's due time .* earns 20% more/);
    assert.match(help.text ?? '', /streak/);
  });
});
