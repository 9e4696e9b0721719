import type { Course, Lecture, Module } from './course.ts';

/** Where each page of the course and of a published cohort board lives on the bot's web server (PUBLIC_URL). */

/** `01-ownership-and-borrowing` for `lectures/01-ownership-and-borrowing.md`: stable as long as the file is. */
export function lectureSlug(lecture: Lecture): string {
  return (lecture.contentPath.split('/').pop() ?? '').replace(/\.md$/, '');
}

export const COURSE_PATH = '/course';

export function modulePath(module: Pick<Module, 'slug'>): string {
  return `${COURSE_PATH}/${module.slug}`;
}

export function lecturePath(module: Pick<Module, 'slug'>, lecture: Lecture): string {
  return `${modulePath(module)}/${lectureSlug(lecture)}`;
}

/** An exercise's README, shown on its module's page. */
export function exerciseAnchor(exerciseId: string): string {
  return `exercise-${exerciseId}`;
}

export function cohortBoardPath(publicId: string): string {
  return `/cohorts/${publicId}`;
}

export function cohortBoardApiPath(publicId: string): string {
  return `/api/cohorts/${publicId}/leaderboard`;
}

/** Heading ids inside an exercise's README on its module page: prefixed, so two READMEs never share an id. */
export function exerciseHeadingId(exerciseId: string, slug: string): string {
  return `${exerciseAnchor(exerciseId)}--${slug}`;
}

/** The course's lectures and modules by where they live in content/. */
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

/**
 * The site page that shows a file of content/ (`modules/<folder>/lectures/01-x.md`, an exercise's README, a module
 * folder…), with `fragment` kept where the page holds that heading; null for what the site does not serve (exercise
 * sources, tests, solutions, anything outside a module).
 */
export function pageForContentPath(index: ContentIndex, contentPath: string, fragment = ''): string | null {
  const lecture = index.lecture(contentPath);
  if (lecture) return lecturePath(lecture.module, lecture.lecture) + (fragment ? `#${fragment}` : '');

  const [top, folder, area, name, ...rest] = contentPath.split('/');
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
