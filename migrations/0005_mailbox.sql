-- seller-healthd schema, version 5: the mailbox source (spec/sources.md,
-- "The mailbox"). Buyer messages themselves live in `messages`, like the rows
-- of the messages CSV; these tables hold only what threading replies and
-- reading the mailbox incrementally need. No body, no subject, no address:
-- a buyer's alias is kept as alias_key, the SHA-256 of the lower-cased
-- address. Only the store writer (lib/ingest/store_writer) writes here.

-- Each buyer message read from the mailbox: whose alias it came from.
CREATE TABLE mailbox_messages (
    message_id   TEXT    PRIMARY KEY,  -- messages.message_id
    alias_key    TEXT    NOT NULL,
    received_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX mailbox_messages_by_alias ON mailbox_messages(alias_key, received_at);

-- Each reply the seller sent to an alias (a reply to two aliases is two rows).
CREATE TABLE mailbox_replies (
    reply_id    TEXT    NOT NULL,
    alias_key   TEXT    NOT NULL,
    replied_at  INTEGER NOT NULL,
    PRIMARY KEY (reply_id, alias_key)
) WITHOUT ROWID;
CREATE INDEX mailbox_replies_by_alias ON mailbox_replies(alias_key, replied_at);

-- IMAP: how far each folder of each account has been read.
CREATE TABLE mailbox_imap_folders (
    account      TEXT    NOT NULL,  -- "imaps://user@host:port"
    folder       TEXT    NOT NULL,
    uidvalidity  INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,  -- every UID up to it has been read
    PRIMARY KEY (account, folder)
) WITHOUT ROWID;

-- Maildir: the files read, by their unique name (the part before ':', which
-- stays when a mail client moves the file from new/ to cur/ or flags it).
CREATE TABLE mailbox_maildir_seen (
    folder    TEXT NOT NULL,
    file_key  TEXT NOT NULL,
    PRIMARY KEY (folder, file_key)
) WITHOUT ROWID;
