import type { CommandContext } from './context.ts';
import type { AnyOptionSpec, OptionSpec } from './options.ts';
import type { Reply } from './reply.ts';

/** A reusable precondition a command lists (`inCohort`, `enrolledOnly`); throws a UserError to refuse. */
export type Guard = (ctx: CommandContext<unknown>) => void;

export type OptionSpecs = Record<string, AnyOptionSpec>;

/** The parsed options of a command: required ones always present, optional ones maybe undefined. */
export type OptionValues<Specs extends OptionSpecs> = {
  [Name in keyof Specs]: Specs[Name] extends OptionSpec<infer T, infer Required>
    ? Required extends true
      ? T
      : T | undefined
    : never;
};

/** What runs: a plain command has one action, a command group (`/cohort create`, `/cohort pause`) one per subcommand. */
export interface ActionDefinition<Specs extends OptionSpecs> {
  /** One line, at most 100 characters (Discord's limit). */
  description: string;
  /** In the order they are typed positionally in text mode; required ones first (Discord's rule). */
  options?: Specs;
  guards?: Guard[];
  run(ctx: CommandContext<OptionValues<Specs>>): Reply | Promise<Reply>;
}

export interface Action {
  description: string;
  options: OptionSpecs;
  guards: Guard[];
  run(ctx: CommandContext<Record<string, unknown>>): Reply | Promise<Reply>;
}

interface CommandBase {
  /** Lower-case, kebab-case, at most 32 characters: valid on Discord and Slack alike. */
  name: string;
  description: string;
  /** For organisers only: checked at run time and, on Discord, hidden from members without Manage Server. */
  organiserOnly?: boolean;
  /** A longer explanation, shown by `/help <command>` (e.g. how the leaderboard scores). */
  details?: string;
}

export interface Command {
  readonly kind: 'command';
  name: string;
  description: string;
  organiserOnly: boolean;
  details?: string;
  /** Set for a plain command. */
  action?: Action;
  /** Set for a command group, in the order they are listed. */
  subcommands?: Record<string, Action>;
  /** In text mode, a first word that names no subcommand runs this one with the whole text. */
  defaultSubcommand?: string;
}

const NAME = /^[a-z][a-z0-9-]{0,31}$/;

function checkAction(where: string, definition: { description: string; options?: OptionSpecs }): void {
  if (definition.description.length === 0 || definition.description.length > 100) {
    throw new Error(`${where}: description must be 1–100 characters`);
  }
  let optionalSeen = false;
  for (const [option, spec] of Object.entries(definition.options ?? {})) {
    if (!NAME.test(option)) throw new Error(`${where}: option "${option}" must be kebab-case`);
    if (spec.required && optionalSeen) throw new Error(`${where}: required option "${option}" must come before optional ones`);
    optionalSeen ||= !spec.required;
  }
}

function toAction<Specs extends OptionSpecs>(definition: ActionDefinition<Specs>): Action {
  return {
    description: definition.description,
    options: definition.options ?? {},
    guards: definition.guards ?? [],
    run: definition.run as Action['run'],
  };
}

/** Declares a slash command; the same object serves every platform, the registry and /help. */
export function defineCommand<Specs extends OptionSpecs = Record<never, never>>(
  definition: CommandBase & ActionDefinition<Specs>,
): Command {
  if (!NAME.test(definition.name)) throw new Error(`command name "${definition.name}" must be kebab-case, at most 32 characters`);
  checkAction(`command /${definition.name}`, definition);
  return {
    kind: 'command',
    name: definition.name,
    description: definition.description,
    organiserOnly: definition.organiserOnly ?? false,
    ...(definition.details ? { details: definition.details } : {}),
    action: toAction(definition),
  };
}

/** One subcommand of a group; typed on its own so each `run` sees its own options. */
export function defineSubcommand<Specs extends OptionSpecs = Record<never, never>>(definition: ActionDefinition<Specs>): Action {
  return toAction(definition);
}

/** Declares a command group such as `/cohort create|status|pause`. */
export function defineCommandGroup(definition: CommandBase & { subcommands: Record<string, Action>; defaultSubcommand?: string }): Command {
  if (!NAME.test(definition.name)) throw new Error(`command name "${definition.name}" must be kebab-case, at most 32 characters`);
  checkAction(`command /${definition.name}`, definition);
  for (const [name, action] of Object.entries(definition.subcommands)) {
    if (!NAME.test(name)) throw new Error(`command /${definition.name}: subcommand "${name}" must be kebab-case`);
    checkAction(`command /${definition.name} ${name}`, action);
  }
  if (definition.defaultSubcommand !== undefined && !definition.subcommands[definition.defaultSubcommand]) {
    throw new Error(`command /${definition.name}: default subcommand "${definition.defaultSubcommand}" is not one of its subcommands`);
  }
  return {
    kind: 'command',
    name: definition.name,
    description: definition.description,
    organiserOnly: definition.organiserOnly ?? false,
    ...(definition.details ? { details: definition.details } : {}),
    subcommands: definition.subcommands,
    ...(definition.defaultSubcommand ? { defaultSubcommand: definition.defaultSubcommand } : {}),
  };
}

export function isCommand(value: unknown): value is Command {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'command';
}

/** `/module <module>`, `/help [command:command]`, `/cohort <create|status>`: how a command is typed. */
export function usageOf(command: Command, subcommand?: string): string {
  if (command.subcommands && subcommand === undefined) {
    return `/${command.name} <${Object.keys(command.subcommands).join('|')}>`;
  }
  const action = subcommand === undefined ? command.action : command.subcommands?.[subcommand];
  const parts = Object.entries(action?.options ?? {}).map(([name, spec]) =>
    spec.required ? `<${name === spec.placeholder ? name : `${name}:${spec.placeholder}`}>` : `[${name}:${spec.placeholder}]`,
  );
  return [`/${command.name}`, ...(subcommand === undefined ? [] : [subcommand]), ...parts].join(' ');
}
