import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import type { Course, Module } from '../core/course.ts';
import { ContentError } from './content-error.ts';
import { checkCourse } from './check-course.ts';
import { hintsPath, readHints } from './hints.ts';
import { courseFileSchema, moduleFileSchema } from './schema.ts';

/** The default content folder: `content/` at the repository root. */
export const DEFAULT_CONTENT_DIR = path.resolve(import.meta.dirname, '../../content');

/**
 * Reads and validates content/ once at start. Throws a ContentError naming the file, the field and the problem;
 * the first problem found is reported, since a later one is often a consequence of it.
 */
export function loadCourse(contentDir: string = DEFAULT_CONTENT_DIR): Course {
  const shown = (file: string) => path.join(path.basename(contentDir), path.relative(contentDir, file));
  const courseFile = readValidated(path.join(contentDir, 'course.yaml'), courseFileSchema, shown);

  const modules: Module[] = courseFile.modules.map((folder, index) => {
    const moduleDir = path.join(contentDir, 'modules', folder);
    const yamlPath = path.join(moduleDir, 'module.yaml');
    if (!existsSync(yamlPath)) {
      throw new ContentError(shown(path.join(contentDir, 'course.yaml')), `modules[${index}]`, `${shown(yamlPath)} does not exist`);
    }
    const file = readValidated(yamlPath, moduleFileSchema, shown);
    return {
      number: file.number,
      slug: file.slug,
      folder,
      title: file.title,
      phase: file.phase,
      weeks: file.weeks,
      summary: file.summary.trim(),
      objectives: file.objectives,
      lectures: file.lectures.map((lecture) => ({
        title: lecture.title,
        contentPath: `modules/${folder}/${lecture.path}`,
      })),
      exercises: file.exercises.map((exercise) => {
        const hints = readHints(moduleDir, exercise.id);
        if (!hints.ok) throw new ContentError(shown(hintsPath(moduleDir, exercise.id)), null, hints.error);
        return { ...exercise, summary: exercise.summary.trim(), extraDependencies: exercise.extraDependencies ?? false, ...(hints.value ? { hints: hints.value } : {}) };
      }),
    };
  });

  const course: Course = {
    title: courseFile.title,
    slug: courseFile.slug,
    summary: courseFile.summary.trim(),
    phases: courseFile.phases,
    modules,
  };
  checkCourse(course, contentDir, shown);
  return course;
}

function readValidated<T>(file: string, schema: z.ZodType<T>, shown: (file: string) => string): T {
  if (!existsSync(file)) throw new ContentError(shown(file), null, 'file is missing');
  let data: unknown;
  try {
    data = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    const firstLine = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new ContentError(shown(file), null, `is not valid YAML: ${firstLine}`);
  }
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  // A misspelt key also makes the real key "missing"; naming the misspelling is the more useful message.
  const issues = parsed.error.issues;
  const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
  const field = issue ? formatPath(issue.path) : null;
  const problem = issue?.code === 'invalid_type' && /received undefined/.test(issue.message) ? 'is missing' : issue?.message ?? 'is invalid';
  throw new ContentError(shown(file), field || null, problem);
}

function formatPath(segments: readonly PropertyKey[]): string {
  return segments
    .map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : `${i === 0 ? '' : '.'}${String(segment)}`))
    .join('');
}
