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

export interface CommandDefinition<Specs extends OptionSpecs> {
  /** Lower-case, kebab-case, at most 32 characters: valid on Discord and Slack alike. */
  name: string;
  /** One line, at most 100 characters (Discord's limit). */
  description: string;
  /** In the order they are typed positionally in text mode. */
  options?: Specs;
  guards?: Guard[];
  /** For organisers only; enforced by a guard and by the platform's own permission where it has one. */
  organiserOnly?: boolean;
  run(ctx: CommandContext<OptionValues<Specs>>): Reply | Promise<Reply>;
}

export interface Command<Specs extends OptionSpecs = OptionSpecs> extends CommandDefinition<Specs> {
  readonly kind: 'command';
  options: Specs;
  guards: Guard[];
}

const NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** Declares a slash command; the same object serves every platform, the registry and /help. */
export function defineCommand<Specs extends OptionSpecs = Record<never, never>>(definition: CommandDefinition<Specs>): Command<Specs> {
  if (!NAME.test(definition.name)) throw new Error(`command name "${definition.name}" must be kebab-case, at most 32 characters`);
  if (definition.description.length === 0 || definition.description.length > 100) {
    throw new Error(`command /${definition.name}: description must be 1–100 characters`);
  }
  for (const option of Object.keys(definition.options ?? {})) {
    if (!NAME.test(option)) throw new Error(`command /${definition.name}: option "${option}" must be kebab-case`);
  }
  return {
    ...definition,
    kind: 'command',
    options: definition.options ?? ({} as Specs),
    guards: definition.guards ?? [],
  };
}

export function isCommand(value: unknown): value is Command {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'command';
}

/** `/module <module>` or `/join [name]`: how a command is typed, for usage hints and /help. */
export function usageOf(command: Command): string {
  const parts = Object.entries(command.options).map(([name, spec]) =>
    spec.required ? `<${name === spec.placeholder ? name : `${name}:${spec.placeholder}`}>` : `[${name}:${spec.placeholder}]`,
  );
  return [`/${command.name}`, ...parts].join(' ');
}
