-- seller-healthd schema, version 12: digest channels (docs/alerts.md,
-- "Digest channels"; lib/alerts/digest_schedule.hpp).
--
-- digest_items: every change routing gave a digest channel, recorded in the
-- cycle that decided it instead of an outbox row. payload is the change as
-- the notification JSON writes it; item_key (its fingerprint, episode start,
-- transition and number) makes a cycle run twice record it once. digest_key
-- is the idempotency key of the digest that carried it, NULL until then.
CREATE TABLE digest_items (
    id INTEGER PRIMARY KEY,
    channel_name TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    transition TEXT NOT NULL CHECK (transition IN ('firing', 'repeat', 'escalated', 'resolved')),
    severity TEXT NOT NULL CHECK (severity IN ('at_risk', 'breached')),
    decided_at INTEGER NOT NULL,
    payload TEXT NOT NULL,
    item_key TEXT NOT NULL,
    digest_key TEXT,
    UNIQUE (channel_name, item_key)
);
CREATE INDEX digest_items_open ON digest_items (channel_name, digest_key, decided_at);

-- digest_channels: per digest channel, the decision time of its last digest
-- (or when the channel was first seen), so a digest is due at the first
-- cycle after a scheduled hour later than that; and the local date of the
-- last digest sent.
CREATE TABLE digest_channels (
    channel_name TEXT PRIMARY KEY,
    covered_until INTEGER NOT NULL,
    last_local_date TEXT
);
