import type { Services } from '../../chat/context.ts';
import type { Registry } from '../../chat/registry.ts';

/**
 * Tab completion in the terminal, in readline's shape `[candidates, what they replace]`: command names, then a
 * group's subcommands, then the first option's autocomplete (module names) — the suggestions Discord shows.
 */
export function completeLine(registry: Registry, services: Services, line: string): [string[], string] {
  const words = line.trimStart().replace(/^\//, '').split(/\s+/);
  const [name = '', ...rest] = words;
  if (rest.length === 0) {
    const names = registry.list().map((command) => `/${command.name}`);
    const hits = names.filter((candidate) => candidate.startsWith(`/${name}`));
    return [hits.length > 0 ? hits : names, line];
  }
  const command = registry.get(name.toLowerCase());
  if (!command) return [[], line];
  let prefix = `/${command.name}`;
  let subcommand: string | undefined;
  let options = command.action?.options;
  if (command.subcommands) {
    const [typed = '', ...afterSub] = rest;
    if (afterSub.length === 0) {
      return [Object.keys(command.subcommands).filter((s) => s.startsWith(typed)).map((s) => `${prefix} ${s}`), line];
    }
    subcommand = typed;
    options = command.subcommands[typed]?.options;
    prefix = `${prefix} ${typed}`;
    rest.splice(0, 1);
  }
  const firstOption = Object.keys(options ?? {})[0];
  if (!firstOption) return [[], line];
  const choices = registry.autocomplete({ command: command.name, subcommand, option: firstOption, partial: rest.join(' ') }, services);
  return [choices.map((choice) => `${prefix} ${choice.value}`), line];
}
