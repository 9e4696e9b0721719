import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ContentLinks, Course, Module } from '../core/course.ts';
import { cohortBoardPath, COURSE_PATH, exerciseAnchor, indexCourse, lecturePath, modulePath, pageForContentPath } from '../core/site-paths.ts';

export interface LinkBases {
  /** PUBLIC_URL: the bot's own site serves the course and published boards. */
  publicUrl?: string | undefined;
  /** CONTENT_BASE_URL: a published copy of content/, used when there is no PUBLIC_URL. */
  contentBaseUrl?: string | undefined;
}

/**
 * Links to the course: pages of the bot's site under `publicUrl`; else files under `contentBaseUrl`; else, in
 * local mode, file URLs into the checkout, which terminals make clickable. Both bases come without a trailing slash.
 */
export function createContentLinks(contentDir: string, { publicUrl, contentBaseUrl }: LinkBases): ContentLinks {
  if (publicUrl !== undefined) {
    return {
      lecture: (module, lecture) => `${publicUrl}${lecturePath(module, lecture)}`,
      module: (module) => `${publicUrl}${modulePath(module)}`,
      exercise: (module, exerciseId) => `${publicUrl}${modulePath(module)}#${exerciseAnchor(exerciseId)}`,
      board: (publicId) => `${publicUrl}${cohortBoardPath(publicId)}`,
    };
  }
  const file = (contentPath: string): string =>
    contentBaseUrl !== undefined ? `${contentBaseUrl}/${contentPath}` : pathToFileURL(path.join(contentDir, contentPath)).href;
  const moduleDir = (module: Module): string => `modules/${module.folder}`;
  return {
    lecture: (_module, lecture) => file(lecture.contentPath),
    module: (module) => file(`${moduleDir(module)}/README.md`),
    // A milestone's README is its project's: the crate it continues.
    exercise: (module, exerciseId) => file(`${moduleDir(module)}/exercises/${module.exercises.find((e) => e.id === exerciseId)?.crate ?? exerciseId}/README.md`),
  };
}

/**
 * The page of the bot's site nearest to a file of content/, for links written into a learner's starter repo, which
 * must open wherever they point: the page that shows the file; for a file the site does not serve (a solution, an
 * exercise's source), its exercise or module; the course index for anything else.
 */
export function sitePathFor(course: Course, contentPath: string): string {
  const index = indexCourse(course);
  const [, folder, kind, item] = contentPath.split('/');
  const module = folder ? index.module(folder) : undefined;
  const page = pageForContentPath(index, contentPath);
  if (page !== null) return page;
  if (!module) return COURSE_PATH;
  if ((kind === 'exercises' || kind === 'solutions') && item && module.exercises.some((e) => e.id === item)) {
    return `${modulePath(module)}#${exerciseAnchor(item)}`;
  }
  return modulePath(module);
}
