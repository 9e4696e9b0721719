import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ContentLinks } from '../core/course.ts';

/**
 * Links to content: under `baseUrl` (CONTENT_BASE_URL, or the repository's content/ on GitHub), or, when none is
 * given, file URLs into the local checkout, which terminals make clickable in local mode.
 */
export function createContentLinks(contentDir: string, baseUrl: string | undefined): ContentLinks {
  return {
    lecture: (lecture) =>
      baseUrl ? `${baseUrl}/${lecture.contentPath}` : pathToFileURL(path.join(contentDir, lecture.contentPath)).href,
  };
}

/** `<repository>/blob/main/content`, from package.json's repository URL: where chat platforms link lectures by default. */
export function defaultContentBaseUrl(): string {
  const manifest = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { repository?: { url?: string } };
  const repository = (manifest.repository?.url ?? 'https://github.com/cohort-bot/cohort-bot').replace(/^git\+/, '').replace(/\.git$/, '');
  return `${repository}/blob/main/content`;
}
