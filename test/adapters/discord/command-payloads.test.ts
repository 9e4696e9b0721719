import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandPayloads } from '../../../src/adapters/discord/command-payloads.ts';
import { inviteUrl } from '../../../src/adapters/discord/invite-url.ts';
import { loadCommands } from '../../../src/chat/load-commands.ts';

describe('commandPayloads', () => {
  it('registers every command of the registry with its options, types and autocomplete', async () => {
    const commands = await loadCommands();
    const payloads = commandPayloads(commands);
    assert.deepEqual(payloads.map((p) => p.name), commands.map((c) => c.name));
    const moduleCommand = payloads.find((p) => p.name === 'module');
    assert.deepEqual(moduleCommand?.options, [
      { type: 3, name: 'module', description: 'A module number, slug or words of its title, e.g. 3 or kv-store', required: true, autocomplete: true },
    ]);
    assert.equal(moduleCommand?.default_member_permissions, null);
    assert.deepEqual(moduleCommand?.contexts, [0]);
  });

  it('hides organiser commands behind Manage Server and lists subcommands with their options', async () => {
    const cohort = commandPayloads(await loadCommands()).find((p) => p.name === 'cohort');
    assert.equal(cohort?.default_member_permissions, '32');
    const subcommands = (cohort?.options ?? []) as { type: number; name: string; options: { name: string; type: number; required: boolean }[] }[];
    assert.deepEqual(subcommands.map((s) => [s.type, s.name]), [[1, 'create'], [1, 'status'], [1, 'pause'], [1, 'resume'], [1, 'post-now'], [1, 'resend'], [1, 'timezone'], [1, 'add-organiser'], [1, 'remove-organiser'], [1, 'sync'], [1, 'publish'], [1, 'exclude'], [1, 'include'], [1, 'export'], [1, 'board'], [1, 'skip'], [1, 'settings']]);
    const publish = subcommands.find((s) => s.name === 'publish')?.options ?? [];
    assert.deepEqual(publish.map((o) => [o.name, o.type, o.required]), [['board', 3, true]]);
    const create = subcommands[0]?.options ?? [];
    assert.deepEqual(create.map((o) => [o.name, o.type, o.required]), [
      ['name', 3, true],
      ['start', 3, true],
      ['timezone', 3, true],
      ['channel', 7, false],
      ['post-time', 3, false],
    ]);
  });
});

describe('inviteUrl', () => {
  it('asks for the bot and applications.commands scopes with View Channel, Send Messages and Embed Links', () => {
    const url = new URL(inviteUrl('1300000000000000001'));
    assert.equal(url.origin + url.pathname, 'https://discord.com/oauth2/authorize');
    assert.equal(url.searchParams.get('client_id'), '1300000000000000001');
    assert.equal(url.searchParams.get('scope'), 'bot applications.commands');
    assert.equal(url.searchParams.get('permissions'), String(1024 + 2048 + 16384));
  });
});
