-- The leaderboard's own row per learner: their score (points with on-time bonus), kept up to date so ranking
-- a cohort of 10,000 reads an index, not every pass. `stale` is set by triggers whenever a first pass is written,
-- by any writer; the next read of the board scores those learners again. `excluded` leaves a facilitator off it.
CREATE TABLE learner_scores (
  learner_id INTEGER PRIMARY KEY REFERENCES learners (id) ON DELETE CASCADE,
  cohort_id INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
  points INTEGER NOT NULL DEFAULT 0,
  bonus INTEGER NOT NULL DEFAULT 0,
  exercises INTEGER NOT NULL DEFAULT 0,
  modules_finished INTEGER NOT NULL DEFAULT 0,
  -- ISO time their points were reached; NULL without points.
  reached_at TEXT,
  stale INTEGER NOT NULL DEFAULT 1,
  excluded INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX learner_scores_rank ON learner_scores (cohort_id, excluded, points DESC, reached_at, learner_id);
CREATE INDEX learner_scores_stale ON learner_scores (cohort_id, stale) WHERE stale = 1;

-- The plan the cohort's scores were computed under (points and due instants); a different plan rescores them all.
ALTER TABLE cohorts ADD COLUMN score_plan TEXT;

INSERT INTO learner_scores (learner_id, cohort_id) SELECT id, cohort_id FROM learners;

CREATE TRIGGER learner_scores_on_join AFTER INSERT ON learners
BEGIN
  INSERT INTO learner_scores (learner_id, cohort_id, stale) VALUES (NEW.id, NEW.cohort_id, 0);
END;

CREATE TRIGGER learner_scores_on_first_pass AFTER INSERT ON exercise_results WHEN NEW.first_passed_at IS NOT NULL
BEGIN
  UPDATE learner_scores SET stale = 1 WHERE learner_id = NEW.learner_id;
END;

CREATE TRIGGER learner_scores_on_first_pass_update AFTER UPDATE OF first_passed_at ON exercise_results
WHEN NEW.first_passed_at IS NOT OLD.first_passed_at
BEGIN
  UPDATE learner_scores SET stale = 1 WHERE learner_id = NEW.learner_id;
END;
