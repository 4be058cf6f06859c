package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/room/sqlstore"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

func newExport(e *env) *cobra.Command {
	var db, key, out string
	var jsonOut bool
	c := &cobra.Command{
		Use:   "export NEGOTIATION --db DB",
		Short: "Write a negotiation's whole, signed log from the room's database",
		Long: `Export reads a negotiation's session log from the room's database (the
store parley serve uses), checks its chain and replay, and writes it as a log
file — every event, the scenario record with every profile included — ending
with a checkpoint signed with the server's key. It is the operator's copy: it
holds what no viewer of the room may see in full (each viewer downloads its own
log from the room, GET /api/negotiations/{id}/log). parley replay, verify, plan
and agreement read it alone; parley verify LOG --pub KEY.pub.pem proves it.`,
		Example: `  parley export Xc3fK2aQ --db parley.db -o talks.jsonl
  parley verify talks.jsonl --pub parley-signing-key.pub.pem`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if jsonOut && (out == "" || out == "-") {
				return usagef("--json reports the file written: give it with -o (without -o the log goes to standard output)")
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			if !strings.Contains(db, "://") {
				// Export reads a room's database: it never makes one.
				if _, err := os.Stat(db); err != nil {
					return usagef("--db %s: no such database (the SQLite file of parley serve --db)", db)
				}
			}
			fl := serveFlags{db: db, key: key}
			priv, _, err := serverKey(e.stderr, &fl) // standard output is the log's, or --json's
			if err != nil {
				return err
			}
			st, err := sqlstore.Open(ctx, db)
			if err != nil {
				return fmt.Errorf("open store %s: %w", db, err)
			}
			defer st.Close()
			n, err := st.Negotiation(ctx, args[0])
			if err != nil {
				return usagef("negotiation %q: %v", clean(args[0]), err)
			}
			sc, err := scenario.Parse("stored.json", n.Scenario)
			if err != nil {
				return fmt.Errorf("negotiation %s: the stored scenario: %w", clean(args[0]), err)
			}
			events, err := st.Events(ctx, args[0])
			if err != nil {
				return err
			}
			if len(events) == 0 {
				return usagef("negotiation %q has not started: there is no log", clean(args[0]))
			}
			if _, err := session.Replay(sc, events); err != nil {
				return fmt.Errorf("negotiation %s: the stored log: %w", clean(args[0]), err)
			}
			cps, err := sign(priv, events, nil, time.Now())
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				return session.WriteRecord(e.stdout, events, cps)
			}
			if err := writeLogFile(out, events, cps); err != nil {
				return err
			}
			if jsonOut {
				return writeJSON(e.stdout, written{Output: out, Events: len(events), KeyID: cps[0].KeyID})
			}
			fmt.Fprintf(e.stderr, "wrote %s: %d events, signed with key %s\n", clean(out), len(events), short(cps[0].KeyID))
			return nil
		},
	}
	c.Flags().StringVar(&db, "db", "parley.db", "the room's database: SQLite file or postgres:// URL")
	c.Flags().StringVar(&key, "signing-key", "", "the server's private key (default: parley-signing-key.pem beside the SQLite file)")
	c.Flags().StringVarP(&out, "output", "o", "", "write the log to this file (default: standard output)")
	c.Flags().BoolVar(&jsonOut, "json", false, "with -o: print what was written as JSON (file, events, key)")
	return c
}
