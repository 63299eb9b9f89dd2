-- seller-healthd schema, version 10: what the SP-API alerts are judged on
-- (lib/alerts/amazon_signals.hpp).
--
-- auth_refused: the source's last attempt was refused by Login with Amazon
-- (invalid_client / invalid_grant); cleared by the next attempt it does not
-- refuse. first_attempt_at: when the source was first tried, so a source that
-- has never succeeded is noticed after three of its intervals.
ALTER TABLE spapi_sources ADD COLUMN auth_refused INTEGER NOT NULL DEFAULT 0;
ALTER TABLE spapi_sources ADD COLUMN first_attempt_at INTEGER;
