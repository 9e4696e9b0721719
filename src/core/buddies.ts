/**
 * Study buddies: opted-in learners in pairs (a trio when their number is odd), avoiding anyone a learner was paired
 * with before while that is possible. Pure and seeded: the same people, history and seed give the same groups.
 */

/** A pair as one key, whichever order: `3-8`. */
export function pairKey(a: number, b: number): string {
  return a < b ? `${a}-${b}` : `${b}-${a}`;
}

/** Every pair inside the groups, as keys: what the next round avoids. */
export function pairsOf(groups: readonly (readonly number[])[]): Set<string> {
  const keys = new Set<string>();
  for (const group of groups) for (const [i, a] of group.entries()) for (const b of group.slice(i + 1)) keys.add(pairKey(a, b));
  return keys;
}

/** Shuffled attempts tried; the one with the fewest repeated pairs wins (the first with none stops the search). */
const ATTEMPTS = 400;

export function pairBuddies(learners: readonly number[], before: ReadonlySet<string>, seed: number): number[][] {
  if (learners.length < 2) return [];
  const random = seeded(seed);
  let best: { groups: number[][]; repeats: number } | undefined;
  for (let attempt = 0; attempt < ATTEMPTS && best?.repeats !== 0; attempt++) {
    const groups = greedyGroups(shuffle([...learners].sort((a, b) => a - b), random), before);
    const repeats = [...pairsOf(groups)].filter((key) => before.has(key)).length;
    if (!best || repeats < best.repeats) best = { groups, repeats };
  }
  return best?.groups ?? [];
}

/** Each learner in turn takes the first later learner not met before (else the first free one); an odd one out joins the last pair. */
function greedyGroups(order: number[], before: ReadonlySet<string>): number[][] {
  const free = [...order];
  const groups: number[][] = [];
  while (free.length >= 2) {
    const a = free.shift() as number;
    const index = Math.max(0, free.findIndex((b) => !before.has(pairKey(a, b))));
    const [b] = free.splice(index, 1) as [number];
    groups.push([a, b]);
  }
  if (free.length === 1) {
    // The trio: the group where the odd one out has met the fewest.
    const odd = free[0] as number;
    const met = (group: number[]) => group.filter((m) => before.has(pairKey(odd, m))).length;
    const target = groups.reduce((fewest, group) => (met(group) < met(fewest) ? group : fewest), groups[groups.length - 1] as number[]);
    target.push(odd);
  }
  return groups;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** A small seeded generator (mulberry32): reproducible groups from the cohort and module. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
