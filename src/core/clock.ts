/** Where "now" comes from; injected so schedules and jobs are tested without waiting. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stays where it is set; for tests and benchmarks. */
export function fixedClock(start: Date): Clock & { set(instant: Date): void } {
  let current = start;
  return {
    now: () => new Date(current),
    set: (instant) => {
      current = instant;
    },
  };
}
