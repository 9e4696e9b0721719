import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withCourseTable } from '../src/content/course-table.ts';
import { loadCourse } from '../src/content/load-course.ts';

/** `npm run content:table`: rewrites the course table in README.md from content/ (a test fails while it is stale). */
const readme = path.resolve(import.meta.dirname, '../README.md');
writeFileSync(readme, withCourseTable(readFileSync(readme, 'utf8'), loadCourse()));
console.log('README.md: course table written');
