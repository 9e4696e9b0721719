import type { Course, Exercise } from './course.ts';
import { err, ok, type Result } from './result.ts';
import { quoted } from './quoted.ts';

/** Exercises matching every word typed, in course order: an id (`ex01-lru-cache`) or words of its id or title (`lru`). */
export function searchExercises(course: Course, text: string): Exercise[] {
  const words = normalise(text).split(/\s+/).filter(Boolean);
  return course.modules.flatMap((m) => m.exercises).filter((exercise) => {
    const haystack = normalise(`${exercise.id} ${exercise.title}`);
    return words.every((word) => haystack.includes(word));
  });
}

/** An exercise from what a learner types; several matches are listed, so they can pick one. */
export function parseExerciseRef(course: Course, text: string): Result<Exercise> {
  const query = normalise(text);
  if (query === '') return err('Say which exercise, e.g. ex01-lru-cache or words of its title.');
  const exact = course.modules.flatMap((m) => m.exercises).find((e) => e.id === query.replace(/\s+/g, '-'));
  if (exact) return ok(exact);
  const matches = searchExercises(course, text);
  if (matches.length === 1 && matches[0]) return ok(matches[0]);
  if (matches.length > 1) return err(`${quoted(text.trim())} matches several exercises: ${matches.slice(0, 6).map((e) => e.id).join(', ')}. Use its id.`);
  return err(`I found no exercise matching ${quoted(text.trim())}. /module shows each module's exercises with their ids.`);
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9\s-]/g, ' ').replace(/\s+/g, ' ').trim();
}
