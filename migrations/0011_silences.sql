-- seller-healthd schema, version 11: silences and acknowledgements
-- (docs/alerts.md, "Silences and acknowledgements"; lib/alerts/silences.hpp).
--
-- A silence keeps notices of the alerts it matches from being written to the
-- outbox while it is active (starts_at <= now < ends_at, not expired). The
-- matchers are the keys of a channel's `match` plus `alert` (a fingerprint),
-- as JSON: {"marketplace": [...], "metric": [...], "severity": [...],
-- "kind": [...], "alert": [...]}; an absent key matches everything.
CREATE TABLE silences (
    id          INTEGER PRIMARY KEY,
    matchers    TEXT    NOT NULL,
    starts_at   INTEGER NOT NULL,
    ends_at     INTEGER NOT NULL CHECK (ends_at > starts_at),
    comment     TEXT    NOT NULL DEFAULT '',
    created_by  TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    expired_at  INTEGER  -- `silence expire`: ended early at this time
);

-- An acknowledgement belongs to one episode of one alert (fingerprint and
-- episode_start): it stops repeat notices while the alert's severity stays
-- acked_severity. ended_at is set when the severity changed; a new episode
-- has another episode_start, so it starts unacknowledged.
CREATE TABLE alert_acks (
    fingerprint     TEXT    NOT NULL,
    episode_start   INTEGER NOT NULL,
    acked_severity  TEXT    NOT NULL CHECK (acked_severity IN ('at_risk', 'breached')),
    acked_at        INTEGER NOT NULL,
    comment         TEXT    NOT NULL DEFAULT '',
    created_by      TEXT    NOT NULL DEFAULT '',
    ended_at        INTEGER,
    PRIMARY KEY (fingerprint, episode_start)
) WITHOUT ROWID;
