-- Study buddies: who opted in (/buddy on), and the groups made at each module release (period `module-03`).
ALTER TABLE learners ADD COLUMN buddy_opt_in INTEGER NOT NULL DEFAULT 0;
CREATE TABLE buddy_groups (
  cohort_id  INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
  period     TEXT    NOT NULL,
  group_no   INTEGER NOT NULL,
  learner_id INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
  PRIMARY KEY (cohort_id, period, learner_id)
);
