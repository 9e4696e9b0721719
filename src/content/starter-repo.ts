import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { moduleLabel, type Course } from '../core/course.ts';
import { exerciseCrates } from './exercise-crates.ts';
import { gitBlobSha } from './git-blob-sha.ts';
import { rewriteRelativeLinks } from './markdown-links.ts';
import { renderWorkflow, WORKFLOW_PATH } from './workflow.ts';

/** A file the learner must not change, with the blob SHA the bot's tamper check expects at that path. */
export interface OfficialFile {
  path: string;
  sha: string;
  /** The exercise whose tests it is; undefined for the workflow, which every exercise depends on. */
  exerciseId: string | undefined;
}

/** The workflow and every exercise's test files, as they appear in a learner's repo, with their blob SHAs. */
export function officialFiles(course: Course, contentDir: string): OfficialFile[] {
  const crates = exerciseCrates(course, contentDir);
  const workflow: OfficialFile = { path: WORKFLOW_PATH, sha: gitBlobSha(renderWorkflow(crates.map((c) => c.exercise))), exerciseId: undefined };
  const tests = crates.flatMap(({ exercise, starterDir }) =>
    testFiles(starterDir).map((file) => ({
      path: `exercises/${exercise.id}/tests/${file}`,
      sha: gitBlobSha(readFileSync(path.join(starterDir, 'tests', file))),
      exerciseId: exercise.id,
    })),
  );
  return [workflow, ...tests];
}

function testFiles(crateDir: string): string[] {
  const dir = path.join(crateDir, 'tests');
  return existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.rs')).sort() : [];
}

/**
 * Writes a ready-to-push repo: a Cargo workspace with every exercise (starters, or the solutions for our own
 * checks), the course workflow, a README and a .gitignore. Refuses a folder that already has files.
 */
export function writeStarterRepo(
  course: Course,
  contentDir: string,
  outDir: string,
  options: { use?: 'starters' | 'solutions'; contentBaseUrl: string },
): void {
  const use = options.use ?? 'starters';
  if (existsSync(outDir) && readdirSync(outDir).length > 0) throw new Error(`${outDir} is not empty: choose a new folder for the starter repo.`);
  const crates = exerciseCrates(course, contentDir);
  mkdirSync(outDir, { recursive: true });
  for (const crate of crates) {
    const from = use === 'starters' ? crate.starterDir : crate.solutionDir;
    const to = path.join(outDir, 'exercises', crate.exercise.id);
    cpSync(from, to, { recursive: true, filter: (source) => !/[/\\](target|Cargo\.lock)$/.test(source) });
    linkBackToCourse(from, to, contentDir, options.contentBaseUrl);
  }
  const members = crates.map((c) => `    "exercises/${c.exercise.id}",`).join('\n');
  writeFileSync(path.join(outDir, 'Cargo.toml'), `[workspace]\nresolver = "2"\nmembers = [\n${members}\n]\n`);
  mkdirSync(path.join(outDir, path.dirname(WORKFLOW_PATH)), { recursive: true });
  writeFileSync(path.join(outDir, WORKFLOW_PATH), renderWorkflow(crates.map((c) => c.exercise)));
  writeFileSync(path.join(outDir, '.gitignore'), '/target\n');
  writeFileSync(path.join(outDir, 'README.md'), learnerReadme(course));
}

/**
 * Exercise READMEs link to lectures with paths that only resolve inside content/; in the learner's repo they
 * become links to the published course, so none is broken.
 */
function linkBackToCourse(fromDir: string, toDir: string, contentDir: string, contentBaseUrl: string): void {
  for (const file of readdirSync(toDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md'))) {
    const original = path.join(fromDir, file);
    const markdown = readFileSync(path.join(toDir, file), 'utf8');
    const rewritten = rewriteRelativeLinks(markdown, (target) => {
      const [file_, anchor] = target.split('#');
      const resolved = path.resolve(path.dirname(original), decodeURI(file_ ?? ''));
      if (resolved.startsWith(fromDir + path.sep)) return undefined; // stays inside the exercise: still valid
      const inContent = path.relative(contentDir, resolved).split(path.sep).join('/');
      return `${contentBaseUrl}/${inContent}${anchor ? `#${anchor}` : ''}`;
    });
    if (rewritten !== markdown) writeFileSync(path.join(toDir, file), rewritten);
  }
}

function learnerReadme(course: Course): string {
  const modules = course.modules.map((module) =>
    [`### ${moduleLabel(module)}`, ...module.exercises.map((e) => `- [${e.title}](exercises/${e.id}/README.md) — \`${e.id}\`, ${e.points} points`)].join('\n'),
  );
  return `# ${course.title} — my exercises

This repository holds every exercise of the course. Each one is a crate under \`exercises/\`; its tests define done.

## Start

1. Push this folder to a new GitHub repository of your own (public, or private with the bot given read access).
2. In your cohort's channel, link it: \`/link-github login:<your GitHub login> repo:<you>/<repository>\`, then follow the
   bot's instructions to prove it is yours and run \`/link-github verify\`.
3. Work on an exercise and run its tests locally: \`cargo test -p ex01-lru-cache\`.
4. Push. GitHub Actions runs one check per exercise (named by its id); when it passes, the bot counts the
   exercise as done and celebrates in the channel. \`/progress\` shows where you are.

## Rules

Do not change \`.github/workflows/course.yml\` or any file under \`exercises/*/tests/\`: the bot compares them with
the published versions and does not count a pass made with changed tests.

## Exercises

${modules.join('\n\n')}
`;
}
