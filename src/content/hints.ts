import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { HINTS_PER_EXERCISE } from '../core/course.ts';
import { err, ok, type Result } from '../core/result.ts';
// A Discord embed field holds 1,024 characters: "all hints" shows each hint as one.
const MAX_HINT_CHARS = 1000;

/** Where an exercise's hints live: beside the module's exercises, never inside the starter a learner copies. */
export function hintsPath(moduleDir: string, exerciseId: string): string {
  return path.join(moduleDir, 'hints', `${exerciseId}.md`);
}

/**
 * The hints of `hints/<exercise>.md`: exactly `## Hint 1`, `## Hint 2`, `## Hint 3`, each non-empty prose of at most
 * MAX_HINT_CHARS (a chat message, not a page) and without fenced code (a hint describes; code could pass the tests).
 */
export function parseHints(markdown: string): Result<string[]> {
  const sections = markdown.replace(/\r\n/g, '\n').split(/^## +/m).slice(1);
  const hints: string[] = [];
  for (const [index, section] of sections.entries()) {
    const [heading = '', ...body] = section.split('\n');
    if (heading.trim() !== `Hint ${index + 1}`) return err(`section ${index + 1} is "## ${heading.trim()}"; the sections are ## Hint 1, ## Hint 2 and ## Hint 3, in order`);
    const text = body.join('\n').trim();
    if (text === '') return err(`Hint ${index + 1} is empty`);
    if (text.length > MAX_HINT_CHARS) return err(`Hint ${index + 1} is ${text.length} characters; a hint is a chat message of at most ${MAX_HINT_CHARS}`);
    if (/^\s*(```|~~~)/m.test(text)) return err(`Hint ${index + 1} has a code block: hints describe the approach, in words and inline \`names\``);
    hints.push(text);
  }
  if (hints.length !== HINTS_PER_EXERCISE) return err(`has ${hints.length} hint sections; an exercise has exactly ${HINTS_PER_EXERCISE}`);
  return ok(hints);
}

/** The exercise's hints, undefined when it has none yet (content:check reports that), or the parse problem. */
export function readHints(moduleDir: string, exerciseId: string): Result<string[] | undefined> {
  const file = hintsPath(moduleDir, exerciseId);
  if (!existsSync(file)) return ok(undefined);
  return parseHints(readFileSync(file, 'utf8'));
}
