import { randomBytes } from 'node:crypto';
import { calendarProblem } from '../core/calendar.ts';
import type { Cohort, CohortSettings, CohortStatus, Platform } from '../core/cohort.ts';
import type { Db } from './open-database.ts';

interface CohortRow {
  id: number;
  platform: Platform;
  workspace_id: string;
  channel_id: string;
  name: string;
  start_date: string;
  timezone: string;
  post_weekday: number;
  post_time: string;
  status: CohortStatus;
  created_at: string;
  public_id: string | null;
  board_published: number;
  skipped_slots: string;
  reminder_lead_hours: number;
  digest_enabled: number;
  digest_weekday: number;
  digest_time: string;
  nudge_inactive_days: number;
  nudge_stuck_commits: number;
}

export type NewCohort = Omit<Cohort, 'id' | 'status' | 'createdAt' | 'calendarProblem'>;

function toCohort(row: CohortRow): Cohort {
  const calendar = { startDate: row.start_date, timezone: row.timezone, postWeekday: row.post_weekday, postTime: row.post_time };
  return {
    id: row.id,
    platform: row.platform,
    workspaceId: row.workspace_id,
    channelId: row.channel_id,
    name: row.name,
    startDate: row.start_date,
    timezone: row.timezone,
    postWeekday: row.post_weekday,
    postTime: row.post_time,
    status: row.status,
    createdAt: new Date(row.created_at),
    calendarProblem: calendarProblem(calendar),
    skippedSlots: parseSlots(row.skipped_slots),
    settings: {
      reminderLeadHours: row.reminder_lead_hours,
      digest: { enabled: row.digest_enabled === 1, weekday: row.digest_weekday, time: row.digest_time },
      nudges: { inactiveDays: row.nudge_inactive_days, stuckCommits: row.nudge_stuck_commits },
    },
  };
}

/** The stored JSON array of skipped slots; anything else reads as none, so a bad row cannot stop the schedule. */
function parseSlots(json: string): number[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((n): n is number => Number.isInteger(n) && n >= 0) : [];
  } catch {
    return [];
  }
}

export function createCohortQueries(db: Db) {
  const setSettings = db.prepare<[{ id: number; lead: number; digestOn: number; weekday: number; time: string; inactive: number; stuck: number }]>(
    `UPDATE cohorts SET reminder_lead_hours = @lead, digest_enabled = @digestOn, digest_weekday = @weekday, digest_time = @time,
       nudge_inactive_days = @inactive, nudge_stuck_commits = @stuck WHERE id = @id`,
  );
  const setSkipped = db.prepare<[string, number]>('UPDATE cohorts SET skipped_slots = ? WHERE id = ?');
  const insert = db.prepare<[string, string, string, string, string, string, number, string, string], CohortRow>(
    `INSERT INTO cohorts (platform, workspace_id, channel_id, name, start_date, timezone, post_weekday, post_time, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  );
  const byId = db.prepare<[number], CohortRow>('SELECT * FROM cohorts WHERE id = ?');
  const byChannel = db.prepare<[string, string, string], CohortRow>(
    'SELECT * FROM cohorts WHERE platform = ? AND workspace_id = ? AND channel_id = ?',
  );
  const inWorkspace = db.prepare<[string, string], CohortRow>(
    'SELECT * FROM cohorts WHERE platform = ? AND workspace_id = ? ORDER BY id',
  );
  const active = db.prepare<[], CohortRow>("SELECT * FROM cohorts WHERE status = 'active' ORDER BY id");
  const setStatus = db.prepare<[string, number]>('UPDATE cohorts SET status = ? WHERE id = ?');
  const setTimezone = db.prepare<[string, number]>('UPDATE cohorts SET timezone = ? WHERE id = ?');
  const boardState = db.prepare<[number], { board_enabled: number; board_message_id: string | null; board_digest: string | null }>(
    'SELECT board_enabled, board_message_id, board_digest FROM cohorts WHERE id = ?',
  );
  const enableBoard = db.prepare<[number, number]>('UPDATE cohorts SET board_enabled = ? WHERE id = ?');
  const setBoardDigest = db.prepare<[string, number]>('UPDATE cohorts SET board_digest = ? WHERE id = ?');
  const withBoard = db.prepare<[], CohortRow>("SELECT * FROM cohorts WHERE board_enabled = 1 AND status = 'active' ORDER BY id");
  const publicIdOf = db.prepare<[number], { public_id: string | null }>('SELECT public_id FROM cohorts WHERE id = ?');
  const publish = db.prepare<[string, number, number]>('UPDATE cohorts SET public_id = coalesce(public_id, ?), board_published = ? WHERE id = ?');
  const byPublicId = db.prepare<[string], CohortRow>('SELECT * FROM cohorts WHERE public_id = ? AND board_published = 1');

  return {
    create(cohort: NewCohort, now: Date): Cohort {
      const row = insert.get(
        cohort.platform,
        cohort.workspaceId,
        cohort.channelId,
        cohort.name,
        cohort.startDate,
        cohort.timezone,
        cohort.postWeekday,
        cohort.postTime,
        now.toISOString(),
      );
      if (!row) throw new Error('INSERT … RETURNING gave no row');
      return toCohort(row);
    },
    findById(id: number): Cohort | undefined {
      const row = byId.get(id);
      return row && toCohort(row);
    },
    /** The cohort bound to a channel: how a platform event finds its cohort. */
    findByChannel(platform: Platform, workspaceId: string, channelId: string): Cohort | undefined {
      const row = byChannel.get(platform, workspaceId, channelId);
      return row && toCohort(row);
    },
    listInWorkspace(platform: Platform, workspaceId: string): Cohort[] {
      return inWorkspace.all(platform, workspaceId).map(toCohort);
    },
    listActive(): Cohort[] {
      return active.all().map(toCohort);
    },
    setStatus(id: number, status: CohortStatus): void {
      setStatus.run(status, id);
    },
    /** The cohort's self-updating board message: whether it is on, its platform message id, what it last showed. */
    board(id: number): { enabled: boolean; messageId: string | null; digest: string | null } {
      const row = boardState.get(id);
      return { enabled: row?.board_enabled === 1, messageId: row?.board_message_id ?? null, digest: row?.board_digest ?? null };
    },
    setBoardEnabled(id: number, enabled: boolean): void {
      enableBoard.run(enabled ? 1 : 0, id);
    },
    setBoardDigest(id: number, digest: string): void {
      setBoardDigest.run(digest, id);
    },
    /** Running cohorts whose board message keeps itself up to date. */
    listWithBoard(): Cohort[] {
      return withBoard.all().map(toCohort);
    },
    saveSettings(id: number, settings: CohortSettings): void {
      setSettings.run({
        id,
        lead: settings.reminderLeadHours,
        digestOn: settings.digest.enabled ? 1 : 0,
        weekday: settings.digest.weekday,
        time: settings.digest.time,
        inactive: settings.nudges.inactiveDays,
        stuck: settings.nudges.stuckCommits,
      });
    },
    /** Skips one more weekly slot: every release and due date from it on moves a week later. */
    skipSlot(cohort: Cohort, slot: number): void {
      setSkipped.run(JSON.stringify([...new Set([...(cohort.skippedSlots ?? []), slot])].sort((a, b) => a - b)), cohort.id);
    },
    setTimezone(id: number, timezone: string): void {
      setTimezone.run(timezone, id);
    },
    /**
     * Publishes or unpublishes the cohort's board on the web; returns its public id, random (128 bits) and kept
     * across unpublish and publish, so a shared link works again once it is back on.
     */
    setBoardPublished(id: number, published: boolean): string {
      publish.run(randomBytes(16).toString('base64url'), published ? 1 : 0, id);
      return publicIdOf.get(id)?.public_id ?? '';
    },
    /** A cohort whose board is published, by its public id; undefined for an unknown or unpublished one. */
    findPublishedBoard(publicId: string): Cohort | undefined {
      const row = byPublicId.get(publicId);
      return row && toCohort(row);
    },
    isBoardPublished(id: number): boolean {
      return (byId.get(id)?.board_published ?? 0) === 1;
    },
    /** The board's public id while it is published; undefined otherwise. */
    publishedBoardId(id: number): string | undefined {
      const row = byId.get(id);
      return row?.board_published === 1 ? (row.public_id ?? undefined) : undefined;
    },
  };
}

export type CohortQueries = ReturnType<typeof createCohortQueries>;
