import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import zlib from 'node:zlib';
import { Resvg } from '@resvg/resvg-js';
import { FONT_FAMILY, FONT_FILES, fontFilesFor } from '../../src/picture/fonts.ts';
import { leaderboardSvg, MAX_PICTURE_ROWS, type PictureRow } from '../../src/picture/leaderboard-svg.ts';
import { leaderboardPng } from '../../src/picture/rasterise.ts';
import { cleanText, fitText, textWidth } from '../../src/picture/text.ts';

const RENDER = { font: { fontFiles: [FONT_FILES.regular, FONT_FILES.bold], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY } };

function row(rank: number, name: string, points: number, extra: Partial<PictureRow> = {}): PictureRow {
  return { rank, name, points, modulesFinished: 3, totalModules: 12, streak: 2, exercisesDone: 9, totalExercises: 48, ...extra };
}

/** RGBA of an SVG as resvg draws it with the full DejaVu fonts (or the files given). */
function pixels(svg: string, fontFiles = RENDER.font.fontFiles): Buffer {
  return new Resvg(svg, { font: { ...RENDER.font, fontFiles } }).render().pixels;
}

// zlib.crc32 arrived in Node 20.15; package.json allows any Node 20.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32: (data: Buffer) => number =
  typeof zlib.crc32 === 'function'
    ? (data) => zlib.crc32(data)
    : (data) => {
        let c = 0xffffffff;
        for (const byte of data) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
        return (c ^ 0xffffffff) >>> 0;
      };

interface Chunk {
  type: string;
  data: Buffer;
}

/** Walks the chunks, checking each CRC (over type and data, as the PNG spec says). */
function pngChunks(png: Buffer): Chunk[] {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  const chunks: Chunk[] = [];
  let at = 8;
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    assert.equal(png.readUInt32BE(at + 8 + length), crc32(png.subarray(at + 4, at + 8 + length)), `CRC of ${type} at ${at}`);
    chunks.push({ type, data });
    at += 12 + length;
  }
  assert.equal(at, png.length, 'the last chunk ends at the end of the file');
  return chunks;
}

const hostile = [
  '<script>alert(1)</script>',
  'Tom &amp; Jerry',
  `Quote "double" and 'single'`,
  'x'.repeat(200),
  'Ana 🚀 Souza 👩🏽‍💻 🇧🇷',
  'שרה כהן',
  'محمد عبد الرحمن العبدالله الطويل جدا جدا جدا',
  'ctl\u0000\u0007\u001b\ttab\nline \uD800 lone \u202Eoverride',
  ']]><!-- --><![CDATA[',
];

describe('leaderboard picture', () => {
  it('is a valid PNG whose IHDR says the size leaderboardSvg laid out', () => {
    const input = { title: 'Week 3', subtitle: 'Spring cohort', rows: [row(1, 'Ada', 120), row(2, 'Grace', 80, { highlighted: true }), row(3, 'Linus', 0)] };
    const { svg, width, height } = leaderboardSvg(input);
    const { png, width: pngWidth, height: pngHeight } = leaderboardPng(input);
    assert.equal(width, 800);
    assert.match(svg, new RegExp(`^<svg [^>]*width="${width}" height="${height}"`));
    assert.deepEqual([pngWidth, pngHeight], [width, height]);

    const chunks = pngChunks(png);
    const ihdr = chunks[0];
    assert.equal(ihdr?.type, 'IHDR');
    assert.equal(ihdr.data.readUInt32BE(0), width);
    assert.equal(ihdr.data.readUInt32BE(4), height);
    assert.ok(chunks.some((c) => c.type === 'IDAT'));
    assert.deepEqual(chunks.at(-1), { type: 'IEND', data: Buffer.alloc(0) });
  });

  it('writes every name and points value as text, a bar for points only, discs only for ranks 1–3 with points', () => {
    const rows = [row(1, 'Ada', 1240), row(2, 'Grace', 620), row(3, 'Linus', 0), row(3, 'Bob', 0)];
    const { svg } = leaderboardSvg({ title: 'Board', rows });
    for (const name of ['Ada', 'Grace', 'Linus', 'Bob']) assert.ok(svg.includes(`class="name" x="100" y="36" font-size="26" font-weight="bold" fill="#0F172A">${name}</text>`), name);
    assert.deepEqual([...svg.matchAll(/class="points"[^>]*>([^<]*)</g)].map((m) => m[1]), ['1,240', '620', '0', '0']);
    const bars = [...svg.matchAll(/class="bar"[^>]*width="(\d+)"/g)].map((m) => Number(m[1]));
    assert.equal(bars.length, 2, 'no bar at 0 points');
    assert.equal(bars[1], (bars[0] ?? 0) / 2, 'bars proportional to points');
    assert.equal(svg.match(/class="medal"/g)?.length, 2, 'rank 3 with 0 points gets no disc');
    assert.match(svg, /3\/12 modules · 9\/48 exercises · 2-week streak/);
    assert.doesNotMatch(svg, /class="highlight"/);
    assert.equal(leaderboardSvg({ title: 'B', rows: [row(1, 'Ada', 5, { highlighted: true })] }).svg.match(/class="highlight"/g)?.length, 1);
  });

  it('escapes hostile names into well-formed SVG that resvg renders', () => {
    const { svg, width, height } = leaderboardSvg({ title: 'A <b>&"title"', subtitle: "it's", rows: hostile.map((name, i) => row(i + 1, name, 100 - i)) });

    assert.ok(svg.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(svg.includes('Tom &amp;amp; Jerry'));
    assert.ok(svg.includes('Quote &quot;double&quot; and &apos;single&apos;'));
    assert.ok(svg.includes(']]&gt;&lt;!-- --&gt;&lt;![CDATA['));
    assert.ok(svg.includes('A &lt;b&gt;&amp;&quot;title&quot;'));
    // Every text element holds only characters and the five entities: no markup got through.
    const texts = [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => m[1] ?? '');
    assert.equal(texts.length, svg.split('<text ').length - 1);
    for (const t of texts) assert.match(t, /^(?:[^&<>]|&(?:amp|lt|gt|quot|apos);)*$/);
    // Nothing XML 1.0 forbids (controls, lone surrogates), and no bidi override left to reorder the picture.
    assert.doesNotMatch(svg, /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u202A-\u202E\u2066-\u2069]|\p{Cs}/u);

    const long = texts.find((t) => t.startsWith('xxx'));
    assert.ok(long?.endsWith('…') && long.length < 60, `200 characters trimmed to fit: ${long}`);
    assert.ok(texts.includes('Ana Souza'), 'emoji DejaVu cannot draw are dropped with their joiners and flags');
    assert.ok(texts.includes('שרה כהן'));
    assert.ok(texts.some((t) => t.startsWith('محمد') && t.endsWith('…\u200F')), 'a trimmed RTL name ends in ellipsis + RLM');

    const rendered = new Resvg(svg, RENDER).render();
    assert.deepEqual([rendered.width, rendered.height], [width, height]);
  });

  it('draws the names with a real font: different names, different pixels', () => {
    // With no font resvg draws no text at all; with a font lacking the glyphs every letter is the same box, so
    // two same-length names would draw identically. Only real glyphs tell Ada from Bob.
    const picture = (name: string) => leaderboardSvg({ title: 'Board', rows: [row(1, name, 10)] }).svg;
    const ada = picture('Ada');
    const withoutName = ada.replace('>Ada</text>', '></text>');
    assert.notEqual(withoutName, ada);
    assert.notDeepEqual(pixels(ada), pixels(withoutName), 'the name draws something');
    assert.notDeepEqual(pixels(ada), pixels(picture('Bob')), 'Ada and Bob draw differently');
  });

  it('trims to the width the font draws, at grapheme boundaries', () => {
    const name = `Zoë ${'👩🏽‍💻é'.repeat(3)} ${'W'.repeat(80)}`;
    const fitted = fitText(name, 300, 26, 'bold');
    assert.ok(fitted.endsWith('…'));
    assert.ok(textWidth(fitted, 26, 'bold') <= 300);
    assert.ok(name.startsWith(fitted.slice(0, -1)), 'a prefix of whole graphemes');
    assert.equal(fitText('Ada', 300, 26, 'bold'), 'Ada');
    assert.equal(cleanText('  ☺ Joy \u{1F600} \u{1F680} '), '☺ Joy \u{1F600}', 'pictographs DejaVu has (☺, 😀) stay');
    assert.equal(cleanText('🎉🎉'), '');
    assert.match(leaderboardSvg({ title: 'B', rows: [row(1, '🎉🎉', 1)] }).svg, />\(no name\)</);
  });

  it('draws with the slim fonts exactly as with the full ones, and uses the full ones for anything else', () => {
    // Joining Arabic, pointed Hebrew (composed by the shaper into U+FB2C and kin), ligatures, stacked and stray
    // combining marks, Vietnamese, Serbian forms: each a way a shaper reaches glyphs that no kept character maps to.
    const lines = [
      'Ada Zoë Müller AVA Tom fi ffl Ŀl ǅ Å',
      'محمد عبد الرحمن العبدالله لا ـــ',
      'שרה כהן בְּרֵאשִׁית שּׁ (דוד)',
      'Ελένη ᾯ Иван Ђорђе Ѓ б Nguyễn Thị Hồng',
      '\u0301x i\u0307 q\u0323\u0302 =\u0338 — · … € “quotes” ‹›',
      '0123456789 ,.;:!?@#$%^*()[]{}',
    ];
    const svg = [
      `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="${lines.length * 80}" font-family="${FONT_FAMILY}">`,
      ...lines.flatMap((line, i) => [
        `<text x="8" y="${36 + 80 * i}" font-size="26">${line}</text>`,
        `<text x="8" y="${72 + 80 * i}" font-size="26" font-weight="bold">${line}</text>`,
      ]),
      '</svg>',
    ].join('\n');
    const slim = fontFilesFor(svg);
    assert.notDeepEqual(slim, RENDER.font.fontFiles, 'slim fonts chosen (is the temp dir writable?)');
    assert.ok(pixels(svg, slim).equals(pixels(svg)), 'same pixels');

    for (const outside of ['王芳', '☺', '\u{1F600}']) assert.deepEqual(fontFilesFor(`Ada ${outside}`), RENDER.font.fontFiles, outside);
  });

  it(`refuses more than ${MAX_PICTURE_ROWS} rows with a clear error`, () => {
    const rows = Array.from({ length: MAX_PICTURE_ROWS + 1 }, (_, i) => row(i + 1, `Learner ${i}`, 100 - i));
    assert.throws(() => leaderboardSvg({ title: 'Too many', rows }), /at most 30 rows fit in one picture, got 31/);
    const { height } = leaderboardSvg({ title: 'Just enough', rows: rows.slice(0, MAX_PICTURE_ROWS) });
    assert.ok(height > leaderboardSvg({ title: 'Short', rows: rows.slice(0, 10) }).height);
  });
});
