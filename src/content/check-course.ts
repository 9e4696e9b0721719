import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Course } from '../core/course.ts';
import { ContentError } from './content-error.ts';

/** Rules that span files: numbering, folder names, phases, lecture files and unique exercise ids and checks. */
export function checkCourse(course: Course, contentDir: string, shown: (file: string) => string): void {
  const seenExercises = new Map<string, string>();
  const seenChecks = new Map<string, string>();
  const phases = new Set(course.phases.map((p) => p.number));

  course.modules.forEach((module, index) => {
    const yamlFile = shown(path.join(contentDir, 'modules', module.folder, 'module.yaml'));
    const expectedNumber = index + 1;
    if (module.number !== expectedNumber) {
      throw new ContentError(yamlFile, 'number', `is ${module.number}, but this is module ${expectedNumber} in course.yaml`);
    }
    const expectedFolder = `module-${String(module.number).padStart(2, '0')}-${module.slug}`;
    if (module.folder !== expectedFolder) {
      throw new ContentError(yamlFile, 'slug', `"${module.slug}" does not match the folder name ${module.folder} (expected ${expectedFolder})`);
    }
    if (!phases.has(module.phase)) {
      throw new ContentError(yamlFile, 'phase', `phase ${module.phase} is not listed in course.yaml`);
    }

    module.lectures.forEach((lecture, i) => {
      const file = path.join(contentDir, lecture.contentPath);
      if (!existsSync(file)) throw new ContentError(yamlFile, `lectures[${i}].path`, `${shown(file)} does not exist`);
      if (readFileSync(file, 'utf8').trim() === '') {
        throw new ContentError(yamlFile, `lectures[${i}].path`, `${shown(file)} is empty`);
      }
    });

    module.exercises.forEach((exercise, i) => {
      const firstId = seenExercises.get(exercise.id);
      if (firstId) throw new ContentError(yamlFile, `exercises[${i}].id`, `"${exercise.id}" is already used in ${firstId}`);
      seenExercises.set(exercise.id, module.folder);
      if (exercise.crate !== undefined) {
        const owner = module.exercises.find((e) => e.id === exercise.crate);
        if (!owner || owner.crate !== undefined || owner === exercise) {
          throw new ContentError(yamlFile, `exercises[${i}].crate`, `"${exercise.crate}" is not an exercise of this module with a crate of its own`);
        }
        if (!exercise.targets) throw new ContentError(yamlFile, `exercises[${i}].targets`, 'is missing: a milestone names the test targets of the crate it counts');
      } else if (exercise.targets) {
        throw new ContentError(yamlFile, `exercises[${i}].targets`, 'is only for a milestone that continues another exercise\'s crate (with `crate`)');
      }
      const firstCheck = seenChecks.get(exercise.check);
      if (firstCheck) throw new ContentError(yamlFile, `exercises[${i}].check`, `"${exercise.check}" is already used in ${firstCheck}`);
      seenChecks.set(exercise.check, module.folder);
    });
  });
}
