import path from 'node:path';
import type { Course, Exercise, Module } from '../core/course.ts';

/** Where an exercise's starter and solution crates live in content/: a milestone shares its project's crate. */
export interface ExerciseCrate {
  module: Module;
  exercise: Exercise;
  /** The crate's folder and package name: the exercise's id, or for a milestone the id of the exercise it continues. */
  crateId: string;
  /** `content/modules/<module>/exercises/<crate>` */
  starterDir: string;
  /** `content/modules/<module>/solutions/<crate>` */
  solutionDir: string;
}

/** One entry per exercise, in course order. */
export function exerciseCrates(course: Course, contentDir: string): ExerciseCrate[] {
  return course.modules.flatMap((module) =>
    module.exercises.map((exercise) => {
      const crateId = exercise.crate ?? exercise.id;
      return {
        module,
        exercise,
        crateId,
        starterDir: path.join(contentDir, 'modules', module.folder, 'exercises', crateId),
        solutionDir: path.join(contentDir, 'modules', module.folder, 'solutions', crateId),
      };
    }),
  );
}

/** Each crate once (its own exercise's entry), in course order. */
export function uniqueCrates(crates: readonly ExerciseCrate[]): ExerciseCrate[] {
  const seen = new Set<string>();
  return crates.filter((crate) => !seen.has(crate.crateId) && seen.add(crate.crateId));
}
