-- A learner's request to link a GitHub repo, waiting for the one-time code to appear in it (/link-github verify).
CREATE TABLE github_link_requests (
  learner_id  INTEGER PRIMARY KEY REFERENCES learners (id) ON DELETE CASCADE,
  login       TEXT NOT NULL,
  repo        TEXT NOT NULL,  -- owner/name
  code        TEXT NOT NULL,
  issued_at   TEXT NOT NULL
);

-- What the last sync saw of a learner's repo: an unchanged head and check rollup need no closer look.
CREATE TABLE github_sync_state (
  learner_id    INTEGER PRIMARY KEY REFERENCES learners (id) ON DELETE CASCADE,
  head_sha      TEXT,
  rollup        TEXT,
  synced_at     TEXT,
  error         TEXT,    -- why the last sync could not read the repo, in words for the learner
  requested_at  TEXT     -- the learner's last /sync, for its once-a-minute limit
);

-- Webhooks name a repository; find its learners in every cohort.
CREATE INDEX learners_by_repo ON learners (lower(github_repo)) WHERE github_repo IS NOT NULL;
