import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDiscordAdapter } from '../../src/adapters/discord/discord-adapter.ts';
import { renderSlackMessage } from '../../src/adapters/slack/render-blocks.ts';
import { loadCommands } from '../../src/chat/load-commands.ts';
import { createRegistry } from '../../src/chat/registry.ts';
import { reminderReply } from '../../src/chat/views/reminder.ts';
import { sendDueReminders, type ReminderJobDeps } from '../../src/scheduler/reminder-job.ts';
import { FAKE_IDS, FakeDiscord } from '../fakes/discord/fake-discord.ts';
import { pass } from '../helpers/cohort-fixture.ts';
import { invocation, testServices } from '../helpers/test-services.ts';

// Winter cohort: Mondays 09:00 Berlin from 7 Dec 2026; module 01 (two weeks) is due Mon 21 Dec 09:00, reminded Sat 19 Dec 09:00.
const REMINDER = new Date('2026-12-19T08:00:00Z');

async function cohortWithLearners(count: number) {
  const env = await testServices(REMINDER);
  const cohort = env.store.cohorts.create(
    { platform: 'discord', workspaceId: FAKE_IDS.guildId, channelId: FAKE_IDS.channelId, name: 'Winter', startDate: '2026-12-07', timezone: 'Europe/Berlin', postWeekday: 1, postTime: '09:00' },
    new Date('2026-12-01T00:00:00Z'),
  );
  const learners = Array.from({ length: count }, (_, i) => env.store.learners.join(cohort.id, String(1100000000000000100n + BigInt(i)), i === 0 ? '@everyone' : `Learner ${i}`, REMINDER).learner);
  const deps: ReminderJobDeps = { store: env.store, course: env.services.course, logger: env.services.logger, renderReminder: (facts, c) => reminderReply(facts, c, env.services.links) };
  return { ...env, cohort, learners, deps };
}

describe('the due-date reminder job', () => {
  it('mentions learners with unfinished work, capped, never those who opted out or finished; once, whatever restarts', async () => {
    const { store, services, registry, cohort, learners, deps } = await cohortWithLearners(40);
    const module1 = services.course.modules[0]!.exercises.map((e) => e.id);
    pass(store, learners[1]!.id, module1, REMINDER);
    pass(store, learners[2]!.id, module1, REMINDER);
    const optingOut = learners[3]!;
    const answer = await registry.execute(
      invocation('reminders', 'off', { platform: 'discord', workspaceId: FAKE_IDS.guildId, channelId: FAKE_IDS.channelId, user: { id: optingOut.platformUserId, displayName: 'x' } }),
      services,
    );
    assert.equal(answer.title, 'No more reminder mentions for you');

    assert.equal(sendDueReminders(deps, new Date(REMINDER.getTime() - 60_000)), 0, 'not before its time');
    assert.equal(sendDueReminders(deps, REMINDER), 1);
    assert.equal(sendDueReminders(deps, new Date(REMINDER.getTime() + 60_000)), 0, 'claimed: a restart sends nothing more');
    const [row] = store.outbox.listForCohort(cohort.id).filter((m) => m.kind === 'reminder');
    const reply = row!.payload as { title: string; text: string; mentions: string[]; footer: string };
    assert.match(reply.title, /Module 01 · Core Rust Fluency is due Mon 21 Dec 2026, 09:00 GMT\+1/);
    assert.match(reply.text, /^2 of 40 learners have finished it\./);
    assert.equal(reply.mentions.length, 25);
    assert.ok(!reply.mentions.includes(optingOut.platformUserId), 'opted out');
    assert.ok(!reply.mentions.includes(learners[1]!.platformUserId), 'finished');
    assert.match(reply.text, /and 12 more\.$/);
    assert.doesNotMatch(reply.footer, /late/);
  });

  it('after three weeks of downtime sends only the latest open reminder, marked late', async () => {
    const { store, cohort, deps } = await cohortWithLearners(2);
    // Module 02 (Async, two weeks) is due Mon 4 Jan 2027 09:00; its reminder was Sat 2 Jan 09:00. Back on Sun 3 Jan.
    assert.equal(sendDueReminders(deps, new Date('2027-01-03T10:00:00Z')), 1);
    const rows = store.outbox.listForCohort(cohort.id).filter((m) => m.kind === 'reminder');
    assert.equal(rows.length, 1);
    assert.match((rows[0]!.payload as { title: string }).title, /Module 02/);
    assert.match((rows[0]!.payload as { footer: string }).footer, /Sent late/);
    assert.equal(sendDueReminders(deps, new Date('2027-01-03T10:05:00Z')), 0);
  });

  it('is silent while the cohort is paused', async () => {
    const { store, cohort, deps } = await cohortWithLearners(2);
    store.cohorts.setStatus(cohort.id, 'paused');
    assert.equal(sendDueReminders(deps, REMINDER), 0);
  });
});

describe('mentions on the wire', () => {
  it('Discord pings exactly the users listed: allowed_mentions with no parse, so a name like @everyone pings nobody', async () => {
    const { store, services, cohort, learners, deps } = await cohortWithLearners(3);
    sendDueReminders(deps, REMINDER);
    const payload = store.outbox.listForCohort(cohort.id).find((m) => m.kind === 'reminder')!.payload;
    const fake = await FakeDiscord.start();
    const adapter = createDiscordAdapter({
      config: { token: fake.token, applicationId: FAKE_IDS.applicationId, guildId: FAKE_IDS.guildId, apiUrl: fake.apiUrl },
      registry: createRegistry(await loadCommands()),
      services,
      logger: services.logger,
    });
    await adapter.start();
    await adapter.deliver({ channelId: FAKE_IDS.channelId, payload, key: 'reminder-1' });
    const body = fake.channelMessages.at(-1)!.body as { content: string; allowed_mentions: unknown };
    assert.deepEqual(body.allowed_mentions, { parse: [], users: learners.map((l) => l.platformUserId) });
    assert.equal(body.content, learners.map((l) => `<@${l.platformUserId}>`).join(' '));
    assert.doesNotMatch(body.content, /@everyone|@here/);
    await adapter.stop();
    await fake.close();
  });

  it('Slack holds only <@U…> user mentions; text can never become <!here> or <!everyone>', () => {
    const message = renderSlackMessage({ title: 'Due', text: '<!here> and <!everyone>', mentions: ['U0ADA', '<!channel>', 'U0BOB'], private: false });
    const all = JSON.stringify(message.blocks);
    assert.match(all, /<@U0ADA> <@U0BOB>/);
    assert.doesNotMatch(all, /<!here>|<!everyone>|<!channel>/);
  });
});
