/** The course as the bot sees it: loaded once from content/ and never changed while running. */

/** Where the course's workflow lives in a learner's repo: only check runs of its check suites count. */
export const COURSE_WORKFLOW_PATH = '.github/workflows/course.yml';

export interface Lecture {
  title: string;
  /** Path relative to the repository's content/ folder, e.g. `modules/module-01-core-rust/lectures/01-x.md`. */
  contentPath: string;
}

/** Hints per exercise: a nudge, a closer look, nearly the approach. */
export const HINTS_PER_EXERCISE = 3;

export interface Exercise {
  /** Unique across the course, e.g. `ex01-lru-cache`. */
  id: string;
  title: string;
  summary: string;
  points: number;
  /** Name of the CI job (check run) in the learner's repo that decides whether it is done. */
  check: string;
  /**
   * How many official tests the reference solution passes: the workflow's check demands exactly this many passed.
   * Always set by loadCourse (module.yaml `tests`); optional only so hand-made courses in tests need not invent it.
   */
  tests?: number;
  /** Whether the learner may add crates.io dependencies to the exercise's Cargo.toml (module.yaml; default false). */
  extraDependencies?: boolean;
  /** Three hints of increasing detail (content `hints/<id>.md`), revealed one at a time by `/hint`. */
  hints?: string[];
  /** A later milestone of a project: the exercise whose crate it continues (module.yaml `crate`). */
  crate?: string;
  /** With `crate`: the crate's official test targets this milestone counts. */
  targets?: string[];
}

export interface Module {
  number: number;
  slug: string;
  /** Folder name under content/modules, e.g. `module-01-core-rust`. */
  folder: string;
  title: string;
  phase: number;
  weeks: number;
  summary: string;
  objectives: string[];
  lectures: Lecture[];
  exercises: Exercise[];
}

export interface Phase {
  number: number;
  name: string;
}

export interface Course {
  title: string;
  slug: string;
  summary: string;
  phases: Phase[];
  /** In course order, numbered 1..n without gaps. */
  modules: Module[];
}

/** `Module 03 · Key-Value Store`: how every platform names a module. */
export function moduleLabel(module: Pick<Module, 'number' | 'title'>): string {
  return `Module ${String(module.number).padStart(2, '0')} · ${module.title}`;
}

export function totalPoints(module: Module): number {
  return module.exercises.reduce((sum, exercise) => sum + exercise.points, 0);
}

export function phaseName(course: Course, phase: number): string {
  return course.phases.find((p) => p.number === phase)?.name ?? `Phase ${phase}`;
}

/**
 * Links a learner can open: the course's pages on the bot's site (PUBLIC_URL), a published copy of content/
 * (CONTENT_BASE_URL), or files in the checkout (local mode). Which one is decided at start.
 */
export interface ContentLinks {
  lecture(module: Module, lecture: Lecture): string;
  /** The module's overview: objectives, lectures and exercises. */
  module(module: Module): string;
  /** What to build for one exercise of the module. */
  exercise(module: Module, exerciseId: string): string;
  /** A published cohort board; absent when the bot has no public address (PUBLIC_URL unset). */
  board?: (publicId: string) => string;
}
