import os from 'node:os';
import { DateTime } from 'luxon';
import type { Cohort } from './core/cohort.ts';
import type { Store } from './store/store.ts';

/** Where the terminal user sits: one demo cohort, bound to this pseudo channel. */
export const LOCAL_PLACE = { workspaceId: 'local', channelId: 'terminal' } as const;

/** The machine's own zone, so a newcomer's demo schedule reads in their local time. */
export function machineTimezone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function localUser(): { id: string; displayName: string } {
  const name = safeUsername();
  return { id: `local:${name}`, displayName: name };
}

function safeUsername(): string {
  try {
    return os.userInfo().username || 'you';
  } catch {
    return 'you';
  }
}

/**
 * The cohort local mode runs: created on first start (starting Monday of this week, posts Mondays 09:00, in the
 * machine's zone) and found again on every later start, so the SQLite file remembers it.
 */
export function ensureDemoCohort(store: Store, now: Date, timezone: string): { cohort: Cohort; created: boolean } {
  const existing = store.cohorts.findByChannel('console', LOCAL_PLACE.workspaceId, LOCAL_PLACE.channelId);
  if (existing) return { cohort: existing, created: false };
  const monday = DateTime.fromJSDate(now, { zone: timezone }).startOf('week');
  const cohort = store.cohorts.create(
    {
      platform: 'console',
      ...LOCAL_PLACE,
      name: 'Demo cohort',
      startDate: monday.toISODate() ?? '1970-01-01',
      timezone,
      postWeekday: 1,
      postTime: '09:00',
    },
    now,
  );
  return { cohort, created: true };
}
