import { COURSE_WORKFLOW_PATH, type Exercise } from '../core/course.ts';
import { CHECK_SCRIPT_PATH, checkCommand } from './course-check.ts';

/** Where the learner's workflow lives in their repo. */
export const WORKFLOW_PATH = COURSE_WORKFLOW_PATH;

/**
 * The learner's CI: one job per exercise, whose name is the exercise's check name, so each exercise is one
 * check run the bot can read. Jobs are independent: a failing exercise never hides another's result. Each job runs
 * the course's check script (not bare `cargo test`), which proves that the official tests ran and passed.
 */
export function renderWorkflow(exercises: readonly Exercise[]): string {
  const jobs = exercises.map((exercise) =>
    [
      `  ${exercise.check}:`,
      `    name: ${exercise.check}`,
      '    runs-on: ubuntu-latest',
      '    timeout-minutes: 20',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - name: Official tests',
      `        run: ${checkCommand(exercise.id)}`,
    ].join('\n'),
  );
  return [
    '# Written by cohort-bot from the course content. Do not edit: the bot only counts an exercise when this file,',
    `# ${CHECK_SCRIPT_PATH} and its data, the root Cargo.toml and the files under exercises/*/tests/ are exactly`,
    '# as published, and the check proved that all the official tests of the exercise ran and passed.',
    'name: course',
    'on:',
    '  push:',
    '  pull_request:',
    '  workflow_dispatch:',
    'env:',
    '  CARGO_TERM_COLOR: always',
    'jobs:',
    ...jobs,
    '',
  ].join('\n');
}
