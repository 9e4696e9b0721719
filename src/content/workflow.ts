import { COURSE_WORKFLOW_PATH, type Exercise } from '../core/course.ts';

/** Where the learner's workflow lives in their repo. */
export const WORKFLOW_PATH = COURSE_WORKFLOW_PATH;

/**
 * The learner's CI: one job per exercise, whose name is the exercise's check name, so each exercise is one
 * check run the bot can read. Jobs are independent: a failing exercise never hides another's result.
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
      '      - name: Test',
      `        run: cargo test -p ${exercise.id}`,
    ].join('\n'),
  );
  return [
    '# Written by cohort-bot from the course content. Do not edit: the bot only counts an exercise when this file',
    '# and the files under exercises/*/tests/ are exactly as published.',
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
