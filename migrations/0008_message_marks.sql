-- seller-healthd schema, version 8: buyer messages the seller marked "no
-- response needed" with `seller-healthd messages no-response-needed`.
--
-- Kept apart from `messages` so that no source can undo the seller's word: a
-- re-imported messages CSV or a re-read mailbox replaces its message row
-- (store writer: the later row wins) and leaves this table alone. A message
-- needs no response when its own row says so (the CSV column) or it is
-- marked here; `--undo` deletes the mark only. Only the store writer
-- (lib/ingest/store_writer) writes here, and only for a message it knows.
CREATE TABLE message_marks (
    message_id  TEXT    PRIMARY KEY,
    marked_at   INTEGER NOT NULL   -- when the seller marked it (unix seconds)
) WITHOUT ROWID;
