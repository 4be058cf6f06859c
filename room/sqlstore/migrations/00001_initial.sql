-- The initial schema. The same file runs on SQLite and PostgreSQL, so it
-- uses only types and syntax both accept: TEXT, BIGINT, INTEGER and BYTEA
-- (SQLite accepts any type name; a BYTEA column holds blobs unchanged).
--
-- Times are TEXT in one fixed-width UTC form with nanoseconds
-- (2006-01-02T15:04:05.000000000Z), so they round-trip exactly and sort
-- as text in time order. Session events are TEXT: each event's JSON
-- exactly as json.Marshal wrote it, so the hash chain verifies on read.

-- +goose Up
CREATE TABLE users (
    id            TEXT NOT NULL PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created       TEXT NOT NULL
);

CREATE TABLE logins (
    token   TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    expires TEXT NOT NULL
);

CREATE TABLE classes (
    id       TEXT NOT NULL PRIMARY KEY,
    owner    TEXT NOT NULL REFERENCES users (id),
    title    TEXT NOT NULL,
    deadline TEXT NOT NULL,
    created  TEXT NOT NULL
);
CREATE INDEX classes_owner ON classes (owner, created);

CREATE TABLE negotiations (
    id       TEXT NOT NULL PRIMARY KEY,
    owner    TEXT NOT NULL REFERENCES users (id),
    title    TEXT NOT NULL,
    scenario BYTEA NOT NULL,
    settings BYTEA NOT NULL,
    class_id TEXT NOT NULL,
    created  TEXT NOT NULL
);
CREATE INDEX negotiations_owner ON negotiations (owner, created);
CREATE INDEX negotiations_class ON negotiations (class_id, created);
CREATE INDEX negotiations_created ON negotiations (created);

CREATE TABLE invites (
    token       TEXT NOT NULL PRIMARY KEY,
    negotiation TEXT NOT NULL REFERENCES negotiations (id),
    party       TEXT NOT NULL,
    person      TEXT NOT NULL,
    observer    INTEGER NOT NULL,
    expires     TEXT NOT NULL,
    created     TEXT NOT NULL
);
CREATE INDEX invites_negotiation ON invites (negotiation, created);

CREATE TABLE events (
    negotiation TEXT NOT NULL REFERENCES negotiations (id),
    seq         BIGINT NOT NULL,
    data        TEXT NOT NULL,
    PRIMARY KEY (negotiation, seq)
);

-- +goose Down
DROP TABLE events;
DROP TABLE invites;
DROP TABLE negotiations;
DROP TABLE classes;
DROP TABLE logins;
DROP TABLE users;
