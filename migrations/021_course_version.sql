-- Which version of the course's workflow a learner's repo held at the head last read: 'earlier' (a published
-- version, not today's) has no check for the exercises added since, so they cannot count until the repo is updated
-- (`npm run starter -- --update`). NULL: not read yet, or the workflow is missing or changed.
ALTER TABLE github_sync_state ADD COLUMN course_version TEXT CHECK (course_version IN ('current', 'earlier'));
