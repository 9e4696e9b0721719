import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_CONTENT_DIR, loadCourse } from '../../src/content/load-course.ts';
import { CHECK_DATA_PATH, CHECK_SCRIPT_PATH, checkScript } from '../../src/content/course-check.ts';
import { officialFiles, writeStarterRepo } from '../../src/content/starter-repo.ts';
import { PLAN_JOB, WORKFLOW_PATH } from '../../src/content/workflow.ts';
import { contentFixture } from '../helpers/content-fixture.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const BASE = 'https://example.test/content';
const hasPython = spawnSync('python3', ['--version']).status === 0;

describe('writeStarterRepo', () => {
  it('writes a workspace of the starters, one workflow job per exercise named by its check, a README and .gitignore', () => {
    const content = contentFixture();
    const out = path.join(tempDir(), 'repo');
    writeStarterRepo(loadCourse(content), content, out, { contentBaseUrl: BASE });
    assert.equal(readFileSync(path.join(out, 'Cargo.toml'), 'utf8'), '[workspace]\nresolver = "2"\nmembers = [\n    "exercises/ex01-lru-cache",\n]\n');
    assert.match(readFileSync(path.join(out, 'exercises/ex01-lru-cache/src/lib.rs'), 'utf8'), /todo!\(\)/);
    const workflow = readFileSync(path.join(out, WORKFLOW_PATH), 'utf8');
    assert.match(workflow, /\n {2}ex01-lru-cache:\n {4}name: ex01-lru-cache\n[\s\S]*run: python3 -I \.github\/course\/check\.py ex01-lru-cache\n/);
    assert.equal(readFileSync(path.join(out, CHECK_SCRIPT_PATH), 'utf8'), checkScript());
    assert.match(readFileSync(path.join(out, 'README.md'), 'utf8'), /\/link-github login:/);
    assert.equal(readFileSync(path.join(out, '.gitignore'), 'utf8'), '/target\n');
  });

  it('turns exercise README links that leave the exercise into links to the published course', () => {
    const content = contentFixture();
    const readme = path.join(content, 'modules/module-01-core-rust/exercises/ex01-lru-cache/README.md');
    writeFileSync(readme, '# LRU\n\nRead [lecture 1](../../lectures/01-lecture.md#moves) and [the tests](tests/lru.rs).\n');
    const out = path.join(tempDir(), 'links');
    writeStarterRepo(loadCourse(content), content, out, { contentBaseUrl: BASE });
    assert.equal(
      readFileSync(path.join(out, 'exercises/ex01-lru-cache/README.md'), 'utf8'),
      `# LRU\n\nRead [lecture 1](${BASE}/modules/module-01-core-rust/lectures/01-lecture.md#moves) and [the tests](tests/lru.rs).\n`,
    );
  });

  it('writes the solutions instead when asked, for our own checks', () => {
    const content = contentFixture();
    const out = path.join(tempDir(), 'solved');
    writeStarterRepo(loadCourse(content), content, out, { use: 'solutions', contentBaseUrl: BASE });
    assert.match(readFileSync(path.join(out, 'exercises/ex01-lru-cache/src/lib.rs'), 'utf8'), /42/);
  });

  it('refuses a folder that already has files', () => {
    const content = contentFixture();
    const out = path.join(tempDir(), 'busy');
    mkdirSync(out);
    writeFileSync(path.join(out, 'keep.txt'), 'mine');
    assert.throws(() => writeStarterRepo(loadCourse(content), content, out, { contentBaseUrl: BASE }), /is not empty/);
  });
});

describe('officialFiles', () => {
  it('gives the workflow and each test file the blob SHA git computes for the written repo', () => {
    const content = contentFixture();
    const out = path.join(tempDir(), 'shas');
    writeStarterRepo(loadCourse(content), content, out, { contentBaseUrl: BASE });
    const files = officialFiles(loadCourse(content), content);
    assert.deepEqual(files.map((f) => [f.path, f.exerciseId]), [
      [WORKFLOW_PATH, undefined],
      [CHECK_SCRIPT_PATH, undefined],
      [CHECK_DATA_PATH, undefined],
      ['Cargo.toml', undefined],
      ['exercises/ex01-lru-cache/tests/lru.rs', 'ex01-lru-cache'],
    ]);
    for (const file of files) {
      const sha = execFileSync('git', ['hash-object', path.join(out, file.path)], { encoding: 'utf8' }).trim();
      assert.equal(file.sha, sha, file.path);
      assert.equal(file.content, readFileSync(path.join(out, file.path), 'utf8'), file.path);
    }
  });
});

describe('the real course written as a starter repo', () => {
  const course = loadCourse();
  const exercises = course.modules.flatMap((m) => m.exercises);
  const out = path.join(tempDir(), 'real');
  writeStarterRepo(course, DEFAULT_CONTENT_DIR, out, { contentBaseUrl: BASE });

  type Job = { name: string; needs?: string; if?: string; outputs?: Record<string, string>; steps: { id?: string; uses?: string; run?: string; with?: Record<string, string> }[] };
  const workflow = () => parseYaml(readFileSync(path.join(out, WORKFLOW_PATH), 'utf8')) as { jobs: Record<string, Job> };

  it('has a workflow that is valid YAML: a plan job, then one job per exercise named by its check, each running the course check with a cargo cache', () => {
    const { jobs } = workflow();
    assert.deepEqual(Object.keys(jobs), [PLAN_JOB, ...exercises.map((e) => e.check)]);
    assert.deepEqual(jobs[PLAN_JOB]?.steps.map((s) => s.uses ?? s.run), ['actions/checkout@v4', 'python3 -I .github/course/check.py --plan']);
    assert.equal(jobs[PLAN_JOB]?.outputs?.touched, '${{ steps.plan.outputs.touched }}');
    for (const exercise of exercises) {
      const job = jobs[exercise.check];
      assert.equal(job?.name, exercise.check);
      assert.equal(job?.needs, PLAN_JOB);
      assert.deepEqual(job?.steps.map((s) => s.uses ?? s.run), ['actions/checkout@v4', 'actions/cache@v4', `python3 -I .github/course/check.py ${exercise.id}`]);
      const cache = job?.steps[1]?.with ?? {};
      assert.deepEqual(cache.path?.trim().split('\n'), ['~/.cargo/registry/index/', '~/.cargo/registry/cache/', '~/.cargo/git/db/', 'target/']);
      assert.match(cache.key ?? '', new RegExp(`^cargo-\\$\\{\\{ runner\\.os \\}\\}-${exercise.id}-\\$\\{\\{ hashFiles\\(`));
    }
  });

  /**
   * Which exercise jobs GitHub runs after the plan job, from each job's `if:` as written. The expression has one form;
   * anything else fails the test rather than being guessed at.
   */
  function jobsThatRun(plan: { result: 'success' | 'failure'; touched: string[] }): string[] {
    return Object.entries(workflow().jobs).flatMap(([id, job]) => {
      if (id === PLAN_JOB) return [];
      const form = /^\$\{\{ !cancelled\(\) && \(needs\.plan\.result != 'success' \|\| contains\(fromJSON\(needs\.plan\.outputs\.touched\), '([^']+)'\)\) \}\}$/.exec(job.if ?? '');
      assert.ok(form, `${id}: unexpected if: ${job.if}`);
      return plan.result !== 'success' || plan.touched.includes(form[1]!) ? [id] : [];
    });
  }

  // The plan test edits its own copy of the starter.
  const planned = path.join(tempDir(), 'planned');
  writeStarterRepo(course, DEFAULT_CONTENT_DIR, planned, { contentBaseUrl: BASE });

  function runPlan(env: Record<string, string> = {}): { touched: string[]; output: string } {
    const outputFile = path.join(tempDir(), 'github-output');
    writeFileSync(outputFile, '');
    const run = spawnSync('python3', ['-I', '.github/course/check.py', '--plan'], { cwd: planned, encoding: 'utf8', env: { ...process.env, GITHUB_EVENT_NAME: 'push', GITHUB_OUTPUT: outputFile, ...env } });
    assert.equal(run.status, 0, run.stderr);
    const output = readFileSync(outputFile, 'utf8');
    const touched = JSON.parse(/^touched=(.*)$/m.exec(output)?.[1] ?? 'null') as string[];
    return { touched, output };
  }

  it('runs only the jobs of exercises the learner changed; READMEs and line endings do not count; run by hand, everything', { skip: hasPython ? false : 'python3 is not installed' }, () => {
    assert.deepEqual(runPlan().touched, [], 'the untouched starter');
    assert.deepEqual(jobsThatRun({ result: 'success', touched: [] }), []);

    const lib = path.join(planned, 'exercises/ex01-lru-cache/src/lib.rs');
    const original = readFileSync(lib);
    writeFileSync(path.join(planned, 'exercises/ex01-lru-cache/README.md'), '# my notes\n');
    writeFileSync(lib, original.toString('utf8').replace(/\n/g, '\r\n'));
    assert.deepEqual(runPlan().touched, [], 'a README edit and a CRLF checkout are not work on the exercise');

    writeFileSync(lib, `${original.toString('utf8')}\n// started\n`);
    const { touched, output } = runPlan();
    assert.deepEqual(touched, ['ex01-lru-cache']);
    assert.equal(output, 'touched=["ex01-lru-cache"]\n', 'the job output GitHub reads');
    assert.deepEqual(jobsThatRun({ result: 'success', touched }), ['ex01-lru-cache'], 'only that job runs');

    writeFileSync(lib, original);
    writeFileSync(path.join(planned, 'exercises/ex02-config-cli/src/extra.rs'), 'pub fn more() {}\n');
    assert.deepEqual(runPlan().touched, ['ex02-config-cli'], 'a new file is a change');
    rmSync(path.join(planned, 'exercises/ex02-config-cli/src/extra.rs'));
    rmSync(path.join(planned, 'exercises/ex02-config-cli/src/cli.rs'));
    assert.deepEqual(runPlan().touched, ['ex02-config-cli'], 'so is a removed one');

    assert.deepEqual(runPlan({ GITHUB_EVENT_NAME: 'workflow_dispatch' }).touched, exercises.map((e) => e.id), 'run by hand: every exercise');
    assert.deepEqual(jobsThatRun({ result: 'failure', touched: [] }), exercises.map((e) => e.check), 'a failed plan hides nothing');
  });

  it('lists as official the workflow, the check script, its data, the root Cargo.toml and every test file, with the SHAs git computes', () => {
    const files = officialFiles(course, DEFAULT_CONTENT_DIR);
    assert.deepEqual(
      files.filter((f) => f.exerciseId === undefined).map((f) => f.path),
      [WORKFLOW_PATH, CHECK_SCRIPT_PATH, CHECK_DATA_PATH, 'Cargo.toml'],
    );
    for (const exercise of exercises) assert.ok(files.some((f) => f.exerciseId === exercise.id && f.path.startsWith(`exercises/${exercise.crate ?? exercise.id}/tests/`)), exercise.id);
    const shas = execFileSync('git', ['hash-object', ...files.map((f) => path.join(out, f.path))], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(files.map((f) => f.sha), shas);
    const data = JSON.parse(readFileSync(path.join(out, CHECK_DATA_PATH), 'utf8')) as { files: Record<string, string> };
    assert.deepEqual(data.files, { 'Cargo.toml': files.find((f) => f.path === 'Cargo.toml')?.sha });
  });

  it('tells the learner in its README what they may change', () => {
    const readme = readFileSync(path.join(out, 'README.md'), 'utf8');
    assert.match(readme, /## Rules\n[\s\S]*\.github\/course\/check\.py[\s\S]*Never change:[\s\S]*root `Cargo\.toml`[\s\S]*\.cargo\/config\.toml/);
  });
});
