import path from 'node:path';
import { loadConfig, readEnvFile } from '../src/config.ts';
import { defaultContentBaseUrl } from '../src/content/content-links.ts';
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
    const contentBaseUrl = config.contentBaseUrl ?? defaultContentBaseUrl();
    writeStarterRepo(loadCourse(), path.resolve(import.meta.dirname, '../content'), dir, { contentBaseUrl });
    console.log(`Wrote the starter repo to ${dir}. Next: cd there, git init, push it to GitHub, and link it with /link-github.`);
  } catch (error) {
    process.stderr.write(`cohort-bot: ${describeStartupError(error) ?? (error instanceof Error ? error.message : String(error))}\n`);
    process.exitCode = 2;
  }
}
