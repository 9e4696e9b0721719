import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ComponentType, InteractionType, type APIEmbed, type APIMessageComponentButtonInteraction, type APITextChannel, type APIMessageTopLevelComponent } from 'discord-api-types/v10';

/** Payload builders shaped like Discord's own, starting from a recorded interaction in test/fixtures/discord. */

const FIXTURE = path.resolve(import.meta.dirname, '../../fixtures/discord/chat-input-interaction.json');
const template = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, unknown> & { member: Record<string, unknown> };

export const OPTION_TYPE = { subcommand: 1, string: 3, integer: 4, boolean: 5, channel: 7 } as const;

export interface FakeUser {
  id: string;
  username: string;
  /** Discord permission bits as a decimal string; `32` is Manage Server. */
  permissions: string;
}

export interface CommandOptionInput {
  name: string;
  value: string | number | boolean;
  type?: number;
  focused?: boolean;
}

export interface InteractionInput {
  id: string;
  token: string;
  applicationId: string;
  guildId: string;
  channelId: string;
  user: FakeUser;
  command: string;
  subcommand?: string;
  options?: CommandOptionInput[];
  autocomplete?: boolean;
}

export function interactionPayload(input: InteractionInput): Record<string, unknown> {
  const options = (input.options ?? []).map((o) => ({
    type: o.type ?? (typeof o.value === 'number' ? OPTION_TYPE.integer : OPTION_TYPE.string),
    name: o.name,
    value: o.value,
    ...(o.focused ? { focused: true } : {}),
  }));
  return {
    ...template,
    id: input.id,
    token: input.token,
    application_id: input.applicationId,
    type: input.autocomplete ? 4 : 2,
    guild_id: input.guildId,
    channel_id: input.channelId,
    channel: { ...(template.channel as object), id: input.channelId, guild_id: input.guildId },
    guild: { ...(template.guild as object), id: input.guildId },
    member: {
      ...template.member,
      user: { ...(template.member.user as object), id: input.user.id, username: input.user.username, global_name: null },
      permissions: input.user.permissions,
    },
    authorizing_integration_owners: { '0': input.guildId },
    data: {
      id: `cmd-${input.command}`,
      name: input.command,
      type: 1,
      guild_id: input.guildId,
      options: input.subcommand ? [{ type: OPTION_TYPE.subcommand, name: input.subcommand, options }] : options,
    },
  };
}

/**
 * A button click, from a fixture shaped like Discord's documented message-component interaction. tsc checks the
 * fixture against discord-api-types' contract (with enums relaxed to the numbers and strings JSON holds), so a
 * fixture that drifts from what Discord sends fails the typecheck, not a test three layers away.
 */
type Wire<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : T extends readonly (infer U)[] ? Wire<U>[] : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;
type ButtonFixture = typeof import('../../fixtures/discord/button-interaction.json', { with: { type: 'json' } });
const BUTTON_FIXTURE = path.resolve(import.meta.dirname, '../../fixtures/discord/button-interaction.json');
const checkedButtonTemplate: Wire<APIMessageComponentButtonInteraction> = JSON.parse(readFileSync(BUTTON_FIXTURE, 'utf8')) as ButtonFixture;
const buttonTemplate = checkedButtonTemplate as APIMessageComponentButtonInteraction;

export interface ButtonClickInput {
  id: string;
  token: string;
  applicationId: string;
  guildId: string;
  channelId: string;
  user: FakeUser;
  customId: string;
  /** The message the button is on, as the bot sent it. */
  message: { id: string; content?: string; components: unknown[]; embeds?: unknown[] };
}

export function buttonInteractionPayload(input: ButtonClickInput): APIMessageComponentButtonInteraction {
  const { member, message } = buttonTemplate;
  return {
    ...buttonTemplate,
    id: input.id,
    token: input.token,
    application_id: input.applicationId,
    type: InteractionType.MessageComponent,
    guild_id: input.guildId,
    channel_id: input.channelId,
    channel: { ...(buttonTemplate.channel as Partial<APITextChannel> & Pick<APITextChannel, 'id' | 'type'>), id: input.channelId, guild_id: input.guildId },
    guild: buttonTemplate.guild && { ...buttonTemplate.guild, id: input.guildId },
    member: member && { ...member, user: { ...member.user, id: input.user.id, username: input.user.username, global_name: null }, permissions: input.user.permissions },
    authorizing_integration_owners: { '0': input.guildId },
    message: {
      ...message,
      id: input.message.id,
      channel_id: input.channelId,
      content: input.message.content ?? '',
      embeds: (input.message.embeds ?? []) as APIEmbed[],
      components: input.message.components as APIMessageTopLevelComponent[],
    },
    data: { custom_id: input.customId, component_type: ComponentType.Button },
  };
}

export function guildCreatePayload(guildId: string, channelIds: readonly string[]): Record<string, unknown> {
  return {
    id: guildId,
    name: 'Rust cohort server',
    icon: null,
    owner_id: '1100000000000000099',
    roles: [{ id: guildId, name: '@everyone', permissions: '2048', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 }],
    emojis: [],
    stickers: [],
    features: [],
    member_count: 3,
    large: false,
    unavailable: false,
    joined_at: '2026-11-01T10:00:00.000000+00:00',
    channels: channelIds.map((id, position) => ({ id, type: 0, name: `channel-${position}`, guild_id: guildId, position, permission_overwrites: [], flags: 0 })),
    threads: [],
    members: [],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    system_channel_flags: 0,
    premium_tier: 0,
    preferred_locale: 'en-US',
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
  };
}

export function readyPayload(input: { applicationId: string; guildId: string; sessionId: string; resumeUrl: string }): Record<string, unknown> {
  return {
    v: 10,
    user: { id: '1300000000000000099', username: 'cohort-bot', discriminator: '0', global_name: null, avatar: null, bot: true, flags: 0 },
    guilds: [{ id: input.guildId, unavailable: true }],
    session_id: input.sessionId,
    resume_gateway_url: input.resumeUrl,
    shard: [0, 1],
    application: { id: input.applicationId, flags: 0 },
  };
}
