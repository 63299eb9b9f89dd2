-- seller-healthd schema, version 1.
-- Every timestamp is an INTEGER of seconds since the Unix epoch (UTC).
-- Booleans are INTEGER 0/1. Marketplace IDs are Amazon's ("ATVPDKIKX0DER").

-- One row per imported file. A rejected file leaves no row: it changes nothing.
CREATE TABLE imports (
    id           INTEGER PRIMARY KEY,
    file_name    TEXT    NOT NULL,
    sha256       TEXT    NOT NULL,
    format       TEXT    NOT NULL,   -- all_orders, unshipped, feedback, account_health, shipments, defects, messages
    imported_at  INTEGER NOT NULL,
    row_count    INTEGER NOT NULL,
    order_count  INTEGER NOT NULL,
    result       TEXT    NOT NULL DEFAULT 'imported' CHECK (result IN ('imported'))
);
CREATE UNIQUE INDEX imports_by_sha256 ON imports(sha256);
CREATE INDEX imports_by_time ON imports(imported_at);

-- Orders from the All Orders report (and, until it arrives, the Unshipped report).
CREATE TABLE orders (
    order_id                 TEXT    PRIMARY KEY,
    marketplace_id           TEXT,             -- NULL: not an Amazon marketplace (never counted)
    sales_channel            TEXT    NOT NULL,
    fulfillment_channel      TEXT    NOT NULL CHECK (fulfillment_channel IN ('MFN', 'AFN')),
    purchased_at             INTEGER NOT NULL,
    order_status             TEXT    NOT NULL, -- Pending, Unshipped, PartiallyShipped, Shipping, Shipped, Cancelled
    is_cancelled             INTEGER NOT NULL, -- order_status is Cancelled/Canceled
    any_item_cancelled       INTEGER NOT NULL, -- some item-status is Cancelled
    buyer_requested_cancel   INTEGER NOT NULL,
    last_updated_at          INTEGER,          -- NULL when the source has no last-updated-date
    source                   TEXT    NOT NULL CHECK (source IN ('all_orders', 'unshipped')),
    import_id                INTEGER NOT NULL REFERENCES imports(id)
) WITHOUT ROWID;
CREATE INDEX orders_by_purchase ON orders(marketplace_id, fulfillment_channel, purchased_at);

CREATE TABLE order_items (
    order_id     TEXT    NOT NULL REFERENCES orders(order_id) ON DELETE CASCADE,
    item_key     TEXT    NOT NULL,  -- order-item-id, else sku|asin, else the row's position
    sku          TEXT,
    asin         TEXT,
    quantity     INTEGER,
    item_status  TEXT,
    PRIMARY KEY (order_id, item_key)
) WITHOUT ROWID;

-- Latest ship date from the Unshipped report's promise-date (a shipments row wins).
CREATE TABLE unshipped_orders (
    order_id                TEXT    PRIMARY KEY,
    promise_at              INTEGER NOT NULL,
    buyer_requested_cancel  INTEGER NOT NULL,
    import_id               INTEGER NOT NULL REFERENCES imports(id)
) WITHOUT ROWID;
CREATE INDEX unshipped_by_promise ON unshipped_orders(promise_at);

-- From the seller's shipping software. An order not imported yet may have one.
CREATE TABLE shipments (
    order_id         TEXT    PRIMARY KEY,
    latest_ship_at   INTEGER NOT NULL,
    confirmed_at     INTEGER,           -- NULL: not confirmed
    tracking_id      TEXT,
    carrier          TEXT,
    tracking_valid   INTEGER,           -- NULL: decided by tracking_id being non-empty
    import_id        INTEGER NOT NULL REFERENCES imports(id)
) WITHOUT ROWID;
-- Covering indexes: late dispatch and valid tracking read only these columns.
CREATE INDEX shipments_by_latest_ship ON shipments(latest_ship_at, confirmed_at);
CREATE INDEX shipments_by_confirmed ON shipments(confirmed_at, tracking_valid, tracking_id);

-- Negative feedback, A-to-z claims and chargebacks: one per (order, kind).
CREATE TABLE defects (
    order_id     TEXT    NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('negative_feedback', 'a_to_z_claim', 'chargeback')),
    occurred_at  INTEGER NOT NULL,
    status       TEXT    NOT NULL,  -- active/removed, open/granted/refunded/denied/withdrawn/protected, open/lost/reversed
    rating       INTEGER,           -- feedback only, 1-5
    counts       INTEGER NOT NULL,  -- 1 when this is a counting defect (spec/metrics.md)
    import_id    INTEGER NOT NULL REFERENCES imports(id),
    PRIMARY KEY (order_id, kind)
) WITHOUT ROWID;

CREATE TABLE messages (
    message_id          TEXT    PRIMARY KEY,
    order_id            TEXT,
    marketplace_id      TEXT,       -- NULL: the order's, else the configured default
    received_at         INTEGER NOT NULL,
    responded_at        INTEGER,    -- NULL: no reply yet
    no_response_needed  INTEGER NOT NULL,
    import_id           INTEGER NOT NULL REFERENCES imports(id)
) WITHOUT ROWID;
CREATE INDEX messages_by_received ON messages(received_at);

-- Amazon's own account-health report, one snapshot per imported document.
CREATE TABLE account_health_snapshots (
    id            INTEGER PRIMARY KEY,
    import_id     INTEGER NOT NULL REFERENCES imports(id),
    taken_at      INTEGER NOT NULL,   -- newest reportingDateTo in the document, else import time
    document      TEXT    NOT NULL    -- the JSON as received
);

CREATE TABLE account_health_metrics (
    snapshot_id     INTEGER NOT NULL REFERENCES account_health_snapshots(id) ON DELETE CASCADE,
    marketplace_id  TEXT    NOT NULL,
    metric          TEXT    NOT NULL,  -- our metric key where one matches, else Amazon's name
    channel         TEXT    NOT NULL,  -- MFN, AFN or all
    rate            REAL,
    status          TEXT,              -- Amazon's: GOOD, BAD, NONE, ...
    target          REAL,
    numerator       INTEGER,
    denominator     INTEGER,
    window_from     INTEGER,
    window_to       INTEGER,
    PRIMARY KEY (snapshot_id, marketplace_id, metric, channel, window_to)
);

CREATE TABLE account_statuses (
    snapshot_id     INTEGER NOT NULL REFERENCES account_health_snapshots(id) ON DELETE CASCADE,
    marketplace_id  TEXT    NOT NULL,
    status          TEXT    NOT NULL,  -- NORMAL, AT_RISK, DEACTIVATED
    PRIMARY KEY (snapshot_id, marketplace_id)
);

-- Every evaluation's results, for history charts and trend alerts.
CREATE TABLE metric_results (
    evaluated_at    INTEGER NOT NULL,
    metric          TEXT    NOT NULL,
    marketplace_id  TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    window_days     INTEGER NOT NULL,
    numerator       INTEGER NOT NULL,
    denominator     INTEGER NOT NULL,
    rate            REAL,
    status          TEXT    NOT NULL,
    headroom        INTEGER,
    PRIMARY KEY (metric, marketplace_id, channel, window_days, evaluated_at)
) WITHOUT ROWID;
CREATE INDEX metric_results_by_time ON metric_results(evaluated_at);
