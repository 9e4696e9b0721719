-- A cohort's board on the web: off until an organiser publishes it. The public id is random (never the row id), so
-- an unpublished or unknown board cannot be found by counting.
ALTER TABLE cohorts ADD COLUMN public_id TEXT;
ALTER TABLE cohorts ADD COLUMN board_published INTEGER NOT NULL DEFAULT 0 CHECK (board_published IN (0, 1));
CREATE UNIQUE INDEX cohorts_public_id ON cohorts (public_id) WHERE public_id IS NOT NULL;
