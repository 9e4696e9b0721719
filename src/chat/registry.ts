import { randomBytes } from 'node:crypto';
import type { CommandContext, CommandSummary, Invocation, Services } from './context.ts';
import { usageOf, type Command } from './define-command.ts';
import { MAX_CHOICES, type Choice, type RawOptionValue } from './options.ts';
import { parseTextOptions } from './parse-text-options.ts';
import { errorReply, type Reply } from './reply.ts';
import { UserError } from './user-error.ts';
import { closestName } from './closest-name.ts';

/** All commands, and the one way every adapter runs them. */
export interface Registry {
  list(): readonly Command[];
  get(name: string): Command | undefined;
  /** Runs an invocation to a Reply; never throws: failures become polite replies. */
  execute(invocation: Invocation, services: Services): Promise<Reply>;
  /** Suggestions for an option being typed; empty when the option has none. */
  autocomplete(command: string, option: string, partial: string, services: Services): Choice[];
}

export function createRegistry(commands: readonly Command[]): Registry {
  const byName = new Map<string, Command>();
  for (const command of commands) {
    if (byName.has(command.name)) throw new Error(`two commands are named /${command.name}`);
    byName.set(command.name, command);
  }
  const sorted = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  const summaries: CommandSummary[] = sorted.map((c) => ({
    name: c.name,
    description: c.description,
    usage: usageOf(c),
    options: Object.entries(c.options).map(([name, spec]) => ({ name, description: spec.description, required: spec.required })),
  }));

  async function execute(invocation: Invocation, services: Services): Promise<Reply> {
    const logger = services.logger.child({ invocation: invocation.id, command: invocation.command, platform: invocation.platform });
    try {
      const command = byName.get(invocation.command);
      if (!command) throw unknownCommand(invocation.command, [...byName.keys()]);
      const cohort = services.store.cohorts.findByChannel(invocation.platform, invocation.workspaceId, invocation.channelId);
      const ctx: CommandContext<Record<string, unknown>> = {
        invocation,
        options: parseOptions(command, invocation, services),
        cohort,
        learner: cohort && services.store.learners.find(cohort.id, invocation.user.id),
        services,
        now: services.clock.now(),
        logger,
        commands: summaries,
      };
      for (const guard of command.guards) guard(ctx);
      const reply = await command.run(ctx as never);
      logger.debug('command answered');
      return reply;
    } catch (error) {
      if (error instanceof UserError) {
        logger.debug({ code: error.code }, 'command refused');
        return errorReply(error.message, error.hint);
      }
      const errorId = newErrorId();
      logger.error({ err: error, errorId }, 'command failed');
      return errorReply(
        'Something went wrong on my side, not yours.',
        `If it keeps happening, tell an organiser and quote error id ${errorId}.`,
      );
    }
  }

  return {
    list: () => sorted,
    get: (name) => byName.get(name),
    execute,
    autocomplete(commandName, optionName, partial, services) {
      const spec = byName.get(commandName)?.options[optionName];
      return spec?.autocomplete?.(partial, { course: services.course }).slice(0, MAX_CHOICES) ?? [];
    },
  };
}

function parseOptions(command: Command, invocation: Invocation, services: Services): Record<string, unknown> {
  const usage = `Usage: ${usageOf(command)}`;
  let raw: Record<string, RawOptionValue>;
  if (invocation.args.kind === 'text') {
    const parsed = parseTextOptions(command.options, invocation.args.text);
    if (!parsed.ok) throw new UserError('bad-option', `I could not read the options of /${command.name}: ${parsed.error}`, usage);
    raw = parsed.value;
  } else {
    raw = invocation.args.values;
    const unknown = Object.keys(raw).find((name) => !(name in command.options));
    if (unknown) throw new UserError('bad-option', `/${command.name} has no option "${unknown}".`, usage);
  }

  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(command.options)) {
    const given = raw[name];
    if (given === undefined || given === '') {
      if (spec.required) throw new UserError('missing-option', `/${command.name} needs ${name}: ${spec.description}`, usage);
      continue;
    }
    const parsed = spec.parse(given, { course: services.course });
    if (!parsed.ok) throw new UserError('bad-option', `${name}: ${parsed.error}`, usage);
    values[name] = parsed.value;
  }
  return values;
}

function unknownCommand(name: string, known: string[]): UserError {
  const suggestion = closestName(name, known);
  return new UserError(
    'unknown-command',
    `I don't know the command /${name}.`,
    suggestion ? `Did you mean /${suggestion}? Type /help to see them all.` : 'Type /help to see the commands I know.',
  );
}

/** Short enough to read out, random enough not to collide in one cohort's logs. */
function newErrorId(): string {
  return `E-${randomBytes(4).toString('hex').toUpperCase()}`;
}
