import path from 'node:path';
import type { Course, Exercise, Lecture, Module } from '../core/course.ts';
import { exerciseAnchor, lecturePath, modulePath } from '../core/site-paths.ts';

/**
 * Where a link written in content/ points on the site. Content links are relative file paths (as they work on
 * GitHub); the site serves pages, not files, so each target is mapped to the page that shows it, or to nothing.
 */

/** Heading ids inside an exercise's README on its module page: prefixed, so two READMEs never share an id. */
export function exerciseHeadingId(exerciseId: string, slug: string): string {
  return `${exerciseAnchor(exerciseId)}--${slug}`;
}

/** The content paths of the Markdown the site renders: lectures, and each exercise's README. */
export function exerciseReadmePath(module: Pick<Module, 'folder'>, exercise: Pick<Exercise, 'id'>): string {
  return `modules/${module.folder}/exercises/${exercise.id}/README.md`;
}

export interface ContentIndex {
  lecture(contentPath: string): { module: Module; lecture: Lecture } | undefined;
  module(folder: string): Module | undefined;
}

export function indexCourse(course: Course): ContentIndex {
  const lectures = new Map<string, { module: Module; lecture: Lecture }>();
  const modules = new Map<string, Module>();
  for (const module of course.modules) {
    modules.set(module.folder, module);
    for (const lecture of module.lectures) lectures.set(lecture.contentPath, { module, lecture });
  }
  return { lecture: (p) => lectures.get(p), module: (f) => modules.get(f) };
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

  const lecture = index.lecture(resolved);
  if (lecture) return lecturePath(lecture.module, lecture.lecture) + (fragment ? `#${fragment}` : '');

  const [top, folder, area, name, ...rest] = resolved.split('/');
  const module = top === 'modules' && folder ? index.module(folder) : undefined;
  if (!module) return null;
  const page = modulePath(module);
  // The module folder, its README or module.yaml: the module page is what the site shows of them.
  if (area === undefined || (name === undefined && (area === 'README.md' || area === 'module.yaml'))) return page;
  if (area === 'lectures' && name === undefined) return `${page}#lectures`;
  if (area === 'exercises') {
    if (name === undefined) return `${page}#exercises`;
    const exercise = module.exercises.find((e) => e.id === name);
    if (!exercise) return null;
    if (rest.length === 0) return `${page}#${exerciseAnchor(exercise.id)}`;
    if (rest.length === 1 && rest[0] === 'README.md') {
      return `${page}#${fragment ? exerciseHeadingId(exercise.id, fragment) : exerciseAnchor(exercise.id)}`;
    }
  }
  // Exercise sources, tests, Cargo.toml, solutions and their commentaries are not pages of the site.
  return null;
}
