import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CHECK_DATA_PATH, checkCommand, publishedDependencies, testTargets, type CheckData } from '../../src/content/course-check.ts';
import { DEFAULT_CONTENT_DIR, loadCourse } from '../../src/content/load-course.ts';
import { officialFiles, writeStarterRepo } from '../../src/content/starter-repo.ts';
import { checkContent } from '../../src/content/check-content.ts';
import { recordPublished } from '../../src/content/published-files.ts';
import { WORKFLOW_PATH } from '../../src/content/workflow.ts';
import { contentFixture } from '../helpers/content-fixture.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { failingTestsFrom } from '../../src/github/failing-tests.ts';
import { annotationBody } from '../fakes/github/fake-actions.ts';
import { annotationsFromStepLog } from '../fakes/github/workflow-commands.ts';

describe('publishedDependencies', () => {
  it('reads each kind of dependency table as cargo metadata names them', () => {
    const manifest = [
      '[package]',
      'name = "x"',
      '',
      '[dependencies]',
      'serde = { version = "1", features = [',
      '    "derive",',
      '] }',
      'tokio-util = "0.7"',
      'json = { package = "serde_json", version = "1" }',
      '',
      '[dependencies.clap]',
      'version = "4"',
      'features = ["derive"]',
      '',
      '[dev-dependencies]',
      'tempfile = "3"',
      '',
      "[target.'cfg(unix)'.dependencies]",
      'libc = "0.2"',
      '',
      '[build-dependencies.cc2]',
      'package = "cc"',
      'version = "1"',
      '',
      '[features]',
      'default = []',
    ].join('\n');
    assert.deepEqual(publishedDependencies(manifest), [
      { name: 'serde', rename: null, kind: null, target: null },
      { name: 'tokio-util', rename: null, kind: null, target: null },
      { name: 'serde_json', rename: 'json', kind: null, target: null },
      { name: 'clap', rename: null, kind: null, target: null },
      { name: 'tempfile', rename: null, kind: 'dev', target: null },
      { name: 'libc', rename: null, kind: null, target: 'cfg(unix)' },
      { name: 'cc', rename: 'cc2', kind: 'build', target: null },
    ]);
  });
});

describe('testTargets', () => {
  it('takes top-level tests/*.rs and tests/<dir>/main.rs, not helper modules', () => {
    const crate = tempDir();
    for (const file of ['tests/b.rs', 'tests/a.rs', 'tests/common/mod.rs', 'tests/suite/main.rs', 'tests/suite/part.rs', 'tests/notes.txt']) {
      mkdirSync(path.dirname(path.join(crate, file)), { recursive: true });
      writeFileSync(path.join(crate, file), '');
    }
    assert.deepEqual(testTargets(crate), [
      { name: 'a', file: 'a.rs' },
      { name: 'b', file: 'b.rs' },
      { name: 'suite', file: 'suite/main.rs' },
    ]);
  });
});

/** The fixture course with a second exercise, `ex02-lru-milestone`: milestone 2 of the LRU project, in its crate. */
function milestoneFixture(): string {
  const content = contentFixture();
  const module = path.join(content, 'modules/module-01-core-rust');
  const yaml = path.join(module, 'module.yaml');
  writeFileSync(
    yaml,
    `${readFileSync(yaml, 'utf8')}  - id: ex02-lru-milestone\n    title: LRU, milestone 2\n    summary: More.\n    points: 50\n    check: ex02-lru-milestone\n    tests: 1\n    crate: ex01-lru-cache\n    targets: [milestone2]\n`,
  );
  for (const side of ['exercises', 'solutions']) writeFileSync(path.join(module, side, 'ex01-lru-cache/tests/milestone2.rs'), '#[test]\nfn still_answers() {\n    assert_eq!(ex01_lru_cache::answer(), 42);\n}\n');
  writeFileSync(path.join(module, 'hints/ex02-lru-milestone.md'), readFileSync(path.join(module, 'hints/ex01-lru-cache.md')));
  recordPublished(content, officialFiles(loadCourse(content), content));
  return content;
}

describe("a project's later milestone as an exercise of its own", () => {
  it('shares the crate: one workspace member, its own job, its own targets and guarded files, content checks pass', () => {
    const content = milestoneFixture();
    const course = loadCourse(content);
    assert.deepEqual(checkContent(course, content), []);
    const data = JSON.parse(officialFiles(course, content).find((f) => f.path === CHECK_DATA_PATH)?.content ?? '{}') as CheckData;
    assert.deepEqual(
      Object.entries(data.exercises).map(([id, e]) => [id, e.package, e.targets.map((t) => t.name), Object.keys(e.files)]),
      [
        ['ex01-lru-cache', 'ex01-lru-cache', ['lru'], ['exercises/ex01-lru-cache/tests/lru.rs']],
        ['ex02-lru-milestone', 'ex01-lru-cache', ['milestone2'], ['exercises/ex01-lru-cache/tests/milestone2.rs']],
      ],
    );
    const repo = path.join(tempDir(), 'repo');
    writeStarterRepo(course, content, repo, { contentBaseUrl: 'https://example.test' });
    assert.deepEqual(readdirSync(path.join(repo, 'exercises')), ['ex01-lru-cache']);
    assert.match(readFileSync(path.join(repo, 'Cargo.toml'), 'utf8'), /members = \[\n {4}"exercises\/ex01-lru-cache",\n\]/);
    assert.match(readFileSync(path.join(repo, WORKFLOW_PATH), 'utf8'), /\n {2}ex02-lru-milestone:\n {4}name: ex02-lru-milestone\n/);
  });

  it('refuses a milestone of another module or of no crate, and a target the crate does not have', () => {
    const content = milestoneFixture();
    const yaml = path.join(content, 'modules/module-01-core-rust/module.yaml');
    const original = readFileSync(yaml, 'utf8');
    writeFileSync(yaml, original.replace('crate: ex01-lru-cache', 'crate: ex09-nothing'));
    assert.throws(() => loadCourse(content), /exercises\[1\]\.crate: "ex09-nothing" is not an exercise of this module with a crate of its own/);
    writeFileSync(yaml, original.replace('    targets: [milestone2]\n', ''));
    assert.throws(() => loadCourse(content), /exercises\[1\]\.targets: is missing/);
    writeFileSync(yaml, original.replace('targets: [milestone2]', 'targets: [milestone3]'));
    assert.match(checkContent(loadCourse(content), content).map((p) => p.problem).join('\n'), /has no test target "milestone3", which ex02-lru-milestone counts/);
  });
});

describe('the check data of the real course', () => {
  const course = loadCourse();
  const data = JSON.parse(officialFiles(course, DEFAULT_CONTENT_DIR).find((f) => f.path === CHECK_DATA_PATH)?.content ?? '{}') as CheckData;

  it('publishes each exercise with its count, its targets, its test files and its dependency policy', () => {
    const exercises = course.modules.flatMap((m) => m.exercises);
    assert.deepEqual(Object.keys(data.exercises), exercises.map((e) => e.id));
    for (const exercise of exercises) {
      const entry = data.exercises[exercise.id];
      assert.ok(entry && exercise.tests && exercise.tests > 0, exercise.id);
      assert.equal(entry.tests, exercise.tests);
      assert.equal(entry.extraDependencies, exercise.extraDependencies);
      assert.equal(entry.buildScript, null);
      assert.ok(entry.targets.length > 0 && entry.dependencies !== undefined);
    }
    assert.deepEqual(data.exercises['ex01-bitcask']?.targets.map((t) => t.name), ['basic', 'hints', 'model', 'recovery', 'rotation_merge']);
    assert.ok('exercises/ex01-bitcask/tests/common/mod.rs' in (data.exercises['ex01-bitcask']?.files ?? {}));
    assert.deepEqual(
      exercises.filter((e) => e.extraDependencies).map((e) => e.id),
      ['ex01-typescript-service'],
    );
  });
});

/**
 * The script's own logic, with a stand-in `cargo` on PATH that prints canned metadata and test output: fast, and
 * it covers what real cargo would not easily produce.
 */
describe('the check script, against a stand-in cargo', { skip: spawnSync('python3', ['--version']).status === 0 ? false : 'python3 is not installed' }, () => {
  const ID = 'ex01-lru-cache';

  function setUp(tests = 1, milestone = false) {
    const content = milestone ? milestoneFixture() : contentFixture();
    const yaml = path.join(content, 'modules/module-01-core-rust/module.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('tests: 1', `tests: ${tests}`));
    const repo = path.join(realpathSync(tempDir()), 'repo');
    writeStarterRepo(loadCourse(content), content, repo, { contentBaseUrl: 'https://example.test' });
    const bin = tempDir();
    writeFileSync(
      path.join(bin, 'cargo'),
      '#!/bin/bash\nhere="$(dirname "$0")"\necho "$@" >> "$here/args"\ncase "$1" in\n  metadata) cat "$here/metadata.json" ;;\n  test) cat "$here/stdout"; cat "$here/stderr" >&2; exit "$(cat "$here/status")" ;;\nesac\n',
    );
    chmodSync(path.join(bin, 'cargo'), 0o755);
    const crate = path.join(repo, 'exercises', ID);
    const self = `path+file://${crate}#0.1.0`;
    const metadata = {
      workspace_root: repo,
      workspace_members: [self],
      packages: [
        {
          id: self,
          name: ID,
          version: '0.1.0',
          source: null,
          manifest_path: path.join(crate, 'Cargo.toml'),
          targets: [
            { kind: ['lib'], name: 'ex01_lru_cache', src_path: path.join(crate, 'src/lib.rs') },
            { kind: ['test'], name: 'lru', src_path: path.join(crate, 'tests/lru.rs') },
            ...(milestone ? [{ kind: ['test'], name: 'milestone2', src_path: path.join(crate, 'tests/milestone2.rs') }] : []),
          ],
          dependencies: [] as unknown[],
        } as Record<string, unknown>,
      ],
      resolve: { nodes: [{ id: self, deps: [] as { pkg: string }[] }] },
    };
    const run = (output: { stdout?: string; stderr?: string; status?: number }, exerciseId = ID) => {
      writeFileSync(path.join(bin, 'metadata.json'), JSON.stringify(metadata));
      writeFileSync(path.join(bin, 'stdout'), output.stdout ?? '');
      writeFileSync(path.join(bin, 'stderr'), output.stderr ?? '');
      writeFileSync(path.join(bin, 'status'), String(output.status ?? 0));
      writeFileSync(path.join(bin, 'args'), '');
      const result = spawnSync('bash', ['-e', '-c', checkCommand(exerciseId)], { cwd: repo, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` } });
      return { status: result.status, output: `${result.stdout}\n${result.stderr}`, cargoCalls: readFileSync(path.join(bin, 'args'), 'utf8').trim().split('\n') };
    };
    return { metadata, run, self, repo };
  }

  const summary = (passed: number, failed = 0) =>
    `running ${passed + failed} tests\n\ntest result: ${failed ? 'FAILED' : 'ok'}. ${passed} passed; ${failed} failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s\n\n`;

  it('passes when each official target reports and exactly the published number passed, naming the targets to cargo', () => {
    const { run } = setUp();
    const result = run({ stdout: summary(1) });
    assert.equal(result.status, 0, result.output);
    assert.deepEqual(result.cargoCalls, ['metadata --format-version 1', `test -p ${ID} --no-fail-fast --test lru`]);
    assert.match(result.output, /ex01-lru-cache: all 1 official tests passed in 1 test target\./);
  });

  it('reads a coloured summary', () => {
    const { run } = setUp();
    assert.equal(run({ stdout: 'test result: \x1b[32mok\x1b[0m. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n' }).status, 0);
  });

  it('fails when fewer tests passed than the course publishes, even though cargo exited 0', () => {
    const { run } = setUp(3);
    const result = run({ stdout: summary(2) });
    assert.equal(result.status, 1);
    assert.match(result.output, /::error title=Official test count::2 official tests passed; ex01-lru-cache has 3, and all must pass\./);
  });

  it('does not count a summary on stderr, where compiler messages can quote any text', () => {
    const { run } = setUp();
    const result = run({ stderr: summary(1) });
    assert.equal(result.status, 1);
    assert.match(result.output, /title=Official tests did not all report::libtest printed 0 test summaries for the 1 official test targets/);
  });

  it('fails on a second summary for one target, and on failed tests', () => {
    const { run } = setUp();
    assert.match(run({ stdout: summary(1) + summary(0) }).output, /libtest printed 2 test summaries/);
    const failed = run({ stdout: summary(0, 1), status: 101 });
    assert.equal(failed.status, 1);
    assert.match(failed.output, /title=Tests failed::cargo test exited with status 101/);
    assert.match(failed.output, /title=Official tests failed::1 official test\(s\) failed/);
  });

  it("checks a project's later milestone in the project's crate, running only the milestone's target", () => {
    const { run } = setUp(1, true);
    const result = run({ stdout: summary(1) }, 'ex02-lru-milestone');
    assert.equal(result.status, 0, result.output);
    assert.deepEqual(result.cargoCalls, ['metadata --format-version 1', `test -p ${ID} --no-fail-fast --test milestone2`]);
    assert.deepEqual(run({ stdout: summary(1) }).cargoCalls.at(-1), `test -p ${ID} --no-fail-fast --test lru`, 'the project exercise keeps its own target');
  });

  it('names each failing test as an annotation, with its target, which the bot reads back as exactly those names', () => {
    const { run } = setUp(3);
    const stdout = [
      'running 3 tests',
      'test evicts_least_recent ... FAILED',
      'test keeps_capacity ... ok',
      'test nested::panics_on_zero - should panic ... FAILED',
      '',
      'test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s',
      '',
    ].join('\n');
    const result = run({ stdout, status: 101 });
    assert.equal(result.status, 1);
    const annotations = annotationsFromStepLog(result.output);
    assert.deepEqual(
      annotations.filter((a) => a.title === 'Failing test').map((a) => a.message),
      ['lru::evicts_least_recent', 'lru::nested::panics_on_zero'],
    );
    const body = annotations.map((a) => annotationBody(a, 'ada/course', 'a'.repeat(40)));
    assert.deepEqual(failingTestsFrom(body), { names: ['lru::evicts_least_recent', 'lru::nested::panics_on_zero'], more: 0 });
  });

  it('names at most five failing tests and counts the rest, so every annotation fits in the ten GitHub keeps per step', () => {
    const { run } = setUp(12);
    const lines = Array.from({ length: 12 }, (_, i) => `test case_${String(i).padStart(2, '0')} ... FAILED`);
    const result = run({ stdout: `running 12 tests\n${lines.join('\n')}\n\n${summary(0, 12)}`, status: 101 });
    const errors = result.output.split('\n').filter((line) => line.startsWith('::error'));
    assert.ok(errors.length <= 10, errors.join('\n'));
    assert.deepEqual(annotationsFromStepLog(result.output).length, errors.length, 'GitHub keeps every one');
    const body = annotationsFromStepLog(result.output).map((a) => annotationBody(a, 'ada/course', 'a'.repeat(40)));
    assert.deepEqual(failingTestsFrom(body), { names: ['lru::case_00', 'lru::case_01', 'lru::case_02', 'lru::case_03', 'lru::case_04'], more: 7 });
    assert.match(result.output, /::error title=More failing tests::and 7 more; the log above lists every one\./);
  });

  it('refuses a git dependency anywhere in the closure, and runs no test', () => {
    const { metadata, run, self } = setUp();
    const git = 'git+https://example.test/evil#abc';
    const dep = `${git}#evil@1.0.0`;
    metadata.packages.push({ id: dep, name: 'evil', version: '1.0.0', source: git, manifest_path: '/x/Cargo.toml', targets: [], dependencies: [] });
    metadata.resolve.nodes = [
      { id: self, deps: [{ pkg: dep }] },
      { id: dep, deps: [] },
    ];
    const result = run({ stdout: summary(1) });
    assert.equal(result.status, 1);
    assert.match(result.output, /title=Dependency not from crates\.io::ex01-lru-cache depends on evil 1\.0\.0 from git\+https/);
    assert.deepEqual(result.cargoCalls, ['metadata --format-version 1']);
  });

  it('refuses a changed official test file, and runs no test', () => {
    const { run, repo } = setUp();
    writeFileSync(path.join(repo, 'exercises', ID, 'tests/lru.rs'), '#[test]\nfn nothing() {}\n');
    const result = run({ stdout: summary(1) });
    assert.equal(result.status, 1);
    assert.match(result.output, /title=Official file changed::exercises\/ex01-lru-cache\/tests\/lru\.rs differs from the course's version/);
    assert.deepEqual(result.cargoCalls, ['metadata --format-version 1']);
  });

  it('refuses cargo configuration and a toolchain file at the root, where cargo reads them, but not in a sub-folder it never reads from', () => {
    const { run, repo } = setUp();
    mkdirSync(path.join(repo, 'wasm/.cargo'), { recursive: true });
    writeFileSync(path.join(repo, 'wasm/.cargo/config.toml'), '[build]\ntarget = "wasm32-unknown-unknown"\n');
    writeFileSync(path.join(repo, 'wasm/rust-toolchain.toml'), '[toolchain]\nchannel = "stable"\n');
    assert.equal(run({ stdout: summary(1) }).status, 0, 'a nested crate of the learner may configure itself');

    mkdirSync(path.join(repo, '.cargo'));
    writeFileSync(path.join(repo, '.cargo/config.toml'), '[target.x86_64-unknown-linux-gnu]\nrunner = "true"\n');
    writeFileSync(path.join(repo, 'rust-toolchain.toml'), '[toolchain]\npath = "./fake"\n');
    const refused = run({ stdout: summary(1) });
    assert.equal(refused.status, 1);
    assert.match(refused.output, /title=Cargo configuration in the repository::\.cargo\/config\.toml: remove it/);
    assert.match(refused.output, /title=Toolchain file in the repository::rust-toolchain\.toml: remove it/);
    assert.ok(!refused.cargoCalls.some((call) => call.startsWith('test ')), 'no test runs');
  });
});
