import { moduleLabel, type Course, type Module } from './course.ts';
import { err, ok, type Result } from './result.ts';
import { quoted } from './quoted.ts';

/**
 * Finds a module from what a learner types: `3`, `03`, `module 3`, `m3`, `module-03`, a slug (`kv-store`),
 * the folder name, or words of the title (`key value`). Ambiguous words list the candidates.
 */
export function parseModuleRef(course: Course, text: string): Result<Module> {
  const query = normalise(text);
  if (query === '') return err('Say which module: a number (e.g. 3), a slug (e.g. kv-store) or words of its title.');

  const number = /^(?:module|mod|m)?\s*-?\s*0*(\d+)$/.exec(query)?.[1];
  if (number !== undefined) {
    const module = course.modules.find((m) => m.number === Number(number));
    return module ? ok(module) : err(`There is no module ${number}: the course has modules 1 to ${course.modules.length}.`);
  }

  const exact = course.modules.find((m) => m.slug === query || m.folder === query);
  if (exact) return ok(exact);

  const matches = searchModules(course, query);
  if (matches.length === 1 && matches[0]) return ok(matches[0]);
  if (matches.length > 1) {
    return err(`${quoted(text.trim())} matches several modules: ${matches.map(moduleLabel).join('; ')}. Use its number.`);
  }
  return err(`I found no module matching ${quoted(text.trim())}. Try a number from 1 to ${course.modules.length}, or /schedule to see them all.`);
}

/**
 * Modules matching every word typed, in course order; for autocomplete too. A number matches the module's
 * number only (so "3" is not also "S3-like Object Store"); other words match its slug or title.
 */
export function searchModules(course: Course, text: string): Module[] {
  const words = normalise(text).split(/[\s-]+/).filter((word) => word !== '' && word !== 'module');
  return course.modules.filter((module) => {
    const haystack = normalise(`${module.slug} ${module.title}`);
    return words.every((word) => (/^\d+$/.test(word) ? Number(word) === module.number : haystack.includes(word)));
  });
}

function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9\s-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
