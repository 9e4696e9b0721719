-- The last time someone ran an action that costs GitHub requests (e.g. 'link-github:<learner id>'), so one sender
-- cannot spend the bot's allowance by repeating it.
CREATE TABLE rate_limits (
  key      TEXT PRIMARY KEY,
  last_at  TEXT NOT NULL
);
