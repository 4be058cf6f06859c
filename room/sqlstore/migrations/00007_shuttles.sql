-- Shuttle talks (issue 18): a mediator's talks over a multi-deal scenario,
-- one table (a negotiation) per thread. The tables are negotiations whose
-- class_id is the shuttle's id, as a class's rooms are; the shuttle keeps
-- the multi-deal scenario as its owner created it (the multi-deal file
-- format, multideal.Marshal) and the tables' settings (JSON).
--
-- Times are TEXT as in version 1, with '' for "not archived".

-- +goose Up
CREATE TABLE shuttles (
    id       TEXT NOT NULL PRIMARY KEY,
    owner    TEXT NOT NULL REFERENCES users (id),
    title    TEXT NOT NULL,
    created  TEXT NOT NULL,
    archived TEXT NOT NULL DEFAULT '',
    scenario BYTEA NOT NULL,
    settings BYTEA NOT NULL
);
CREATE INDEX shuttles_owner ON shuttles (owner, created);

-- +goose Down
DROP TABLE shuttles;
