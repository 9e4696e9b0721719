import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { exerciseCrates } from '../../src/content/exercise-crates.ts';
import { DEFAULT_CONTENT_DIR, loadCourse } from '../../src/content/load-course.ts';
import { officialFiles, writeStarterRepo } from '../../src/content/starter-repo.ts';
import { WORKFLOW_PATH } from '../../src/content/workflow.ts';
import type { Course } from '../../src/core/course.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { FakeGithub } from '../fakes/github/fake-github.ts';
import { annotationsFromStepLog } from '../fakes/github/workflow-commands.ts';
import { berlinCohort } from '../helpers/cohort-fixture.ts';
import { fakeRepoSync, linkedLearner, starterRepo } from '../helpers/github-fixture.ts';
import { invocation, testServices } from '../helpers/test-services.ts';

/**
 * Real Rust, offline: every solution passes the course's check exactly as the learner's workflow runs it (so the
 * published test counts are right), every starter fails it, and each way of switching the official tests off
 * without touching them is refused. Crates come from Debian's packaged registry (`.ci/run` installs it) through
 * cargo's directory source replacement, configured in a temporary CARGO_HOME: the check refuses cargo
 * configuration inside the repository.
 */
const REGISTRY = '/usr/share/cargo/registry';
const hasCargo = spawnSync('cargo', ['--version']).status === 0;
const hasPython = spawnSync('python3', ['--version']).status === 0;
const skip = !hasCargo
  ? 'cargo is not installed'
  : !hasPython
    ? 'python3 is not installed'
    : !existsSync(REGISTRY)
      ? `${REGISTRY} is missing: .ci/run installs the librust-*-dev packages`
      : false;

const course = loadCourse();
/** `CARGO_EXERCISES=ex01-redis-clone,ex01-kv-store` runs just those projects (and their milestones), for authors. */
const onlyProjects = process.env.CARGO_EXERCISES?.split(',').map((id) => id.trim()).filter(Boolean);
const crates = exerciseCrates(course, DEFAULT_CONTENT_DIR).filter((c) => !onlyProjects || onlyProjects.includes(c.exercise.crate ?? c.exercise.id));
const exerciseById = new Map(crates.map((c) => [c.exercise.id, c.exercise]));

let cargoHome = '';
function offlineCargoHome(): string {
  if (!cargoHome) {
    cargoHome = tempDir('cohort-cargo-home-');
    writeFileSync(
      path.join(cargoHome, 'config.toml'),
      `[source.crates-io]\nreplace-with = "debian"\n\n[source.debian]\ndirectory = "${REGISTRY}"\n\n[net]\noffline = true\n`,
    );
  }
  return cargoHome;
}

function env(): NodeJS.ProcessEnv {
  // Each workspace builds into its own fresh target/: cargo leaves the path out of a path crate's build hash, so a
  // starter and its solution (same package name) sharing a target dir could run each other's code.
  const result: NodeJS.ProcessEnv = { ...process.env, CARGO_TERM_COLOR: 'never', CARGO_HOME: offlineCargoHome() };
  delete result.CARGO_TARGET_DIR;
  delete result.RUSTFLAGS;
  return result;
}

/** A fresh repo written by the starter writer, of every exercise or of those in `only`. */
function repo(kind: 'starters' | 'solutions', only?: string[], parent = mkdtempSync(path.join(os.tmpdir(), `cohort-${kind}-`))): string {
  const dir = path.join(parent, 'repo');
  const chosen: Course = only
    ? // A project's milestones come with it: they count some of its crate's test targets.
      { ...course, modules: course.modules.map((m) => ({ ...m, exercises: m.exercises.filter((e) => only.includes(e.crate ?? e.id)) })).filter((m) => m.exercises.length > 0) }
    : course;
  writeStarterRepo(chosen, DEFAULT_CONTENT_DIR, dir, { use: kind, contentBaseUrl: 'https://example.test/content' });
  return dir;
}

interface Run {
  status: number | null;
  output: string;
}

function spawn(command: string, args: string[], cwd: string): Run {
  const run = spawnSync(command, args, { cwd, encoding: 'utf8', env: env(), maxBuffer: 64 * 1024 * 1024 });
  return { status: run.status, output: `${run.error ? `${run.error.message}\n` : ''}${run.stdout}\n${run.stderr}` };
}

const cargo = (dir: string, args: string[]) => spawn('cargo', [...args, '--offline'], dir);

/** The exercise's job in the repo's own workflow, run as GitHub runs a `run:` step (bash -e). */
function workflowCheck(dir: string, exerciseId: string): Run {
  const workflow = parseYaml(readFileSync(path.join(dir, WORKFLOW_PATH), 'utf8')) as { jobs: Record<string, { name: string; steps: { run?: string }[] }> };
  const check = exerciseById.get(exerciseId)?.check ?? '';
  const job = workflow.jobs[check];
  assert.ok(job, `the workflow has no job ${check}`);
  assert.equal(job.name, check);
  const steps = job.steps.filter((s) => s.run !== undefined);
  assert.equal(steps.length, 1, `the ${check} job runs one command`);
  return spawn('bash', ['-e', '-c', steps[0]?.run ?? ''], dir);
}

const tail = (text: string) => text.split('\n').slice(-40).join('\n');
const errors = (text: string) => text.split('\n').filter((line) => line.startsWith('::error')).join('\n');

function editFile(file: string, change: (text: string) => string): void {
  const before = readFileSync(file, 'utf8');
  const after = change(before);
  assert.notEqual(after, before, `the edit to ${file} changed nothing`);
  writeFileSync(file, after);
}

describe('exercises in real Rust, offline, checked as the workflow checks them', { skip, timeout: 45 * 60_000 }, () => {
  describe('solutions pass', () => {
    let dir = '';
    after(() => rmSync(path.dirname(dir), { recursive: true, force: true }));
    before(() => {
      dir = repo('solutions', onlyProjects);
      const build = cargo(dir, ['build', '--workspace', '--tests']);
      assert.equal(build.status, 0, `the solutions workspace does not build:\n${tail(build.output)}`);
    });
    for (const { exercise } of crates) {
      it(`${exercise.id}: the check passes with exactly the published ${exercise.tests} tests`, () => {
        const run = workflowCheck(dir, exercise.id);
        assert.equal(run.status, 0, `${errors(run.output)}\n${tail(run.output)}`);
        assert.match(run.output, new RegExp(`${exercise.id}: all ${exercise.tests} official tests passed`));
      });
    }

    it('a crates.io dependency added where the exercise allows it still passes', { skip: onlyProjects !== undefined && 'CARGO_EXERCISES is set' }, () => {
      const allowing = crates.find((c) => c.exercise.extraDependencies);
      assert.ok(allowing, 'some exercise allows extra dependencies');
      const manifest = path.join(dir, 'exercises', allowing.exercise.id, 'Cargo.toml');
      const original = readFileSync(manifest, 'utf8');
      try {
        editFile(manifest, (text) => text.replace(/^\[dependencies\]\n/m, '[dependencies]\nrand = "0.8"\n'));
        const run = workflowCheck(dir, allowing.exercise.id);
        assert.equal(run.status, 0, `${errors(run.output)}\n${tail(run.output)}`);
      } finally {
        writeFileSync(manifest, original);
      }
    });

    it('the same dependency is refused where the exercise does not allow it, before any test runs', { skip: onlyProjects !== undefined && 'CARGO_EXERCISES is set' }, () => {
      const manifest = path.join(dir, 'exercises/ex01-lru-cache/Cargo.toml');
      const original = readFileSync(manifest, 'utf8');
      try {
        editFile(manifest, (text) => text.replace(/^\[dependencies\]\n/m, '[dependencies]\nrand = "0.8"\n'));
        const run = workflowCheck(dir, 'ex01-lru-cache');
        assert.notEqual(run.status, 0, tail(run.output));
        assert.match(errors(run.output), /title=Dependency not allowed::exercises\/ex01-lru-cache\/Cargo\.toml adds the dependency rand/);
        assert.doesNotMatch(run.output, /test result:/);
      } finally {
        writeFileSync(manifest, original);
      }
    });
  });

  describe('starters fail', () => {
    let dir = '';
    after(() => rmSync(path.dirname(dir), { recursive: true, force: true }));
    before(() => {
      dir = repo('starters', onlyProjects);
      const build = cargo(dir, ['build', '--workspace', '--tests']);
      assert.equal(build.status, 0, `the starter repo does not build, so learners could not begin:\n${tail(build.output)}`);
    });
    for (const { exercise } of crates) {
      it(`${exercise.id}: tests compile and fail, and the check fails`, () => {
        const run = workflowCheck(dir, exercise.id);
        assert.notEqual(run.status, 0, `the starter passes its own tests, so they test nothing:\n${tail(run.output)}`);
        assert.match(run.output, /test result: FAILED/, tail(run.output));
        assert.match(errors(run.output), /title=Official test count::\d+ official tests passed/);
      });
    }
  });

  /**
   * Ways to switch the official tests off without touching them, each applied to an otherwise unsolved starter:
   * a workspace of just ex01-interpreter (no dependencies, so a build takes seconds), fresh for every case.
   */
  describe('switching the official tests off is refused', { skip: onlyProjects !== undefined && 'CARGO_EXERCISES is set' }, () => {
    const ID = 'ex01-interpreter';
    const crate = `exercises/${ID}`;
    const host = /^host: (\S+)$/m.exec(spawnSync('rustc', ['-vV'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? 'x86_64-unknown-linux-gnu';

    function starterWith(edit: (dir: string) => void): string {
      const dir = repo('starters', [ID], tempDir('cohort-bypass-'));
      edit(dir);
      return dir;
    }

    const cases: { name: string; edit: (dir: string) => void; refusal: RegExp; plainCargoPasses?: true }[] = [
      {
        name: 'autotests = false',
        edit: (dir) => editFile(path.join(dir, crate, 'Cargo.toml'), (t) => t.replace('publish = false\n', 'publish = false\nautotests = false\n')),
        refusal: /title=Official test target missing::.*`milestone1`/,
        plainCargoPasses: true,
      },
      {
        name: 'a [[test]] with harness = false for an official target',
        edit: (dir) => appendFileSync(path.join(dir, crate, 'Cargo.toml'), '\n[[test]]\nname = "milestone1"\npath = "tests/milestone1.rs"\nharness = false\n'),
        refusal: /title=Official tests without the test harness::.*`milestone1` sets `harness = false`/,
      },
      {
        name: 'a [[test]] named like an official target pointing elsewhere',
        edit: (dir) => {
          mkdirSync(path.join(dir, crate, 'mine'));
          writeFileSync(path.join(dir, crate, 'mine/m1.rs'), '#[test]\nfn fine() {}\n');
          appendFileSync(path.join(dir, crate, 'Cargo.toml'), '\n[[test]]\nname = "milestone1"\npath = "mine/m1.rs"\n');
        },
        refusal: /title=Official test target moved::.*`milestone1` is built from exercises\/ex01-interpreter\/mine\/m1\.rs/,
      },
      {
        name: 'a build.rs',
        edit: (dir) => writeFileSync(path.join(dir, crate, 'build.rs'), 'fn main() {}\n'),
        refusal: /title=Build script::.*exercises\/ex01-interpreter\/build\.rs/,
      },
      {
        name: `.cargo/config.toml with runner = "true" for the host target (${host})`,
        edit: (dir) => {
          mkdirSync(path.join(dir, '.cargo'));
          writeFileSync(path.join(dir, '.cargo/config.toml'), `[target.${host}]\nrunner = "true"\n`);
        },
        refusal: /title=Cargo configuration in the repository::\.cargo\/config\.toml: remove it/,
        plainCargoPasses: true,
      },
      {
        name: 'a path dependency',
        edit: (dir) => {
          mkdirSync(path.join(dir, 'helper/src'), { recursive: true });
          writeFileSync(path.join(dir, 'helper/Cargo.toml'), '[package]\nname = "helper"\nversion = "0.1.0"\nedition = "2021"\n');
          writeFileSync(path.join(dir, 'helper/src/lib.rs'), '');
          editFile(path.join(dir, crate, 'Cargo.toml'), (t) => t.replace('[dependencies]\n', '[dependencies]\nhelper = { path = "../../helper" }\n'));
        },
        refusal: /title=Dependency not from crates\.io::ex01-interpreter depends on helper 0\.1\.0 from the path helper/,
      },
      {
        name: 'code that ends the test process early with status 0',
        edit: (dir) => {
          for (const file of readdirSync(path.join(dir, crate, 'src'))) {
            const full = path.join(dir, crate, 'src', file);
            writeFileSync(full, readFileSync(full, 'utf8').replace(/todo!\((?:"[^"]*")?\)/g, 'std::process::exit(0)'));
          }
        },
        refusal: /title=Official tests did not all report::libtest printed 0 test summaries for the 2 official test targets/,
        plainCargoPasses: true,
      },
      {
        name: 'a rust-toolchain.toml',
        edit: (dir) => writeFileSync(path.join(dir, 'rust-toolchain.toml'), '[toolchain]\nchannel = "stable"\n'),
        refusal: /title=Toolchain file in the repository::rust-toolchain\.toml: remove it/,
      },
      {
        name: 'a changed root Cargo.toml',
        edit: (dir) => appendFileSync(path.join(dir, 'Cargo.toml'), '\n[profile.dev]\nopt-level = 1\n'),
        refusal: /title=Official file changed::Cargo\.toml differs from the course's version/,
      },
    ];

    let unchanged: Run | undefined;
    const unchangedStarter = () => (unchanged ??= workflowCheck(starterWith(() => {}), ID));

    it('the unchanged starter fails only because its tests fail, naming them, within the ten annotations GitHub keeps', () => {
      const run = unchangedStarter();
      assert.notEqual(run.status, 0);
      const lines = errors(run.output).split('\n');
      const titles = lines.map((line) => /title=([^:]+)::/.exec(line)?.[1]);
      assert.deepEqual(titles.filter((t) => t !== 'Failing test' && t !== 'More failing tests'), ['Tests failed', 'Official tests failed', 'Official test count'], run.output);
      const named = lines.filter((line) => line.startsWith('::error title=Failing test::'));
      assert.ok(named.length >= 1 && named.length <= 5, run.output);
      for (const line of named) assert.match(line, /::(milestone1|milestone2)::[a-z0-9_:]+$/, 'each test named with its official target');
      assert.ok(lines.length <= 10);
    });

    it("the starter's failing test names reach /progress through the run's annotations on GitHub", async () => {
      const run = unchangedStarter();
      const now = new Date('2028-01-10T12:00:00Z'); // every module released
      const { store, services, registry } = await testServices(now);
      const cohort = berlinCohort(store);
      const fake = await FakeGithub.start();
      try {
        starterRepo(fake, course, 'ada/course');
        const ada = linkedLearner(store, cohort, 'u-ada', 'ada/course', now);
        fake.addCheckRun('ada/course', { name: exerciseById.get(ID)!.check, conclusion: 'failure', annotations: annotationsFromStepLog(run.output) });
        await fakeRepoSync(fake, { ...services, guardedFiles: officialFiles(course, DEFAULT_CONTENT_DIR) }, 'rest').sync([ada]);
        const names = errors(run.output).split('\n').flatMap((line) => /^::error title=Failing test::(.+)$/.exec(line)?.[1] ?? []);
        const progress = await registry.execute(invocation('progress'), services);
        const shown = progress.fields?.map((f) => f.value).find((value) => value.includes(`\`${ID}\``)) ?? '';
        assert.match(shown, new RegExp(`failing: \`${names[0]}\``), shown);
      } finally {
        await fake.close();
      }
    });

    for (const { name, edit, refusal, plainCargoPasses } of cases) {
      it(`${name}: the check refuses it${plainCargoPasses ? ', though plain cargo test passes' : ''}`, () => {
        const dir = starterWith(edit);
        if (plainCargoPasses) {
          const plain = cargo(dir, ['test', '-p', ID]);
          assert.equal(plain.status, 0, `the old workflow's command should pass here:\n${tail(plain.output)}`);
        }
        const run = workflowCheck(dir, ID);
        assert.notEqual(run.status, 0, tail(run.output));
        assert.match(errors(run.output), refusal, run.output);
      });
    }
  });
});
