import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { moduleLabel, type Course } from '../core/course.ts';
import { CHECK_DATA_PATH, CHECK_SCRIPT_PATH, checkData, checkScript, exerciseTestFiles, WORKSPACE_MANIFEST_PATH } from './course-check.ts';
import { sitePathFor } from './content-links.ts';
import { exerciseCrates, uniqueCrates } from './exercise-crates.ts';
import { gitBlobSha } from './git-blob-sha.ts';
import { readPublished } from './published-files.ts';
import { rewriteRelativeLinks } from './markdown-links.ts';
import { renderWorkflow, WORKFLOW_PATH } from './workflow.ts';

/** A file the learner must not change, with the blob SHA the bot's tamper check expects at that path. */
export interface OfficialFile {
  path: string;
  sha: string;
  /** Earlier published versions (content/published-files.json), still accepted from learners who have them. */
  formerShas: readonly string[];
  /** The exercise whose tests it is; undefined for the files every exercise depends on (workflow, check, workspace). */
  exerciseId: string | undefined;
}

/** An official file with the exact text the starter repo holds (its `sha` is that text's blob SHA). */
export interface OfficialFileWithContent extends OfficialFile {
  content: string;
}

/**
 * The files a learner must leave as published, as they appear in a learner's repo, with their blob SHAs and
 * content: the workflow, the course's check script and its data, the workspace's Cargo.toml (none in a folder),
 * and every exercise's test files.
 */
export function officialFiles(course: Course, contentDir: string): OfficialFileWithContent[] {
  const crates = exerciseCrates(course, contentDir);
  const published = readPublished(contentDir);
  const file = (filePath: string, content: Buffer | string, exerciseId: string | undefined): OfficialFileWithContent => {
    const sha = gitBlobSha(content);
    const formerShas = (published.get(filePath) ?? []).filter((former) => former !== sha);
    return { path: filePath, sha, formerShas, exerciseId, content: content.toString() };
  };
  const shared = (filePath: string, content: string) => file(filePath, content, undefined);
  const workspace = workspaceManifest(course);
  // A file shared by a project's milestones (tests/common/…) is listed once per exercise that depends on it.
  const tests = crates.flatMap((crate) =>
    exerciseTestFiles(crate, crates).map((name) => file(`exercises/${crate.crateId}/tests/${name}`, readFileSync(path.join(crate.starterDir, 'tests', name)), crate.exercise.id)),
  );
  return [
    shared(WORKFLOW_PATH, renderWorkflow(crates.map((c) => c.exercise))),
    shared(CHECK_SCRIPT_PATH, checkScript()),
    shared(CHECK_DATA_PATH, checkDataJson(course, contentDir)),
    shared(WORKSPACE_MANIFEST_PATH, workspace),
    ...tests,
  ];
}

/** The workspace's Cargo.toml: every exercise crate a member (a milestone shares its project's), nothing else (no [patch], no [profile]). */
function workspaceManifest(course: Course): string {
  const members = course.modules.flatMap((m) => m.exercises).filter((e) => e.crate === undefined).map((e) => `    "exercises/${e.id}",`).join('\n');
  return `[workspace]\nresolver = "2"\nmembers = [\n${members}\n]\n`;
}

function checkDataJson(course: Course, contentDir: string): string {
  return `${JSON.stringify(checkData(course, contentDir, workspaceManifest(course)), null, 2)}\n`;
}

/**
 * Writes a ready-to-push repo: a Cargo workspace with every exercise (starters, or the solutions for our own
 * checks), the course workflow, a README and a .gitignore. Refuses a folder that already has files.
 */
export function writeStarterRepo(
  course: Course,
  contentDir: string,
  outDir: string,
  options: { use?: 'starters' | 'solutions'; contentBaseUrl?: string; publicUrl?: string },
): void {
  const use = options.use ?? 'starters';
  if (existsSync(outDir) && readdirSync(outDir).length > 0) throw new Error(`${outDir} is not empty: choose a new folder for the starter repo.`);
  const crates = exerciseCrates(course, contentDir);
  mkdirSync(outDir, { recursive: true });
  for (const crate of uniqueCrates(crates)) {
    const from = use === 'starters' ? crate.starterDir : crate.solutionDir;
    const to = path.join(outDir, 'exercises', crate.crateId);
    cpSync(from, to, { recursive: true, filter: (source) => !/[/\\](target|Cargo\.lock)$/.test(source) });
    linkBackToCourse(from, to, contentDir, (inContent, anchor) =>
      options.publicUrl !== undefined
        ? `${options.publicUrl}${sitePathFor(course, inContent)}`
        : `${options.contentBaseUrl ?? ''}/${inContent}${anchor ? `#${anchor}` : ''}`,
    );
  }
  for (const file of officialFiles(course, contentDir).filter((f) => f.exerciseId === undefined)) {
    mkdirSync(path.dirname(path.join(outDir, file.path)), { recursive: true });
    writeFileSync(path.join(outDir, file.path), file.content);
  }
  writeFileSync(path.join(outDir, '.gitignore'), '/target\n');
  writeFileSync(path.join(outDir, 'README.md'), learnerReadme(course));
}

/**
 * Exercise READMEs link to lectures with paths that only resolve inside content/; in the learner's repo they
 * become links to the published course, so none is broken.
 */
function linkBackToCourse(fromDir: string, toDir: string, contentDir: string, linkTo: (inContent: string, anchor: string | undefined) => string): void {
  for (const file of readdirSync(toDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md'))) {
    const original = path.join(fromDir, file);
    const markdown = readFileSync(path.join(toDir, file), 'utf8');
    const rewritten = rewriteRelativeLinks(markdown, (target) => {
      const [file_, anchor] = target.split('#');
      const resolved = path.resolve(path.dirname(original), decodeURI(file_ ?? ''));
      if (resolved.startsWith(fromDir + path.sep)) return undefined; // stays inside the exercise: still valid
      const inContent = path.relative(contentDir, resolved).split(path.sep).join('/');
      return linkTo(inContent, anchor);
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
3. Work on an exercise and run its tests locally: \`cargo test -p ex01-lru-cache\`. To see exactly what CI checks,
   run \`python3 -I .github/course/check.py ex01-lru-cache\`.
4. Push. GitHub Actions runs one check per exercise (named by its id); when it passes, the bot counts the
   exercise as done and celebrates in the channel. \`/progress\` shows where you are.

## Rules

Each exercise's check runs \`.github/course/check.py\`, which runs the exercise's official tests and proves they
ran: it counts the tests that passed and compares the number with the one the course publishes. So:

- **Yours to change:** your code under \`exercises/*/src/\`, and tests of your own (new files in an exercise's
  \`tests/\`, or unit tests in \`src/\`).
- **Dependencies:** an exercise's \`Cargo.toml\` keeps its published dependencies; add others (from crates.io)
  only where the exercise's README allows it.
- **Never change:** \`.github/workflows/course.yml\`, \`.github/course/\`, the root \`Cargo.toml\`, the published files
  under \`exercises/*/tests/\`, or the parts of an exercise's \`Cargo.toml\` that select its tests
  (\`autotests\`, \`[[test]]\`, \`harness\`); do not add a \`build.rs\`, a \`.cargo/config.toml\`, a
  \`rust-toolchain.toml\`, or a path or git dependency. The check refuses these with a message saying why, and
  the bot does not count a pass made with changed official files.

## When the course adds exercises

Your repo holds the course as it was when you started. When the course adds a milestone or fixes a test, your
organiser can bring your repo up to date without touching your work (\`npm run starter -- --update <this folder>\`
in the course bot's repository, on a clone with everything committed); review the result with \`git diff\` and push.

## Exercises

${modules.join('\n\n')}
`;
}
