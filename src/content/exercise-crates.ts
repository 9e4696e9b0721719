import path from 'node:path';
import type { Course, Exercise, Module } from '../core/course.ts';

/** Where an exercise's starter and solution crates live in content/. */
export interface ExerciseCrate {
  module: Module;
  exercise: Exercise;
  /** `content/modules/<module>/exercises/<id>` */
  starterDir: string;
  /** `content/modules/<module>/solutions/<id>` */
  solutionDir: string;
}

export function exerciseCrates(course: Course, contentDir: string): ExerciseCrate[] {
  return course.modules.flatMap((module) =>
    module.exercises.map((exercise) => ({
      module,
      exercise,
      starterDir: path.join(contentDir, 'modules', module.folder, 'exercises', exercise.id),
      solutionDir: path.join(contentDir, 'modules', module.folder, 'solutions', exercise.id),
    })),
  );
}
