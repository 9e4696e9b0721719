import { createHash } from 'node:crypto';

/** A short fingerprint of a JSON value: equal for equal content, so "did it change?" is one string comparison. */
export function digestOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
}
