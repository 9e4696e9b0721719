-- GitHub webhook deliveries already accepted, by X-GitHub-Delivery: a redelivery is acknowledged and not processed twice.
CREATE TABLE github_deliveries (
  delivery_id  TEXT PRIMARY KEY,
  event        TEXT NOT NULL,
  received_at  TEXT NOT NULL
);
