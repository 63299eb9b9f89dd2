-- seller-healthd schema, version 9: what an evaluation reads near T is found
-- by index, whatever the length of the history.
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
