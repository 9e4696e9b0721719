/** Escaping for the site's hand-written templates: every value from content, the store or a URL goes through it. */
export function escapeHtml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `<time datetime="…">text</time>` for an instant shown in some zone. */
export function timeElement(instant: Date, text: string): string {
  return `<time datetime="${escapeHtml(instant.toISOString())}">${escapeHtml(text)}</time>`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
