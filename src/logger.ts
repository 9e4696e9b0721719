import { destination as fileDestination, pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger };

/** Keys whose values are secrets wherever they appear (top level or one or two levels down). */
const SECRET_KEYS = [
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'privateKey',
  'webhookSecret',
  'secret',
  'password',
  'authorization',
  'Authorization',
];

export const REDACTED_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

/** The one structured logger; writes JSON lines to stderr (or `destination` in tests) with secrets redacted. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'cohort-bot' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination ?? fileDestination(2),
  );
}
