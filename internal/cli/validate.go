package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/scenario"
)

func newValidate(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check scenario files and report every problem with its line and column",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			bad := 0
			for _, path := range args {
				s, err := scenario.Load(path)
				if err != nil {
					bad++
					var list scenario.ErrorList
					if errors.As(err, &list) {
						for _, e1 := range list {
							fmt.Fprintln(e.stdout, e1.Error())
						}
					} else {
						fmt.Fprintln(e.stdout, err)
					}
					continue
				}
				fmt.Fprintf(e.stdout, "%s: ok (%d points, %d parties, %s packages)\n", path, len(s.Framework.Points), len(s.Parties), group(s.Framework.Size().String()))
			}
			if bad > 0 {
				return usagef("%d of %d files invalid", bad, len(args))
			}
			return nil
		},
	}
}

func newScenarios(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "scenarios",
		Short: "List the built-in scenarios",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, name := range scenario.BuiltinNames() {
				s, err := scenario.Builtin(name)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "%-14s %s (%d points, %d parties)\n", name, s.Title, len(s.Framework.Points), len(s.Parties))
			}
			return nil
		},
	}
}
