import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InvocationUser } from '../../src/chat/context.ts';
import { defineCommand, defineCommandGroup, defineSubcommand, usageOf } from '../../src/chat/define-command.ts';
import { enrolledOnly, organiserOnly } from '../../src/chat/guards.ts';
import { integerOption, moduleOption, stringOption } from '../../src/chat/options.ts';
import { createRegistry } from '../../src/chat/registry.ts';
import { UserError } from '../../src/chat/user-error.ts';
import { invocation, testServices } from '../helpers/test-services.ts';

const NOW = new Date('2026-12-10T12:00:00Z');

const echo = defineCommand({
  name: 'echo',
  description: 'Repeats its options',
  options: {
    module: moduleOption({ description: 'A module', required: true }),
    times: integerOption({ description: 'How often', min: 1, max: 3 }),
  },
  run: (ctx) => ({ title: `${ctx.options.module.slug} x${ctx.options.times ?? 1}`, private: false }),
});
const broken = defineCommand({
  name: 'broken',
  description: 'Fails like a bug would',
  run: () => {
    throw new TypeError('cannot read properties of undefined (token=abc123)');
  },
});
const refuses = defineCommand({
  name: 'refuses',
  description: 'Refuses like a learner mistake',
  run: () => {
    throw new UserError('bad-option', 'That is not possible.', 'Try something else.');
  },
});
const members = defineCommand({ name: 'members', description: 'Learners only', guards: [enrolledOnly], run: () => ({ title: 'in', private: true }) });
const admin = defineCommand({ name: 'admin', description: 'Organisers only', organiserOnly: true, run: () => ({ title: 'done', private: true }) });
const tools = defineCommandGroup({
  name: 'tools',
  description: 'One open subcommand, one for organisers',
  subcommands: {
    look: defineSubcommand({ description: 'Anyone', run: () => ({ title: 'looked', private: true }) }),
    lock: defineSubcommand({ description: 'Organisers', guards: [organiserOnly], run: () => ({ title: 'locked', private: true }) }),
  },
});
const registry = createRegistry([echo, broken, refuses, members, admin, tools]);

/** A user whose organiser status costs a lookup (Slack's users.info), counting how often it is asked. */
function lazyUser(answer: boolean): { user: InvocationUser; asked: () => number } {
  let asked = 0;
  const resolveOrganiser = async () => {
    asked += 1;
    return answer;
  };
  return { user: { id: 'u-grace', displayName: 'Grace', resolveOrganiser }, asked: () => asked };
}

describe('registry', () => {
  it('parses typed options from text and runs the command', async () => {
    const { services } = await testServices(NOW);
    const reply = await registry.execute(invocation('echo', 'kv-store times:2'), services);
    assert.equal(reply.title, 'kv-store x2');
  });

  it('takes values already typed by the platform (Discord) the same way', async () => {
    const { services } = await testServices(NOW);
    const reply = await registry.execute(invocation('echo', '', { args: { kind: 'values', values: { module: '4', times: 3 } } }), services);
    assert.equal(reply.title, 'redis-clone x3');
  });

  it('GIVEN an unknown command THEN suggests the nearest one, privately', async () => {
    const { services } = await testServices(NOW);
    const reply = await registry.execute(invocation('ecoh'), services);
    assert.equal(reply.private, true);
    assert.equal(reply.tone, 'error');
    assert.match(reply.text ?? '', /I don't know the command \/ecoh\.\nDid you mean \/echo\?/);
  });

  it('GIVEN a missing required option THEN names it and shows the usage', async () => {
    const { services } = await testServices(NOW);
    const reply = await registry.execute(invocation('echo', ''), services);
    assert.match(reply.text ?? '', /\/echo needs module: A module\nUsage: \/echo <module> \[times:number\]/);
  });

  it('GIVEN an option out of range or unknown THEN says what was wrong', async () => {
    const { services } = await testServices(NOW);
    assert.match((await registry.execute(invocation('echo', '3 times:9'), services)).text ?? '', /times: 9 is outside 1–3/);
    assert.match((await registry.execute(invocation('echo', 'module 42'), services)).text ?? '', /There is no module 42/);
    const typed = invocation('echo', '', { args: { kind: 'values', values: { module: '3', colour: 'red' } } });
    assert.match((await registry.execute(typed, services)).text ?? '', /\/echo has no option "colour"/);
  });

  it('GIVEN a UserError from a command THEN shows its message and hint privately', async () => {
    const { services } = await testServices(NOW);
    const reply = await registry.execute(invocation('refuses'), services);
    assert.deepEqual(reply, { title: 'Sorry, I could not do that', text: 'That is not possible.\nTry something else.', tone: 'error', private: true });
  });

  it('GIVEN a bug in a command THEN answers politely with an error id that is in the log, and no internals', async () => {
    const { services, logs } = await testServices(NOW);
    const reply = await registry.execute(invocation('broken'), services);
    const errorId = /error id (E-[0-9A-F]{8})/.exec(reply.text ?? '')?.[1];
    assert.ok(errorId, `reply quotes an error id: ${reply.text}`);
    assert.doesNotMatch(reply.text ?? '', /undefined|abc123|TypeError/);
    const logged = logs.lines().find((line) => line.errorId === errorId);
    assert.ok(logged, 'the error is logged with the same id');
    assert.equal(logged.command, 'broken');
    assert.equal(logged.level, 50);
  });

  it('GIVEN a guard that refuses THEN the command does not run', async () => {
    const { services, store } = await testServices(NOW);
    assert.match((await registry.execute(invocation('members'), services)).text ?? '', /There is no cohort in this channel/);
    store.cohorts.create({ platform: 'console', workspaceId: 'local', channelId: 'terminal', name: 'C', startDate: '2026-12-07', timezone: 'UTC', postWeekday: 1, postTime: '09:00' }, NOW);
    assert.match((await registry.execute(invocation('members'), services)).text ?? '', /You have not joined C yet\.\nType \/join/);
  });

  it('GIVEN a lazy organiser check THEN only organiser commands and subcommands ask it, and its answer decides', async () => {
    const { services } = await testServices(NOW);
    const learner = lazyUser(true);
    assert.equal((await registry.execute(invocation('echo', '3', { user: learner.user }), services)).title, 'kv-store x1');
    assert.equal((await registry.execute(invocation('tools', 'look', { user: learner.user }), services)).title, 'looked');
    assert.equal(learner.asked(), 0);
    assert.equal((await registry.execute(invocation('admin', '', { user: learner.user }), services)).title, 'done');
    assert.equal((await registry.execute(invocation('tools', 'lock', { user: learner.user }), services)).title, 'locked');
    assert.equal(learner.asked(), 2);
    const member = lazyUser(false);
    assert.match((await registry.execute(invocation('admin', '', { user: member.user }), services)).text ?? '', /Only the cohort organisers can do that/);
    assert.match((await registry.execute(invocation('tools', 'lock', { user: member.user }), services)).text ?? '', /Only the cohort organisers can do that/);
  });

  it('GIVEN a listed organiser or a known answer THEN the lazy check is not asked', async () => {
    const { services, store } = await testServices(NOW);
    const cohort = store.cohorts.create({ platform: 'console', workspaceId: 'local', channelId: 'terminal', name: 'C', startDate: '2026-12-07', timezone: 'UTC', postWeekday: 1, postTime: '09:00' }, NOW);
    const listed = lazyUser(false);
    store.organisers.add(cohort.id, listed.user.id, null, NOW);
    assert.equal((await registry.execute(invocation('admin', '', { user: listed.user }), services)).title, 'done');
    assert.equal(listed.asked(), 0);
    const known = lazyUser(true);
    const refused = await registry.execute(invocation('admin', '', { user: { ...known.user, id: 'u-other', isOrganiser: false } }), services);
    assert.match(refused.text ?? '', /Only the cohort organisers/);
    assert.equal(known.asked(), 0);
  });

  it('autocompletes module options, at most 25 choices', async () => {
    const { services } = await testServices(NOW);
    assert.deepEqual(registry.autocomplete({ command: 'echo', option: 'module', partial: 'redis' }, services), [{ name: 'Module 04 · Redis Clone', value: 'redis-clone' }]);
    assert.equal(registry.autocomplete({ command: 'echo', option: 'module', partial: '' }, services).length, 12);
    assert.deepEqual(registry.autocomplete({ command: 'echo', option: 'times', partial: '' }, services), []);
    assert.deepEqual(registry.autocomplete({ command: 'nope', option: 'module', partial: '' }, services), []);
  });

  it('refuses two commands with one name, and badly formed names', () => {
    assert.throws(() => createRegistry([echo, echo]), /two commands are named \/echo/);
    assert.throws(() => defineCommand({ name: 'Next Module', description: 'x', run: () => ({ private: true }) }), /kebab-case/);
    assert.throws(() => defineCommand({ name: 'x', description: 'y'.repeat(101), run: () => ({ private: true }) }), /1–100/);
  });

  it('writes usage lines from the option specs', () => {
    const named = defineCommand({ name: 'named', description: 'd', options: { title: stringOption({ description: 't', required: true }) }, run: () => ({ private: true }) });
    assert.equal(usageOf(named), '/named <title:text>');
    assert.equal(usageOf(echo), '/echo <module> [times:number]');
  });
});
