-- Verifier seats: an invitation may speak for one of the implementation
-- plan's verifiers (a monitoring body) rather than for a party. Existing
-- invitations are for parties or observers: their verifier is "".

-- +goose Up
ALTER TABLE invites ADD COLUMN verifier TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE invites DROP COLUMN verifier;
