-- People who may run a cohort besides the platform's own admins (Manage Server on Discord, Slack workspace admins):
-- whoever created it, and whoever they add.
CREATE TABLE cohort_organisers (
  cohort_id         INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
  platform_user_id  TEXT    NOT NULL,
  added_by          TEXT,
  added_at          TEXT    NOT NULL,
  PRIMARY KEY (cohort_id, platform_user_id)
);
