import { randomBytes } from 'node:crypto';
import { closestName } from './closest-name.ts';
import { plainDisplayName } from './display-name.ts';
import type { ActionSummary, CommandContext, CommandSummary, Invocation, Services } from './context.ts';
import { usageOf, type Action, type Command } from './define-command.ts';
import { needsOrganiser, organiserOnly, settleOrganiser } from './guards.ts';
import { MAX_CHOICES, type Choice } from './options.ts';
import { parseOptions } from './parse-options.ts';
import { errorReply, type Reply } from './reply.ts';
import { UserError } from './user-error.ts';
import { quoted } from '../core/quoted.ts';

/** All commands, and the one way every adapter runs them. */
export interface Registry {
  list(): readonly Command[];
  get(name: string): Command | undefined;
  /** Runs an invocation to a Reply; never throws: failures become polite replies. */
  execute(invocation: Invocation, services: Services): Promise<Reply>;
  /**
   * A button click: the command it names, run with no options like a typed one; the answer is private to the
   * clicker whatever the command would say to a channel, since nobody asked the channel.
   */
  click(invocation: Invocation, services: Services): Promise<Reply>;
  /** Suggestions for an option being typed; empty when the option has none. */
  autocomplete(query: { command: string; subcommand?: string; option: string; partial: string }, services: Services): Choice[];
}

export function createRegistry(commands: readonly Command[]): Registry {
  const byName = new Map<string, Command>();
  for (const command of commands) {
    if (byName.has(command.name)) throw new Error(`two commands are named /${command.name}`);
    byName.set(command.name, command);
  }
  const sorted = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  const summaries = sorted.map(summarise);

  async function execute(given: Invocation, services: Services): Promise<Reply> {
    // Platforms let members pick any name; it is made plain once, here, before anything stores or shows it.
    const invocation = { ...given, user: { ...given.user, displayName: plainDisplayName(given.user.displayName, given.user.id) } };
    const started = performance.now();
    const known = byName.has(invocation.command);
    // Unknown names are counted under one label, so typing nonsense cannot grow the metrics without bound.
    const report = (outcome: 'answered' | 'refused' | 'failed') =>
      services.telemetry?.command({ command: known ? invocation.command : '(unknown)', platform: invocation.platform, outcome, seconds: (performance.now() - started) / 1000 });
    const logger = services.logger.child({ invocation: invocation.id, command: invocation.command, platform: invocation.platform });
    try {
      const command = byName.get(invocation.command);
      if (!command) throw unknownCommand(invocation.command, [...byName.keys()]);
      const { action, subcommand, args } = resolveAction(command, invocation);
      const cohort = services.store.cohorts.findByChannel(invocation.platform, invocation.workspaceId, invocation.channelId);
      const ctx: CommandContext<Record<string, unknown>> = {
        invocation,
        options: {},
        cohort,
        learner: cohort && services.store.learners.find(cohort.id, invocation.user.id),
        services,
        now: services.clock.now(),
        logger,
        commands: summaries,
      };
      // A platform's organiser lookup may be slow (Slack): asked only here, for actions that need it.
      if (needsOrganiser(command, action)) await settleOrganiser(ctx);
      // Organisers are checked before options are read, so a refusal never explains the options.
      if (command.organiserOnly) organiserOnly(ctx);
      const label = subcommand === undefined ? `/${command.name}` : `/${command.name} ${subcommand}`;
      ctx.options = parseOptions(action.options, args, { label, usage: usageOf(command, subcommand) }, services);
      for (const guard of action.guards) guard(ctx);
      const reply = await action.run(ctx);
      logger.debug({ subcommand }, 'command answered');
      report('answered');
      return reply;
    } catch (error) {
      if (error instanceof UserError) {
        logger.debug({ code: error.code }, 'command refused');
        report('refused');
        return errorReply(error.message, error.hint);
      }
      report('failed');
      const errorId = newErrorId();
      logger.error({ err: error, errorId }, 'command failed');
      return errorReply('Something went wrong on my side, not yours.', `If it keeps happening, tell an organiser and quote error id ${errorId}.`);
    }
  }

  return {
    list: () => sorted,
    get: (name) => byName.get(name),
    execute,
    async click(invocation, services) {
      return { ...(await execute(invocation, services)), private: true };
    },
    autocomplete({ command: name, subcommand, option, partial }, services) {
      const command = byName.get(name);
      const action = subcommand === undefined ? command?.action : command?.subcommands?.[subcommand];
      return action?.options[option]?.autocomplete?.(partial, { course: services.course }).slice(0, MAX_CHOICES) ?? [];
    },
  };
}

/** Picks the action to run; in text mode a group's first word names the subcommand. */
function resolveAction(command: Command, invocation: Invocation): { action: Action; subcommand?: string; args: Invocation['args'] } {
  if (command.action) return { action: command.action, args: invocation.args };
  const subcommands = command.subcommands ?? {};
  let name = invocation.subcommand;
  let args = invocation.args;
  if (name === undefined && args.kind === 'text') {
    const match = /^\s*(\S+)\s*(.*)$/s.exec(args.text);
    name = match?.[1]?.toLowerCase();
    if (name !== undefined && !subcommands[name] && command.defaultSubcommand) name = command.defaultSubcommand;
    else args = { kind: 'text', text: match?.[2] ?? '' };
  }
  const names = Object.keys(subcommands);
  if (name === undefined) {
    throw new UserError('missing-option', `/${command.name} needs one of: ${names.join(', ')}.`, `Usage: ${usageOf(command)}`);
  }
  const action = subcommands[name];
  if (!action) {
    const suggestion = closestName(name, names);
    throw new UserError(
      'bad-option',
      `/${command.name} has no ${quoted(name)}.${suggestion ? ` Did you mean /${command.name} ${suggestion}?` : ''}`,
      `Usage: ${usageOf(command)}`,
    );
  }
  return { action, subcommand: name, args };
}

function summariseAction(command: Command, action: Action, subcommand?: string): ActionSummary {
  return {
    description: action.description,
    usage: usageOf(command, subcommand),
    options: Object.entries(action.options).map(([name, spec]) => ({ name, description: spec.description, required: spec.required })),
  };
}

function summarise(command: Command): CommandSummary {
  const subcommands = Object.entries(command.subcommands ?? {}).map(([name, action]) => ({ name, ...summariseAction(command, action, name) }));
  return {
    name: command.name,
    organiserOnly: command.organiserOnly,
    ...(command.details ? { details: command.details } : {}),
    ...(command.action ? summariseAction(command, command.action) : { description: command.description, usage: usageOf(command), options: [] }),
    subcommands,
  };
}

function unknownCommand(name: string, known: string[]): UserError {
  const suggestion = closestName(name, known);
  return new UserError(
    'unknown-command',
    // Bounded and made plain like any typed value; quoted() adds quotes, a command name is shown without them.
    `I don't know the command /${quoted(name).slice(1, -1)}.`,
    suggestion ? `Did you mean /${suggestion}? Type /help to see them all.` : 'Type /help to see the commands I know.',
  );
}

/** Short enough to read out, random enough not to collide in one cohort's logs. */
function newErrorId(): string {
  return `E-${randomBytes(4).toString('hex').toUpperCase()}`;
}
