import path from 'node:path';
import { loadConfig, readEnvFile } from '../src/config.ts';
import { loadCourse } from '../src/content/load-course.ts';
import { writeStarterRepo } from '../src/content/starter-repo.ts';
import { describeStartupError } from '../src/startup-error.ts';

/** `npm run starter -- <dir>`: writes the learner's ready-to-push starter repo into a new folder. */
const target = process.argv[2];
if (!target) {
  process.stderr.write('Usage: npm run starter -- <new folder>\n');
  process.exitCode = 2;
} else {
  try {
    const dir = path.resolve(target);
    const config = loadConfig({ ...readEnvFile('.env'), ...process.env });
    // Exercise READMEs link to lectures: in the learner's repo those links must open, so they need the course's address.
    if (config.publicUrl === undefined && config.contentBaseUrl === undefined) {
      throw new Error('set PUBLIC_URL (the bot serves the course there) or CONTENT_BASE_URL, so the exercise READMEs in the starter link to the course.');
    }
    writeStarterRepo(loadCourse(), path.resolve(import.meta.dirname, '../content'), dir, { publicUrl: config.publicUrl, contentBaseUrl: config.contentBaseUrl });
    console.log(`Wrote the starter repo to ${dir}. Next: cd there, git init, push it to GitHub, and link it with /link-github.`);
  } catch (error) {
    process.stderr.write(`cohort-bot: ${describeStartupError(error) ?? (error instanceof Error ? error.message : String(error))}\n`);
    process.exitCode = 2;
  }
}
