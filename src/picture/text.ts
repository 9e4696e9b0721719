import { fontMetrics, type FontWeight } from './fonts.ts';

/** Text for an SVG picture: cleaned of what XML or the font cannot take, measured, trimmed to fit, escaped. */

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** For text content and attribute values alike. */
export function escapeXml(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

// Control characters (XML 1.0 forbids most; the rest would be newlines or tabs), line/paragraph separators, lone
// surrogates and noncharacters: none can appear in the document, so they become spaces or go.
const TO_SPACE = /[\p{Cc}\u2028\u2029]/gu;
const DROP = /[\p{Cs}\p{Noncharacter_Code_Point}\u202A-\u202E\u2066-\u2069]/gu; // incl. bidi embeddings and isolates:
// an unbalanced one left by trimming would reorder the ellipsis
const PICTOGRAPH = /[\p{Extended_Pictographic}\p{Regional_Indicator}\p{Emoji_Modifier}]/u;
const RTL_LETTER = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}]/u;
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * User input made drawable. DejaVu has no colour emoji, so an emoji (with its joiners, skin tones and flags) would
 * be drawn as empty boxes: such graphemes are dropped unless the font has the pictograph (☺ ★ ♥ it has).
 * Letters the font lacks (CJK, for one) are kept: boxes still tell two people apart, and dropping them could empty
 * a name. Returns '' when nothing drawable is left; the caller picks a stand-in.
 */
export function cleanText(text: string): string {
  const plain = text.normalize('NFC').replace(TO_SPACE, ' ').replace(DROP, '');
  const { advances } = fontMetrics('regular');
  let kept = '';
  for (const { segment } of graphemes.segment(plain)) {
    const drawable = [...segment].every((c) => !PICTOGRAPH.test(c) || advances.has(c.codePointAt(0) ?? 0));
    if (drawable) kept += segment;
  }
  return kept.replace(/\s+/g, ' ').trim();
}

/**
 * Width in px as laid out without kerning; kerning in DejaVu only tightens, so this errs on the wide side. A
 * character bold lacks is measured as regular, which is what the renderer falls back to.
 */
export function textWidth(text: string, size: number, weight: FontWeight): number {
  const { unitsPerEm, advances, missingAdvance } = fontMetrics(weight);
  const regular = fontMetrics('regular').advances;
  let units = 0;
  for (const c of text) {
    const codePoint = c.codePointAt(0) ?? 0;
    units += advances.get(codePoint) ?? regular.get(codePoint) ?? (IGNORABLE.test(c) ? 0 : missingAdvance);
  }
  return (units * size) / unitsPerEm;
}

/**
 * `text` if it fits in `maxWidth`, else as many whole graphemes as fit before an ellipsis (never half an emoji or a
 * letter without its accent). A right-to-left name gets a right-to-left mark after the ellipsis so the ellipsis
 * lands at the cut, on the name's left, instead of trailing on the right.
 */
export function fitText(text: string, maxWidth: number, size: number, weight: FontWeight): string {
  if (textWidth(text, size, weight) <= maxWidth) return text;
  const room = maxWidth - textWidth('…', size, weight);
  let kept = '';
  let width = 0;
  for (const { segment } of graphemes.segment(text)) {
    const next = textWidth(segment, size, weight);
    if (width + next > room) break;
    kept += segment;
    width += next;
  }
  const firstLetter = /\p{L}/u.exec(text)?.[0] ?? '';
  return `${kept.trimEnd()}…${RTL_LETTER.test(firstLetter) ? '\u200F' : ''}`;
}
