import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The only fonts a picture may use: DejaVu Sans from the `dejavu-fonts-ttf` package, resolved through Node's module
 * resolution so the paths hold from any working directory. System fonts are never consulted, so a picture is the same
 * on a laptop, in CI and in a slim container with no fonts at all.
 */
const require = createRequire(import.meta.url);

export const FONT_FAMILY = 'DejaVu Sans';

export type FontWeight = 'regular' | 'bold';

export const FONT_FILES: Readonly<Record<FontWeight, string>> = {
  regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
};

export interface FontMetrics {
  unitsPerEm: number;
  /** Advance width, in font units, of each code point the font has a glyph for. */
  advances: ReadonlyMap<number, number>;
  /** The advance of glyph 0, the box drawn for a code point the font lacks. */
  missingAdvance: number;
}

const cache = new Map<FontWeight, FontMetrics>();

/**
 * Read once per process, from the same files the rasteriser draws with, so the widths used to trim names are the
 * widths that get drawn (a hand-copied table would drift on a font upgrade).
 */
export function fontMetrics(weight: FontWeight): FontMetrics {
  let metrics = cache.get(weight);
  if (!metrics) cache.set(weight, (metrics = parseMetrics(readFileSync(FONT_FILES[weight]))));
  return metrics;
}

/** Just enough of TrueType: `head` for units per em, `hhea` + `hmtx` for advances, a format-12 `cmap` for coverage. */
export function parseMetrics(ttf: Buffer): FontMetrics {
  const tables = new Map<string, number>();
  const count = ttf.readUInt16BE(4);
  for (let i = 0; i < count; i++) {
    const record = 12 + 16 * i;
    tables.set(ttf.toString('latin1', record, record + 4), ttf.readUInt32BE(record + 8));
  }
  const table = (tag: string): number => {
    const offset = tables.get(tag);
    if (offset === undefined) throw new Error(`font has no ${tag} table`);
    return offset;
  };
  const unitsPerEm = ttf.readUInt16BE(table('head') + 18);
  const longMetrics = ttf.readUInt16BE(table('hhea') + 34);
  const hmtx = table('hmtx');
  // Glyphs past the last long metric share its advance.
  const advanceOf = (glyph: number) => ttf.readUInt16BE(hmtx + 4 * Math.min(glyph, longMetrics - 1));

  const cmap = table('cmap');
  const advances = new Map<number, number>();
  for (let i = 0, n = ttf.readUInt16BE(cmap + 2); i < n; i++) {
    const subtable = cmap + ttf.readUInt32BE(cmap + 8 + 8 * i);
    if (ttf.readUInt16BE(subtable) !== 12) continue; // format 12 covers all of Unicode; format 4 only repeats the BMP
    for (let g = 0, groups = ttf.readUInt32BE(subtable + 12); g < groups; g++) {
      const group = subtable + 16 + 12 * g;
      const first = ttf.readUInt32BE(group);
      const last = ttf.readUInt32BE(group + 4);
      const glyph = ttf.readUInt32BE(group + 8);
      for (let c = first; c <= last; c++) advances.set(c, advanceOf(glyph + c - first));
    }
  }
  if (advances.size === 0) throw new Error('font has no format-12 cmap');
  return { unitsPerEm, advances, missingAdvance: advanceOf(0) };
}
