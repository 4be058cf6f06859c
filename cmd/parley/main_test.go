package main

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/parley-negotiation/parley/internal/cli"
	"github.com/parley-negotiation/parley/internal/refdata"
)

var update = flag.Bool("update", false, "rewrite the golden output in testdata/script/*.txtar")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"parley": func() { os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the golden CLI scripts in testdata/script. Scripts that
// need the shared GENIUS data start with `[!shared] skip`.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(e *testscript.Env) error {
			if root := refdata.Root(); root != "" {
				e.Setenv("SHARED", root)
				e.Setenv("ANL2025", filepath.Join(root, "..", "thirdparty", "anl2025"))
			}
			// The scripts' signing key (the user's default key, so that
			// parley run signs its logs with it): $PUB is its public key.
			cfg := filepath.Join(e.WorkDir, ".config")
			e.Setenv("XDG_CONFIG_HOME", cfg)
			e.Setenv("PUB", filepath.Join(cfg, "parley", "signing-key.pub.pem"))
			return writeTestKey(filepath.Join(cfg, "parley", "signing-key.pem"))
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// mkimpl FILE: write the scripted Miami implementation log (plan_test.go).
			"mkimpl": mkimpl,
			// droplast FILE N: drop the last N events of a log, keeping its
			// checkpoints (a truncation).
			"droplast": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: droplast FILE N")
				}
				n, err := strconv.Atoi(args[1])
				ts.Check(err)
				events, cps := splitLog(ts, args[0])
				if n > len(events) {
					ts.Fatalf("%s has %d events", args[0], len(events))
				}
				writeLines(ts, args[0], append(events[:len(events)-n], cps...))
			},
			// dropcheckpoints FILE: drop a log's checkpoints.
			"dropcheckpoints": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: dropcheckpoints FILE")
				}
				events, _ := splitLog(ts, args[0])
				writeLines(ts, args[0], events)
			},
			// exitcode N PROG ARGS...: run PROG (as exec does) and check that it
			// exits with status N; its output is there for stdout and stderr.
			"exitcode": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) < 2 {
					ts.Fatalf("usage: exitcode N PROG [ARGS...]")
				}
				want, err := strconv.Atoi(args[0])
				ts.Check(err)
				got := 0
				if err := ts.Exec(args[1], args[2:]...); err != nil {
					var ee *exec.ExitError
					if !errors.As(err, &ee) {
						ts.Fatalf("%s: %v", args[1], err)
					}
					got = ee.ExitCode()
				}
				if got != want {
					ts.Fatalf("%s exited with status %d, want %d", strings.Join(args[1:], " "), got, want)
				}
			},
			// replace FILE OLD NEW: replace the first occurrence of OLD in FILE.
			"replace": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 3 {
					ts.Fatalf("usage: replace FILE OLD NEW")
				}
				path := ts.MkAbs(args[0])
				b, err := os.ReadFile(path)
				ts.Check(err)
				if !bytes.Contains(b, []byte(args[1])) {
					ts.Fatalf("%s does not contain %q", args[0], args[1])
				}
				ts.Check(os.WriteFile(path, bytes.Replace(b, []byte(args[1]), []byte(args[2]), 1), 0o644))
			},
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "shared":
				return refdata.Root() != "", nil
			case "anl2025":
				// the anl2025 package's scenarios (../shared/thirdparty)
				root := refdata.Root()
				if root == "" {
					return false, nil
				}
				_, err := os.Stat(filepath.Join(root, "..", "thirdparty", "anl2025", "scenarios", "genius"))
				return err == nil, nil
			}
			return false, nil
		},
	})
}

// splitLog reads a log file's lines: its events, then its checkpoints.
func splitLog(ts *testscript.TestScript, file string) (events, cps [][]byte) {
	b, err := os.ReadFile(ts.MkAbs(file))
	ts.Check(err)
	for _, l := range bytes.SplitAfter(b, []byte("\n")) {
		switch {
		case len(l) == 0:
		case bytes.HasPrefix(l, []byte(`{"checkpoint":`)):
			cps = append(cps, l)
		default:
			events = append(events, l)
		}
	}
	return events, cps
}

func writeLines(ts *testscript.TestScript, file string, lines [][]byte) {
	ts.Check(os.WriteFile(ts.MkAbs(file), bytes.Join(lines, nil), 0o644))
}
