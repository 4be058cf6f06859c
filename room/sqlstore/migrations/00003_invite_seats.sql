-- Seats that cannot be hijacked: invitations get a public id (to list and
-- revoke them without their token), who issued them (the negotiation's
-- owner, or a party's delegation for the observers of its seat), whether
-- they re-issued a seat and why, when they were first used, when their
-- holder last saved a profile, and when, by whom and why they were
-- revoked.
--
-- Times are TEXT as in version 1, with '' for "never". Existing
-- invitations keep working: they were all issued by the owner (issued_by
-- ''), are unused, unrevoked, and get the first 24 hex digits of their
-- token hash as their id (unique, and no credential: the hash of a
-- 256-bit token tells nothing of the token).

-- +goose Up
ALTER TABLE invites ADD COLUMN id TEXT NOT NULL DEFAULT '';
ALTER TABLE invites ADD COLUMN issued_by TEXT NOT NULL DEFAULT '';
ALTER TABLE invites ADD COLUMN reissued INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invites ADD COLUMN note TEXT NOT NULL DEFAULT '';
ALTER TABLE invites ADD COLUMN used TEXT NOT NULL DEFAULT '';
ALTER TABLE invites ADD COLUMN profile_saved TEXT NOT NULL DEFAULT '';
ALTER TABLE invites ADD COLUMN revoked TEXT NOT NULL DEFAULT '';
ALTER TABLE invites ADD COLUMN revoked_by TEXT NOT NULL DEFAULT '';
ALTER TABLE invites ADD COLUMN revoke_reason TEXT NOT NULL DEFAULT '';
UPDATE invites SET id = substr(token, 1, 24) WHERE id = '';
CREATE UNIQUE INDEX invites_id ON invites (negotiation, id);

-- +goose Down
DROP INDEX invites_id;
ALTER TABLE invites DROP COLUMN revoke_reason;
ALTER TABLE invites DROP COLUMN revoked_by;
ALTER TABLE invites DROP COLUMN revoked;
ALTER TABLE invites DROP COLUMN profile_saved;
ALTER TABLE invites DROP COLUMN used;
ALTER TABLE invites DROP COLUMN note;
ALTER TABLE invites DROP COLUMN reissued;
ALTER TABLE invites DROP COLUMN issued_by;
ALTER TABLE invites DROP COLUMN id;
