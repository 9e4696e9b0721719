-- What a webhook delivery asks for, stored with its id in one transaction: a crash after GitHub got its 202 loses
-- nothing, because pending work is picked up at start, and a redelivery of unprocessed work is processed.
ALTER TABLE github_deliveries ADD COLUMN repo TEXT;          -- owner/name to sync, lower case; NULL: nothing to do
ALTER TABLE github_deliveries ADD COLUMN processed_at TEXT;  -- NULL while its sync has not finished
UPDATE github_deliveries SET processed_at = received_at;
CREATE INDEX github_deliveries_pending ON github_deliveries (repo) WHERE processed_at IS NULL;
