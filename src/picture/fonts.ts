import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { characterMap, readTables, slimFont } from './truetype.ts';

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

const metricsCache = new Map<FontWeight, FontMetrics>();

/**
 * Read once per process, from the same files the rasteriser draws with, so the widths used to trim names are the
 * widths that get drawn (a hand-copied table would drift on a font upgrade).
 */
export function fontMetrics(weight: FontWeight): FontMetrics {
  let metrics = metricsCache.get(weight);
  if (!metrics) metricsCache.set(weight, (metrics = parseMetrics(readFileSync(FONT_FILES[weight]))));
  return metrics;
}

export function parseMetrics(ttf: Buffer): FontMetrics {
  const tables = readTables(ttf);
  const unitsPerEm = tables.get('head').readUInt16BE(18);
  const longMetrics = tables.get('hhea').readUInt16BE(34);
  const hmtx = tables.get('hmtx');
  // Glyphs past the last long metric share its advance.
  const advanceOf = (glyph: number) => hmtx.readUInt16BE(4 * Math.min(glyph, longMetrics - 1));
  const advances = new Map<number, number>();
  for (const [codePoint, glyph] of characterMap(tables.get('cmap'))) advances.set(codePoint, advanceOf(glyph));
  if (advances.size === 0) throw new Error('font has no format-12 cmap');
  return { unitsPerEm, advances, missingAdvance: advanceOf(0) };
}

/**
 * What the slim fonts still draw: the scripts of names in a cohort (Latin with Vietnamese, Greek, Cyrillic, Hebrew,
 * Arabic), combining marks, and the punctuation the picture itself uses (· … —). Text with anything else is drawn
 * with the full fonts.
 */
export function slimCovers(codePoint: number): boolean {
  return (
    codePoint < 0x0530 || // Latin, IPA, combining marks, Greek, Cyrillic
    (codePoint >= 0x0590 && codePoint < 0x0700) || // Hebrew, Arabic
    (codePoint >= 0x1e00 && codePoint < 0x2070) || // Latin Extended Additional, Greek Extended, punctuation
    (codePoint >= 0x20a0 && codePoint < 0x20d0) || // currency
    codePoint === 0x25cc // the dotted circle a shaper may put under a mark with no letter
  );
}

let slimFiles: Record<FontWeight, string> | null | undefined;

/**
 * The font files to draw `text` with: slim copies (slimFont; a third of the size, so renders about twice as fast)
 * when they cover every character, else the full fonts. The copies are written once to the temp dir under a name
 * that is the hash of their bytes, so processes share them and a font upgrade gets new ones; if the temp dir cannot
 * be written, every picture uses the full fonts. Building them takes ~0.1 s, once, on the first picture.
 */
export function fontFilesFor(text: string): string[] {
  if (slimFiles === undefined) slimFiles = writeSlimFonts();
  if (slimFiles) {
    let covered = true;
    for (const c of text) if (!slimCovers(c.codePointAt(0) ?? 0)) covered = false;
    if (covered) return [slimFiles.regular, slimFiles.bold];
  }
  return [FONT_FILES.regular, FONT_FILES.bold];
}

function writeSlimFonts(): Record<FontWeight, string> | null {
  try {
    const dir = path.join(os.tmpdir(), 'cohort-bot-fonts');
    mkdirSync(dir, { recursive: true });
    // The shaper may compose what it is given (ש + ּ + ׁ into U+FB2C, = + ̸ into ≠) when the font has the result, so
    // anything that decomposes into kept characters is kept too.
    const keep = (codePoint: number) => slimCovers(codePoint) || [...String.fromCodePoint(codePoint).normalize('NFD')].every((c) => slimCovers(c.codePointAt(0) ?? 0));
    const write = (weight: FontWeight) => {
      const font = slimFont(readFileSync(FONT_FILES[weight]), keep);
      const file = path.join(dir, `${path.basename(FONT_FILES[weight], '.ttf')}-${createHash('sha256').update(font).digest('hex').slice(0, 16)}.ttf`);
      // The temp dir is shared: a file already there is used only if it holds exactly these bytes.
      if (!existsSync(file) || !readFileSync(file).equals(font)) {
        const partial = `${file}.${process.pid}.tmp`;
        writeFileSync(partial, font);
        renameSync(partial, file); // never a half-written font under the final name
      }
      return file;
    };
    return { regular: write('regular'), bold: write('bold') };
  } catch {
    return null;
  }
}
