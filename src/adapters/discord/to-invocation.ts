import {
  PermissionFlagsBits,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type CommandInteractionOption,
} from 'discord.js';
import type { Invocation } from '../../chat/context.ts';
import type { RawOptionValue } from '../../chat/options.ts';

type CommandLike = ChatInputCommandInteraction | AutocompleteInteraction;
type Clicked = ChatInputCommandInteraction | ButtonInteraction;

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

function displayName(interaction: CommandLike | ButtonInteraction): string {
  const member = interaction.member;
  const nick = member && 'nick' in member && typeof member.nick === 'string' ? member.nick : undefined;
  return nick ?? interaction.user.globalName ?? interaction.user.username;
}

/** A slash command interaction as a neutral invocation; Manage Server makes the member an organiser. */
export function toInvocation(interaction: ChatInputCommandInteraction): Invocation {
  return {
    ...where(interaction),
    command: interaction.commandName,
    subcommand: interaction.options.getSubcommand(false) ?? undefined,
    args: { kind: 'values', values: optionValues(interaction) },
  };
}

/**
 * A button click as the invocation of the command its custom id names, with no options; who clicked and where
 * come from Discord's interaction, never from the id.
 */
export function buttonInvocation(interaction: ButtonInteraction, target: { command: string; subcommand?: string }): Invocation {
  return { ...where(interaction), command: target.command, ...(target.subcommand ? { subcommand: target.subcommand } : {}), args: { kind: 'values', values: {} } };
}

function where(interaction: Clicked): Omit<Invocation, 'command' | 'subcommand' | 'args'> {
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
    raw: interaction,
  };
}
