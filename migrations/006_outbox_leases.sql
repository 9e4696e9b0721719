-- Outbox rows are claimed with a lease before sending, so two workers never send one row, and a row whose sender
-- died is taken up again once its lease has run out.
ALTER TABLE outbox ADD COLUMN lease_until TEXT;
-- The first attempt's start: once set, an earlier attempt may have reached the platform, and a platform without
-- an idempotency key (Slack) looks for the message before posting it again.
ALTER TABLE outbox ADD COLUMN first_attempt_at TEXT;
-- Retries go on for a day from here: the creation time, or when an organiser last asked to resend it.
ALTER TABLE outbox ADD COLUMN retry_since TEXT;
CREATE INDEX outbox_failed ON outbox (cohort_id, status);
