import path from 'node:path';
import { loadConfig, readEnvFile } from '../src/config.ts';
import { loadCourse } from '../src/content/load-course.ts';
import { writeStarterRepo } from '../src/content/starter-repo.ts';
import { updateStarterRepo, type StarterUpdate } from '../src/content/update-starter.ts';
import { describeStartupError } from '../src/startup-error.ts';

/**
 * `npm run starter -- <dir>`: writes the learner's ready-to-push starter repo into a new folder.
 * `npm run starter -- --update <dir>`: brings a repo made from an earlier starter up to the current course.
 */
const args = process.argv.slice(2);
const updating = args[0] === '--update';
const target = updating ? args[1] : args[0];
if (!target || args.length !== (updating ? 2 : 1)) {
  process.stderr.write('Usage: npm run starter -- <new folder>\n       npm run starter -- --update <your course repo>\n');
  process.exitCode = 2;
} else {
  try {
    const dir = path.resolve(target);
    const config = loadConfig({ ...readEnvFile('.env'), ...process.env });
    // Exercise READMEs link to lectures: in the learner's repo those links must open, so they need the course's address.
    if (config.publicUrl === undefined && config.contentBaseUrl === undefined) {
      throw new Error('set PUBLIC_URL (the bot serves the course there) or CONTENT_BASE_URL, so the exercise READMEs in the starter link to the course.');
    }
    const contentDir = path.resolve(import.meta.dirname, '../content');
    const links = { publicUrl: config.publicUrl, contentBaseUrl: config.contentBaseUrl };
    if (updating) {
      console.log(updateSummary(dir, updateStarterRepo(loadCourse(contentDir), contentDir, dir, links)));
    } else {
      writeStarterRepo(loadCourse(contentDir), contentDir, dir, links);
      console.log(`Wrote the starter repo to ${dir}. Next: cd there, git init, push it to GitHub, and link it with /link-github.`);
    }
  } catch (error) {
    process.stderr.write(`cohort-bot: ${describeStartupError(error) ?? (error instanceof Error ? error.message : String(error))}\n`);
    process.exitCode = 2;
  }
}

function updateSummary(dir: string, update: StarterUpdate): string {
  const { addedCrates, added, replaced, kept } = update;
  if (addedCrates.length + added.length + replaced.length === 0) return `${dir} already has the current course: nothing to change.`;
  const list = (title: string, files: readonly string[]) => (files.length === 0 ? [] : [`${title} (${files.length}):`, ...files.map((f) => `  ${f}`)]);
  return [
    `Updated ${dir} to the current course.`,
    ...list('New exercise crates', addedCrates),
    ...list('New files', added),
    ...list("The course's files, now current", replaced),
    ...list('Yours, left as they were (the current starter differs: compare with its README if a milestone asks for more)', kept),
    'Next: review with `git diff` and `git status`, then commit and push. `git checkout -- <file>` undoes a change.',
  ].join('\n');
}
