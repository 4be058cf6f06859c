package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/room/sqlstore"
	"github.com/parley-negotiation/parley/session"
)

// parley backup, restore and purge: the room's database as the operator
// keeps it (docs/storage.md#backups, docs/security.md#retention).

// pgBackupAdvice is what backup and restore say of a PostgreSQL database.
const pgBackupAdvice = `for PostgreSQL use its own tools, which take a consistent copy while
the room serves:
  pg_dump --format=custom --file=parley.dump 'postgres://…'
  pg_restore --clean --if-exists --dbname='postgres://…' parley.dump
then check every log: parley restore --check --db 'postgres://…'
(docs/storage.md#backups)`

type backupResult struct {
	DB     string `json:"db"`
	Output string `json:"output"`
	Bytes  int64  `json:"bytes"`
	// Negotiations and Events count what the copy holds.
	Negotiations int `json:"negotiations"`
	Events       int `json:"events"`
}

func newBackup(e *env) *cobra.Command {
	var fl roomFlags
	var out string
	c := &cobra.Command{
		Use:   "backup --db DB -o FILE",
		Short: "Copy the room's SQLite database while it serves",
		Long: `Backup writes a consistent copy of the room's SQLite database to FILE while
parley serve may be running on it: one snapshot of the database (SQLite's
VACUUM INTO), holding every move committed before it began and none after,
compact and self-contained (no WAL beside it). FILE is written atomically: a
new file beside it, synced, then renamed over it. parley restore puts it back.

For PostgreSQL, backup refuses and says how to use pg_dump.`,
		Example: `  parley backup --db /var/lib/parley/parley.db -o /backups/parley-$(date +%F).db
  parley restore /backups/parley-2026-03-01.db --db parley.db`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usagef("-o: give the file to write the copy to")
			}
			if isPostgres(fl.db) {
				return usagef("--db: parley backup copies SQLite databases; %s", pgBackupAdvice)
			}
			if _, err := os.Stat(fl.db); err != nil {
				return usagef("--db %s: no such database (the SQLite file of parley serve --db)", fl.db)
			}
			if abs(out) == abs(fl.db) {
				return usagef("-o %s: that is the database itself", out)
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			n, err := sqlstore.Backup(ctx, fl.db, out)
			if err != nil {
				return err
			}
			r := backupResult{DB: fl.db, Output: out, Bytes: n}
			if r.Negotiations, r.Events, err = countCopy(ctx, out); err != nil {
				return err
			}
			if fl.jsonOut {
				return writeJSON(e.stdout, r)
			}
			fmt.Fprintf(e.stderr, "wrote %s: %d bytes, %d negotiations, %d events\n", clean(out), n, r.Negotiations, r.Events)
			return nil
		},
	}
	fl.add(c, "print what was written as JSON")
	c.Flags().StringVarP(&out, "output", "o", "", "the file to write the copy to (replaced atomically)")
	return c
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

// countCopy counts the negotiations and events of a backup, opening a
// copy of it so that the backup itself stays as written.
func countCopy(ctx context.Context, path string) (negs, events int, err error) {
	dir, err := os.MkdirTemp("", "parley-backup-check-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, "copy.db")
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return 0, 0, err
	}
	res, err := checkLogs(ctx, tmp)
	if err != nil {
		return 0, 0, err
	}
	return res.Negotiations, res.Events, nil
}

// logCheck is what checking every log of a database found.
type logCheck struct {
	Negotiations int `json:"negotiations"`
	// Verified counts the negotiations whose log verified (those not
	// started have none).
	Verified int `json:"verified"`
	Events   int `json:"events"`
}

// checkLogs opens the database dsn (bringing its schema up to date) and
// verifies every negotiation's log as parley verify does: written out as
// a log file, every record, the chain and the replay.
func checkLogs(ctx context.Context, dsn string) (logCheck, error) {
	var r logCheck
	st, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return r, fmt.Errorf("open store %s: %w", dsn, err)
	}
	defer st.Close()
	negs, err := st.Negotiations(ctx, "")
	if err != nil {
		return r, err
	}
	var bad []error
	for _, n := range negs {
		r.Negotiations++
		events, err := st.Events(ctx, n.ID)
		if err != nil {
			return r, err
		}
		if len(events) == 0 {
			continue
		}
		var b bytes.Buffer
		if err := session.WriteRecord(&b, events, nil); err != nil {
			return r, err
		}
		if _, _, err := verifiedSession(n.ID, b.Bytes(), ""); err != nil {
			bad = append(bad, fmt.Errorf("negotiation %s: %w", n.ID, err))
			continue
		}
		r.Verified++
		r.Events += len(events)
	}
	return r, errors.Join(bad...)
}

type restoreResult struct {
	DB   string `json:"db"`
	From string `json:"from,omitempty"`
	logCheck
}

func newRestore(e *env) *cobra.Command {
	var fl roomFlags
	var force, check bool
	c := &cobra.Command{
		Use:   "restore FILE --db DB",
		Short: "Put a backup in place as the room's database, and check every log",
		Long: `Restore puts a copy made by parley backup in place as the room's SQLite
database (--db): it checks the copy (SQLite's integrity check, a parley schema),
writes it beside the database, syncs it and renames it over; then it brings the
schema up to date and verifies every negotiation's log as parley verify does
(every record, the hash chain, the replay through the engine). Stop parley
serve first: a server must not have the database open meanwhile.

A database that holds accounts or negotiations is not overwritten without
--force. With --check and no FILE it only verifies every log of --db (after a
pg_restore of a PostgreSQL database, for example).`,
		Example: `  parley restore /backups/parley-2026-03-01.db --db parley.db
  parley restore --check --db 'postgres://parley@localhost/parley'`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			r := restoreResult{DB: fl.db}
			switch {
			case check && len(args) > 0:
				return usagef("--check checks --db: give no FILE with it")
			case check:
				if !isPostgres(fl.db) {
					if _, err := os.Stat(fl.db); err != nil {
						return usagef("--db %s: no such database", fl.db)
					}
				}
			case len(args) == 0:
				return usagef("restore: give the backup FILE (usage: parley restore FILE --db DB), or --check")
			case isPostgres(fl.db):
				return usagef("--db: parley restore restores SQLite databases; %s", pgBackupAdvice)
			default:
				if _, err := os.Stat(args[0]); err != nil {
					return usagef("%s: no such backup", clean(args[0]))
				}
				if abs(args[0]) == abs(fl.db) {
					return usagef("%s is the database itself", clean(args[0]))
				}
				if err := sqlstore.Restore(ctx, args[0], fl.db, force); err != nil {
					if errors.Is(err, sqlstore.ErrNotEmpty) {
						return usagef("--db %s holds accounts or negotiations: restore over it with --force (back it up first)", fl.db)
					}
					return err
				}
				r.From = args[0]
			}
			lc, err := checkLogs(ctx, fl.db)
			r.logCheck = lc
			if err != nil {
				return fmt.Errorf("%s: a log does not verify: %w", fl.db, err)
			}
			if fl.jsonOut {
				return writeJSON(e.stdout, r)
			}
			if r.From != "" {
				fmt.Fprintf(e.stderr, "restored %s from %s\n", clean(fl.db), clean(r.From))
			}
			fmt.Fprintf(e.stderr, "%d negotiations; the logs of the %d started verify (%d events)\n", r.Negotiations, r.Verified, r.Events)
			return nil
		},
	}
	fl.add(c, "print what was restored and checked as JSON")
	c.Flags().BoolVar(&force, "force", false, "overwrite a database that holds accounts or negotiations")
	c.Flags().BoolVar(&check, "check", false, "only verify every log of --db (no FILE)")
	return c
}

type purgeResult struct {
	Deleted string `json:"deleted"`
	Kind    string `json:"kind"` // negotiation or class
	// Kept are the public records kept (--keep-record).
	Kept []keptInfo `json:"kept"`
	// Vacuumed: the database was compacted (--vacuum).
	Vacuumed bool `json:"vacuumed,omitempty"`
}

type keptInfo struct {
	Negotiation string    `json:"negotiation"`
	Title       string    `json:"title"`
	Deleted     time.Time `json:"deleted"`
	LogBytes    int       `json:"log_bytes"`
	Agreement   bool      `json:"agreement"`
}

func newPurge(e *env) *cobra.Command {
	var fl roomFlags
	var key string
	var class, keep, yes, vacuum bool
	c := &cobra.Command{
		Use:   "purge ID --db DB --yes",
		Short: "Delete a negotiation or a class with all its private data",
		Long: `Purge deletes a negotiation (or, with --class, a class and all its rooms)
from the room's database with all its private data: the scenario and the
parties' profiles, the log with every message, bid and vote, the invitations.
With --keep-record the public record stays in its place: the log as a public
observer sees it (private events as stubs that tell nothing), with a checkpoint
of the whole log signed by the server's key, and the agreement's document. It
cannot be undone: --yes confirms.

Deleted rows are overwritten in the SQLite file and its WAL is checkpointed;
--vacuum also rewrites the whole database without free space (VACUUM, which
holds up the room's writes while it runs; on PostgreSQL it reclaims the
deleted rows). Purge a room the server has open from the room's pages (the
owner's Delete), or stop the server first: the server does not see deletions
made behind it until it restarts.`,
		Example: `  parley purge Xc3fK2aQ --db parley.db --yes
  parley purge Xc3fK2aQ --db parley.db --keep-record --yes
  parley purge --class Kd83hQ0p --db parley.db --yes --vacuum`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !yes {
				return usagef("purge %q: deleting cannot be undone: confirm with --yes", clean(args[0]))
			}
			st, ctx, err := openRoom(cmd, fl.db, false)
			if err != nil {
				return err
			}
			defer st.Close()
			var opts []room.Option
			if keep {
				priv, retired, err := serverKey(e.stderr, &serveFlags{db: fl.db, key: key})
				if err != nil {
					return err
				}
				opts = append(opts, room.WithSigningKey(priv, retired...))
			}
			svc := room.New(st, nil, opts...)
			id := args[0]
			r := purgeResult{Deleted: id, Kind: "negotiation", Kept: []keptInfo{}}
			var kept []room.KeptRecord
			if class {
				r.Kind = "class"
				cl, err := st.Class(ctx, id)
				if err != nil {
					return usagef("class %q: %s", clean(id), room.ErrorMessage(err))
				}
				if kept, err = svc.PurgeClass(ctx, cl.Owner, id, id, keep); err != nil {
					return err
				}
			} else {
				n, err := st.Negotiation(ctx, id)
				if err != nil {
					return usagef("negotiation %q: %s", clean(id), room.ErrorMessage(err))
				}
				k, err := svc.Purge(ctx, n.Owner, id, id, keep)
				if err != nil {
					return err
				}
				if k != nil {
					kept = append(kept, *k)
				}
			}
			for _, k := range kept {
				r.Kept = append(r.Kept, keptInfo{Negotiation: k.Negotiation, Title: k.Title, Deleted: k.Deleted, LogBytes: len(k.Log), Agreement: len(k.Agreement) > 0})
			}
			if vacuum {
				if err := st.Compact(ctx); err != nil {
					return err
				}
				r.Vacuumed = true
			}
			if fl.jsonOut {
				return writeJSON(e.stdout, r)
			}
			fmt.Fprintf(e.stdout, "Deleted %s %s", r.Kind, clean(id))
			if keep {
				fmt.Fprintf(e.stdout, ", keeping the public record of %d %s", len(r.Kept), countNoun(len(r.Kept), "negotiation", "negotiations"))
			}
			fmt.Fprintln(e.stdout, ".")
			return nil
		},
	}
	fl.add(c, "print what was deleted and kept as JSON")
	c.Flags().BoolVar(&class, "class", false, "ID is a class: delete it and all its rooms")
	c.Flags().BoolVar(&keep, "keep-record", false, "keep the public record and the signed agreement")
	c.Flags().BoolVar(&yes, "yes", false, "confirm: deleting cannot be undone")
	c.Flags().BoolVar(&vacuum, "vacuum", false, "then rewrite the database without free space (VACUUM)")
	c.Flags().StringVar(&key, "signing-key", "", "with --keep-record: the server's private key (default: parley-signing-key.pem beside the SQLite file)")
	return c
}
