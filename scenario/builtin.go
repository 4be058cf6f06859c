package scenario

import (
	"embed"
	"fmt"
	"path"
	"strings"

	"github.com/parley-negotiation/parley/internal/builtinfs"
)

// builtinFS holds the scenarios compiled into the binary. It is read-only.
//
//go:embed builtin/*.yaml
var builtinFS embed.FS

// BuiltinNames returns the names of the built-in scenarios (their file names
// without .yaml, which are also their name fields), sorted.
func BuiltinNames() []string { return builtinfs.Names(builtinFS, "builtin") }

// Builtin parses and returns the built-in scenario with the given name. Each
// call returns a fresh scenario that the caller may modify. The error names
// the available scenarios when there is none by that name.
func Builtin(name string) (*Scenario, error) {
	if strings.ContainsAny(name, `/\`) || name == "" || name == "." || name == ".." {
		return nil, fmt.Errorf("scenario: no built-in scenario %q (built-in: %s)", name, strings.Join(BuiltinNames(), ", "))
	}
	file := path.Join("builtin", name+".yaml")
	data, err := builtinFS.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("scenario: no built-in scenario %q (built-in: %s)", name, strings.Join(BuiltinNames(), ", "))
	}
	s, err := Parse(file, data)
	if err != nil {
		return nil, fmt.Errorf("scenario: built-in %q: %w", name, err)
	}
	return s, nil
}
