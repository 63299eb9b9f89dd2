-- seller-healthd schema, version 6: what the SP-API sources need to resume.
--
-- One row per source and marketplace (lib/spapi/sync.hpp): the cursor of an
-- incremental source, the schedule and pending report of a report source,
-- the progress of a first-start pass, and what status shows (last success,
-- newest data, last error). Written in the same transaction as the records a
-- fetch stores, so a crash or a restart resumes without gaps and without
-- fetching twice what was stored.
CREATE TABLE spapi_sources (
    source               TEXT    NOT NULL,  -- orders, finances, feedback, performance, backfill, first_pass
    marketplace_id       TEXT    NOT NULL,  -- '' for a source of the whole account (finances)
    cursor_at            INTEGER,           -- orders: newest lastUpdatedTime stored; finances: newest PostedDate
    page_token           TEXT,              -- a pass interrupted between pages: the next page
    pass_newest_at       INTEGER,           -- the newest time seen by that interrupted pass
    next_due_at          INTEGER,           -- reports: when the next one is requested
    pending_report_id    TEXT,              -- reports: created, not yet final
    progress_from        INTEGER,           -- backfill / first pass: the start of the span to cover
    progress_until       INTEGER,           -- covered from progress_from up to here
    progress_to          INTEGER,           -- the end of the span to cover
    last_attempt_at      INTEGER,
    last_success_at      INTEGER,
    newest_data_at       INTEGER,
    last_error           TEXT,              -- never a secret
    last_error_at        INTEGER,
    behind               INTEGER NOT NULL DEFAULT 0,  -- the incremental poll could not clear its backlog
    PRIMARY KEY (source, marketplace_id)
) WITHOUT ROWID;

-- A shipments row stored from the Orders API: the order's lastUpdatedTime, so
-- an older copy never replaces a newer one (NULL: a row from a shipments file).
ALTER TABLE shipments ADD COLUMN fetched_updated_at INTEGER;
