import type { Clock } from '../core/clock.ts';
import type { Cohort, Learner, Platform } from '../core/cohort.ts';
import type { ContentLinks, Course } from '../core/course.ts';
import type { GithubPort } from '../core/github-port.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { RawOptionValue } from './options.ts';

/** Who asked, where, and what they typed: what an adapter makes of a platform event. */
export interface Invocation {
  /** Unique per invocation; ties log lines and error ids together. */
  id: string;
  platform: Platform;
  /** Discord guild, Slack team, `local` in the terminal. */
  workspaceId: string;
  channelId: string;
  user: InvocationUser;
  command: string;
  /** The subcommand a platform already picked (Discord); in text mode it is the first word. */
  subcommand?: string;
  /** Text to be parsed (terminal, Slack) or values already typed by the platform (Discord). */
  args: { kind: 'text'; text: string } | { kind: 'values'; values: Record<string, RawOptionValue> };
  /** A command through which every command works on this platform (Slack's app command, e.g. `/cohort-bot`). */
  appCommand?: string;
  /** The platform's own event, as an escape hatch; commands should not need it. */
  raw?: unknown;
}

export interface InvocationUser {
  id: string;
  displayName: string;
  /** The platform says they may run the cohort: Manage Server on Discord, a workspace admin on Slack, the terminal's user. */
  isOrganiser?: boolean;
  /**
   * A platform check that costs a call (Slack's users.info), asked only when the chosen action is for organisers;
   * the registry turns its answer into `isOrganiser` before guards run, so guards stay synchronous.
   */
  resolveOrganiser?: () => Promise<boolean>;
}

/** The long-lived parts a command may use. */
export interface Services {
  store: Store;
  course: Course;
  clock: Clock;
  logger: Logger;
  links: ContentLinks;
  /** Nudges delivery after a command stored a channel message in the outbox. */
  outbox: { wake(): void };
  /** Undefined when no GitHub token or App is configured. */
  github?: GithubPort;
  /** Where commands are counted and timed for operators; none in tests that do not ask. */
  telemetry?: Telemetry;
}

export type { GithubPort };
import type { Telemetry } from '../telemetry.ts';

export interface ActionSummary {
  description: string;
  usage: string;
  options: { name: string; description: string; required: boolean }[];
}

/** A command as /help describes it. */
export interface CommandSummary extends ActionSummary {
  name: string;
  organiserOnly: boolean;
  details?: string;
  subcommands: (ActionSummary & { name: string })[];
}

/** Everything a command's `run` receives. */
export interface CommandContext<Options = Record<string, unknown>> {
  invocation: Invocation;
  options: Options;
  /** The cohort bound to the channel the command came from, if any. */
  cohort: Cohort | undefined;
  /** The asker, if they joined that cohort. */
  learner: Learner | undefined;
  services: Services;
  /** Read once per invocation, so one answer never mixes two "now"s. */
  now: Date;
  /** A child logger carrying the invocation id. */
  logger: Logger;
  /** Every command of the registry, for /help. */
  commands: readonly CommandSummary[];
}
