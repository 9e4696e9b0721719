import path from 'node:path';
import type { Exercise, Module } from '../core/course.ts';
import { exerciseHeadingId, pageForContentPath, type ContentIndex } from '../core/site-paths.ts';

export { exerciseHeadingId, indexCourse, type ContentIndex } from '../core/site-paths.ts';

/**
 * Where a link written in content/ points on the site. Content links are relative file paths (as they work on
 * GitHub); the site serves pages, not files, so each target is mapped to the page that shows it, or to nothing.
 */

/** The content paths of the Markdown the site renders: lectures, and each exercise's README (a milestone's is its project's). */
export function exerciseReadmePath(module: Pick<Module, 'folder'>, exercise: Pick<Exercise, 'id' | 'crate'>): string {
  return `modules/${module.folder}/exercises/${exercise.crate ?? exercise.id}/README.md`;
}

/** Which document a link is written in: its content path, and the exercise whose README it is (if it is one). */
export interface LinkSource {
  contentPath: string;
  exerciseId?: string;
}

/**
 * The site URL for a link target written in `source`, or null when it names something the site does not serve (a
 * solution, a source file, a file outside content/): such a link is shown as its text only, never as a dead link.
 * Web links, mail links and site-absolute paths are returned unchanged.
 */
export function siteHref(index: ContentIndex, source: LinkSource, target: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('/')) return target;
  const hashAt = target.indexOf('#');
  const pathAndQuery = hashAt === -1 ? target : target.slice(0, hashAt);
  const fragment = hashAt === -1 ? '' : target.slice(hashAt + 1);
  const filePart = pathAndQuery.split('?')[0] ?? '';

  if (filePart === '') {
    // In-page link: inside a README shown on the module page, its headings carry the exercise's prefix.
    if (!fragment) return null;
    return source.exerciseId ? `#${exerciseHeadingId(source.exerciseId, fragment)}` : `#${fragment}`;
  }

  let decoded: string;
  try {
    decoded = decodeURI(filePart);
  } catch {
    return null;
  }
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(source.contentPath), decoded)).replace(/\/$/, '');
  if (resolved.startsWith('..') || path.posix.isAbsolute(resolved)) return null;

  return pageForContentPath(index, resolved, fragment);
}
