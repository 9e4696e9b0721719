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

/**
 * The two records: `files`, the official files (tamper check: any version counts); `starters`, the starter's own
 * files a learner replaces with their work (src/, the crate's Cargo.toml): a file equal to any version was never
 * touched, so the plan job skips it and `npm run starter -- --update` may replace it with the current one.
 */
export type PublishedSection = 'files' | 'starters';

const SHA = z.string().regex(/^[0-9a-f]{40}$/, 'is not a git blob SHA (40 hex digits)');
const Versions = z.record(z.string().min(1), z.array(SHA));
const Record_ = z.object({ files: Versions, starters: Versions.optional() }).strict();

type PublishedRecord = Record<PublishedSection, Map<string, string[]>>;

function readRecord(contentDir: string): PublishedRecord {
  const file = path.join(contentDir, PUBLISHED_FILES);
  if (!existsSync(file)) return { files: new Map(), starters: new Map() };
  const parsed = Record_.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  return { files: new Map(Object.entries(parsed.data.files)), starters: new Map(Object.entries(parsed.data.starters ?? {})) };
}

/** Published blob SHAs by repo path, oldest first; empty when the course keeps no record yet. */
export function readPublished(contentDir: string, section: PublishedSection = 'files'): Map<string, string[]> {
  return readRecord(contentDir)[section];
}

/** The files whose current version is not in the record yet. */
export function unpublished<T extends { path: string; sha: string }>(contentDir: string, files: readonly T[], section: PublishedSection = 'files'): T[] {
  const published = readPublished(contentDir, section);
  return files.filter((file) => !published.get(file.path)?.includes(file.sha));
}

/** Adds the current versions to the record (earlier ones stay); returns the paths that got a new version. */
export function recordPublished(contentDir: string, files: readonly { path: string; sha: string }[], section: PublishedSection = 'files'): string[] {
  const record = readRecord(contentDir);
  const published = record[section];
  const added: string[] = [];
  for (const file of files) {
    const versions = published.get(file.path) ?? [];
    if (versions.includes(file.sha)) continue;
    published.set(file.path, [...versions, file.sha]);
    added.push(file.path);
  }
  const sorted = (versions: Map<string, string[]>) => Object.fromEntries([...versions].sort(([a], [b]) => a.localeCompare(b)));
  const json = { files: sorted(record.files), ...(record.starters.size > 0 ? { starters: sorted(record.starters) } : {}) };
  writeFileSync(path.join(contentDir, PUBLISHED_FILES), `${JSON.stringify(json, null, 2)}\n`);
  return added;
}
