import path from 'node:path';
import { checkContent } from '../src/content/check-content.ts';
import { loadCourse } from '../src/content/load-course.ts';
import { describeStartupError } from '../src/startup-error.ts';

/** `npm run content:check`: every problem in content/, one per line; exit 1 if there is any. */
const contentDir = path.resolve(import.meta.dirname, '../content');
try {
  const problems = checkContent(loadCourse(contentDir), contentDir);
  for (const { file, problem } of problems) console.log(`${file}: ${problem}`);
  console.log(problems.length === 0 ? 'content: all checks pass' : `content: ${problems.length} problem(s)`);
  process.exitCode = problems.length === 0 ? 0 : 1;
} catch (error) {
  process.stderr.write(`${describeStartupError(error) ?? String(error)}\n`);
  process.exitCode = 1;
}
