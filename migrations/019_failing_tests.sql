-- The failing tests of an exercise's latest failed CI run, read from the run's annotations: the run's id (so a
-- run's annotations are read once) and the names, as JSON {"names": [...], "more": n}. Null unless failed.
ALTER TABLE exercise_results ADD COLUMN failing_run_id INTEGER;
ALTER TABLE exercise_results ADD COLUMN failing_tests TEXT;
