-- Celebrations due at the same moment in one channel go out as one message. The rows sent together share a group
-- (the id of its first row) from their first attempt on, so a retry sends the same group under the same key.
ALTER TABLE outbox ADD COLUMN group_id INTEGER;
