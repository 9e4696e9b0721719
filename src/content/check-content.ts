import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { HINTS_PER_EXERCISE, type Course } from '../core/course.ts';
import { exerciseTargets, testTargets } from './course-check.ts';
import { exerciseCrates, uniqueCrates } from './exercise-crates.ts';
import { relativeLinks } from './markdown-links.ts';
import { hintsPath } from './hints.ts';
import { PUBLISHED_FILES, unpublished } from './published-files.ts';
import { unformattedRustFiles } from './rust-format.ts';
import { starterFiles } from './starter-files.ts';
import { officialFiles } from './starter-repo.ts';
import { renderWorkflow } from './workflow.ts';

/** One thing wrong in content/, named by file (relative to content/'s parent). */
export interface ContentProblem {
  file: string;
  problem: string;
}

const MILESTONE_HEADING = /^## Milestone (\d+)\b.*$/gm;

/**
 * Every "## Milestone N" of a project README is tested: its `milestoneN` test target exists and some tracked
 * exercise of the crate counts it (the project's own exercise counts the targets no milestone exercise claims).
 */
function untestedMilestones(readme: string, targets: ReadonlySet<string>, crateExercises: readonly { exercise: { id: string; crate?: string; targets?: readonly string[] } }[]): string[] {
  const claimed = new Set(crateExercises.flatMap((c) => c.exercise.targets ?? []));
  const hasProjectExercise = crateExercises.some((c) => c.exercise.crate === undefined);
  const problems: string[] = [];
  for (const [, number] of readme.matchAll(MILESTONE_HEADING)) {
    const target = `milestone${number}`;
    if (!targets.has(target)) problems.push(`describes milestone ${number} but has no tests/${target}.rs: every milestone is tested`);
    else if (!claimed.has(target) && !hasProjectExercise) problems.push(`milestone ${number} (tests/${target}.rs) is counted by no exercise`);
  }
  return problems;
}

/** Below this many words of prose (code blocks excluded) a lecture is still an outline. */
export const MIN_LECTURE_WORDS = 700;
const GITHUB_JOB_ID = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const WHAT_YOU_MAY_CHANGE = /^## What you may change[ \t]*$/m;

/**
 * Everything about content/ a program can check beyond the schema (which loadCourse checks): module READMEs,
 * real lectures, exercise and solution crates, identical tests, check names that are workflow jobs, exercise
 * READMEs that say what the learner may change, every Rust file as `cargo fmt` leaves it, every official file's current version published (so a change
 * never makes earlier learners' files look tampered with), and every relative markdown link. Returns all problems found, not just the first.
 */
export function checkContent(course: Course, contentDir: string): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const shown = (file: string) => path.join(path.basename(contentDir), path.relative(contentDir, file));
  const report = (file: string, problem: string) => problems.push({ file: shown(file), problem });

  for (const module of course.modules) {
    const dir = path.join(contentDir, 'modules', module.folder);
    if (!existsSync(path.join(dir, 'README.md'))) report(path.join(dir, 'README.md'), 'the module README is missing');
    const minimum = module.number <= 3 ? 3 : 2;
    if (module.lectures.length < minimum) report(path.join(dir, 'module.yaml'), `has ${module.lectures.length} lectures; module ${module.number} needs at least ${minimum}`);
    for (const lecture of module.lectures) {
      const file = path.join(contentDir, lecture.contentPath);
      if (!existsSync(file)) continue; // loadCourse already refuses a missing lecture
      const words = proseWords(readFileSync(file, 'utf8'));
      if (words < MIN_LECTURE_WORDS) report(file, `is still an outline: ${words} words of prose, a lecture has at least ${MIN_LECTURE_WORDS}`);
    }
  }

  const workflow = renderWorkflow(course.modules.flatMap((m) => m.exercises));
  const crates = exerciseCrates(course, contentDir);
  for (const crate of crates) {
    const { exercise, starterDir } = crate;
    if (!exercise.hints) report(hintsPath(path.dirname(path.dirname(starterDir)), exercise.id), `is missing: every exercise has ${HINTS_PER_EXERCISE} hints for /hint`);
    if (!GITHUB_JOB_ID.test(exercise.check) || !workflow.includes(`\n  ${exercise.check}:\n    name: ${exercise.check}\n`)) {
      report(starterDir, `check name "${exercise.check}" is not a job of the starter workflow`);
    }
    if (!existsSync(starterDir)) continue;
    const targets = new Set(testTargets(starterDir).map((t) => t.name));
    for (const name of exercise.targets ?? []) {
      if (!targets.has(name)) report(path.join(starterDir, 'tests'), `has no test target "${name}", which ${exercise.id} counts (tests/${name}.rs or tests/${name}/main.rs)`);
    }
    if (exerciseTargets(crate, crates).length === 0 && targets.size > 0) report(path.join(starterDir, 'tests'), `leaves ${exercise.id} no test target of its own: its milestones claim them all`);
  }
  for (const { crateId, starterDir, solutionDir } of uniqueCrates(crates)) {
    for (const [dir, extra] of [
      [starterDir, 'README.md'],
      [solutionDir, 'COMMENTARY.md'],
    ] as const) {
      if (!existsSync(dir)) {
        report(dir, 'is missing');
        continue;
      }
      if (!existsSync(path.join(dir, extra))) report(path.join(dir, extra), 'is missing');
      else if (extra === 'README.md') {
        const readme = readFileSync(path.join(dir, extra), 'utf8');
        if (!WHAT_YOU_MAY_CHANGE.test(readme)) report(path.join(dir, extra), 'has no "## What you may change" section: say what the learner may change and what the check refuses');
        for (const problem of untestedMilestones(readme, new Set(testTargets(dir).map((t) => t.name)), crates.filter((c) => (c.exercise.crate ?? c.exercise.id) === crateId))) {
          report(path.join(dir, extra), problem);
        }
      }
      problems.push(...checkCrate(dir, crateId).map((problem) => ({ file: shown(path.join(dir, 'Cargo.toml')), problem })));
      const format = unformattedRustFiles(dir);
      if (format === undefined) report(dir, 'cannot be checked for formatting: rustfmt is not installed (rustup component add rustfmt)');
      else if ('error' in format) report(dir, `does not parse: ${format.error}`);
      else for (const file of format.files) report(path.join(dir, file), 'is not formatted: run `cargo fmt` (learners do, and an official test file must not change when they do)');
    }
    if (existsSync(starterDir) && existsSync(solutionDir)) {
      const starterTests = listFiles(path.join(starterDir, 'tests'));
      const solutionTests = listFiles(path.join(solutionDir, 'tests'));
      if (starterTests.length === 0) report(path.join(starterDir, 'tests'), 'has no tests: the tests define when the exercise is done');
      for (const file of starterTests) {
        const problem = unseededPropertyTest(readFileSync(path.join(starterDir, 'tests', file), 'utf8'));
        if (problem) report(path.join(starterDir, 'tests', file), problem);
      }
      for (const file of new Set([...starterTests, ...solutionTests])) {
        const a = path.join(starterDir, 'tests', file);
        const b = path.join(solutionDir, 'tests', file);
        if (!existsSync(a) || !existsSync(b) || !readFileSync(a).equals(readFileSync(b))) {
          report(b, `differs from ${shown(a)}: an exercise and its solution share the same tests`);
        }
      }
    }
  }

  for (const file of [...unpublished(contentDir, starterFiles(course, contentDir), 'starters'), ...unpublished(contentDir, officialFiles(course, contentDir))]) {
    report(path.join(contentDir, PUBLISHED_FILES), `does not record the current version of ${file.path}: run \`npm run content:publish\``);
  }

  for (const file of listFiles(contentDir).filter((f) => f.endsWith('.md'))) {
    const full = path.join(contentDir, file);
    for (const target of relativeLinks(readFileSync(full, 'utf8'))) {
      if (!existsSync(path.resolve(path.dirname(full), target))) report(full, `links to ${target}, which does not exist`);
    }
  }
  return problems;
}

/**
 * A property test must check the same cases on every run (a learner's CI run that fails once and passes on retry
 * teaches nothing) and write no regression file into tests/ (the tamper check would refuse it): a runner made with
 * a fixed seed and `failure_persistence: None`, never the `proptest!` macro, which seeds from the OS.
 */
export function unseededPropertyTest(source: string): string | undefined {
  if (!/\bproptest\b/.test(source)) return undefined;
  const fix = 'use TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha)) with failure_persistence: None';
  if (/\bproptest!\s*[({[]/.test(source)) return `runs a property test through the proptest! macro, which seeds from the OS: ${fix}`;
  if (/TestRunner::(?:new|default)\s*\(/.test(source) || !/deterministic_rng\s*\(|TestRng::from_seed\s*\(/.test(source)) return `runs a property test without a fixed seed: ${fix}`;
  if (!/failure_persistence:\s*None/.test(source)) return `runs a property test that may write a regression file into tests/: ${fix}`;
  return undefined;
}

function checkCrate(dir: string, id: string): string[] {
  const manifest = path.join(dir, 'Cargo.toml');
  if (!existsSync(manifest)) return ['is missing'];
  const text = readFileSync(manifest, 'utf8');
  const problems: string[] = [];
  const name = /^\s*name\s*=\s*"([^"]+)"/m.exec(text)?.[1];
  if (name !== id) problems.push(`package name is ${name ? `"${name}"` : 'missing'}; it must be the exercise id "${id}"`);
  if (/^\s*\[workspace\]/m.test(text)) problems.push('has a [workspace] section; the starter repo makes the workspace');
  if (existsSync(path.join(dir, 'Cargo.lock'))) problems.push('sits beside a Cargo.lock; content keeps no lock files');
  // The course's check derives the official test targets from tests/ the way cargo does by default.
  if (/^\s*autotests\s*=/m.test(text) || /^\s*\[\[test\]\]/m.test(text)) {
    problems.push('selects its tests (autotests or [[test]]); the official test targets are tests/*.rs and tests/<dir>/main.rs');
  }
  return problems;
}

/** Words outside code fences. */
function proseWords(markdown: string): number {
  return markdown
    .replace(/```[\s\S]*?```/g, ' ')
    .split(/\s+/)
    .filter((word) => /[A-Za-z]/.test(word)).length;
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => !file.split(path.sep).includes('target') && statSync(path.join(dir, file)).isFile())
    .sort();
}
