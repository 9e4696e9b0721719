/** `/module 3` → command `module`, text `3`. The slash is optional; a blank line is nothing. */
export function parseLine(line: string): { command: string; text: string } | undefined {
  const match = /^\s*\/?([^\s/]+)\s*(.*)$/s.exec(line);
  if (!match || match[1] === undefined) return undefined;
  return { command: match[1].toLowerCase(), text: (match[2] ?? '').trim() };
}
