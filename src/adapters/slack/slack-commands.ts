/**
 * Slack's built-in slash commands: always handled by Slack itself, so an app that registers one never hears it.
 * Source: Slack help centre, "Use built-in slash commands" (slack.com/help/articles/201259356), checked 2026-12.
 * Kept generous: a name we wrongly list only costs its short form.
 */
export const SLACK_BUILT_IN_COMMANDS: ReadonlySet<string> = new Set([
  'active', 'apps', 'archive', 'away', 'call', 'collapse', 'dm', 'expand', 'feed', 'feedback', 'invite', 'join',
  'leave', 'me', 'msg', 'mute', 'open', 'prefs', 'remind', 'rename', 'search', 'shortcuts', 'shrug', 'star',
  'status', 'topic', 'who',
]);

/** Slack's own rules for a command name: lowercase, no spaces, at most 32 characters with the slash. */
export const SLACK_COMMAND_NAME = /^\/[a-z0-9][a-z0-9_-]{0,30}$/;

/** How the bot's commands are named on one Slack workspace. */
export interface SlackCommandNames {
  /** The one app command through which every command works, e.g. `/cohort-bot` (`/cohort-bot join`). */
  appCommand: string;
  /** Put before each short command (`rust-` → `/rust-next-module`); empty for plain `/next-module`. */
  prefix: string;
}

export const DEFAULT_SLACK_COMMANDS: SlackCommandNames = { appCommand: '/cohort-bot', prefix: '' };

/** The short slash command for `name`, or undefined when Slack keeps that name for itself (or it is too long). */
export function slackShortCommand(name: string, names: SlackCommandNames): string | undefined {
  const short = `/${names.prefix}${name}`;
  if (SLACK_BUILT_IN_COMMANDS.has(short.slice(1)) || !SLACK_COMMAND_NAME.test(short)) return undefined;
  return short;
}

/** What a learner types on Slack to run `name`: its short command if it has one, else through the app command. */
export function slackCommandForm(names: SlackCommandNames): (name: string) => string {
  return (name) => slackShortCommand(name, names) ?? `${names.appCommand} ${name}`;
}

/**
 * The bot command and its text from a Slack slash command: `/cohort-bot cohort create name=…` → `cohort`,
 * `create name=…`; `/rust-progress` → `progress`; the app command alone asks for help.
 */
export function slackTarget(slashCommand: string, text: string, names: SlackCommandNames): { command: string; text: string } {
  if (slashCommand === names.appCommand) {
    const match = /^\s*\/?(\S+)\s*(.*)$/s.exec(text);
    return match?.[1] ? { command: match[1].toLowerCase(), text: match[2] ?? '' } : { command: 'help', text: '' };
  }
  const name = slashCommand.replace(/^\//, '');
  return { command: names.prefix && name.startsWith(names.prefix) ? name.slice(names.prefix.length) : name, text };
}

/**
 * Why these names cannot work with these commands, or undefined: the app command must not be a built-in, nor
 * the short command of one of ours (which would make `/cohort-bot` ambiguous).
 */
export function slackNamesProblem(names: SlackCommandNames, commands: readonly string[]): string | undefined {
  if (SLACK_BUILT_IN_COMMANDS.has(names.appCommand.slice(1))) return `${names.appCommand} is one of Slack's built-in commands, which an app never receives`;
  const clash = commands.find((name) => slackShortCommand(name, names) === names.appCommand);
  if (clash) return `${names.appCommand} is also the short command of /${clash}; choose another name or set SLACK_COMMAND_PREFIX`;
  return undefined;
}
