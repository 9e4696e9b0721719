import { UNSAFE_CHARACTERS } from './options.ts';

/** Slack's longest display name; Discord's are shorter. Longer names are cut so boards and lists stay readable. */
export const MAX_DISPLAY_NAME = 80;

/**
 * A platform's display name as we store and show it: without control or text-direction characters (a name that
 * reads backwards or breaks a line misleads everyone who sees a board), spaces collapsed, cut to a bounded length,
 * and never empty.
 */
export function plainDisplayName(name: string, fallback: string): string {
  const plain = name.replace(new RegExp(UNSAFE_CHARACTERS.source, 'gu'), ' ').replace(/\s+/gu, ' ').trim();
  const chars = [...plain];
  const cut = chars.length > MAX_DISPLAY_NAME ? `${chars.slice(0, MAX_DISPLAY_NAME - 1).join('').trimEnd()}…` : plain;
  return cut || fallback;
}
