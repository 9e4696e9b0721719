import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made: string[] = [];
// Removed when the test process exits, not by node:test's after(): an after() registered inside a before() hook
// runs as soon as that hook ends, which would delete a database a whole suite is still using.
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder under the OS temp dir, removed when the test process exits. */
export function tempDir(prefix = 'cohort-bot-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
