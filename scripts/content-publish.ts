import path from 'node:path';
import { loadCourse } from '../src/content/load-course.ts';
import { PUBLISHED_FILES, recordPublished } from '../src/content/published-files.ts';
import { starterFiles } from '../src/content/starter-files.ts';
import { officialFiles } from '../src/content/starter-repo.ts';
import { describeStartupError } from '../src/startup-error.ts';

/**
 * `npm run content:publish`: records the current version of every official file in content/published-files.json,
 * so learners who keep an earlier starter's files still count once a test or the check script changes, and of
 * every starter file, so an earlier starter's untouched stub still reads as "not started". Run it whenever
 * content:check says a file is not published.
 */
const contentDir = path.resolve(import.meta.dirname, '../content');
try {
  const course = loadCourse(contentDir);
  // Starters first: the check data (an official file) lists every recorded starter version.
  const added = [...recordPublished(contentDir, starterFiles(course, contentDir), 'starters'), ...recordPublished(contentDir, officialFiles(course, contentDir))];
  for (const file of added) console.log(`published a new version of ${file}`);
  console.log(added.length === 0 ? `${PUBLISHED_FILES}: nothing new` : `${PUBLISHED_FILES}: ${added.length} new version(s) recorded`);
} catch (error) {
  process.stderr.write(`${describeStartupError(error) ?? String(error)}\n`);
  process.exitCode = 1;
}
