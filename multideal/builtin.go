package multideal

import (
	"embed"
	"fmt"
	"path"
	"strings"

	"github.com/parley-negotiation/parley/internal/builtinfs"
)

// builtinFS holds the multi-deal scenarios compiled into the binary.
//
//go:embed builtin/*.yaml
var builtinFS embed.FS

// BuiltinNames returns the names of the built-in multi-deal scenarios
// (their file names without .yaml), sorted.
func BuiltinNames() []string { return builtinfs.Names(builtinFS, "builtin") }

// Builtin parses and returns a fresh copy of the built-in multi-deal
// scenario with the given name (such as "miami-shuttle").
func Builtin(name string) (*Scenario, error) {
	if name == "" || strings.ContainsAny(name, `/\.`) {
		return nil, fmt.Errorf("multideal: no built-in scenario %q (built-in: %s)", name, strings.Join(BuiltinNames(), ", "))
	}
	file := path.Join("builtin", name+".yaml")
	data, err := builtinFS.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("multideal: no built-in scenario %q (built-in: %s)", name, strings.Join(BuiltinNames(), ", "))
	}
	s, err := Parse(file, data)
	if err != nil {
		return nil, fmt.Errorf("multideal: built-in %q: %w", name, err)
	}
	return s, nil
}
