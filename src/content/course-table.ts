import { moduleLabel, type Course } from '../core/course.ts';

export const TABLE_START = '<!-- course-table: written by `npm run content:table` from content/ -->';
export const TABLE_END = '<!-- /course-table -->';

/**
 * The course at a glance, as README shows it: each module with its tracked exercises (a project's later milestones
 * are exercises of their own), their points and how many official tests decide each.
 */
export function courseTable(course: Course): string {
  const rows = course.modules.flatMap((module) =>
    module.exercises.map((exercise, i) => {
      const what = exercise.crate ? `${exercise.title} (milestone of \`${exercise.crate}\`)` : exercise.title;
      return `| ${i === 0 ? `${moduleLabel(module)} (${module.weeks} wk)` : ''} | \`${exercise.id}\` | ${what} | ${exercise.points} | ${exercise.tests ?? '?'} |`;
    }),
  );
  const exercises = course.modules.flatMap((m) => m.exercises);
  const total = exercises.reduce((sum, e) => sum + e.points, 0);
  return [
    '| module | exercise (its check) | what | points | tests |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    `| | ${exercises.length} exercises | | ${total} | ${exercises.reduce((sum, e) => sum + (e.tests ?? 0), 0)} |`,
  ].join('\n');
}

/** README with its course table replaced by the current one; throws when the markers are missing. */
export function withCourseTable(readme: string, course: Course): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${TABLE_START} … ${TABLE_END} markers`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${courseTable(course)}\n${readme.slice(end)}`;
}
