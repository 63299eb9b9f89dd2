-- seller-healthd schema, version 9: what an evaluation reads near T is found
-- by index, whatever the length of the history; and a file's import writes
-- its new orders' counts once, at its end (counts_deferred, below).
--
-- The upcoming events (lib/metrics/upcoming.cpp) list the orders not
-- confirmed as of T and the messages not answered as of T. Without these
-- indexes SQLite walked every shipment, Unshipped row and message of the
-- 30-90 day windows to find the few still waiting.

-- A shipment not confirmed at all: by its latest ship date.
CREATE INDEX shipments_unconfirmed_by_latest_ship ON shipments(latest_ship_at)
    WHERE confirmed_at IS NULL;

-- A message never answered: by its receipt.
CREATE INDEX messages_unanswered_by_received ON messages(received_at)
    WHERE responded_at IS NULL;

-- An Unshipped-report row stays when its order's shipments row arrives, and
-- from then on the shipments row decides (spec/metrics.md, late dispatch).
-- `shipped` = 1 while a shipments row for the order exists, kept by the
-- triggers below whoever writes, so the rows still waiting are found by their
-- promise date alone. `seller-healthd check-db` recounts the flag.
ALTER TABLE unshipped_orders ADD COLUMN shipped INTEGER NOT NULL DEFAULT 0;
UPDATE unshipped_orders SET shipped = 1
 WHERE EXISTS (SELECT 1 FROM shipments AS s WHERE s.order_id = unshipped_orders.order_id);
CREATE INDEX unshipped_waiting_by_promise ON unshipped_orders(promise_at) WHERE shipped = 0;

CREATE TRIGGER unshipped_shipped_insert AFTER INSERT ON unshipped_orders
 WHEN EXISTS (SELECT 1 FROM shipments AS s WHERE s.order_id = NEW.order_id)
BEGIN
    UPDATE unshipped_orders SET shipped = 1 WHERE order_id = NEW.order_id;
END;

CREATE TRIGGER shipments_shipped_insert AFTER INSERT ON shipments
BEGIN
    UPDATE unshipped_orders SET shipped = 1 WHERE order_id = NEW.order_id AND shipped = 0;
END;

CREATE TRIGGER shipments_shipped_delete AFTER DELETE ON shipments
BEGIN
    UPDATE unshipped_orders SET shipped = 0 WHERE order_id = OLD.order_id AND shipped = 1;
END;

-- The store writer's bulk import (lib/ingest/store_writer.hpp,
-- defer_order_counts): a new order's purchase-date counts come from its own
-- row alone, so the writer adds them up in memory and writes each bucket once
-- at the end of the import, instead of an upsert of two buckets per order
-- here (three quarters of an import's time). While it does, it keeps one row
-- in counts_deferred, inserted and deleted inside its own transaction, so no
-- other connection ever sees it; the insert trigger stands aside for that
-- transaction only. Every other change (and every other writer) keeps its
-- counts through the triggers. `seller-healthd check-db` reports a row left
-- here and removes it.
CREATE TABLE counts_deferred (writer INTEGER PRIMARY KEY);

DROP TRIGGER orders_count_insert;
CREATE TRIGGER orders_count_insert AFTER INSERT ON orders
 WHEN NOT EXISTS (SELECT 1 FROM counts_deferred)
   AND NEW.marketplace_id IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM unlinked_orders AS w WHERE w.order_id = NEW.order_id)
BEGIN
    INSERT INTO metric_counts(span, marketplace_id, channel, bucket, orders, defective, negative_feedback, a_to_z_claim, chargeback, cancelled, dispatch_counted, dispatch_late, confirmed, tracked, messages, answerable, on_time)
    SELECT sp.span, NEW.marketplace_id, NEW.fulfillment_channel,
           CASE WHEN NEW.purchased_at > 0 THEN (NEW.purchased_at - 1) / sp.span
                ELSE -((sp.span - NEW.purchased_at) / sp.span) END,
           1, 0, 0, 0, 0, (NEW.fulfillment_channel = 'MFN' AND (NEW.is_cancelled = 1 OR NEW.any_item_cancelled = 1) AND NEW.buyer_requested_cancel = 0), 0, 0, 0, 0, 0, 0, 0
      FROM count_spans AS sp
     WHERE NEW.marketplace_id IS NOT NULL
    ON CONFLICT(span, marketplace_id, channel, bucket) DO UPDATE SET
      orders = orders + excluded.orders, defective = defective + excluded.defective, negative_feedback = negative_feedback + excluded.negative_feedback, a_to_z_claim = a_to_z_claim + excluded.a_to_z_claim, chargeback = chargeback + excluded.chargeback, cancelled = cancelled + excluded.cancelled, dispatch_counted = dispatch_counted + excluded.dispatch_counted, dispatch_late = dispatch_late + excluded.dispatch_late, confirmed = confirmed + excluded.confirmed, tracked = tracked + excluded.tracked, messages = messages + excluded.messages, answerable = answerable + excluded.answerable, on_time = on_time + excluded.on_time;
END;
