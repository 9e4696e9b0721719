-- One self-updating board message per cohort (/cohort board): where it is, and what it last showed.
ALTER TABLE cohorts ADD COLUMN board_message_id TEXT;
ALTER TABLE cohorts ADD COLUMN board_enabled INTEGER NOT NULL DEFAULT 0;
-- A digest of the board as last queued, so an unchanged board is not edited.
ALTER TABLE cohorts ADD COLUMN board_digest TEXT;

-- An outbox message that replaces an earlier one on the platform (the board's message id) instead of posting.
ALTER TABLE outbox ADD COLUMN edit_of TEXT;

-- The board message's id is whatever its latest delivery answered: the same when edited, a new one when the old
-- message had been deleted and was posted again. Set in the transaction that marks it sent, so it is never lost.
CREATE TRIGGER board_message_sent AFTER UPDATE OF status ON outbox
WHEN NEW.kind = 'board' AND NEW.status = 'sent' AND NEW.platform_message_id IS NOT NULL
BEGIN
  UPDATE cohorts SET board_message_id = NEW.platform_message_id WHERE id = NEW.cohort_id;
END;
