import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import { FONT_FAMILY, FONT_FILES } from './fonts.ts';
import { leaderboardSvg, type LeaderboardPicture } from './leaderboard-svg.ts';

// Built once. resvg-js takes font paths, not buffers, in Node (its options cross to Rust as JSON), so each render
// opens the two files again; that costs ~0.2 ms. System fonts stay off: they would make the picture depend on the
// machine, and scanning them costs far more than the render.
const OPTIONS: ResvgRenderOptions = {
  font: { fontFiles: [FONT_FILES.regular, FONT_FILES.bold], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
  fitTo: { mode: 'original' },
};

/** An SVG as a PNG at its own size (1 SVG px = 1 image px), drawn with DejaVu Sans only. */
export function rasterisePng(svg: string): Buffer {
  return new Resvg(svg, OPTIONS).render().asPng();
}

/** The leaderboard as a PNG to attach to a chat message; width and height are the PNG's. */
export function leaderboardPng(input: LeaderboardPicture): { png: Buffer; width: number; height: number } {
  const { svg, width, height } = leaderboardSvg(input);
  return { png: rasterisePng(svg), width, height };
}
