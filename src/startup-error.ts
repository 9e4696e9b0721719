import { DiscordSetupError } from './adapters/discord/setup-error.ts';
import { SlackSetupError } from './adapters/slack/setup-error.ts';
import { ConfigError } from './config.ts';
import { ContentError } from './content/content-error.ts';
import { GithubSetupError } from './github/github-access.ts';
import { MigrationError } from './store/migrate.ts';

/**
 * One line telling the operator what to fix, for the failures they can fix; undefined for a bug, which keeps
 * its stack trace.
 */
export function describeStartupError(error: unknown): string | undefined {
  if (error instanceof ConfigError) return `configuration error: ${error.message}`;
  if (error instanceof ContentError) return `course content error: ${error.message}`;
  if (error instanceof MigrationError) return `database schema error: ${error.message}`;
  if (error instanceof SlackSetupError) return `Slack setup error: ${error.message}`;
  if (error instanceof DiscordSetupError) return `Discord setup error: ${error.message}`;
  if (error instanceof GithubSetupError) return `GitHub setup error: ${error.message}`;
  const code = (error as { code?: unknown })?.code;
  const syscall = (error as { syscall?: unknown })?.syscall;
  if (syscall === 'listen' && (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')) {
    const port = (error as { port?: unknown }).port;
    const why = code === 'EADDRINUSE' ? 'is already in use by another program' : code === 'EACCES' ? 'needs privileges this process does not have' : 'is not available on this machine';
    return `configuration error: PORT ${String(port ?? '')} ${why}; choose another port (PORT) or stop the other program.`;
  }
  if (isSqliteOpenError(error)) {
    return `cannot open the database (DATABASE_PATH): ${(error as Error).message}. Check that the path is a writable SQLite file.`;
  }
  return undefined;
}

function isSqliteOpenError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_READONLY') || code === 'EACCES');
}
