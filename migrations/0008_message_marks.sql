-- seller-healthd schema, version 8: buyer messages the seller marked "no
-- response needed" with `seller-healthd messages no-response-needed`.
--
-- The mark is bit 1 (value 2) of messages.no_response_needed; bit 0 (value 1)
-- stays the row's own flag (the messages CSV column). Every reader that
-- leaves out "no_response_needed <> 0" (the metric queries, the kept counts'
-- triggers and views of 0004) so leaves out marked messages too, and the
-- counts follow a mark in the transaction that sets it. The store writer's
-- upsert replaces bit 0 and keeps bit 1, so a re-imported CSV or a re-read
-- mailbox never undoes the mark; `--undo` clears bit 1 only.
--
-- message_marks records each mark and when it was made. Only the store
-- writer (lib/ingest/store_writer, mark_no_response_needed) writes here and
-- sets or clears the bit, in one transaction, and only for a stored message.
CREATE TABLE message_marks (
    message_id  TEXT    PRIMARY KEY,
    marked_at   INTEGER NOT NULL   -- when the seller marked it (unix seconds)
) WITHOUT ROWID;
