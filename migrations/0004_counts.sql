-- seller-healthd schema, version 4: the counts the metrics need, kept as the
-- records change.
--
-- metric_counts holds, per marketplace, channel and time bucket, the counts of
-- spec/metrics.md as they stand when every event recorded has happened (as of
-- the end of time): orders and their defects and cancellations by purchase
-- date, late dispatches by latest ship date, valid tracking by confirmation,
-- messages by receipt. Each row of count_contributions (the views below) adds
-- to the bucket of its `at`. A bucket of `span` seconds numbered b holds
-- (b * span, (b + 1) * span], like the windows (T - N days, T]; every change
-- is counted twice, in its day (span 86400) and in its hour (span 3600), so a
-- window whose ends are not midnight sums whole days and the hours of its two
-- edge days (lib/metrics/kept_counts.hpp). What depends on T itself (a defect
-- or a reply after T, an order not confirmed yet) is read from the records at
-- evaluation.
--
-- The triggers keep the counts in the transaction that changes a record,
-- whoever writes it: for a change to anything an order's counts depend on they
-- take that order's contributions away before and add them back after. The
-- rule they keep: metric_counts = the sum of count_contributions per bucket
-- (`seller-healthd check-db` recounts it).
--
-- marketplace_id '' holds the messages that fall to the configured default
-- marketplace (spec/metrics.md, response_rate_24h), which the database does
-- not know.
CREATE TABLE metric_counts (
    span               INTEGER NOT NULL CHECK (span IN (86400, 3600)),
    marketplace_id     TEXT    NOT NULL,
    channel            TEXT    NOT NULL CHECK (channel IN ('MFN', 'AFN', 'all')),
    bucket             INTEGER NOT NULL,
    orders             INTEGER NOT NULL DEFAULT 0,  -- by purchase date, any status
    defective          INTEGER NOT NULL DEFAULT 0,  -- of those, with a counting defect
    negative_feedback  INTEGER NOT NULL DEFAULT 0,
    a_to_z_claim       INTEGER NOT NULL DEFAULT 0,
    chargeback         INTEGER NOT NULL DEFAULT 0,
    cancelled          INTEGER NOT NULL DEFAULT 0,  -- MFN, cancelled, not at the buyer's request
    dispatch_counted   INTEGER NOT NULL DEFAULT 0,  -- by latest ship date
    dispatch_late      INTEGER NOT NULL DEFAULT 0,
    confirmed          INTEGER NOT NULL DEFAULT 0,  -- shipments by confirmation time
    tracked            INTEGER NOT NULL DEFAULT 0,  -- of those, with valid tracking
    messages           INTEGER NOT NULL DEFAULT 0,  -- by receipt, every message
    answerable         INTEGER NOT NULL DEFAULT 0,  -- not "no response needed"
    on_time            INTEGER NOT NULL DEFAULT 0,  -- answered within 24 h
    PRIMARY KEY (span, marketplace_id, channel, bucket)
) WITHOUT ROWID;

-- The two bucket sizes, joined by the triggers to write both rows.
CREATE TABLE count_spans (span INTEGER PRIMARY KEY);
INSERT INTO count_spans VALUES (86400), (3600);

-- Order IDs that some shipment, Unshipped row, defect or message (one that
-- takes its order's marketplace) names while the order is not stored. A new
-- order not listed here has nothing waiting for it, and the insert trigger
-- adds its counts from its own row alone. May hold more IDs than needed, never
-- fewer.
CREATE TABLE unlinked_orders (order_id TEXT PRIMARY KEY) WITHOUT ROWID;

-- What the evaluation and the triggers look up.
CREATE INDEX messages_by_order ON messages(order_id);
CREATE INDEX messages_by_response ON messages(responded_at);
CREATE INDEX defects_counting_by_time ON defects(occurred_at) WHERE counts = 1;

-- The contributions of the records: one view per attribution date. Columns:
-- the order (or message), marketplace, channel, `at` (the instant that picks
-- the bucket), then the counters of metric_counts.
CREATE VIEW count_arm_purchase AS
SELECT o.order_id AS order_id, o.marketplace_id AS marketplace_id,
       o.fulfillment_channel AS channel, o.purchased_at AS at,
       1 AS orders,
       EXISTS (SELECT 1 FROM defects AS d WHERE d.order_id = o.order_id AND +d.counts = 1) AS defective,
       EXISTS (SELECT 1 FROM defects AS d WHERE d.order_id = o.order_id AND d.kind = 'negative_feedback' AND +d.counts = 1) AS negative_feedback,
       EXISTS (SELECT 1 FROM defects AS d WHERE d.order_id = o.order_id AND d.kind = 'a_to_z_claim' AND +d.counts = 1) AS a_to_z_claim,
       EXISTS (SELECT 1 FROM defects AS d WHERE d.order_id = o.order_id AND d.kind = 'chargeback' AND +d.counts = 1) AS chargeback,
       (o.fulfillment_channel = 'MFN' AND (o.is_cancelled = 1 OR o.any_item_cancelled = 1)
         AND o.buyer_requested_cancel = 0
         AND NOT EXISTS (SELECT 1 FROM unshipped_orders AS u WHERE u.order_id = o.order_id
                         AND u.buyer_requested_cancel = 1)) AS cancelled,
       0 AS dispatch_counted,
       0 AS dispatch_late,
       0 AS confirmed,
       0 AS tracked,
       0 AS messages,
       0 AS answerable,
       0 AS on_time
  FROM orders AS o
 WHERE o.marketplace_id IS NOT NULL;

-- Late dispatch, by the shipments row's latest ship date (it wins over the
-- Unshipped report's promise date).
CREATE VIEW count_arm_ship_by AS
SELECT s.order_id AS order_id, o.marketplace_id AS marketplace_id, 'MFN' AS channel,
       s.latest_ship_at AS at,
       0 AS orders,
       0 AS defective,
       0 AS negative_feedback,
       0 AS a_to_z_claim,
       0 AS chargeback,
       0 AS cancelled,
       1 AS dispatch_counted,
       NOT (s.confirmed_at IS NOT NULL AND s.confirmed_at <= s.latest_ship_at) AS dispatch_late,
       0 AS confirmed,
       0 AS tracked,
       0 AS messages,
       0 AS answerable,
       0 AS on_time
  FROM shipments AS s CROSS JOIN orders AS o ON o.order_id = s.order_id
 WHERE o.fulfillment_channel = 'MFN' AND o.is_cancelled = 0 AND o.marketplace_id IS NOT NULL;

-- Late dispatch of an order with only an Unshipped-report row: never
-- confirmed, so late.
CREATE VIEW count_arm_promise AS
SELECT u.order_id AS order_id, o.marketplace_id AS marketplace_id, 'MFN' AS channel,
       u.promise_at AS at,
       0 AS orders,
       0 AS defective,
       0 AS negative_feedback,
       0 AS a_to_z_claim,
       0 AS chargeback,
       0 AS cancelled,
       1 AS dispatch_counted,
       1 AS dispatch_late,
       0 AS confirmed,
       0 AS tracked,
       0 AS messages,
       0 AS answerable,
       0 AS on_time
  FROM unshipped_orders AS u CROSS JOIN orders AS o ON o.order_id = u.order_id
 WHERE NOT EXISTS (SELECT 1 FROM shipments AS s WHERE s.order_id = u.order_id)
   AND o.fulfillment_channel = 'MFN' AND o.is_cancelled = 0 AND o.marketplace_id IS NOT NULL;

-- Valid tracking, by confirmation time.
CREATE VIEW count_arm_confirmed AS
SELECT s.order_id AS order_id, o.marketplace_id AS marketplace_id, 'MFN' AS channel,
       s.confirmed_at AS at,
       0 AS orders,
       0 AS defective,
       0 AS negative_feedback,
       0 AS a_to_z_claim,
       0 AS chargeback,
       0 AS cancelled,
       0 AS dispatch_counted,
       0 AS dispatch_late,
       1 AS confirmed,
       CASE WHEN s.tracking_valid IS NOT NULL THEN s.tracking_valid <> 0
         ELSE COALESCE(s.tracking_id, '') <> '' END AS tracked,
       0 AS messages,
       0 AS answerable,
       0 AS on_time
  FROM shipments AS s CROSS JOIN orders AS o ON o.order_id = s.order_id
 WHERE s.confirmed_at IS NOT NULL AND o.fulfillment_channel = 'MFN' AND o.is_cancelled = 0 AND o.marketplace_id IS NOT NULL;

-- Messages, by receipt. marketplace_id '' stands for the configured default
-- marketplace. `linked`: the message takes its order's marketplace, so the
-- order's changes move it.
CREATE VIEW count_arm_message AS
SELECT m.message_id AS message_id, m.order_id AS order_id,
       (COALESCE(m.marketplace_id, '') = '' AND COALESCE(m.order_id, '') <> '') AS linked,
       COALESCE(NULLIF(m.marketplace_id, ''),
                (SELECT o.marketplace_id FROM orders AS o WHERE o.order_id = m.order_id), '')
         AS marketplace_id,
       'all' AS channel, m.received_at AS at, m.responded_at AS responded_at,
       0 AS orders,
       0 AS defective,
       0 AS negative_feedback,
       0 AS a_to_z_claim,
       0 AS chargeback,
       0 AS cancelled,
       0 AS dispatch_counted,
       0 AS dispatch_late,
       0 AS confirmed,
       0 AS tracked,
       1 AS messages,
       m.no_response_needed = 0 AS answerable,
       (m.no_response_needed = 0 AND m.responded_at IS NOT NULL
         AND m.responded_at - m.received_at <= 86400) AS on_time
  FROM messages AS m;

-- Every contribution: what check-db recounts and compares with metric_counts.
CREATE VIEW count_contributions AS
SELECT marketplace_id, channel, at, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time FROM count_arm_purchase
UNION ALL SELECT marketplace_id, channel, at, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time FROM count_arm_ship_by
UNION ALL SELECT marketplace_id, channel, at, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time FROM count_arm_promise
UNION ALL SELECT marketplace_id, channel, at, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time FROM count_arm_confirmed
UNION ALL SELECT marketplace_id, channel, at, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time FROM count_arm_message;

-- orders. A new order with no other rows waiting for it (the common case of
-- an import) adds its purchase-date counts from its own row, without lookups.
CREATE TRIGGER orders_count_insert AFTER INSERT ON orders
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, NEW.marketplace_id, NEW.fulfillment_channel,
           CASE WHEN NEW.purchased_at > 0 THEN (NEW.purchased_at - 1) / sp.span
                ELSE -((sp.span - NEW.purchased_at) / sp.span) END,
           1, 0, 0, 0, 0, (NEW.fulfillment_channel = 'MFN' AND (NEW.is_cancelled = 1 OR NEW.any_item_cancelled = 1) AND NEW.buyer_requested_cancel = 0), 0, 0, 0, 0, 0, 0, 0
      FROM count_spans AS sp
     WHERE NEW.marketplace_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM unlinked_orders AS w WHERE w.order_id = NEW.order_id)
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM (SELECT m.order_id AS order_id, '' AS marketplace_id, 'all' AS channel, m.received_at AS at, 0 AS orders, 0 AS defective, 0 AS negative_feedback, 0 AS a_to_z_claim, 0 AS chargeback, 0 AS cancelled, 0 AS dispatch_counted, 0 AS dispatch_late, 0 AS confirmed, 0 AS tracked, 1 AS messages, (m.no_response_needed = 0) AS answerable, (m.no_response_needed = 0 AND m.responded_at IS NOT NULL AND m.responded_at - m.received_at <= 86400) AS on_time FROM messages AS m WHERE COALESCE(m.marketplace_id, '') = '') AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = NEW.order_id AND EXISTS (SELECT 1 FROM unlinked_orders AS w WHERE w.order_id = NEW.order_id)
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_purchase AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = NEW.order_id AND EXISTS (SELECT 1 FROM unlinked_orders AS w WHERE w.order_id = NEW.order_id)
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_ship_by AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = NEW.order_id AND EXISTS (SELECT 1 FROM unlinked_orders AS w WHERE w.order_id = NEW.order_id)
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_promise AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = NEW.order_id AND EXISTS (SELECT 1 FROM unlinked_orders AS w WHERE w.order_id = NEW.order_id)
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_confirmed AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = NEW.order_id AND EXISTS (SELECT 1 FROM unlinked_orders AS w WHERE w.order_id = NEW.order_id)
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_message AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = NEW.order_id AND v.linked = 1 AND EXISTS (SELECT 1 FROM unlinked_orders AS w WHERE w.order_id = NEW.order_id)
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    DELETE FROM unlinked_orders WHERE order_id = NEW.order_id;
END;

CREATE TRIGGER orders_count_before_update BEFORE UPDATE OF marketplace_id, fulfillment_channel, purchased_at, is_cancelled, any_item_cancelled, buyer_requested_cancel ON orders
 WHEN OLD.marketplace_id IS NOT NEW.marketplace_id OR OLD.fulfillment_channel IS NOT NEW.fulfillment_channel
    OR OLD.purchased_at IS NOT NEW.purchased_at OR OLD.is_cancelled IS NOT NEW.is_cancelled
    OR OLD.any_item_cancelled IS NOT NEW.any_item_cancelled
    OR OLD.buyer_requested_cancel IS NOT NEW.buyer_requested_cancel
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM count_arm_purchase AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM count_arm_ship_by AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM count_arm_promise AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM count_arm_confirmed AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM count_arm_message AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id AND v.linked = 1
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
END;

CREATE TRIGGER orders_count_after_update AFTER UPDATE OF marketplace_id, fulfillment_channel, purchased_at, is_cancelled, any_item_cancelled, buyer_requested_cancel ON orders
 WHEN OLD.marketplace_id IS NOT NEW.marketplace_id OR OLD.fulfillment_channel IS NOT NEW.fulfillment_channel
    OR OLD.purchased_at IS NOT NEW.purchased_at OR OLD.is_cancelled IS NOT NEW.is_cancelled
    OR OLD.any_item_cancelled IS NOT NEW.any_item_cancelled
    OR OLD.buyer_requested_cancel IS NOT NEW.buyer_requested_cancel
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_purchase AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = NEW.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_ship_by AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = NEW.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_promise AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = NEW.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_confirmed AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = NEW.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_message AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = NEW.order_id AND v.linked = 1
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
END;

CREATE TRIGGER orders_count_before_delete BEFORE DELETE ON orders
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM count_arm_purchase AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM count_arm_ship_by AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM count_arm_promise AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM count_arm_confirmed AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM count_arm_message AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id AND v.linked = 1
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
END;

CREATE TRIGGER orders_count_after_delete AFTER DELETE ON orders
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_purchase AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_ship_by AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_promise AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_confirmed AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_message AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id AND v.linked = 1
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO unlinked_orders(order_id) SELECT OLD.order_id
     WHERE NOT EXISTS (SELECT 1 FROM unlinked_orders AS w WHERE w.order_id = OLD.order_id);
END;

CREATE TRIGGER orders_keep_order_id BEFORE UPDATE OF order_id ON orders
 WHEN OLD.order_id IS NOT NEW.order_id
BEGIN
    SELECT RAISE(ABORT, 'order_id of a stored row does not change');
END;

CREATE TRIGGER shipments_keep_order_id BEFORE UPDATE OF order_id ON shipments
 WHEN OLD.order_id IS NOT NEW.order_id
BEGIN
    SELECT RAISE(ABORT, 'order_id of a stored row does not change');
END;

CREATE TRIGGER unshipped_orders_keep_order_id BEFORE UPDATE OF order_id ON unshipped_orders
 WHEN OLD.order_id IS NOT NEW.order_id
BEGIN
    SELECT RAISE(ABORT, 'order_id of a stored row does not change');
END;

CREATE TRIGGER defects_keep_order_id BEFORE UPDATE OF order_id ON defects
 WHEN OLD.order_id IS NOT NEW.order_id
BEGIN
    SELECT RAISE(ABORT, 'order_id of a stored row does not change');
END;

CREATE TRIGGER messages_keep_message_id BEFORE UPDATE OF message_id ON messages
 WHEN OLD.message_id IS NOT NEW.message_id
BEGIN
    SELECT RAISE(ABORT, 'message_id of a stored row does not change');
END;

-- shipments: a new one replaces the Unshipped report's promise date.
CREATE TRIGGER shipments_count_insert AFTER INSERT ON shipments
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM (SELECT o.order_id AS order_id, o.marketplace_id AS marketplace_id, 'MFN' AS channel, u.promise_at AS at, 0 AS orders, 0 AS defective, 0 AS negative_feedback, 0 AS a_to_z_claim, 0 AS chargeback, 0 AS cancelled, 1 AS dispatch_counted, 1 AS dispatch_late, 0 AS confirmed, 0 AS tracked, 0 AS messages, 0 AS answerable, 0 AS on_time FROM unshipped_orders AS u CROSS JOIN orders AS o ON o.order_id = u.order_id WHERE o.fulfillment_channel = 'MFN' AND o.is_cancelled = 0 AND o.marketplace_id IS NOT NULL) AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = NEW.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_ship_by AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = NEW.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_confirmed AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = NEW.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO unlinked_orders(order_id)
    SELECT NEW.order_id WHERE NOT EXISTS (SELECT 1 FROM orders AS o WHERE o.order_id = NEW.order_id)
       AND NOT EXISTS (SELECT 1 FROM unlinked_orders AS w WHERE w.order_id = NEW.order_id);
END;

CREATE TRIGGER shipments_count_before_update BEFORE UPDATE OF latest_ship_at, confirmed_at, tracking_id, tracking_valid ON shipments
 WHEN OLD.latest_ship_at IS NOT NEW.latest_ship_at OR OLD.confirmed_at IS NOT NEW.confirmed_at
    OR OLD.tracking_id IS NOT NEW.tracking_id OR OLD.tracking_valid IS NOT NEW.tracking_valid
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM count_arm_ship_by AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM count_arm_confirmed AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
END;

CREATE TRIGGER shipments_count_after_update AFTER UPDATE OF latest_ship_at, confirmed_at, tracking_id, tracking_valid ON shipments
 WHEN OLD.latest_ship_at IS NOT NEW.latest_ship_at OR OLD.confirmed_at IS NOT NEW.confirmed_at
    OR OLD.tracking_id IS NOT NEW.tracking_id OR OLD.tracking_valid IS NOT NEW.tracking_valid
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_ship_by AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = NEW.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_confirmed AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = NEW.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
END;

CREATE TRIGGER shipments_count_before_delete BEFORE DELETE ON shipments
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM count_arm_ship_by AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM count_arm_confirmed AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
END;

CREATE TRIGGER shipments_count_after_delete AFTER DELETE ON shipments
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_promise AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
END;

-- unshipped_orders: a promise date, and a buyer's request that excuses a cancellation.
CREATE TRIGGER unshipped_count_insert AFTER INSERT ON unshipped_orders
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, o.marketplace_id, o.fulfillment_channel,
           CASE WHEN o.purchased_at > 0 THEN (o.purchased_at - 1) / sp.span
                ELSE -((sp.span - o.purchased_at) / sp.span) END,
           0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0
      FROM orders AS o CROSS JOIN count_spans AS sp
     WHERE o.order_id = NEW.order_id AND NEW.buyer_requested_cancel = 1
       AND o.marketplace_id IS NOT NULL AND o.fulfillment_channel = 'MFN'
       AND (o.is_cancelled = 1 OR o.any_item_cancelled = 1) AND o.buyer_requested_cancel = 0
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_promise AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = NEW.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO unlinked_orders(order_id)
    SELECT NEW.order_id WHERE NOT EXISTS (SELECT 1 FROM orders AS o WHERE o.order_id = NEW.order_id)
       AND NOT EXISTS (SELECT 1 FROM unlinked_orders AS w WHERE w.order_id = NEW.order_id);
END;

CREATE TRIGGER unshipped_count_before_update BEFORE UPDATE OF promise_at, buyer_requested_cancel ON unshipped_orders
 WHEN OLD.promise_at IS NOT NEW.promise_at OR OLD.buyer_requested_cancel IS NOT NEW.buyer_requested_cancel
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM count_arm_purchase AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM count_arm_promise AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
END;

CREATE TRIGGER unshipped_count_after_update AFTER UPDATE OF promise_at, buyer_requested_cancel ON unshipped_orders
 WHEN OLD.promise_at IS NOT NEW.promise_at OR OLD.buyer_requested_cancel IS NOT NEW.buyer_requested_cancel
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_purchase AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = NEW.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_promise AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = NEW.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
END;

CREATE TRIGGER unshipped_count_before_delete BEFORE DELETE ON unshipped_orders
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM count_arm_purchase AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM count_arm_promise AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
END;

CREATE TRIGGER unshipped_count_after_delete AFTER DELETE ON unshipped_orders
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_purchase AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
END;

-- defects: only whether a defect counts moves the counts; when it occurred is
-- read at evaluation (a defect after T is not known as of T).
CREATE TRIGGER defects_count_insert AFTER INSERT ON defects
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, o.marketplace_id, o.fulfillment_channel,
           CASE WHEN o.purchased_at > 0 THEN (o.purchased_at - 1) / sp.span
                ELSE -((sp.span - o.purchased_at) / sp.span) END,
           0, NOT EXISTS (SELECT 1 FROM defects AS d WHERE d.order_id = NEW.order_id AND d.kind <> NEW.kind AND d.counts = 1), NEW.kind = 'negative_feedback', NEW.kind = 'a_to_z_claim', NEW.kind = 'chargeback', 0, 0, 0, 0, 0, 0, 0, 0
      FROM orders AS o CROSS JOIN count_spans AS sp
     WHERE o.order_id = NEW.order_id AND o.marketplace_id IS NOT NULL AND NEW.counts = 1
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO unlinked_orders(order_id)
    SELECT NEW.order_id WHERE NOT EXISTS (SELECT 1 FROM orders AS o WHERE o.order_id = NEW.order_id)
       AND NOT EXISTS (SELECT 1 FROM unlinked_orders AS w WHERE w.order_id = NEW.order_id);
END;

CREATE TRIGGER defects_count_before_update BEFORE UPDATE OF counts ON defects
 WHEN OLD.counts IS NOT NEW.counts
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM count_arm_purchase AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
END;

CREATE TRIGGER defects_count_after_update AFTER UPDATE OF counts ON defects
 WHEN OLD.counts IS NOT NEW.counts
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_purchase AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = NEW.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
END;

CREATE TRIGGER defects_count_before_delete BEFORE DELETE ON defects
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM count_arm_purchase AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
END;

CREATE TRIGGER defects_count_after_delete AFTER DELETE ON defects
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_purchase AS v CROSS JOIN count_spans AS sp
     WHERE v.order_id = OLD.order_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
END;

-- messages: a reply can turn a late message into an answered one.
CREATE TRIGGER messages_count_insert AFTER INSERT ON messages
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_message AS v CROSS JOIN count_spans AS sp
     WHERE v.message_id = NEW.message_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO unlinked_orders(order_id)
    SELECT NEW.order_id WHERE COALESCE(NEW.marketplace_id, '') = '' AND COALESCE(NEW.order_id, '') <> ''
       AND NOT EXISTS (SELECT 1 FROM orders AS o WHERE o.order_id = NEW.order_id)
       AND NOT EXISTS (SELECT 1 FROM unlinked_orders AS w WHERE w.order_id = NEW.order_id);
END;

CREATE TRIGGER messages_count_before_update BEFORE UPDATE OF order_id, marketplace_id, received_at, responded_at, no_response_needed ON messages
 WHEN OLD.order_id IS NOT NEW.order_id OR OLD.marketplace_id IS NOT NEW.marketplace_id
    OR OLD.received_at IS NOT NEW.received_at OR OLD.responded_at IS NOT NEW.responded_at
    OR OLD.no_response_needed IS NOT NEW.no_response_needed
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM count_arm_message AS v CROSS JOIN count_spans AS sp
     WHERE v.message_id = OLD.message_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
END;

CREATE TRIGGER messages_count_after_update AFTER UPDATE OF order_id, marketplace_id, received_at, responded_at, no_response_needed ON messages
 WHEN OLD.order_id IS NOT NEW.order_id OR OLD.marketplace_id IS NOT NEW.marketplace_id
    OR OLD.received_at IS NOT NEW.received_at OR OLD.responded_at IS NOT NEW.responded_at
    OR OLD.no_response_needed IS NOT NEW.no_response_needed
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           v.orders, v.defective, v.negative_feedback, v.a_to_z_claim, v.chargeback, v.cancelled, v.dispatch_counted, v.dispatch_late, v.confirmed, v.tracked, v.messages, v.answerable, v.on_time
      FROM count_arm_message AS v CROSS JOIN count_spans AS sp
     WHERE v.message_id = NEW.message_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
    INSERT INTO unlinked_orders(order_id)
    SELECT NEW.order_id WHERE COALESCE(NEW.marketplace_id, '') = '' AND COALESCE(NEW.order_id, '') <> ''
       AND NOT EXISTS (SELECT 1 FROM orders AS o WHERE o.order_id = NEW.order_id)
       AND NOT EXISTS (SELECT 1 FROM unlinked_orders AS w WHERE w.order_id = NEW.order_id);
END;

CREATE TRIGGER messages_count_before_delete BEFORE DELETE ON messages
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
           -v.orders, -v.defective, -v.negative_feedback, -v.a_to_z_claim, -v.chargeback, -v.cancelled, -v.dispatch_counted, -v.dispatch_late, -v.confirmed, -v.tracked, -v.messages, -v.answerable, -v.on_time
      FROM count_arm_message AS v CROSS JOIN count_spans AS sp
     WHERE v.message_id = OLD.message_id
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
END;

-- A database from before this version: its counts from its records.
INSERT INTO unlinked_orders(order_id)
SELECT order_id FROM shipments UNION SELECT order_id FROM unshipped_orders
UNION SELECT order_id FROM defects
UNION SELECT order_id FROM messages WHERE COALESCE(marketplace_id, '') = '' AND COALESCE(order_id, '') <> ''
EXCEPT SELECT order_id FROM orders;
INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
SELECT sp.span, v.marketplace_id, v.channel, CASE WHEN v.at > 0 THEN (v.at - 1) / sp.span ELSE -((sp.span - v.at) / sp.span) END,
       SUM(v.orders), SUM(v.defective), SUM(v.negative_feedback), SUM(v.a_to_z_claim), SUM(v.chargeback), SUM(v.cancelled), SUM(v.dispatch_counted), SUM(v.dispatch_late), SUM(v.confirmed), SUM(v.tracked), SUM(v.messages), SUM(v.answerable), SUM(v.on_time)
  FROM count_contributions AS v CROSS JOIN count_spans AS sp
 GROUP BY 1, 2, 3, 4;
