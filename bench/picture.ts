import { Resvg } from '@resvg/resvg-js';
import { FONT_FAMILY, FONT_FILES } from '../src/picture/fonts.ts';
import { leaderboardSvg, type LeaderboardPicture } from '../src/picture/leaderboard-svg.ts';
import { leaderboardPng, rasterisePng } from '../src/picture/rasterise.ts';
import { measure, printTable, type Timing } from './measure.ts';

/**
 * The leaderboard picture at 10 and 30 rows, each beside rasterising a blank SVG of the same size (background only)
 * in the same run: the baseline is the fixed cost of a canvas that size and its PNG encoding, so the gap is what the
 * text and bars cost. Also: building the SVG alone, and the 30-row picture drawn with the full DejaVu files instead
 * of the slim copies (see slimFont), which is what any text outside the slim fonts' scripts costs.
 */
export async function benchPicture(): Promise<void> {
  const rows: Timing[] = [];
  for (const count of [10, 30]) {
    const input = picture(count);
    const { svg, width, height } = leaderboardSvg(input);
    const blank = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="${width}" height="${height}" fill="#FFFFFF"/></svg>`;
    rows.push(await measure(`baseline: blank ${width}×${height} SVG → PNG`, 30, () => rasterisePng(blank)));
    rows.push(await measure(`leaderboardPng, ${count} rows (${width}×${height})`, 30, () => leaderboardPng(input)));
    rows.push(await measure(`leaderboardSvg only, ${count} rows`, 200, () => leaderboardSvg(input)));
    if (count === 30) {
      const font = { fontFiles: [FONT_FILES.regular, FONT_FILES.bold], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY };
      rows.push(await measure(`same ${count} rows, full font files`, 30, () => new Resvg(svg, { font }).render().asPng()));
    }
  }
  printTable('Picture: the leaderboard as a PNG', rows);
}

function picture(count: number): LeaderboardPicture {
  const names = ['Ada Lovelace', 'Grace Hopper', 'Zoë Müller-Lüdenscheidt', 'שרה כהן', 'Ana Souza 🚀', 'Linus <Torvalds>', 'Margaret Hamilton-Longname-Example'];
  return {
    title: 'Rust Systems Engineering — week 6',
    subtitle: 'Spring 2027 cohort · 42 learners',
    rows: Array.from({ length: count }, (_, i) => ({
      rank: i + 1,
      name: `${names[i % names.length]} ${i}`,
      points: Math.max(0, 1500 - i * 55),
      modulesFinished: 12 - Math.floor(i / 3),
      totalModules: 12,
      streak: i % 5,
      exercisesDone: 48 - i,
      totalExercises: 48,
      highlighted: i === 7,
    })),
  };
}
