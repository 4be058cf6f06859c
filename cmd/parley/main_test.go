package main

import (
	"flag"
	"os"
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
			}
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "shared" {
				return refdata.Root() != "", nil
			}
			return false, nil
		},
	})
}
