-- Accounts and retention (issue 20).
--
-- Users get a role: 'owner' for the account made on first start (the
-- oldest), which manages the others; 'mediator' or 'instructor' for the
-- accounts added since. Sign-ins record when they were made ('' for those
-- made before), so that a user can list and revoke them; they are named
-- by the first 24 hex digits of their token hash (no credential).
--
-- kept_records hold what remains of a negotiation deleted with its public
-- record kept: the log as the public sees it (JSON lines, hidden events as
-- stubs, a signed checkpoint) and the agreement's document. No profile,
-- message, bid nor invitation survives. Times are TEXT as in version 1.

-- +goose Up
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'mediator';
UPDATE users SET role = 'owner' WHERE id = (SELECT id FROM users ORDER BY created, id LIMIT 1);
ALTER TABLE logins ADD COLUMN created TEXT NOT NULL DEFAULT '';
CREATE INDEX logins_user ON logins (user_id, created);
CREATE TABLE kept_records (
    negotiation TEXT NOT NULL PRIMARY KEY,
    owner       TEXT NOT NULL,
    title       TEXT NOT NULL,
    class_id    TEXT NOT NULL,
    created     TEXT NOT NULL,
    deleted     TEXT NOT NULL,
    log         TEXT NOT NULL,
    agreement   TEXT NOT NULL
);
CREATE INDEX kept_records_owner ON kept_records (owner, deleted);

-- +goose Down
DROP TABLE kept_records;
DROP INDEX logins_user;
ALTER TABLE logins DROP COLUMN created;
ALTER TABLE users DROP COLUMN role;
