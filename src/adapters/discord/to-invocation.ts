import { PermissionFlagsBits, type AutocompleteInteraction, type ChatInputCommandInteraction, type CommandInteractionOption } from 'discord.js';
import type { Invocation } from '../../chat/context.ts';
import type { RawOptionValue } from '../../chat/options.ts';

type CommandLike = ChatInputCommandInteraction | AutocompleteInteraction;

/** The options the user typed, below the subcommand if there is one; channels as their ids. */
export function optionValues(interaction: CommandLike): Record<string, RawOptionValue> {
  const top = interaction.options.data;
  const leaves: readonly CommandInteractionOption[] = top[0]?.options && top.length === 1 ? top[0].options : top;
  const values: Record<string, RawOptionValue> = {};
  for (const option of leaves) {
    if (option.value !== undefined && option.value !== null) values[option.name] = option.value;
  }
  return values;
}

function displayName(interaction: CommandLike): string {
  const member = interaction.member;
  const nick = member && 'nick' in member && typeof member.nick === 'string' ? member.nick : undefined;
  return nick ?? interaction.user.globalName ?? interaction.user.username;
}

/** A slash command interaction as a neutral invocation; Manage Server makes the member an organiser. */
export function toInvocation(interaction: ChatInputCommandInteraction): Invocation {
  return {
    id: interaction.id,
    platform: 'discord',
    workspaceId: interaction.guildId ?? 'dm',
    channelId: interaction.channelId,
    user: {
      id: interaction.user.id,
      displayName: displayName(interaction),
      isOrganiser: interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild) ?? false,
    },
    command: interaction.commandName,
    subcommand: interaction.options.getSubcommand(false) ?? undefined,
    args: { kind: 'values', values: optionValues(interaction) },
    raw: interaction,
  };
}
