-- /sync's once-a-minute limit now lives in rate_limits (key 'sync:<learner id>') like /link-github's.
ALTER TABLE github_sync_state DROP COLUMN requested_at;
