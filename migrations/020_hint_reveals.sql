-- How far each learner got through an exercise's hints (/hint reveals the next one).
CREATE TABLE hint_reveals (
  learner_id  INTEGER NOT NULL REFERENCES learners(id) ON DELETE CASCADE,
  exercise_id TEXT    NOT NULL,
  revealed    INTEGER NOT NULL CHECK (revealed >= 1),
  first_at    TEXT    NOT NULL,
  last_at     TEXT    NOT NULL,
  PRIMARY KEY (learner_id, exercise_id)
);
