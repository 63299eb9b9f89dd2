-- seller-healthd schema, version 7: the outbox as an explicit state machine
-- (docs/alerts.md, "The outbox state machine").
--
-- state: pending (due at not_before), held (quiet hours, until not_before),
-- claimed (an attempt in flight until lease_until), delivered, retry (a failed
-- or cut-off attempt, due again at not_before), dead, superseded (a held
-- notice made obsolete by a newer one of the same alerts, never sent).
ALTER TABLE outbox ADD COLUMN state TEXT NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'held', 'claimed', 'delivered', 'retry', 'dead', 'superseded'));
ALTER TABLE outbox ADD COLUMN lease_until INTEGER;     -- claimed: the attempt is owned until then
ALTER TABLE outbox ADD COLUMN claimed_at INTEGER;      -- claimed: when the attempt began
ALTER TABLE outbox ADD COLUMN superseded_by INTEGER;   -- superseded: the newer row's id
ALTER TABLE outbox ADD COLUMN superseded_at INTEGER;

-- Rows written before this version: their state from the old columns. A row
-- waiting with no attempt yet and a future not_before was held for quiet hours
-- (or claimed by a send that was cut off: both are due at not_before).
UPDATE outbox SET state = CASE
    WHEN delivered_at IS NOT NULL THEN 'delivered'
    WHEN dead_at IS NOT NULL THEN 'dead'
    WHEN attempts > 0 THEN 'retry'
    WHEN not_before > CAST(strftime('%s', 'now') AS INTEGER) THEN 'held'
    ELSE 'pending' END;

CREATE INDEX outbox_open ON outbox(channel_name, id)
    WHERE state IN ('pending', 'held', 'claimed', 'retry');
