import { leaderboardSvg, type LeaderboardPicture } from '../src/picture/leaderboard-svg.ts';
import { leaderboardPng, rasterisePng } from '../src/picture/rasterise.ts';
import { measure, printTable } from './measure.ts';

/**
 * The leaderboard picture at 10 and 30 rows, each beside rasterising a blank SVG of the same size (background
 * only) in the same run: the baseline is the fixed cost of a canvas that size plus its PNG encoding, so the gap
 * is what the text and bars cost. Building the SVG alone is shown too.
 */
export async function benchPicture(): Promise<void> {
  const rows: Awaited<ReturnType<typeof measure>>[] = [];
  for (const count of [10, 30]) {
    const input = picture(count);
    const { width, height } = leaderboardSvg(input);
    const blank = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="${width}" height="${height}" fill="#FFFFFF"/></svg>`;
    rows.push(await measure(`baseline: blank ${width}×${height} SVG → PNG`, 30, () => rasterisePng(blank)));
    rows.push(await measure(`leaderboardPng, ${count} rows (${width}×${height})`, 30, () => leaderboardPng(input)));
    rows.push(await measure(`leaderboardSvg only, ${count} rows`, 200, () => leaderboardSvg(input)));
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

if (import.meta.url === `file://${process.argv[1]}`) await benchPicture();
