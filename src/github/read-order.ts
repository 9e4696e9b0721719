/**
 * Polls, webhook syncs, /sync and /cohort sync can read the same repo at once. A read that started later saw
 * GitHub no earlier than one that started before it, so a snapshot is recorded only if no read of that repo that
 * started after it has been recorded already: an older snapshot never overwrites a newer verdict.
 */
export function createReadOrder() {
  let started = 0;
  const recorded = new Map<string, number>();
  return {
    /** A ticket for reads starting now. */
    begin(): number {
      started += 1;
      return started;
    },
    /** Whether a snapshot read under `ticket` may be recorded for `repo`; if so, later-started reads still may. */
    mayRecord(repo: string, ticket: number): boolean {
      const key = repo.toLowerCase();
      if ((recorded.get(key) ?? 0) > ticket) return false;
      recorded.set(key, ticket);
      return true;
    },
  };
}
