import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { componentProblems } from './components.ts';
import { FakeDiscord, FAKE_IDS, MEMBER } from './fake-discord.ts';

/**
 * The fake's own rules, proven with plain fetch against its REST routes: if the fake accepted what Discord refuses,
 * every test built on it would pass against a Discord that does not exist.
 */

const button = (customId: string, extra: Record<string, unknown> = {}) => ({ type: 2, style: 1, label: 'Done', custom_id: customId, ...extra });
const row = (...components: unknown[]) => ({ type: 1, components });

describe('fake Discord refuses what Discord refuses', { timeout: 20_000 }, () => {
  let fake: FakeDiscord;

  before(async () => {
    fake = await FakeDiscord.start();
  });
  after(() => fake.close());

  async function call(method: string, path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> | undefined }> {
    const res = await fetch(`${fake.apiUrl}/v10${path}`, {
      method,
      headers: { authorization: `Bot ${fake.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  }
  const post = (components: unknown[]) => call('POST', `/channels/${FAKE_IDS.channelId}/messages`, { content: 'Module 01', components });
  const callback = (token: string, body: unknown) => call('POST', `/interactions/1/${token}/callback`, body);

  /** The `_errors` Discord nests at a field path, e.g. ['components', 0, 'components', 0, 'custom_id']. */
  function errorCodesAt(json: Record<string, unknown> | undefined, path: (string | number)[]): string[] {
    assert.equal(json?.code, 50035);
    assert.equal(json?.message, 'Invalid Form Body');
    let node = json?.errors as Record<string, unknown> | undefined;
    for (const key of path) node = node?.[String(key)] as Record<string, unknown> | undefined;
    return ((node?._errors as { code: string }[] | undefined) ?? []).map((e) => e.code);
  }

  it('refuses a button whose custom_id is 101 characters, and posts nothing', async () => {
    const before = fake.channelMessages.length;
    const { status, json } = await post([row(button('x'.repeat(101)))]);
    assert.equal(status, 400);
    assert.deepEqual(errorCodesAt(json, ['components', 0, 'components', 0, 'custom_id']), ['BASE_TYPE_BAD_LENGTH']);
    assert.equal(fake.channelMessages.length, before);
  });

  it('refuses 6 action rows', async () => {
    const { status, json } = await post([1, 2, 3, 4, 5, 6].map((n) => row(button(`b${n}`))));
    assert.equal(status, 400);
    assert.deepEqual(errorCodesAt(json, ['components']), ['BASE_TYPE_MAX_LENGTH']);
  });

  it('refuses 6 buttons in a row, and an empty row', async () => {
    const { json } = await post([row(...[1, 2, 3, 4, 5, 6].map((n) => button(`b${n}`))), row()]);
    assert.deepEqual(errorCodesAt(json, ['components', 0, 'components']), ['BASE_TYPE_BAD_LENGTH']);
    assert.deepEqual(errorCodesAt(json, ['components', 1, 'components']), ['BASE_TYPE_BAD_LENGTH']);
  });

  it('refuses a custom_id used twice in one message, even across rows', async () => {
    const { status, json } = await post([row(button('done')), row(button('done'))]);
    assert.equal(status, 400);
    assert.deepEqual(errorCodesAt(json, ['components', 1, 'components', 0, 'custom_id']), ['COMPONENT_CUSTOM_ID_DUPLICATED']);
  });

  it('refuses a link button with a custom_id, and a link button without a url', async () => {
    const { status, json } = await post([row({ type: 2, style: 5, label: 'Lecture', url: 'https://example.test/l1', custom_id: 'l1' }, { type: 2, style: 5, label: 'Nowhere' })]);
    assert.equal(status, 400);
    assert.equal(errorCodesAt(json, ['components', 0, 'components', 0, 'custom_id']).length, 1);
    assert.deepEqual(errorCodesAt(json, ['components', 0, 'components', 1, 'url']), ['BASE_TYPE_REQUIRED']);
  });

  it('refuses a label over 80 characters, a non-boolean disabled, and an unknown style', () => {
    assert.deepEqual(componentProblems([row(button('a', { label: 'l'.repeat(81), disabled: 'yes', style: 9 }))]), [
      'components[0].components[0].style[BASE_TYPE_CHOICES]: Value must be one of {1, 2, 3, 4, 5}.',
      'components[0].components[0].label[BASE_TYPE_MAX_LENGTH]: Must be 80 or fewer in length.',
      'components[0].components[0].disabled[BASE_TYPE_BOOLEAN]: Must be either true or false.',
    ]);
  });

  it('accepts a valid row of buttons and echoes its components, as Discord does', async () => {
    const components = [row(button('module-done:1', { style: 3 }), { type: 2, style: 5, label: 'Lecture', url: 'https://example.test/l1' }, button('c'.repeat(100), { disabled: true }))];
    const { status, json } = await post(components);
    assert.equal(status, 200);
    assert.deepEqual(json?.components, components);
    assert.equal(fake.channelMessages.at(-1)?.id, json?.id);
  });

  it('refuses more than 10 embeds, and more than 6000 characters across them', async () => {
    const eleven = await call('POST', `/channels/${FAKE_IDS.channelId}/messages`, { embeds: Array.from({ length: 11 }, () => ({ title: 'x' })) });
    assert.deepEqual(errorCodesAt(eleven.json, ['embeds']), ['BASE_TYPE_MAX_LENGTH']);
    const long = await call('POST', `/channels/${FAKE_IDS.channelId}/messages`, { embeds: [1, 2].map(() => ({ description: 'd'.repeat(3001) })) });
    assert.deepEqual(errorCodesAt(long.json, ['embeds']), ['MAX_EMBED_SIZE_EXCEEDED']);
  });

  it('accepts callback types 4, 5, 6 and 7 for a button click only, and checks their components', async () => {
    for (const type of [4, 5, 6, 7]) {
      const token = fake.clickButton({ user: MEMBER, customId: 'module-done:1' });
      assert.equal((await callback(token, { type: 8, data: { choices: [] } })).status, 400, 'autocomplete answer to a click');
      assert.equal((await callback(token, { type: 7, data: { components: [row(button('a'), button('a'))] } })).status, 400, 'duplicate ids in the update');
      assert.equal((await callback(token, type === 7 ? { type, data: { components: [row(button('a', { disabled: true }))] } } : { type })).status, 204, `type ${type}`);
      assert.deepEqual(fake.responses.get(token)?.map((r) => r.body.type), [type], 'refused callbacks are not recorded and do not acknowledge');
    }
  });

  it('accepts only 4 and 5 for a slash command and only 8 for autocomplete', async () => {
    const command = fake.sendInteraction({ user: MEMBER, command: 'help' });
    for (const type of [6, 7, 8]) assert.equal((await callback(command, { type })).status, 400, `type ${type}`);
    assert.equal((await callback(command, { type: 4, data: { content: 'hi' } })).status, 204);
    const autocomplete = fake.sendInteraction({ user: MEMBER, command: 'module', options: [{ name: 'module', value: 'r', focused: true }], autocomplete: true });
    assert.deepEqual(errorCodesAt((await callback(autocomplete, { type: 4 })).json, ['type']), ['BASE_TYPE_CHOICES']);
    assert.equal((await callback(autocomplete, { type: 8, data: { choices: [] } })).status, 204);
  });

  it('checks the components of webhook edits and follow-ups, and after an update @original is the clicked message', async () => {
    const messageId = '1330000000000000042';
    const token = fake.clickButton({ user: MEMBER, customId: 'next', message: { id: messageId, components: [row(button('next'))] } });
    assert.equal((await callback(token, { type: 6 })).status, 204);
    const bad = await call('PATCH', `/webhooks/${FAKE_IDS.applicationId}/${token}/messages/@original`, { components: [row(button('x'.repeat(101)))] });
    assert.equal(bad.status, 400);
    const edit = await call('PATCH', `/webhooks/${FAKE_IDS.applicationId}/${token}/messages/@original`, { components: [row(button('next', { disabled: true }))] });
    assert.equal(edit.json?.id, messageId);
    const followup = await call('POST', `/webhooks/${FAKE_IDS.applicationId}/${token}`, { content: 'x', components: [row({ type: 2, style: 5, url: 'https://example.test', custom_id: 'no' })] });
    assert.equal(followup.status, 400);
    assert.deepEqual(fake.responses.get(token)?.map((r) => r.kind), ['callback', 'edit']);
  });

  it('will not click a button the message does not have, or a disabled one', () => {
    assert.throws(() => fake.clickButton({ user: MEMBER, customId: 'missing', message: { id: '1', components: [row(button('other'))] } }), /no button with custom_id missing/);
    assert.throws(() => fake.clickButton({ user: MEMBER, customId: 'off', message: { id: '1', components: [row(button('off', { disabled: true }))] } }), /disabled/);
  });
});

describe('fake Discord button clicks reach discord.js', { timeout: 20_000 }, () => {
  let fake: FakeDiscord;
  let client: Client;

  before(async () => {
    fake = await FakeDiscord.start();
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
    const ready = once(client, Events.ClientReady);
    await client.login(fake.token);
    await ready;
  });
  after(async () => {
    await client.destroy();
    await fake.close();
  });

  it('delivers a click on a posted message as a button interaction, and records the ephemeral reply', async () => {
    const channel = client.channels.cache.get(FAKE_IDS.channelId);
    assert.ok(channel?.isSendable());
    const posted = await channel.send({ content: 'Module 01 starts now', components: [row(button('module-done:1', { style: 3, label: 'Mark as done' }))] });

    const seen = new Promise<{ isButton: boolean; customId: string | undefined; messageId: string | undefined; userId: string }>((resolve, reject) => {
      client.once(Events.InteractionCreate, (interaction) => {
        const result = {
          isButton: interaction.isButton(),
          customId: interaction.isButton() ? interaction.customId : undefined,
          messageId: interaction.isButton() ? interaction.message.id : undefined,
          userId: interaction.user.id,
        };
        if (!interaction.isButton()) return resolve(result);
        interaction.reply({ content: 'ok', flags: 64 }).then(() => resolve(result), reject);
      });
    });
    const token = fake.clickButton({ user: MEMBER, customId: 'module-done:1' });

    assert.deepEqual(await seen, { isButton: true, customId: 'module-done:1', messageId: posted.id, userId: MEMBER.id });
    const [reply] = await fake.responsesFor(token);
    assert.equal(reply?.kind, 'callback');
    assert.equal(reply?.body.type, 4);
    assert.deepEqual([(reply?.body.data as { content?: string }).content, (reply?.body.data as { flags?: number }).flags], ['ok', 64]);
  });
});
