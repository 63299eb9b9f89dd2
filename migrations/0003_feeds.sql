-- seller-healthd schema, version 3: when each feed last arrived.
--
-- A feed is one kind of data with its own schedule (lib/core/feed_catalog):
-- an export file type today ('all_orders', 'shipments', ...), an SP-API report
-- or a mailbox later. Freshness is judged by when a feed last arrived, not by
-- the dates inside it: a quiet week is not a stopped feed. Only the store
-- writer (lib/ingest/store_writer) writes here, in the import's transaction.
CREATE TABLE feeds (
    feed            TEXT    PRIMARY KEY,
    last_import_at  INTEGER NOT NULL,  -- the newest successful import of this feed
    last_import_id  INTEGER NOT NULL REFERENCES imports(id),
    newest_data_at  INTEGER,           -- the newest instant inside any import of it; NULL: none yet
    imports         INTEGER NOT NULL   -- successful imports of this feed
) WITHOUT ROWID;

-- A database from before this version: each format's imports so far.
INSERT INTO feeds (feed, last_import_at, last_import_id, newest_data_at, imports)
SELECT i.format, MAX(i.imported_at), i.id, NULL, COUNT(*)
  FROM imports AS i
 WHERE i.format != ''
 GROUP BY i.format;

UPDATE feeds SET newest_data_at = (
    SELECT MAX(MAX(o.purchased_at, COALESCE(o.last_updated_at, o.purchased_at)))
      FROM orders AS o JOIN imports AS i ON i.id = o.import_id
     WHERE i.format = feeds.feed)
 WHERE feed IN ('all_orders', 'unshipped');
UPDATE feeds SET newest_data_at = (
    SELECT MAX(s.confirmed_at)
      FROM shipments AS s JOIN imports AS i ON i.id = s.import_id
     WHERE i.format = feeds.feed)
 WHERE feed = 'shipments';
UPDATE feeds SET newest_data_at = (
    SELECT MAX(d.occurred_at)
      FROM defects AS d JOIN imports AS i ON i.id = d.import_id
     WHERE i.format = feeds.feed)
 WHERE feed IN ('defects', 'feedback');
UPDATE feeds SET newest_data_at = (
    SELECT MAX(MAX(m.received_at, COALESCE(m.responded_at, m.received_at)))
      FROM messages AS m JOIN imports AS i ON i.id = m.import_id
     WHERE i.format = feeds.feed)
 WHERE feed = 'messages';
UPDATE feeds SET newest_data_at = (
    SELECT MAX(a.taken_at) FROM account_health_snapshots AS a)
 WHERE feed = 'account_health';
