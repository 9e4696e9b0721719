-- /cohort settings: the rhythm of reminders, digests and nudges, per cohort (defaults as the code had them).
ALTER TABLE cohorts ADD COLUMN reminder_lead_hours INTEGER NOT NULL DEFAULT 48;
ALTER TABLE cohorts ADD COLUMN digest_enabled INTEGER NOT NULL DEFAULT 1;
ALTER TABLE cohorts ADD COLUMN digest_weekday INTEGER NOT NULL DEFAULT 5;
ALTER TABLE cohorts ADD COLUMN digest_time TEXT NOT NULL DEFAULT '17:00';
ALTER TABLE cohorts ADD COLUMN nudge_inactive_days INTEGER NOT NULL DEFAULT 7;
ALTER TABLE cohorts ADD COLUMN nudge_stuck_commits INTEGER NOT NULL DEFAULT 3;
