package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/parley-negotiation/parley/genius"
	"github.com/parley-negotiation/parley/scenario"
)

// DefaultScenario is what commands use when given no scenario.
const DefaultScenario = "miami-2025"

// loadScenario resolves a scenario argument: a GENIUS (XML) or GeniusWeb
// (JSON) domain folder (genius.LoadDir tells them apart), a scenario file
// (YAML or JSON), or a built-in name. An argument that names
// nothing is a usage error; a file or folder that does not hold a valid
// scenario is the thing checked being bad (exit status 1).
func loadScenario(arg string, profiles []string) (*scenario.Scenario, error) {
	if arg == "" {
		arg = DefaultScenario
	}
	st, err := os.Stat(arg)
	switch {
	case err == nil && st.IsDir():
		return notThere(genius.LoadDir(arg, profiles))
	case err == nil:
		if len(profiles) > 0 {
			return nil, usagef("--profiles applies to GENIUS and GeniusWeb domain folders, not to %s", arg)
		}
		return notThere(scenario.Load(arg))
	}
	if strings.ContainsAny(arg, `/\.`) {
		return nil, usagef("%s: no such file or folder", arg)
	}
	s, berr := scenario.Builtin(arg)
	if berr != nil {
		return nil, usagef("%q is neither a file, a folder nor a built-in scenario (built-in: %s)", arg, strings.Join(scenario.BuiltinNames(), ", "))
	}
	if len(profiles) > 0 {
		return nil, usagef("--profiles applies to GENIUS and GeniusWeb domain folders, not to built-in %q", arg)
	}
	return s, nil
}

// notThere makes the error of a file named that does not exist (a
// profile named with --profiles) a usage error.
func notThere(s *scenario.Scenario, err error) (*scenario.Scenario, error) {
	if errors.Is(err, fs.ErrNotExist) {
		return nil, usageError{err}
	}
	return s, err
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func printWarnings(e *env, s *scenario.Scenario) {
	for _, w := range s.Warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", clean(w))
	}
}
