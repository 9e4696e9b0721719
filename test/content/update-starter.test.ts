import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { DEFAULT_CONTENT_DIR, loadCourse } from '../../src/content/load-course.ts';
import { CHECK_DATA_PATH, CHECK_SCRIPT_PATH } from '../../src/content/course-check.ts';
import { gitBlobSha } from '../../src/content/git-blob-sha.ts';
import { recordPublished } from '../../src/content/published-files.ts';
import { starterFiles } from '../../src/content/starter-files.ts';
import { officialFiles, writeStarterRepo } from '../../src/content/starter-repo.ts';
import { updateStarterRepo } from '../../src/content/update-starter.ts';
import { WORKFLOW_PATH } from '../../src/content/workflow.ts';
import { contentFixture } from '../helpers/content-fixture.ts';
import { cleanEnv } from '../helpers/clean-env.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const BASE = 'https://example.test/content';
const MODULE = 'modules/module-01-core-rust';
const LIB = 'exercises/ex01-lru-cache/src/lib.rs';
const hasPython = spawnSync('python3', ['--version']).status === 0;

function git(cwd: string, ...args: string[]): string {
  const run = spawnSync('git', ['-c', 'user.name=Learner', '-c', 'user.email=learner@example.test', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
  assert.equal(run.status, 0, `git ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

function committed(dir: string): string {
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'my work');
  return dir;
}

/** The course moves on: the LRU crate gains a milestone (tests and a stub) and a new project arrives. */
function courseMovesOn(content: string): void {
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(content, file)), { recursive: true });
    writeFileSync(path.join(content, file), text);
  };
  const yaml = path.join(content, MODULE, 'module.yaml');
  writeFileSync(
    yaml,
    `${readFileSync(yaml, 'utf8').trimEnd()}\n${[
      '  - id: ex02-lru-capacity',
      '    title: Capacity',
      '    summary: Milestone 2.',
      '    points: 50',
      '    check: ex02-lru-capacity',
      '    tests: 1',
      '    crate: ex01-lru-cache',
      '    targets: [milestone2]',
      '  - id: ex03-config',
      '    title: A config parser',
      '    summary: A new project.',
      '    points: 100',
      '    check: ex03-config',
      '    tests: 1',
    ].join('\n')}\n`,
  );
  const milestone = '#[test]\nfn has_capacity() {\n    assert_eq!(ex01_lru_cache::capacity(), 2);\n}\n';
  const stub = 'pub fn answer() -> u32 {\n    todo!()\n}\n\npub fn capacity() -> usize {\n    todo!()\n}\n';
  for (const side of ['exercises', 'solutions']) write(`${MODULE}/${side}/ex01-lru-cache/tests/milestone2.rs`, milestone);
  write(`${MODULE}/exercises/ex01-lru-cache/src/lib.rs`, stub);
  const cargo = '[package]\nname = "ex03-config"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n[dependencies]\n';
  for (const side of ['exercises', 'solutions']) {
    write(`${MODULE}/${side}/ex03-config/Cargo.toml`, cargo);
    write(`${MODULE}/${side}/ex03-config/tests/config.rs`, '#[test]\nfn parses() {\n    assert!(ex03_config::parse("a=1"));\n}\n');
  }
  write(`${MODULE}/exercises/ex03-config/README.md`, '# Config\n\n## What you may change\n\nsrc/ only.\n');
  write(`${MODULE}/exercises/ex03-config/src/lib.rs`, 'pub fn parse(_: &str) -> bool {\n    todo!()\n}\n');
  const course = loadCourse(content);
  recordPublished(content, starterFiles(course, content), 'starters');
  recordPublished(content, officialFiles(course, content));
}

/** A learner's repo from the course as it was, and the course as it is now. */
function earlierStarter(): { content: string; repo: string } {
  const content = contentFixture();
  const repo = path.join(tempDir(), 'repo');
  writeStarterRepo(loadCourse(content), content, repo, { contentBaseUrl: BASE });
  courseMovesOn(content);
  return { content, repo };
}

function plan(repo: string): string[] {
  const run = spawnSync('python3', ['-I', CHECK_SCRIPT_PATH, '--plan'], { cwd: repo, encoding: 'utf8', env: { ...process.env, GITHUB_EVENT_NAME: 'push', GITHUB_OUTPUT: '' } });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(/^touched=(.*)$/m.exec(run.stdout)?.[1] ?? 'null') as string[];
}

describe('npm run starter -- --update', () => {
  it('adds new exercises and milestone tests, makes the course files current and replaces a stub never worked on', () => {
    const { content, repo } = earlierStarter();
    const oldStub = readFileSync(path.join(repo, LIB), 'utf8');
    committed(repo);
    const update = updateStarterRepo(loadCourse(content), content, repo, { contentBaseUrl: BASE });
    assert.deepEqual(update.addedCrates, ['exercises/ex03-config']);
    assert.deepEqual(update.added, ['exercises/ex01-lru-cache/tests/milestone2.rs']);
    assert.deepEqual(update.replaced.sort(), [CHECK_DATA_PATH, WORKFLOW_PATH, 'Cargo.toml', 'README.md', LIB].sort());
    assert.deepEqual(update.kept, []);
    assert.notEqual(readFileSync(path.join(repo, LIB), 'utf8'), oldStub);
    assert.match(readFileSync(path.join(repo, LIB), 'utf8'), /pub fn capacity/);
    for (const file of officialFiles(loadCourse(content), content)) {
      assert.equal(gitBlobSha(readFileSync(path.join(repo, file.path))), file.sha, `${file.path} is the published version`);
    }
    assert.match(readFileSync(path.join(repo, WORKFLOW_PATH), 'utf8'), /\n {2}ex03-config:\n/);
    if (hasPython) assert.deepEqual(plan(repo), [], 'after the update nothing reads as started');

    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'course update');
    const again = updateStarterRepo(loadCourse(content), content, repo, { contentBaseUrl: BASE });
    assert.deepEqual(again, { addedCrates: [], added: [], replaced: [], kept: [] }, 'a second update changes nothing');
  });

  it("keeps the learner's work and their own files exactly, and still brings the course's files up to date", () => {
    const { content, repo } = earlierStarter();
    const work = 'pub fn answer() -> u32 {\n    42\n}\n';
    writeFileSync(path.join(repo, LIB), work);
    writeFileSync(path.join(repo, '.gitignore'), '/target\n.idea/\n');
    writeFileSync(path.join(repo, 'exercises/ex01-lru-cache/tests/mine.rs'), '#[test]\nfn my_own() {}\n');
    committed(repo);
    const update = updateStarterRepo(loadCourse(content), content, repo, { contentBaseUrl: BASE });
    assert.deepEqual(update.kept.sort(), ['.gitignore', LIB]);
    assert.equal(readFileSync(path.join(repo, LIB), 'utf8'), work);
    assert.equal(readFileSync(path.join(repo, '.gitignore'), 'utf8'), '/target\n.idea/\n');
    assert.equal(readFileSync(path.join(repo, 'exercises/ex01-lru-cache/tests/mine.rs'), 'utf8'), '#[test]\nfn my_own() {}\n');
    assert.ok(update.added.includes('exercises/ex01-lru-cache/tests/milestone2.rs'));
    assert.ok(update.replaced.includes(CHECK_DATA_PATH));
  });

  it('refuses a folder that is not a starter repo, or one with uncommitted changes, and changes nothing', () => {
    const { content, repo } = earlierStarter();
    const course = loadCourse(content);
    const elsewhere = tempDir();
    assert.throws(() => updateStarterRepo(course, content, elsewhere, { contentBaseUrl: BASE }), /has no \.github\/course\/exercises\.json: it is not a repo made by `npm run starter`/);
    assert.throws(() => updateStarterRepo(course, content, repo, { contentBaseUrl: BASE }), /is not a git repository/);
    committed(repo);
    writeFileSync(path.join(repo, LIB), 'pub fn answer() -> u32 {\n    1\n}\n');
    const workflow = readFileSync(path.join(repo, WORKFLOW_PATH), 'utf8');
    assert.throws(() => updateStarterRepo(course, content, repo, { contentBaseUrl: BASE }), /has uncommitted changes \(exercises\/ex01-lru-cache\/src\/lib\.rs\): commit or stash them first/);
    assert.equal(readFileSync(path.join(repo, WORKFLOW_PATH), 'utf8'), workflow, 'nothing was written');
  });

  it('writes nothing through a symbolic link planted in the repo', () => {
    const { content, repo } = earlierStarter();
    const outside = path.join(tempDir(), 'bashrc');
    writeFileSync(outside, 'export PATH=/usr/bin\n');
    rmSync(path.join(repo, 'exercises/ex01-lru-cache/README.md'));
    symlinkSync(outside, path.join(repo, 'exercises/ex01-lru-cache/README.md'));
    committed(repo);
    assert.throws(() => updateStarterRepo(loadCourse(content), content, repo, { contentBaseUrl: BASE }), /exercises\/ex01-lru-cache\/README\.md in .* is a symbolic link: the update writes only plain files inside the repo/);
    assert.equal(readFileSync(outside, 'utf8'), 'export PATH=/usr/bin\n');
    assert.equal(git(repo, 'status', '--porcelain'), '', 'nothing in the repo was written either');
  });

  it('the plan job reads a stub from an earlier starter as not started, and work as started', { skip: !hasPython && 'python3 is not installed' }, () => {
    const { content, repo } = earlierStarter();
    const current = path.join(tempDir(), 'current');
    writeStarterRepo(loadCourse(content), content, current, { contentBaseUrl: BASE });
    // The learner took the course's new check data and script, but not the new stub: still nothing started.
    for (const file of [CHECK_DATA_PATH, CHECK_SCRIPT_PATH]) cpSync(path.join(current, file), path.join(repo, file));
    cpSync(path.join(current, 'exercises/ex03-config'), path.join(repo, 'exercises/ex03-config'), { recursive: true });
    assert.deepEqual(plan(repo), []);
    writeFileSync(path.join(repo, LIB), 'pub fn answer() -> u32 {\n    42\n}\n');
    assert.deepEqual(plan(repo), ['ex01-lru-cache', 'ex02-lru-capacity']);
  });

  it('npm run starter -- --update: says what it did, nothing on a current repo, and exits 2 with one line when refused', () => {
    const script = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'scripts/starter.ts', ...args], {
        cwd: path.resolve(import.meta.dirname, '../..'),
        encoding: 'utf8',
        env: { ...cleanEnv(), CONTENT_BASE_URL: BASE },
      });
    const repo = path.join(tempDir(), 'current');
    writeStarterRepo(loadCourse(), DEFAULT_CONTENT_DIR, repo, { contentBaseUrl: BASE });
    committed(repo);
    const current = script('--update', repo);
    assert.equal(current.status, 0, current.stderr);
    assert.equal(current.stdout.trim(), `${repo} already has the current course: nothing to change.`);

    rmSync(path.join(repo, 'exercises/ex01-lru-cache/tests'), { recursive: true });
    git(repo, 'commit', '-qam', 'lost the tests');
    const updated = script('--update', repo);
    assert.equal(updated.status, 0, updated.stderr);
    assert.match(updated.stdout, /^Updated .* to the current course\.\nNew files \(\d+\):\n {2}exercises\/ex01-lru-cache\/tests\//);
    assert.match(updated.stdout, /Next: review with `git diff`/);

    const refused = script('--update', tempDir());
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /^cohort-bot: .* it is not a repo made by `npm run starter`/);
    assert.equal(refused.stderr.trim().split('\n').length, 1);
    const usage = script('--update');
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /^Usage: npm run starter -- <new folder>\n {7}npm run starter -- --update <your course repo>/);
  });
});
