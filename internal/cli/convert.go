package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/genius"
	"github.com/parley-negotiation/parley/scenario"
)

// convertReport is what parley convert --json prints: what was written and
// what was not.
type convertReport struct {
	Scenario string `json:"scenario"`
	To       string `json:"to"`
	// Output is the file or folder written ("" for standard output).
	Output string `json:"output"`
	// Files are the files written (for a folder, inside it).
	Files []string `json:"files"`
	// LeftOut names what the target format cannot hold, not written.
	LeftOut []string `json:"left_out"`
	// Changed names what was written in another form (same utilities),
	// and ids repaired so that they can be written.
	Changed []string `json:"changed"`
	// Warnings are the warnings of reading the scenario.
	Warnings []string `json:"warnings"`
}

func newConvert(e *env) *cobra.Command {
	var to, out, profiles string
	var jsonOut, force bool
	c := &cobra.Command{
		Use:   "convert SCENARIO --to yaml|json|genius|geniusweb [-o PATH]",
		Short: "Convert scenarios between YAML/JSON, GENIUS XML and GeniusWeb JSON",
		Long: `Convert a scenario (file, built-in name, GENIUS or GeniusWeb folder) to:
  yaml, json   a Parley scenario file (to -o, or standard output)
  genius       a GENIUS folder: domain.xml and one <party>.xml profile per
               profiled party
  geniusweb    a GeniusWeb folder: domain.json and one <party>.json profile
               per profiled party

Nothing is half-written: the output is made in memory, written beside the
target and renamed into place, or not written at all. A folder must be new or
empty (--force replaces one that holds only files of an earlier export).

The files are written so that GENIUS, GeniusWeb, NegMAS and Parley evaluate
them alike (discrete evaluations peaking at 1, integer functions with their
origin at 0, GeniusWeb numbers as value sets, which NegMAS reads; the
reservation value and discount as NegMAS's reserved_value and
discount_factor in GeniusWeb). What the target format cannot hold (red lines,
labels, the decision rule, ...) is left out and named in a warning; what it
holds in another form with the same utilities (a numeric point as a discrete
issue) too. Ids a scenario
file cannot hold are trimmed when that is unambiguous (warned), or refused
with the id named. --json prints what was written and left out
(docs/genius.md).`,
		Example: `  parley convert tiny-2p --to yaml -o tiny.yaml
  parley convert ../shared/data/genius/domains/Laptop --to geniusweb -o laptop
  parley convert talks.yaml --to genius -o talks-genius --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch to {
			case "yaml", "json", genius.FormatGenius, genius.FormatGeniusWeb:
			default:
				return usagef("--to must be yaml, json, genius or geniusweb (got %q)", to)
			}
			folder := to == genius.FormatGenius || to == genius.FormatGeniusWeb
			if folder && out == "" {
				return usagef("--to %s writes a folder: give it with -o/--output", to)
			}
			if jsonOut && out == "" {
				return usagef("--json prints a report of what was written: give the file with -o/--output (without it the %s goes to standard output)", to)
			}
			if force && !folder {
				return usagef("--force replaces an output folder: it applies to --to genius and geniusweb")
			}
			sc, err := loadScenario(args[0], splitList(profiles))
			if err != nil {
				return err
			}
			printWarnings(e, sc)
			rep := convertReport{Scenario: sc.Name, To: to, Output: out, Files: []string{}, LeftOut: []string{}, Changed: []string{}, Warnings: append([]string{}, sc.Warnings...)}
			repaired, fixes, err := scenario.RepairIDs(sc)
			if err != nil {
				return err
			}
			sc = repaired
			rep.Changed = append(rep.Changed, fixes...)
			if folder {
				x, err := genius.ExportScenario(sc, to)
				if err != nil {
					return err
				}
				rep.LeftOut = append(rep.LeftOut, x.LeftOut...)
				rep.Changed = append(rep.Changed, x.Changed...)
				if err := x.WriteDir(out, force); err != nil {
					if errors.Is(err, genius.ErrNotEmpty) {
						return usagef("-o %s: %v: give a new or empty folder, or --force to replace an earlier export", out, genius.ErrNotEmpty)
					}
					return err
				}
				for _, f := range x.Files {
					rep.Files = append(rep.Files, filepath.Join(out, f.Name))
				}
			} else {
				b, err := scenario.MarshalFormat(sc, to)
				if err != nil {
					return err
				}
				if out == "" {
					_, err = e.stdout.Write(b)
					reportConversion(e, &rep)
					return err
				}
				if err := writeFileAtomic(out, b); err != nil {
					return err
				}
				rep.Files = append(rep.Files, out)
			}
			reportConversion(e, &rep)
			if jsonOut {
				return writeJSON(e.stdout, rep)
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&to, "to", "yaml", "output format: yaml, json, genius, geniusweb")
	f.StringVarP(&out, "output", "o", "", "output file (yaml, json; default: standard output) or folder (genius, geniusweb)")
	f.StringVar(&out, "out", "", "the output file or folder (deprecated: -o/--output)")
	_ = f.MarkDeprecated("out", "use -o/--output")
	f.BoolVar(&jsonOut, "json", false, "print what was written and what was left out as JSON")
	f.BoolVar(&force, "force", false, "replace an output folder holding an earlier export")
	f.StringVar(&profiles, "profiles", "", "GENIUS or GeniusWeb folder input: profile files to read, in order")
	return c
}

// reportConversion warns, on standard error, of what the conversion left
// out or changed.
func reportConversion(e *env, rep *convertReport) {
	for _, w := range rep.Changed {
		fmt.Fprintf(e.stderr, "warning: changed: %s\n", clean(w))
	}
	for _, w := range rep.LeftOut {
		fmt.Fprintf(e.stderr, "warning: left out (%s cannot hold it): %s\n", formatName(rep.To), clean(w))
	}
}

func formatName(to string) string {
	switch to {
	case genius.FormatGenius:
		return "GENIUS"
	case genius.FormatGeniusWeb:
		return "GeniusWeb"
	}
	return "the scenario file"
}

// writeFileAtomic writes data as the file name: to a new file beside it,
// synced, then renamed over it, so that name is never half-written.
func writeFileAtomic(name string, data []byte) (err error) {
	if st, err := os.Stat(name); err == nil && st.IsDir() {
		return fmt.Errorf("%s is a folder", name)
	}
	fh, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			fh.Close()
			os.Remove(fh.Name())
		}
	}()
	if _, err = fh.Write(data); err != nil {
		return err
	}
	if err = fh.Chmod(0o644); err != nil {
		return err
	}
	if err = fh.Sync(); err != nil {
		return err
	}
	if err = fh.Close(); err != nil {
		return err
	}
	return os.Rename(fh.Name(), name)
}
