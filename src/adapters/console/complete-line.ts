import type { Services } from '../../chat/context.ts';
import type { Registry } from '../../chat/registry.ts';
import { parseLine } from './parse-line.ts';

/**
 * Tab completion in the terminal, in readline's shape `[candidates, what they replace]`: command names first,
 * then the first option's autocomplete (module names), the same suggestions Discord shows.
 */
export function completeLine(registry: Registry, services: Services, line: string): [string[], string] {
  const parsed = parseLine(line);
  const typingCommandName = !/\s/.test(line.trim()) && !line.endsWith(' ');
  if (!parsed || typingCommandName) {
    const typed = line.trim().startsWith('/') ? line.trim() : `/${line.trim()}`;
    const names = registry.list().map((command) => `/${command.name}`);
    const hits = names.filter((name) => name.startsWith(typed));
    return [hits.length > 0 ? hits : names, line];
  }
  const firstOption = Object.keys(registry.get(parsed.command)?.options ?? {})[0];
  if (!firstOption) return [[], line];
  const choices = registry.autocomplete(parsed.command, firstOption, parsed.text, services);
  return [choices.map((choice) => `/${parsed.command} ${choice.value}`), line];
}
