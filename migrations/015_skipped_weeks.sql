-- Weekly slots an organiser skipped (/cohort skip), as a JSON array of slot numbers (0 = the first post).
ALTER TABLE cohorts ADD COLUMN skipped_slots TEXT NOT NULL DEFAULT '[]';
