/** Longest piece of what someone typed that an answer repeats back. */
const SHOWN = 40;
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/gu;

/**
 * What someone typed, quoted for an answer that repeats it: at most 40 characters (a 100 KB value is not echoed
 * back in full), with control, invisible and text-direction characters shown as "�" so the quote reads as typed.
 */
export function quoted(value: unknown): string {
  const text = String(value).trim().replace(INVISIBLE, '\ufffd');
  const chars = [...text];
  return `"${chars.length > SHOWN ? `${chars.slice(0, SHOWN - 1).join('')}…` : text}"`;
}
