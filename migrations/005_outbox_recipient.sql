-- A message for one person rather than the channel (a direct message on Discord and Slack), e.g. telling a learner
-- why a passing check did not count. NULL: the cohort's channel.
ALTER TABLE outbox ADD COLUMN recipient_user_id TEXT;
