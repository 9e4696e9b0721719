import { FONT_FAMILY } from './fonts.ts';
import { cleanText, escapeXml, fitText, textWidth } from './text.ts';

export interface PictureRow {
  rank: number;
  name: string;
  points: number;
  modulesFinished: number;
  totalModules: number;
  /** Consecutive cohort weeks with a first pass (see weeklyStreak). */
  streak: number;
  exercisesDone: number;
  totalExercises: number;
  /** The row of whoever asked: banded and drawn in a second colour. */
  highlighted?: boolean;
}

export interface LeaderboardPicture {
  title: string;
  subtitle?: string;
  rows: PictureRow[];
}

/** More rows would make a picture too tall to read once a chat client shrinks it to fit a phone. */
export const MAX_PICTURE_ROWS = 30;

// Chat clients show an 800 px image at ~350 css px on a phone, so every size here is about 2.3× what it should
// look like there: 26 px names read as ~11 px text, the 21 px detail as ~9 px.
const WIDTH = 800;
const PAD = 24;
const ROW = 74;
const RANK_CX = 50;
const TRACK_X = 84;
const TRACK_W = WIDTH - PAD - TRACK_X;
const TRACK_Y = 6;
const TRACK_H = ROW - 2 * TRACK_Y;
const TEXT_X = TRACK_X + 16;
const POINTS_RIGHT = TRACK_X + TRACK_W - 16;
const GAP = 20;
const SIZE = { title: 32, subtitle: 22, caption: 19, name: 26, detail: 21, points: 28, rank: 22 };

// One light card, drawn by us, whatever the chat theme: dark text on white is the best contrast there is, and the
// border keeps the card's edge visible on a white (light-theme) background.
const COLOUR = {
  background: '#FFFFFF',
  border: '#CBD5E1',
  text: '#0F172A',
  muted: '#334155',
  subtle: '#64748B',
  track: '#F1F5F9',
  bar: '#93C5FD',
  band: '#FEF3C7',
  bandEdge: '#D97706',
  bandBar: '#FCD34D',
};
// Gold, silver, bronze: DejaVu has no medal emoji, so ranks 1–3 are discs with the number on them.
const MEDALS = [
  { fill: '#F2C230', edge: '#B8860B' },
  { fill: '#D5DBE3', edge: '#8A94A3' },
  { fill: '#E0A070', edge: '#A0522D' },
] as const;

const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * The leaderboard as an SVG for rasterisePng: one row per learner with rank, name, a bar proportional to points
 * (behind the text, so the bars get the full width), the points and a line of detail. Text is sized with the
 * DejaVu metrics the rasteriser uses and trimmed with … to fit. No rendering and no I/O beyond reading those
 * metrics once per process (fontMetrics): same input, same SVG.
 */
export function leaderboardSvg(input: LeaderboardPicture): { svg: string; width: number; height: number } {
  if (input.rows.length > MAX_PICTURE_ROWS) {
    throw new Error(`leaderboardSvg: at most ${MAX_PICTURE_ROWS} rows fit in one picture, got ${input.rows.length}; pass the top ${MAX_PICTURE_ROWS} (or the rows around the asker)`);
  }
  const subtitle = cleanText(input.subtitle ?? '');
  const headerHeight = subtitle ? 112 : 80;
  const height = headerHeight + Math.max(1, input.rows.length) * ROW + PAD;

  const caption = 'points';
  const captionY = subtitle ? 84 : 52;
  const captionWidth = textWidth(caption, SIZE.caption, 'regular');
  const textRoom = WIDTH - 2 * PAD;
  const parts = [
    `<rect width="${WIDTH}" height="${height}" fill="${COLOUR.background}"/>`,
    `<rect x="1" y="1" width="${WIDTH - 2}" height="${height - 2}" rx="12" fill="none" stroke="${COLOUR.border}" stroke-width="2"/>`,
    text(PAD, 52, fitText(cleanText(input.title), subtitle ? textRoom : textRoom - captionWidth - GAP, SIZE.title, 'bold'), SIZE.title, COLOUR.text, { bold: true }),
    subtitle ? text(PAD, 84, fitText(subtitle, textRoom - captionWidth - GAP, SIZE.subtitle, 'regular'), SIZE.subtitle, COLOUR.muted) : '',
    text(POINTS_RIGHT, captionY, caption, SIZE.caption, COLOUR.subtle, { anchor: 'end' }),
  ];

  if (input.rows.length === 0) {
    parts.push(text(TEXT_X, headerHeight + 44, 'No one on the board yet.', SIZE.name, COLOUR.muted));
  }
  const best = Math.max(0, ...input.rows.map((r) => finite(r.points)));
  input.rows.forEach((row, i) => parts.push(rowSvg(row, headerHeight + i * ROW, best)));

  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="${FONT_FAMILY}">`,
    ...parts.filter(Boolean),
    '</svg>',
  ].join('\n');
  return { svg, width: WIDTH, height };
}

function rowSvg(row: PictureRow, y: number, best: number): string {
  const points = finite(row.points);
  const parts: string[] = [];
  if (row.highlighted) {
    parts.push(`<rect class="highlight" x="8" y="1" width="${WIDTH - 16}" height="${ROW - 2}" rx="14" fill="${COLOUR.band}" stroke="${COLOUR.bandEdge}" stroke-width="3"/>`);
  }
  parts.push(`<rect x="${TRACK_X}" y="${TRACK_Y}" width="${TRACK_W}" height="${TRACK_H}" rx="10" fill="${COLOUR.track}"/>`);
  if (points > 0 && best > 0) {
    // At least a sliver, so 1 point beside 10,000 still shows as more than nothing.
    const width = Math.max(8, Math.round((TRACK_W * points) / best));
    parts.push(`<rect class="bar" x="${TRACK_X}" y="${TRACK_Y}" width="${width}" height="${TRACK_H}" rx="10" fill="${row.highlighted ? COLOUR.bandBar : COLOUR.bar}"/>`);
  }

  const medal = points > 0 && row.rank >= 1 && row.rank <= 3 ? MEDALS[row.rank - 1] : undefined;
  const rank = count.format(finite(row.rank));
  if (medal) {
    parts.push(`<circle class="medal" cx="${RANK_CX}" cy="${ROW / 2}" r="21" fill="${medal.fill}" stroke="${medal.edge}" stroke-width="2"/>`);
    parts.push(text(RANK_CX, ROW / 2 + 8, rank, SIZE.rank, COLOUR.text, { anchor: 'middle', bold: true }));
  } else {
    // Ranks past 999 (a slice from deep in a big cohort) shrink to stay inside their column.
    const size = Math.min(SIZE.rank, (SIZE.rank * 58) / textWidth(rank, SIZE.rank, 'bold'));
    parts.push(text(RANK_CX, ROW / 2 + size * 0.36, rank, size, COLOUR.muted, { anchor: 'middle', bold: true }));
  }

  const pointsText = count.format(points);
  parts.push(text(POINTS_RIGHT, ROW / 2 + 10, pointsText, SIZE.points, COLOUR.text, { anchor: 'end', bold: true, class: 'points' }));
  const room = POINTS_RIGHT - textWidth(pointsText, SIZE.points, 'bold') - GAP - TEXT_X;
  const name = fitText(cleanText(row.name) || '(no name)', room, SIZE.name, 'bold');
  parts.push(text(TEXT_X, 36, name, SIZE.name, COLOUR.text, { bold: true, class: 'name' }));
  parts.push(text(TEXT_X, 62, fitText(detail(row), room, SIZE.detail, 'regular'), SIZE.detail, COLOUR.muted));

  return `<g transform="translate(0 ${y})">\n${parts.join('\n')}\n</g>`;
}

/** "7/12 modules · 30/48 exercises · 3-week streak"; a streak only once there is one. */
function detail(row: PictureRow): string {
  const of = (done: number, total: number) => `${count.format(finite(done))}/${count.format(finite(total))}`;
  const streak = finite(row.streak);
  return [
    `${of(row.modulesFinished, row.totalModules)} modules`,
    `${of(row.exercisesDone, row.totalExercises)} exercises`,
    streak > 0 ? `${count.format(streak)}-week streak` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

/** A NaN or Infinity from upstream draws as 0, not as "NaN" or a bar off the card. */
function finite(n: number): number {
  return Number.isFinite(n) ? n : 0;
}

/** `class` is for tests and readers of the SVG; resvg ignores it. */
function text(x: number, y: number, content: string, size: number, fill: string, opts: { anchor?: 'middle' | 'end'; bold?: boolean; class?: string } = {}): string {
  const cls = opts.class ? `class="${opts.class}" ` : '';
  const anchor = opts.anchor ? ` text-anchor="${opts.anchor}"` : '';
  const weight = opts.bold ? ' font-weight="bold"' : '';
  return `<text ${cls}x="${x}" y="${round(y)}" font-size="${round(size)}"${weight}${anchor} fill="${fill}">${escapeXml(content)}</text>`;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
