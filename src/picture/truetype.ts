/** Just enough TrueType for the pictures: tables, the character map, advances, and slimFont. */

export interface Tables {
  get(tag: string): Buffer;
  all: Map<string, Buffer>;
}

export function readTables(ttf: Buffer): Tables {
  const all = new Map<string, Buffer>();
  for (let i = 0, n = ttf.readUInt16BE(4); i < n; i++) {
    const record = 12 + 16 * i;
    const offset = ttf.readUInt32BE(record + 8);
    all.set(ttf.toString('latin1', record, record + 4), ttf.subarray(offset, offset + ttf.readUInt32BE(record + 12)));
  }
  return {
    all,
    get(tag) {
      const table = all.get(tag);
      if (!table) throw new Error(`font has no ${tag} table`);
      return table;
    },
  };
}

/** Code point → glyph id from the format-12 cmap subtable. */
export function characterMap(cmap: Buffer): Map<number, number> {
  const map = new Map<number, number>();
  for (let i = 0, n = cmap.readUInt16BE(2); i < n; i++) {
    const subtable = cmap.readUInt32BE(8 + 8 * i);
    if (cmap.readUInt16BE(subtable) !== 12) continue;
    for (let g = 0, groups = cmap.readUInt32BE(subtable + 12); g < groups; g++) {
      const group = subtable + 16 + 12 * g;
      const first = cmap.readUInt32BE(group);
      const glyph = cmap.readUInt32BE(group + 8);
      for (let c = first, last = cmap.readUInt32BE(group + 4); c <= last; c++) map.set(c, glyph + c - first);
    }
  }
  return map;
}

/**
 * Every glyph any GSUB lookup can put out (ligatures, Arabic joining forms, localised forms…), whatever its input:
 * more than a kept text needs, but it needs no shaping logic to be sure nothing a kept character turns into is lost.
 */
function substitutionOutputs(gsub: Buffer, into: Set<number>): void {
  const u16 = (at: number) => gsub.readUInt16BE(at);
  const coverage = (at: number): number[] => {
    const glyphs: number[] = [];
    if (u16(at) === 1) for (let i = 0, n = u16(at + 2); i < n; i++) glyphs.push(u16(at + 4 + 2 * i));
    else for (let i = 0, n = u16(at + 2); i < n; i++) for (let g = u16(at + 4 + 6 * i); g <= u16(at + 6 + 6 * i); g++) glyphs.push(g);
    return glyphs;
  };
  const array = (at: number) => {
    for (let i = 0, n = u16(at); i < n; i++) into.add(u16(at + 2 + 2 * i));
  };
  const subtable = (type: number, at: number): void => {
    switch (type) {
      case 1:
        if (u16(at) === 1) for (const g of coverage(at + u16(at + 2))) into.add((g + gsub.readInt16BE(at + 4)) & 0xffff);
        else array(at + 4);
        return;
      case 2: // multiple: sequences of glyphs
      case 3: // alternate: sets of glyphs
        for (let i = 0, n = u16(at + 4); i < n; i++) array(at + u16(at + 6 + 2 * i));
        return;
      case 4: // ligature sets → ligatures, each starting with its output glyph
        for (let i = 0, n = u16(at + 4); i < n; i++) {
          const set = at + u16(at + 6 + 2 * i);
          for (let j = 0, m = u16(set); j < m; j++) into.add(u16(set + u16(set + 2 + 2 * j)));
        }
        return;
      case 7: // extension: the real subtable is further on
        subtable(u16(at + 2), at + gsub.readUInt32BE(at + 4));
        return;
      case 8: {
        const backtrack = u16(at + 4);
        const lookahead = at + 6 + 2 * backtrack;
        array(lookahead + 2 + 2 * u16(lookahead));
        return;
      }
      default: // 5 and 6 (contextual) only call other lookups, which are in the list themselves
    }
  };
  const lookups = u16(8);
  for (let i = 0, n = u16(lookups); i < n; i++) {
    const lookup = lookups + u16(lookups + 2 + 2 * i);
    for (let j = 0, m = u16(lookup + 4); j < m; j++) subtable(u16(lookup), lookup + u16(lookup + 6 + 2 * j));
  }
}

/**
 * A copy of a font with the outlines of glyphs we will not draw emptied out. Every table that shaping or layout
 * reads (cmap, hmtx, GSUB, GPOS, kern, name) is kept byte for byte and no glyph is renumbered, so text made of kept
 * characters draws exactly as with the full font (the picture test compares pixels); `keep` says which code points
 * must still draw.
 *
 * Why: the resvg-js build we use re-reads the whole font file for every glyph it outlines (fontdb without memmap),
 * so render time grows with file size × glyphs drawn. A 30-row board draws ~2,000 glyphs; at DejaVu's 750 KB that
 * was most of the render.
 */
export function slimFont(ttf: Buffer, keep: (codePoint: number) => boolean): Buffer {
  const tables = readTables(ttf);
  const head = Buffer.from(tables.get('head'));
  const glyphCount = tables.get('maxp').readUInt16BE(4);
  const loca = tables.get('loca');
  const glyf = tables.get('glyf');
  const longLoca = head.readInt16BE(50) === 1;
  const start = (g: number) => (longLoca ? loca.readUInt32BE(4 * g) : 2 * loca.readUInt16BE(2 * g));

  const kept = new Set<number>([0]); // .notdef: the box for anything missing
  for (const [codePoint, glyph] of characterMap(tables.get('cmap'))) if (keep(codePoint)) kept.add(glyph);
  if (tables.all.has('GSUB')) substitutionOutputs(tables.get('GSUB'), kept);
  // Composite glyphs (é = e + ´) are drawn from their components.
  const pending = [...kept];
  for (let glyph = pending.pop(); glyph !== undefined; glyph = pending.pop()) {
    let at = start(glyph);
    if (start(glyph + 1) <= at || glyf.readInt16BE(at) >= 0) continue;
    for (at += 10; ; ) {
      const flags = glyf.readUInt16BE(at);
      const component = glyf.readUInt16BE(at + 2);
      if (!kept.has(component)) {
        kept.add(component);
        pending.push(component);
      }
      at += 4 + (flags & 0x1 ? 4 : 2) + (flags & 0x8 ? 2 : flags & 0x40 ? 4 : flags & 0x80 ? 8 : 0);
      if (!(flags & 0x20)) break;
    }
  }

  const outlines: Buffer[] = [];
  const newLoca = Buffer.alloc(4 * (glyphCount + 1));
  let offset = 0;
  for (let g = 0; g < glyphCount; g++) {
    newLoca.writeUInt32BE(offset, 4 * g);
    if (!kept.has(g)) continue; // an empty outline: the glyph keeps its advance and draws nothing
    const outline = glyf.subarray(start(g), start(g + 1));
    outlines.push(outline, Buffer.alloc(-outline.length & 3));
    offset += (outline.length + 3) & ~3;
  }
  newLoca.writeUInt32BE(offset, 4 * glyphCount);
  head.writeInt16BE(1, 50); // loca is now always the 32-bit form

  // Glyph names (post format 2) are only for people editing the font: format 3 keeps the header and drops them.
  const post = Buffer.from(tables.get('post').subarray(0, 32));
  post.writeUInt32BE(0x00030000, 0);

  const out = new Map(tables.all);
  out.set('head', head).set('loca', newLoca).set('glyf', Buffer.concat(outlines)).set('post', post);
  return writeFont(out);
}

function writeFont(tables: Map<string, Buffer>): Buffer {
  const tags = [...tables.keys()].sort();
  const power = 2 ** Math.floor(Math.log2(tags.length));
  const directory = Buffer.alloc(12 + 16 * tags.length);
  directory.writeUInt32BE(0x00010000, 0);
  directory.writeUInt16BE(tags.length, 4);
  directory.writeUInt16BE(power * 16, 6);
  directory.writeUInt16BE(Math.log2(power), 8);
  directory.writeUInt16BE((tags.length - power) * 16, 10);
  const body: Buffer[] = [];
  let offset = directory.length;
  tags.forEach((tag, i) => {
    const data = tables.get(tag) ?? Buffer.alloc(0);
    const padded = Buffer.concat([data, Buffer.alloc(-data.length & 3)]);
    let sum = 0;
    for (let at = 0; at < padded.length; at += 4) sum = (sum + padded.readUInt32BE(at)) >>> 0;
    const record = 12 + 16 * i;
    directory.write(tag, record, 'latin1');
    directory.writeUInt32BE(sum, record + 4);
    directory.writeUInt32BE(offset, record + 8);
    directory.writeUInt32BE(data.length, record + 12);
    body.push(padded);
    offset += padded.length;
  });
  return Buffer.concat([directory, ...body]);
}
