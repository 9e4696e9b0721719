import type { Lecture, Module } from './course.ts';

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
