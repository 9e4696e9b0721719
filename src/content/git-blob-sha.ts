import { createHash } from 'node:crypto';

/** The SHA-1 git gives a file's content (`git hash-object`): what GitHub's trees and contents APIs report. */
export function gitBlobSha(content: Buffer | string): string {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}
