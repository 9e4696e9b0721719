import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exerciseCrates } from '../../src/content/exercise-crates.ts';
import { DEFAULT_CONTENT_DIR, loadCourse } from '../../src/content/load-course.ts';
import { writeStarterRepo } from '../../src/content/starter-repo.ts';

/**
 * Real Rust, offline: the solutions pass their tests and the starters compile but fail them. Crates come from
 * Debian's packaged registry (`.ci/run` installs it) through cargo's directory source replacement.
 */
const REGISTRY = '/usr/share/cargo/registry';
const hasCargo = spawnSync('cargo', ['--version']).status === 0;
const skip = !hasCargo ? 'cargo is not installed' : !existsSync(REGISTRY) ? `${REGISTRY} is missing: .ci/run installs the librust-*-dev packages` : false;

const course = loadCourse();
const crates = exerciseCrates(course, DEFAULT_CONTENT_DIR);

/** A fresh workspace of every starter or solution; the caller removes it (tempDir's cleanup is per file, not per hook). */
function workspace(kind: 'starters' | 'solutions'): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), `cohort-${kind}-`)), 'repo');
  writeStarterRepo(course, DEFAULT_CONTENT_DIR, dir, { use: kind, contentBaseUrl: 'https://example.test/content' });
  mkdirSync(path.join(dir, '.cargo'));
  writeFileSync(
    path.join(dir, '.cargo/config.toml'),
    `[source.crates-io]\nreplace-with = "debian"\n\n[source.debian]\ndirectory = "${REGISTRY}"\n\n[net]\noffline = true\n`,
  );
  return dir;
}

function cargo(dir: string, args: string[]) {
  // Each workspace builds into its own fresh target/: cargo leaves the path out of a path crate's build hash, so a
  // starter and its solution (same package name) sharing a target dir could run each other's code.
  const env: NodeJS.ProcessEnv = { ...process.env, CARGO_TERM_COLOR: 'never' };
  delete env.CARGO_TARGET_DIR;
  const run = spawnSync('cargo', [...args, '--offline'], { cwd: dir, encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  return { status: run.status, output: `${run.error ? `${run.error.message}\n` : ''}${run.stdout}\n${run.stderr}` };
}

const tail = (text: string) => text.split('\n').slice(-40).join('\n');

describe('exercises in real Rust, offline', { skip, timeout: 45 * 60_000 }, () => {
  describe('solutions pass', () => {
    let dir = '';
    after(() => rmSync(path.dirname(dir), { recursive: true, force: true }));
    before(() => {
      dir = workspace('solutions');
      const build = cargo(dir, ['build', '--workspace', '--tests']);
      assert.equal(build.status, 0, `the solutions workspace does not build:\n${tail(build.output)}`);
    });
    for (const { exercise } of crates) {
      it(`${exercise.id}: cargo test passes`, () => {
        const run = cargo(dir, ['test', '-p', exercise.id]);
        assert.equal(run.status, 0, tail(run.output));
        assert.match(run.output, /test result: ok\. [1-9]\d* passed/);
      });
    }
  });

  describe('starters fail', () => {
    let dir = '';
    after(() => rmSync(path.dirname(dir), { recursive: true, force: true }));
    before(() => {
      dir = workspace('starters');
      const build = cargo(dir, ['build', '--workspace', '--tests']);
      assert.equal(build.status, 0, `the starter repo does not build, so learners could not begin:\n${tail(build.output)}`);
    });
    for (const { exercise } of crates) {
      it(`${exercise.id}: tests compile and fail`, () => {
        const run = cargo(dir, ['test', '-p', exercise.id, '--no-fail-fast']);
        assert.notEqual(run.status, 0, `the starter passes its own tests, so they test nothing:\n${tail(run.output)}`);
        assert.match(run.output, /test result: FAILED/, tail(run.output));
      });
    }
  });
});
