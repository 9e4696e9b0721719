import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exerciseCrates, uniqueCrates } from '../src/content/exercise-crates.ts';
import { DEFAULT_CONTENT_DIR, loadCourse } from '../src/content/load-course.ts';

/**
 * `npm run bench:ci`: what a learner's push costs in CI, before and after the plan job. For each exercise crate, the
 * build of its tests from nothing (a fresh runner without a cache: every dependency compiled) and again after a
 * one-line change (a runner whose actions/cache restored target/). Offline, against Debian's packaged crates, one
 * crate at a time; the figures are this machine's, a GitHub runner (4 vCPU) is faster on the cold builds.
 */
const REGISTRY = '/usr/share/cargo/registry';
if (!existsSync(REGISTRY)) {
  console.error(`bench:ci needs Debian's packaged crates in ${REGISTRY} (.ci/run installs them)`);
  process.exit(2);
}
const home = mkdtempSync(path.join(os.tmpdir(), 'ci-cost-home-'));
writeFileSync(path.join(home, 'config.toml'), `[source.crates-io]\nreplace-with = "debian"\n\n[source.debian]\ndirectory = "${REGISTRY}"\n\n[net]\noffline = true\n`);
const env: NodeJS.ProcessEnv = { ...process.env, CARGO_HOME: home, CARGO_TERM_COLOR: 'never' };
delete env.CARGO_TARGET_DIR;

const course = loadCourse();
const crates = exerciseCrates(course, DEFAULT_CONTENT_DIR);
const seconds = (run: () => void) => {
  const started = performance.now();
  run();
  return (performance.now() - started) / 1000;
};
const rows: { crate: string; exercises: number; cold: number; warm: number }[] = [];
for (const crate of uniqueCrates(crates)) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `ci-cost-${crate.crateId}-`));
  spawnSync('cp', ['-r', crate.solutionDir, path.join(dir, 'ex')]);
  rmSync(path.join(dir, 'ex', 'target'), { recursive: true, force: true });
  writeFileSync(path.join(dir, 'Cargo.toml'), '[workspace]\nresolver = "2"\nmembers = ["ex"]\n');
  const build = () => {
    const run = spawnSync('cargo', ['test', '--offline', '--no-run'], { cwd: dir, env, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`${crate.crateId} does not build:\n${run.stderr.slice(-2000)}`);
  };
  const cold = seconds(build);
  const lib = path.join(dir, 'ex', 'src', readdirSync(path.join(dir, 'ex', 'src')).includes('lib.rs') ? 'lib.rs' : 'main.rs');
  appendFileSync(lib, '\n// a learner\'s change\n');
  const warm = seconds(build);
  rows.push({ crate: crate.crateId, exercises: crates.filter((c) => c.crateId === crate.crateId).length, cold, warm });
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${crate.crateId.padEnd(28)} cold ${cold.toFixed(1).padStart(6)} s   warm ${warm.toFixed(1).padStart(5)} s\n`);
}
rmSync(home, { recursive: true, force: true });

const jobs = crates.length;
const coldTotal = rows.reduce((sum, r) => sum + r.cold * r.exercises, 0);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const typical = median(rows.map((r) => r.warm));
process.stdout.write(
  [
    '',
    `before (every job on every push, no cache): ${jobs} jobs, ${(coldTotal / 60).toFixed(1)} build-minutes`,
    `after (plan job + the one crate a push touches, cache warm): 1 + ${median(rows.map((r) => r.exercises))} jobs, about ${(typical / 60).toFixed(2)} build-minutes (+ ~10 s for the plan)`,
    '',
  ].join('\n'),
);
