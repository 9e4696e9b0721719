-- The first schema. Times are ISO-8601 UTC strings; dates are local YYYY-MM-DD in the cohort's timezone.

CREATE TABLE cohorts (
  id            INTEGER PRIMARY KEY,
  platform      TEXT    NOT NULL CHECK (platform IN ('discord', 'slack', 'console')),
  workspace_id  TEXT    NOT NULL,  -- Discord guild, Slack team, 'local' for the terminal
  channel_id    TEXT    NOT NULL,
  name          TEXT    NOT NULL,
  start_date    TEXT    NOT NULL,
  timezone      TEXT    NOT NULL,
  post_weekday  INTEGER NOT NULL CHECK (post_weekday BETWEEN 1 AND 7),  -- ISO: 1 = Monday
  post_time     TEXT    NOT NULL,  -- HH:MM local
  status        TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'finished')),
  created_at    TEXT    NOT NULL,
  UNIQUE (platform, workspace_id, channel_id)
);

CREATE TABLE learners (
  id                  INTEGER PRIMARY KEY,
  cohort_id           INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
  platform_user_id    TEXT    NOT NULL,
  display_name        TEXT    NOT NULL,
  github_login        TEXT,
  github_repo         TEXT,    -- owner/name
  github_verified_at  TEXT,
  reminders_opt_out   INTEGER NOT NULL DEFAULT 0 CHECK (reminders_opt_out IN (0, 1)),
  joined_at           TEXT    NOT NULL,
  UNIQUE (cohort_id, platform_user_id)
);
-- One repo counts for one learner of a cohort; NULLs (not linked yet) do not collide.
CREATE UNIQUE INDEX learners_repo ON learners (cohort_id, lower(github_repo)) WHERE github_repo IS NOT NULL;

CREATE TABLE exercise_results (
  learner_id       INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
  exercise_id      TEXT    NOT NULL,
  status           TEXT    NOT NULL CHECK (status IN ('pending', 'passed', 'failed', 'tampered')),
  first_passed_at  TEXT,   -- credit is kept once set, whatever later runs say
  passed_commit    TEXT,
  last_commit      TEXT,
  detail           TEXT,
  updated_at       TEXT    NOT NULL,
  PRIMARY KEY (learner_id, exercise_id)
);

-- Durable outgoing channel messages: written before sending, delivered with retry, never twice.
CREATE TABLE outbox (
  id                   INTEGER PRIMARY KEY,
  cohort_id            INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
  kind                 TEXT    NOT NULL,  -- assignment, celebration, reminder, ...
  payload              TEXT    NOT NULL,  -- JSON of a neutral Reply
  status               TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts             INTEGER NOT NULL DEFAULT 0,
  next_attempt_at      TEXT    NOT NULL,
  last_error           TEXT,
  platform_message_id  TEXT,
  created_at           TEXT    NOT NULL,
  sent_at              TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- Claims a scheduled post once per cohort, kind and period (e.g. 'assignment', '2026-W50').
CREATE TABLE posts (
  id          INTEGER PRIMARY KEY,
  cohort_id   INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
  kind        TEXT    NOT NULL,
  period      TEXT    NOT NULL,
  outbox_id   INTEGER REFERENCES outbox (id) ON DELETE SET NULL,
  claimed_at  TEXT    NOT NULL,
  UNIQUE (cohort_id, kind, period)
);

-- Conditional GitHub requests: a 304 answer to a stored ETag costs no rate limit.
CREATE TABLE github_cache (
  url         TEXT PRIMARY KEY,
  etag        TEXT NOT NULL,
  body        TEXT NOT NULL,
  fetched_at  TEXT NOT NULL
);
