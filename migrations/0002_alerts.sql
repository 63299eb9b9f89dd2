-- seller-healthd schema, version 2: alert lifecycle state and the delivery outbox.

-- One row per alert that is pending or firing. An alert is identified by its
-- fingerprint: "metric|marketplace|channel|window" for metric alerts,
-- "message_deadline|<message id>", "ship_deadline|<order id>", "stale_data".
CREATE TABLE alert_states (
    fingerprint             TEXT    PRIMARY KEY,
    kind                    TEXT    NOT NULL,  -- metric, message_deadline, ship_deadline, stale_data
    state                   TEXT    NOT NULL CHECK (state IN ('pending', 'firing')),
    severity                TEXT    NOT NULL CHECK (severity IN ('at_risk', 'breached')),
    pending_count           INTEGER NOT NULL,  -- consecutive evaluations holding
    episode_start           INTEGER NOT NULL,  -- when this episode began (the 'since')
    last_notified_at        INTEGER,           -- NULL: not notified in this episode yet
    last_notified_severity  TEXT,
    -- Highest severity notified in this episode: the resolved notice goes to
    -- the channels that heard of the episode (min_severity), and only to them.
    peak_notified_severity  TEXT,
    notifications           INTEGER NOT NULL DEFAULT 0,  -- notices sent this episode; numbers idempotency keys
    last_observation        TEXT,              -- JSON of the latest metric row, for the resolved notice;
                                               -- deadline alerts: {"expires_at": unix seconds}
    updated_at              INTEGER NOT NULL
) WITHOUT ROWID;

-- Notifications waiting for (or done with) delivery, one row per channel. The
-- row is written in the same transaction as the state change that causes it.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    channel_name     TEXT    NOT NULL,
    idempotency_key  TEXT    NOT NULL,
    payload          TEXT    NOT NULL,  -- the notification as JSON (lib/alerts/notification.hpp)
    severity         TEXT    NOT NULL,  -- highest severity inside, for min_severity and quiet hours
    created_at       INTEGER NOT NULL,  -- when it may first be sent (after quiet hours); max_delivery_age counts from it
    not_before       INTEGER NOT NULL,  -- quiet hours and retry backoff
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    delivered_at     INTEGER,
    dead_at          INTEGER,           -- gave up after max_delivery_age: the dead letter
    UNIQUE (channel_name, idempotency_key)
);
CREATE INDEX outbox_due ON outbox(not_before) WHERE delivered_at IS NULL AND dead_at IS NULL;

-- Episodes that ended, for the dashboard's "recent alerts".
CREATE TABLE alert_history (
    fingerprint    TEXT    NOT NULL,
    severity       TEXT    NOT NULL,
    episode_start  INTEGER NOT NULL,
    resolved_at    INTEGER NOT NULL,
    PRIMARY KEY (fingerprint, episode_start)
) WITHOUT ROWID;
