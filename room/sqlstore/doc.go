// Package sqlstore is the room.Store over database/sql, for SQLite and
// PostgreSQL alike: one set of queries and one set of migrations serve
// both.
//
// OpenSQLite opens (creating if need be) a SQLite file with the pure-Go
// driver modernc.org/sqlite; every pooled connection gets the same pragmas
// (WAL journal, synchronous FULL, a busy timeout, foreign keys on) and
// begins its transactions IMMEDIATE, so concurrent writers queue instead
// of failing. OpenPostgres opens a PostgreSQL database through pgx's
// database/sql driver. Open picks one of the two by the form of its
// argument. Each runs the embedded goose migrations (migrations/*.sql)
// before returning, so a new database needs no setup.
//
// A method that returns nil has committed its change. Unique-constraint
// violations come back as room.ECONFLICT, missing rows (and references to
// missing rows) as room.ENOTFOUND, and anything else as an error that says
// what was being done, wrapping the driver's.
//
// Times are stored as fixed-width UTC text with nanoseconds; they read back
// equal (time.Time.Equal) to what was written, in UTC. Session events are
// stored as their JSON exactly as json.Marshal wrote it, so a log reads
// back byte for byte and its hash chain verifies. docs/storage.md says
// more, including how to point the room at PostgreSQL.
package sqlstore
