package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/scenario"
)

// validated is what parley validate --json prints.
type validated struct {
	Files []validatedFile `json:"files"`
	// Invalid counts the files that are not valid scenarios.
	Invalid int `json:"invalid"`
}

type validatedFile struct {
	File     string    `json:"file"`
	OK       bool      `json:"ok"`
	Scenario string    `json:"scenario,omitempty"`
	Points   int       `json:"points,omitempty"`
	Parties  int       `json:"parties,omitempty"`
	Packages string    `json:"packages,omitempty"`
	Problems []problem `json:"problems,omitempty"`
}

// problem is one problem of a file, positioned when it can be.
type problem struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
}

func newValidate(e *env) *cobra.Command {
	var jsonOut bool
	c := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check scenario files; report every problem with line and column",
		Long: `Validate checks scenario files (YAML or JSON, docs/scenario-format.md) and
prints every problem as FILE:LINE:COLUMN: what was found, what was expected;
a valid file is reported with its size. The exit status is 1 when a file is
not valid, 2 when a file named is not there. --json prints the same for every
file.`,
		Example: `  parley validate my-talks.yaml
  parley validate *.yaml --json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// A file that is not there is the command line's fault: said
			// before anything is checked.
			var missing []string
			for _, path := range args {
				if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
					missing = append(missing, path)
				}
			}
			if len(missing) > 0 {
				return usagef("no such file: %s", strings.Join(missing, ", "))
			}
			var res validated
			for _, path := range args {
				s, err := loadScenario(path, nil) // a file, or a GENIUS or GeniusWeb folder
				if err != nil {
					res.Invalid++
					f := validatedFile{File: path}
					var list scenario.ErrorList
					if errors.As(err, &list) {
						for _, p := range list {
							f.Problems = append(f.Problems, problem{File: p.File, Line: p.Line, Column: p.Col, Message: p.Msg})
						}
					} else {
						f.Problems = []problem{{File: path, Message: err.Error()}}
					}
					if !jsonOut {
						if len(list) > 0 {
							for _, p := range list {
								fmt.Fprintln(e.stdout, clean(p.Error()))
							}
						} else {
							fmt.Fprintln(e.stdout, clean(err.Error()))
						}
					}
					res.Files = append(res.Files, f)
					continue
				}
				f := validatedFile{File: path, OK: true, Scenario: s.Name, Points: len(s.Framework.Points), Parties: len(s.Parties),
					Packages: s.Framework.Size().String()}
				res.Files = append(res.Files, f)
				if !jsonOut {
					fmt.Fprintf(e.stdout, "%s: ok (%d points, %d parties, %s packages)\n", clean(path), f.Points, f.Parties, group(f.Packages))
				}
			}
			if jsonOut {
				if err := writeJSON(e.stdout, res); err != nil {
					return err
				}
			}
			if res.Invalid > 0 {
				return fmt.Errorf("%d of %d files invalid", res.Invalid, len(args))
			}
			return nil
		},
	}
	c.Flags().BoolVar(&jsonOut, "json", false, "print every file's result as JSON")
	return c
}

// builtinScenario is what parley scenarios --json lists.
type builtinScenario struct {
	Name     string `json:"name"`
	Title    string `json:"title"`
	Points   int    `json:"points"`
	Parties  int    `json:"parties"`
	Packages string `json:"packages"`
}

func newScenarios(e *env) *cobra.Command {
	var jsonOut bool
	c := &cobra.Command{
		Use:   "scenarios",
		Short: "List the built-in scenarios",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			list := []builtinScenario{}
			for _, name := range scenario.BuiltinNames() {
				s, err := scenario.Builtin(name)
				if err != nil {
					return err
				}
				list = append(list, builtinScenario{Name: name, Title: s.Title, Points: len(s.Framework.Points), Parties: len(s.Parties),
					Packages: s.Framework.Size().String()})
			}
			if jsonOut {
				return writeJSON(e.stdout, list)
			}
			for _, b := range list {
				fmt.Fprintf(e.stdout, "%-14s %s (%d points, %d parties)\n", b.Name, b.Title, b.Points, b.Parties)
			}
			return nil
		},
	}
	c.Flags().BoolVar(&jsonOut, "json", false, "print the list as JSON")
	return c
}
