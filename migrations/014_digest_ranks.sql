-- The leaderboard's top as the last weekly digest showed it, so the next digest can say who moved up.
CREATE TABLE digest_ranks (
  cohort_id  INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
  learner_id INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
  rank       INTEGER NOT NULL,
  PRIMARY KEY (cohort_id, learner_id)
);
