-- Teaching classes archived by their owner (out of the home list, their
-- rooms and records kept), as negotiations are since version 4; and the
-- scenario and settings a class was created with (JSON, as a
-- negotiation's), from which it is cloned — its rooms' copies may hold
-- profiles the students changed. Empty for classes of earlier versions.
--
-- Times are TEXT as in version 1, with '' for "not archived".

-- +goose Up
ALTER TABLE classes ADD COLUMN archived TEXT NOT NULL DEFAULT '';
ALTER TABLE classes ADD COLUMN scenario BYTEA NOT NULL DEFAULT '';
ALTER TABLE classes ADD COLUMN settings BYTEA NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE classes DROP COLUMN settings;
ALTER TABLE classes DROP COLUMN scenario;
ALTER TABLE classes DROP COLUMN archived;
