import type { Course, Exercise } from '../../src/core/course.ts';

export interface TinyModule {
  weeks?: number;
  exercises?: string[];
}

/** A hand-made course: one module per entry, default one week and no exercises, no lectures. */
export function tinyCourse(modules: TinyModule[]): Course {
  return {
    title: 'Test course',
    slug: 'test',
    summary: '',
    phases: [{ number: 1, name: 'Only phase' }],
    modules: modules.map((m, i) => ({
      number: i + 1,
      slug: `m${i + 1}`,
      folder: `module-${String(i + 1).padStart(2, '0')}-m${i + 1}`,
      title: `Module ${i + 1}`,
      phase: 1,
      weeks: m.weeks ?? 1,
      summary: '',
      objectives: [],
      lectures: [],
      exercises: (m.exercises ?? []).map(exercise),
    })),
  };
}

function exercise(id: string): Exercise {
  return { id, title: id, summary: '', points: 10, check: `check-${id}` };
}
