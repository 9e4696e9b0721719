import { Resvg } from '@resvg/resvg-js';
import { FONT_FAMILY, fontFilesFor } from './fonts.ts';
import { leaderboardSvg, type LeaderboardPicture } from './leaderboard-svg.ts';

/**
 * An SVG as a PNG at its own size (1 SVG px = 1 image px), drawn with DejaVu Sans only. System fonts stay off: they
 * would make the picture depend on the machine, and scanning them costs more than the render. resvg-js takes font
 * paths, not buffers, in Node (its options cross to Rust as JSON), so it opens the files on each render.
 */
export function rasterisePng(svg: string): Buffer {
  const font = { fontFiles: fontFilesFor(svg), loadSystemFonts: false, defaultFontFamily: FONT_FAMILY };
  return new Resvg(svg, { font, fitTo: { mode: 'original' } }).render().asPng();
}

/** The leaderboard as a PNG to attach to a chat message; width and height are the PNG's. */
export function leaderboardPng(input: LeaderboardPicture): { png: Buffer; width: number; height: number } {
  const { svg, width, height } = leaderboardSvg(input);
  return { png: rasterisePng(svg), width, height };
}
