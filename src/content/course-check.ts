import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Course, Exercise } from '../core/course.ts';
import { exerciseCrates, type ExerciseCrate } from './exercise-crates.ts';
import { gitBlobSha } from './git-blob-sha.ts';
import { readPublished } from './published-files.ts';
import { starterFiles } from './starter-files.ts';

/**
 * The course-owned check the learner's workflow runs for each exercise (`python3 -I .github/course/check.py <id>`)
 * and the data it reads. It proves the official tests ran, so a learner cannot switch them off from Cargo.toml
 * or a cargo config without the check failing; both files are guarded like the tests.
 */
export const CHECK_SCRIPT_PATH = '.github/course/check.py';
export const CHECK_DATA_PATH = '.github/course/exercises.json';
export const WORKSPACE_MANIFEST_PATH = 'Cargo.toml';

/** The command a workflow job runs for an exercise. */
export function checkCommand(exerciseId: string): string {
  return `python3 -I ${CHECK_SCRIPT_PATH} ${exerciseId}`;
}

/** The command of the workflow's plan job: which exercises the push changed. */
export function planCommand(): string {
  return `python3 -I ${CHECK_SCRIPT_PATH} --plan`;
}

/** The script's text, as written into the learner's repo. */
export function checkScript(): string {
  return readFileSync(path.join(import.meta.dirname, 'course-check.py'), 'utf8');
}

/** A libtest test target of an exercise: a top-level `tests/<name>.rs`, or `tests/<name>/main.rs`. */
export interface TestTarget {
  name: string;
  /** In the learner's repo, e.g. `exercises/ex01-lru-cache/tests/lru.rs`. */
  path: string;
}

/** A dependency as `cargo metadata` reports it: package name, the key it is renamed to, kind and platform. */
export interface PublishedDependency {
  name: string;
  rename: string | null;
  kind: 'dev' | 'build' | null;
  target: string | null;
}

export interface ExerciseCheckData {
  check: string;
  /** The crate (package and folder under exercises/) whose targets it counts: its own, or its project's for a milestone. */
  package: string;
  /** How many official tests the reference solution passes: the check demands exactly this many. */
  tests: number;
  targets: TestTarget[];
  /** The exercise's official test files (every file under tests/) with their git blob SHAs. */
  files: Record<string, string>;
  /**
   * The starter's other files (not tests/, not READMEs, whose links depend on where the course is published), each
   * with its blob SHAs, current first, then every earlier published version: `--plan` runs an exercise only once
   * one differs from all of them (a learner who kept an older starter's stub has not started either).
   */
  starter: Record<string, string[]>;
  /** The build script the course's own crate has (repo path), or null: any other is refused. */
  buildScript: string | null;
  extraDependencies: boolean;
  /** The direct dependencies of the published Cargo.toml. */
  dependencies: PublishedDependency[];
}

export interface CheckData {
  /** Files every exercise relies on (the workspace's Cargo.toml), with their git blob SHAs. */
  files: Record<string, string>;
  exercises: Record<string, ExerciseCheckData>;
}

/** The content of `.github/course/exercises.json` for the course. */
export function checkData(course: Course, contentDir: string, workspaceManifest: string): CheckData {
  const exercises: Record<string, ExerciseCheckData> = {};
  const crates = exerciseCrates(course, contentDir);
  const earlierStarters = readPublished(contentDir, 'starters');
  const currentStarters = starterFiles(course, contentDir);
  for (const crate of crates) {
    const { exercise, starterDir, crateId } = crate;
    const prefix = `exercises/${crateId}`;
    const manifest = readFileSync(path.join(starterDir, 'Cargo.toml'), 'utf8');
    const build = buildScriptOf(starterDir, manifest);
    exercises[exercise.id] = {
      check: exercise.check,
      package: crateId,
      tests: publishedCount(exercise),
      targets: exerciseTargets(crate, crates).map((t) => ({ name: t.name, path: `${prefix}/tests/${t.file}` })),
      files: Object.fromEntries(
        exerciseTestFiles(crate, crates).map((file) => [`${prefix}/tests/${file}`, gitBlobSha(readFileSync(path.join(starterDir, 'tests', file)))]),
      ),
      starter: Object.fromEntries(
        currentStarters
          .filter((file) => file.path.startsWith(`${prefix}/`))
          .map((file) => [file.path, [file.sha, ...(earlierStarters.get(file.path) ?? []).filter((former) => former !== file.sha)]]),
      ),
      buildScript: build ? `${prefix}/${build}` : null,
      extraDependencies: exercise.extraDependencies ?? false,
      dependencies: publishedDependencies(manifest),
    };
  }
  return { files: { [WORKSPACE_MANIFEST_PATH]: gitBlobSha(workspaceManifest) }, exercises };
}

function publishedCount(exercise: Exercise): number {
  if (exercise.tests === undefined) throw new Error(`exercise ${exercise.id} has no published test count (module.yaml \`tests\`)`);
  return exercise.tests;
}

/** Every file under an exercise's tests/ (forward slashes, sorted): all of them are official. */
export function officialTestFiles(crateDir: string): string[] {
  const dir = path.join(crateDir, 'tests');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(path.join(dir, f)).isFile())
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => f.endsWith('.rs'))
    .sort();
}

/** The official test targets an exercise counts: a milestone its listed ones, the crate's own exercise all the others. */
export function exerciseTargets(crate: ExerciseCrate, crates: readonly ExerciseCrate[]): { name: string; file: string }[] {
  const all = testTargets(crate.starterDir);
  const listed = crate.exercise.targets;
  if (listed) return all.filter((target) => listed.includes(target.name));
  const claimed = new Set(crates.filter((c) => c.crateId === crate.crateId).flatMap((c) => c.exercise.targets ?? []));
  return all.filter((target) => !claimed.has(target.name));
}

/** The official test files an exercise depends on: those of its targets, and the crate's shared helpers (tests/common/…). */
export function exerciseTestFiles(crate: ExerciseCrate, crates: readonly ExerciseCrate[]): string[] {
  const targets = new Set(testTargets(crate.starterDir).map((t) => t.name));
  const mine = new Set(exerciseTargets(crate, crates).map((t) => t.name));
  return officialTestFiles(crate.starterDir).filter((file) => {
    const parts = file.split('/');
    const target = parts.length === 1 ? file.slice(0, -'.rs'.length) : (parts[0] ?? '');
    return !targets.has(target) || mine.has(target);
  });
}

/** cargo's automatic test targets: `tests/*.rs` by file stem and `tests/<dir>/main.rs` by folder; sorted by name. */
export function testTargets(crateDir: string): { name: string; file: string }[] {
  return officialTestFiles(crateDir)
    .flatMap((file) => {
      const parts = file.split('/');
      if (parts.length === 1) return [{ name: file.slice(0, -'.rs'.length), file }];
      if (parts.length === 2 && parts[1] === 'main.rs') return [{ name: parts[0] ?? '', file }];
      return [];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function buildScriptOf(crateDir: string, manifest: string): string | null {
  const declared = /^\s*build\s*=\s*(?:"([^"]+)"|(false|true))/m.exec(sectionText(manifest, 'package'));
  if (declared?.[2] === 'false') return null;
  if (declared?.[1]) return declared[1].replace(/^\.\//, '');
  return existsSync(path.join(crateDir, 'build.rs')) ? 'build.rs' : null;
}

function sectionText(manifest: string, section: string): string {
  const lines: string[] = [];
  let current = '';
  for (const line of manifest.split('\n')) {
    const header = /^\s*\[\[?([^\]]+)\]\]?\s*(?:#.*)?$/.exec(line);
    if (header) current = (header[1] ?? '').trim();
    else if (current === section) lines.push(line);
  }
  return lines.join('\n');
}

const KINDS: Record<string, PublishedDependency['kind']> = {
  dependencies: null,
  'dev-dependencies': 'dev',
  dev_dependencies: 'dev',
  'build-dependencies': 'build',
  build_dependencies: 'build',
};

/**
 * The direct dependencies declared by a course Cargo.toml, as `cargo metadata` names them. Reads the simple TOML
 * the course writes: `[dependencies]`-style tables (also under `[target.'cfg'.…]`) with one `key = …` line per
 * dependency, or a `[dependencies.key]` table; `package = "…"` renames.
 */
export function publishedDependencies(manifest: string): PublishedDependency[] {
  const found: PublishedDependency[] = [];
  let table: { kind: PublishedDependency['kind']; target: string | null } | undefined;
  let single: PublishedDependency | undefined;
  for (const line of manifest.split('\n')) {
    const header = /^\s*\[([^[\]]+)\]\s*(?:#.*)?$/.exec(line);
    if (header || /^\s*\[\[/.test(line)) {
      table = undefined;
      single = undefined;
      const name = (header?.[1] ?? '').trim();
      const targeted = /^target\.(?:'([^']+)'|"([^"]+)"|([^.]+))\.(.+)$/.exec(name);
      const target = targeted ? (targeted[1] ?? targeted[2] ?? targeted[3] ?? null) : null;
      const rest = targeted ? (targeted[4] ?? '') : name;
      const dot = rest.indexOf('.');
      const tableName = dot < 0 ? rest : rest.slice(0, dot);
      const kind = KINDS[tableName];
      if (kind === undefined) continue;
      if (dot < 0) {
        table = { kind, target };
      } else {
        single = { name: unquote(rest.slice(dot + 1)), rename: null, kind, target };
        found.push(single);
      }
      continue;
    }
    const entry = /^\s*("[^"]+"|[A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line);
    if (!entry) continue;
    const key = unquote(entry[1] ?? '');
    const value = entry[2] ?? '';
    if (single && key === 'package') {
      const renamed = /^"([^"]+)"/.exec(value)?.[1];
      if (renamed) {
        single.rename = single.name;
        single.name = renamed;
      }
    } else if (table) {
      const renamed = value.trim().startsWith('{') ? /\bpackage\s*=\s*"([^"]+)"/.exec(value)?.[1] : undefined;
      found.push(renamed ? { name: renamed, rename: key, kind: table.kind, target: table.target } : { name: key, rename: null, kind: table.kind, target: table.target });
    }
  }
  return found;
}

function unquote(text: string): string {
  const trimmed = text.trim();
  return trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
}
