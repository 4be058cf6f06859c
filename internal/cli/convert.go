package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/genius"
	"github.com/parley-negotiation/parley/scenario"
)

func newConvert(e *env) *cobra.Command {
	var to, out, profiles string
	c := &cobra.Command{
		Use:   "convert SCENARIO --to yaml|json|genius|geniusweb [--out PATH]",
		Short: "Convert between scenario files, GENIUS XML folders and GeniusWeb JSON",
		Long: `Convert a scenario (file, built-in name or GENIUS domain folder) to:
  yaml, json   a Parley scenario file (to --out, or standard output)
  genius       a GENIUS folder: domain.xml and one <party>.xml profile per profiled party
  geniusweb    a GeniusWeb folder: domain.json and one <party>.json profile per profiled party`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sc, err := loadScenario(args[0], splitList(profiles))
			if err != nil {
				return err
			}
			printWarnings(e, sc)
			switch to {
			case "yaml", "json":
				b, err := scenario.MarshalFormat(sc, to)
				if err != nil {
					return err
				}
				if out == "" {
					_, err = e.stdout.Write(b)
					return err
				}
				return os.WriteFile(out, b, 0o644)
			case "genius", "geniusweb":
				if out == "" {
					return usagef("--to %s writes a folder: give it with --out", to)
				}
				return writeGeniusFolder(sc, to, out)
			}
			return usagef("--to must be yaml, json, genius or geniusweb (got %q)", to)
		},
	}
	c.Flags().StringVar(&to, "to", "yaml", "output format: yaml, json, genius, geniusweb")
	c.Flags().StringVar(&out, "out", "", "output file (yaml/json) or folder (genius/geniusweb)")
	c.Flags().StringVar(&profiles, "profiles", "", "GENIUS folder input: profile files to read, in order")
	return c
}

func writeGeniusFolder(sc *scenario.Scenario, to, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ext := ".xml"
	if to == "geniusweb" {
		ext = ".json"
	}
	var buf bytes.Buffer
	var err error
	if to == "genius" {
		err = genius.WriteDomain(&buf, sc.Framework)
	} else {
		err = genius.WriteGeniusWebDomain(&buf, sc.Framework)
	}
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "domain"+ext), buf.Bytes(), 0o644); err != nil {
		return err
	}
	for _, p := range sc.Profiled() {
		buf.Reset()
		if to == "genius" {
			err = genius.WriteProfile(&buf, sc.Framework, p.Profile)
		} else {
			err = genius.WriteGeniusWebProfile(&buf, sc.Framework, p.Profile, p.ID)
		}
		if err != nil {
			return fmt.Errorf("party %q: %w", p.ID, err)
		}
		if err := os.WriteFile(filepath.Join(dir, p.ID+ext), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}
