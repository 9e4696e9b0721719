import { COURSE_WORKFLOW_PATH, type Exercise } from '../core/course.ts';
import { CHECK_SCRIPT_PATH, checkCommand, planCommand } from './course-check.ts';

/** Where the learner's workflow lives in their repo. */
export const WORKFLOW_PATH = COURSE_WORKFLOW_PATH;

/** The job that decides which exercises a push concerns (`check.py --plan`); every exercise job needs it. */
export const PLAN_JOB = 'plan';

/**
 * The learner's CI: a plan job, then one job per exercise, whose name is the exercise's check name, so each exercise
 * is one check run the bot can read. An exercise job runs only when the plan says the learner changed that exercise
 * (or the plan itself failed, so a broken plan hides nothing); the others end "skipped", which the bot reads as not
 * started, so a push shows the exercises being worked on instead of a wall of red. Jobs are independent: a failing
 * exercise never hides another's result. Each runs the course's check script (not bare `cargo test`), which proves
 * that the official tests ran and passed, with cargo's downloads and build cached per exercise by actions/cache.
 */
export function renderWorkflow(exercises: readonly Exercise[]): string {
  const plan = [
    `  ${PLAN_JOB}:`,
    `    name: ${PLAN_JOB}`,
    '    runs-on: ubuntu-latest',
    '    timeout-minutes: 5',
    '    outputs:',
    '      touched: ${{ steps.plan.outputs.touched }}',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - id: plan',
    '        name: Exercises this push changed',
    `        run: ${planCommand()}`,
  ].join('\n');
  const jobs = exercises.map((exercise) =>
    [
      `  ${exercise.check}:`,
      `    name: ${exercise.check}`,
      `    needs: ${PLAN_JOB}`,
      `    if: \${{ !cancelled() && (needs.${PLAN_JOB}.result != 'success' || contains(fromJSON(needs.${PLAN_JOB}.outputs.touched), '${exercise.id}')) }}`,
      '    runs-on: ubuntu-latest',
      '    timeout-minutes: 20',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - uses: actions/cache@v4',
      '        with:',
      '          path: |',
      '            ~/.cargo/registry/index/',
      '            ~/.cargo/registry/cache/',
      '            ~/.cargo/git/db/',
      '            target/',
      `          key: cargo-\${{ runner.os }}-${exercise.id}-\${{ hashFiles('Cargo.toml', 'exercises/${exercise.id}/Cargo.toml') }}`,
      `          restore-keys: cargo-\${{ runner.os }}-${exercise.id}-`,
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
    plan,
    ...jobs,
    '',
  ].join('\n');
}
