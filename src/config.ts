import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { DEFAULT_SLACK_COMMANDS, SLACK_BUILT_IN_COMMANDS, SLACK_COMMAND_NAME, type SlackCommandNames } from './adapters/slack/slack-commands.ts';

/**
 * Every environment variable the bot reads, validated once. Read from an `env` parameter (not process.env
 * directly) so tests pass their own; `.env.example` documents each one.
 */

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_DATABASE_PATH = './data/cohort.db';

export interface Config {
  databasePath: string;
  /** `undefined` lets the app choose: quieter in local mode, where logs would mix with the prompt. */
  logLevel: LogLevel | undefined;
  port: number;
  /** A scrape of /metrics must send `Authorization: Bearer <this>`; unset, /metrics is open (keep PORT private then). */
  metricsToken?: string;
  /** PORT was given: the HTTP server (health, readiness) runs even when nothing else needs it, e.g. in Socket Mode. */
  portSet?: boolean;
  /** Where learners reach the bot's HTTP server (origin and optional path, no trailing slash); links point there. */
  publicUrl: string | undefined;
  /** A published copy of content/ (no trailing slash): where links point when there is no PUBLIC_URL. */
  contentBaseUrl: string | undefined;
  discord: { token: string; applicationId: string; guildId: string | undefined; apiUrl: string | undefined } | undefined;
  slack:
    | { botToken: string; signingSecret: string | undefined; appToken: string | undefined; apiUrl: string | undefined }
    | undefined;
  /** How commands are named on Slack (also read without a Slack token, for the manifest). */
  slackCommands: SlackCommandNames;
  github: {
    token: string | undefined;
    appId: string | undefined;
    privateKey: string | undefined;
    webhookSecret: string | undefined;
    apiUrl: string | undefined;
    /** Minutes between polls of every linked repo (the fallback for missed webhooks). */
    pollMinutes: number;
    /** Share of each hour's GitHub rate limit that syncing may spend. */
    syncShare: number;
    /** How long webhooks are gathered before one sync reads every repo they name. */
    webhookGatherMs: number;
  };
  /** How long one attempt to send an outbox message holds it; another process takes it up after this. */
  outboxLeaseMs: number;
}

/** One bad variable; `message` is a single line for the operator, never containing a secret's value. */
export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

interface VariableSpec {
  schema: z.ZodType<unknown>;
  expected: string;
  secret?: boolean;
}

const httpUrl = z.url({ protocol: /^https?$/ });
/** An address pages are served under: links are built by appending a path, so no query or fragment. */
const baseUrl = httpUrl.refine((url) => !/[?#]/.test(url));
const snowflake = z.string().regex(/^\d{17,20}$/);
const noSpaces = z.string().regex(/^\S+$/);

const VARIABLES = {
  DATABASE_PATH: { schema: z.string().min(1), expected: 'a path to the SQLite file, e.g. ./data/cohort.db' },
  LOG_LEVEL: { schema: z.enum(LOG_LEVELS), expected: `one of ${LOG_LEVELS.join(', ')}` },
  // Digits only: Number() would also take `0x50` and `1e3`.
  PORT: { schema: z.string().regex(/^\d{1,5}$/).transform(Number).pipe(z.number().max(65535)), expected: 'a TCP port number from 0 to 65535' },
  // Printable ASCII without spaces, at least 16 characters: a bearer token that is easy to paste and hard to guess.
  METRICS_TOKEN: { schema: z.string().regex(/^[\x21-\x7e]{16,200}$/), expected: 'a bearer token of 16 to 200 printable characters without spaces', secret: true },
  PUBLIC_URL: {
    schema: baseUrl,
    expected: "the bot's public address, an http(s) URL without query or fragment, e.g. https://cohort.example.org",
  },
  CONTENT_BASE_URL: { schema: httpUrl, expected: 'an http(s) URL of the content/ folder, e.g. https://github.com/you/cohort-bot/blob/main/content' },
  DISCORD_TOKEN: { schema: noSpaces, expected: 'the bot token from the Discord developer portal', secret: true },
  DISCORD_APPLICATION_ID: { schema: snowflake, expected: 'the application id from the Discord developer portal (17-20 digits)' },
  DISCORD_GUILD_ID: { schema: snowflake, expected: 'a Discord server id (17-20 digits)' },
  DISCORD_API_URL: { schema: httpUrl, expected: 'an http(s) URL, e.g. https://discord.com/api' },
  SLACK_BOT_TOKEN: { schema: z.string().regex(/^xoxb-\S+$/), expected: 'a bot token starting with xoxb-', secret: true },
  SLACK_SIGNING_SECRET: { schema: noSpaces, expected: 'the signing secret from the Slack app settings', secret: true },
  SLACK_APP_TOKEN: { schema: z.string().regex(/^xapp-\S+$/), expected: 'an app-level token starting with xapp-', secret: true },
  SLACK_API_URL: { schema: httpUrl, expected: 'an http(s) URL, e.g. https://slack.com/api/' },
  SLACK_COMMAND: {
    schema: z
      .string()
      .transform((name) => (name.startsWith('/') ? name : `/${name}`))
      .pipe(z.string().regex(SLACK_COMMAND_NAME))
      .refine((name) => !SLACK_BUILT_IN_COMMANDS.has(name.slice(1))),
    expected: "a slash command name that is not one of Slack's built-ins: lowercase letters, digits, - and _, up to 32 characters, e.g. /cohort-bot",
  },
  SLACK_COMMAND_PREFIX: {
    schema: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,19}$/),
    expected: 'up to 20 lowercase letters, digits, - and _ put before each short command, e.g. rust-',
  },
  GITHUB_TOKEN: { schema: noSpaces, expected: 'a GitHub personal access token', secret: true },
  GITHUB_APP_ID: { schema: z.string().regex(/^\d+$/), expected: 'the numeric id of your GitHub App' },
  GITHUB_PRIVATE_KEY: {
    schema: z.string().regex(/-----BEGIN [A-Z ]*PRIVATE KEY-----/),
    expected: 'the GitHub App private key in PEM form (-----BEGIN … PRIVATE KEY-----; \\n escapes allowed)',
    secret: true,
  },
  GITHUB_WEBHOOK_SECRET: { schema: z.string().min(16), expected: 'a webhook secret of at least 16 characters', secret: true },
  GITHUB_API_URL: { schema: httpUrl, expected: 'an http(s) URL, e.g. https://api.github.com' },
  GITHUB_POLL_MINUTES: { schema: z.coerce.number().int().min(1).max(59), expected: 'whole minutes from 1 to 59, e.g. 15' },
  GITHUB_SYNC_SHARE: { schema: z.coerce.number().gt(0).max(1), expected: 'a fraction above 0 and at most 1, e.g. 0.5' },
  GITHUB_WEBHOOK_GATHER_MS: { schema: z.coerce.number().int().min(0).max(60_000), expected: 'milliseconds from 0 to 60000, e.g. 3000' },
  OUTBOX_LEASE_SECONDS: { schema: z.coerce.number().int().min(1).max(3600), expected: 'whole seconds from 1 to 3600, e.g. 60' },
} satisfies Record<string, VariableSpec>;

export type VariableName = keyof typeof VARIABLES;
export const VARIABLE_NAMES = Object.keys(VARIABLES) as VariableName[];

/** Validates `env` and returns the config; throws a ConfigError for the first bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // Every variable is checked, even one the chosen mode ignores: a typo should not wait for the day it matters.
  const values = new Map<VariableName, string>();
  for (const name of VARIABLE_NAMES) {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') continue;
    const spec: VariableSpec = VARIABLES[name];
    const parsed = spec.schema.safeParse(raw);
    if (!parsed.success) {
      const shown = spec.secret ? 'is set but not valid' : `is "${raw}"`;
      throw new ConfigError(name, `${name} ${shown}; expected ${spec.expected}.`);
    }
    values.set(name, String(parsed.data));
  }
  const value = (name: VariableName): string | undefined => values.get(name);
  const requires = (name: VariableName, because: VariableName, why: string): string => {
    const found = value(name);
    if (found === undefined) throw new ConfigError(name, `${name} is missing; it is needed when ${because} is set (${why}).`);
    return found;
  };

  const databasePath = checkDatabasePath(value('DATABASE_PATH'));
  const logLevel = value('LOG_LEVEL') as LogLevel | undefined;
  const port = Number(value('PORT') ?? 3000);

  const discordToken = value('DISCORD_TOKEN');
  const slackBotToken = value('SLACK_BOT_TOKEN');
  const slackAppToken = value('SLACK_APP_TOKEN');
  const slackSigningSecret = value('SLACK_SIGNING_SECRET');
  if (slackBotToken && !slackAppToken && !slackSigningSecret) {
    throw new ConfigError(
      'SLACK_SIGNING_SECRET',
      'SLACK_SIGNING_SECRET is missing; set it (HTTP mode) or SLACK_APP_TOKEN (Socket Mode) along with SLACK_BOT_TOKEN.',
    );
  }
  const appId = value('GITHUB_APP_ID');
  const discord = discordToken
    ? {
        token: discordToken,
        applicationId: requires('DISCORD_APPLICATION_ID', 'DISCORD_TOKEN', 'slash commands are registered for it'),
        guildId: value('DISCORD_GUILD_ID'),
        apiUrl: value('DISCORD_API_URL'),
      }
    : undefined;
  const publicUrl = value('PUBLIC_URL')?.replace(/\/+$/, '');
  const contentBaseUrl = value('CONTENT_BASE_URL')?.replace(/\/+$/, '');
  // A chat message cannot open a file on the bot's disk: links must go somewhere learners can reach.
  if ((discord || slackBotToken) && publicUrl === undefined && contentBaseUrl === undefined) {
    throw new ConfigError(
      'PUBLIC_URL',
      `neither PUBLIC_URL nor CONTENT_BASE_URL is set; with ${[discord && 'Discord', slackBotToken && 'Slack'].filter(Boolean).join(' and ')} on, lecture links must open in a browser: set PUBLIC_URL (the address learners reach this bot at, e.g. https://cohort.example.org) or CONTENT_BASE_URL (a published copy of content/).`,
    );
  }

  return {
    databasePath,
    logLevel,
    port,
    portSet: value('PORT') !== undefined,
    ...(value('METRICS_TOKEN') ? { metricsToken: value('METRICS_TOKEN') } : {}),
    publicUrl,
    contentBaseUrl,
    discord,
    slack: slackBotToken
      ? { botToken: slackBotToken, signingSecret: slackSigningSecret, appToken: slackAppToken, apiUrl: value('SLACK_API_URL') }
      : undefined,
    slackCommands: { appCommand: value('SLACK_COMMAND') ?? DEFAULT_SLACK_COMMANDS.appCommand, prefix: value('SLACK_COMMAND_PREFIX') ?? '' },
    github: {
      token: value('GITHUB_TOKEN'),
      appId,
      privateKey: appId
        ? requires('GITHUB_PRIVATE_KEY', 'GITHUB_APP_ID', 'a GitHub App signs its requests with it').replace(/\\n/g, '\n')
        : value('GITHUB_PRIVATE_KEY'),
      webhookSecret: value('GITHUB_WEBHOOK_SECRET'),
      apiUrl: value('GITHUB_API_URL'),
      pollMinutes: Number(value('GITHUB_POLL_MINUTES') ?? 15),
      syncShare: Number(value('GITHUB_SYNC_SHARE') ?? 0.5),
      webhookGatherMs: Number(value('GITHUB_WEBHOOK_GATHER_MS') ?? 3000),
    },
    outboxLeaseMs: Number(value('OUTBOX_LEASE_SECONDS') ?? 60) * 1000,
  };
}

/** The default's folder is created on first start; any other folder must exist, so a typo is not silently created. */
function checkDatabasePath(given: string | undefined): string {
  const file = given ?? DEFAULT_DATABASE_PATH;
  const dir = path.dirname(path.resolve(file));
  if (given === undefined || path.resolve(given) === path.resolve(DEFAULT_DATABASE_PATH)) return file;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ConfigError('DATABASE_PATH', `DATABASE_PATH is "${file}", but the folder ${dir} does not exist; create it or choose another path.`);
  }
  return file;
}

/**
 * Variables from a `.env` file, if there is one; the real environment wins over it. A line that is neither
 * `NAME=value`, a comment nor blank is refused with its number: Node's parser would silently swallow the next
 * variable into it. The line itself is not shown, since it may hold a secret.
 */
export function readEnvFile(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const text = readFileSync(file, 'utf8');
  const stray = strayEnvLine(text);
  if (stray !== undefined) {
    throw new ConfigError('.env', `line ${stray} of ${path.basename(file)} is not NAME=value, a # comment or blank; fix or remove it (the variables after it would be lost).`);
  }
  return parseEnv(text) as Record<string, string>;
}

/** The first line number that is not an assignment, comment or blank, skipping the inside of quoted multi-line values. */
function strayEnvLine(text: string): number | undefined {
  const lines = text.split(/\r?\n/);
  let quote: string | undefined;
  for (const [i, line] of lines.entries()) {
    if (quote) {
      if (line.includes(quote)) quote = undefined;
      continue;
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const assignment = /^(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=\s*(.*)$/.exec(trimmed);
    if (!assignment) return i + 1;
    // A value that opens a quote and does not close it on this line continues on the next lines (a PEM key).
    const value = assignment[1] ?? '';
    const opener = value[0];
    if ((opener === '"' || opener === "'" || opener === '`') && !value.slice(1).includes(opener)) quote = opener;
  }
  return undefined;
}

/** True when no chat platform is configured: the bot runs in the terminal. */
export function isLocalMode(config: Config): boolean {
  return config.discord === undefined && config.slack === undefined;
}
