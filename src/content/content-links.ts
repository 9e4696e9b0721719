import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ContentLinks } from '../core/course.ts';

/**
 * Links to content: under `baseUrl` when one is configured (the repo's content/ on GitHub, say), otherwise
 * file URLs into the local checkout, which terminals make clickable in local mode.
 */
export function createContentLinks(contentDir: string, baseUrl: string | undefined): ContentLinks {
  return {
    lecture: (lecture) =>
      baseUrl ? `${baseUrl}/${lecture.contentPath}` : pathToFileURL(path.join(contentDir, lecture.contentPath)).href,
  };
}
