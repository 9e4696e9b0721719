-- For private nudges: when a learner's repo head last changed (a push), and how many consecutive commits an
-- exercise has failed on (reset by any other verdict).
ALTER TABLE github_sync_state ADD COLUMN head_changed_at TEXT;
ALTER TABLE exercise_results ADD COLUMN failed_streak INTEGER NOT NULL DEFAULT 0;
