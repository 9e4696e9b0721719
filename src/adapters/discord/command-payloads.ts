import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  InteractionContextType,
  PermissionFlagsBits,
  Routes,
  type REST,
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandSubcommandOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { Action, Command } from '../../chat/define-command.ts';
import type { OptionWireType } from '../../chat/options.ts';

const OPTION_TYPES: Record<OptionWireType, ApplicationCommandOptionType> = {
  string: ApplicationCommandOptionType.String,
  integer: ApplicationCommandOptionType.Integer,
  boolean: ApplicationCommandOptionType.Boolean,
  channel: ApplicationCommandOptionType.Channel,
  user: ApplicationCommandOptionType.User,
};

function optionPayloads(action: Action): APIApplicationCommandBasicOption[] {
  return Object.entries(action.options).map(([name, spec]) => {
    const option = {
      type: OPTION_TYPES[spec.wireType],
      name,
      description: spec.description.slice(0, 100),
      required: spec.required,
      ...(spec.autocomplete ? { autocomplete: true } : {}),
    };
    return option as APIApplicationCommandBasicOption;
  });
}

/**
 * The bulk-overwrite body that registers every command of the registry: organiser commands carry
 * `default_member_permissions` (Manage Server), so Discord hides them from other members; all are guild-only.
 */
export function commandPayloads(commands: readonly Command[]): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return commands.map((command) => ({
    type: ApplicationCommandType.ChatInput,
    name: command.name,
    description: command.description.slice(0, 100),
    contexts: [InteractionContextType.Guild],
    default_member_permissions: command.organiserOnly ? PermissionFlagsBits.ManageGuild.toString() : null,
    options: command.subcommands
      ? Object.entries(command.subcommands).map(
          ([name, action]): APIApplicationCommandSubcommandOption => ({
            type: ApplicationCommandOptionType.Subcommand,
            name,
            description: action.description.slice(0, 100),
            options: optionPayloads(action),
          }),
        )
      : optionPayloads(command.action as Action),
  }));
}

/** Bulk-overwrites the application's commands: guild-scoped when a guild is given (instant), global otherwise. */
export async function registerCommands(
  rest: REST,
  target: { applicationId: string; guildId: string | undefined },
  commands: readonly Command[],
): Promise<void> {
  const route = target.guildId
    ? Routes.applicationGuildCommands(target.applicationId, target.guildId)
    : Routes.applicationCommands(target.applicationId);
  await rest.put(route, { body: commandPayloads(commands) });
}
