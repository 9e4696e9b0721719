import type { Reply } from '../../chat/reply.ts';

const TONE_MARK = { info: '', success: '✔ ', warning: '! ', error: '✖ ' } as const;

/** A Reply as plain terminal text: a title line, the text, fields, each link on its own line, then its buttons as commands. */
export function renderText(reply: Reply): string {
  const lines: string[] = [];
  if (reply.title) lines.push(`${TONE_MARK[reply.tone ?? 'info']}${plain(reply.title)}`, '─'.repeat(Math.min(plain(reply.title).length + 2, 72)));
  if (reply.text) lines.push(plain(reply.text));

  let inlineRow: string[] = [];
  const flushInline = () => {
    if (inlineRow.length > 0) lines.push(inlineRow.join('    '));
    inlineRow = [];
  };
  for (const field of reply.fields ?? []) {
    const value = plain(field.value);
    if (field.inline && !value.includes('\n')) {
      inlineRow.push(`${field.name}: ${value}`);
      continue;
    }
    flushInline();
    lines.push('', field.name, ...value.split('\n').map((line) => `  ${line}`));
  }
  flushInline();

  if (reply.links && reply.links.length > 0) {
    lines.push('', 'Links');
    for (const link of reply.links) lines.push(`  ${link.label}`, `    ${link.url}`);
  }
  if (reply.image) lines.push('', `Image: ${reply.image.alt} — ${reply.image.url}`);
  if (reply.footer) lines.push('', plain(reply.footer));
  // A terminal has no buttons: each names the command that does the same.
  if (reply.actions && reply.actions.length > 0) {
    lines.push('', `Next: ${reply.actions.map((a) => `${a.label} (/${a.command}${a.subcommand ? ` ${a.subcommand}` : ''})`).join(' · ')}`);
  }
  return lines.join('\n');
}

/** Drops the light markdown commands use (`code`, **bold**) that a terminal would show literally. */
function plain(text: string): string {
  return text.replace(/`([^`]*)`/g, '$1').replace(/\*\*([^*]+)\*\*/g, '$1');
}
