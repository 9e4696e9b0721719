import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * `content/published-files.json`: every version ever published of each official file (workflow, check script and
 * data, workspace manifest, tests), by path in the learner's repo, as git blob SHAs. A learner keeps the files of
 * the starter they were given; when the course fixes a test or the check script, their passes must still count,
 * so the tamper check accepts any published version. The record only grows: `npm run content:publish` adds the
 * current versions, and content:check fails while one is not recorded.
 */
export const PUBLISHED_FILES = 'published-files.json';

const SHA = z.string().regex(/^[0-9a-f]{40}$/, 'is not a git blob SHA (40 hex digits)');
const Record_ = z.object({ files: z.record(z.string().min(1), z.array(SHA)) }).strict();

/** Published blob SHAs by repo path; empty when the course keeps no record yet. */
export function readPublished(contentDir: string): Map<string, string[]> {
  const file = path.join(contentDir, PUBLISHED_FILES);
  if (!existsSync(file)) return new Map();
  const parsed = Record_.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  return new Map(Object.entries(parsed.data.files));
}

/** The files whose current version is not in the record yet. */
export function unpublished<T extends { path: string; sha: string }>(contentDir: string, files: readonly T[]): T[] {
  const published = readPublished(contentDir);
  return files.filter((file) => !published.get(file.path)?.includes(file.sha));
}

/** Adds the current versions to the record (earlier ones stay); returns the paths that got a new version. */
export function recordPublished(contentDir: string, files: readonly { path: string; sha: string }[]): string[] {
  const published = readPublished(contentDir);
  const added: string[] = [];
  for (const file of files) {
    const versions = published.get(file.path) ?? [];
    if (versions.includes(file.sha)) continue;
    published.set(file.path, [...versions, file.sha]);
    added.push(file.path);
  }
  const sorted = Object.fromEntries([...published].sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(path.join(contentDir, PUBLISHED_FILES), `${JSON.stringify({ files: sorted }, null, 2)}\n`);
  return added;
}
