-- The mediator's console: when a seat's holder was last active (its
-- invitation presented, at most once a minute recorded), and negotiations
-- archived by their owner (out of the home list, their record kept).
--
-- Times are TEXT as in version 1, with '' for "never" / "not archived".

-- +goose Up
ALTER TABLE invites ADD COLUMN seen TEXT NOT NULL DEFAULT '';
ALTER TABLE negotiations ADD COLUMN archived TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE negotiations DROP COLUMN archived;
ALTER TABLE invites DROP COLUMN seen;
