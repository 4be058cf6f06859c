package cli

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// versionInfo is what parley --version and parley version print.
type versionInfo struct {
	// Version is the module's version ("devel" for a build from a checkout).
	Version string `json:"version"`
	// Commit is the VCS revision the binary was built from ("devel" when
	// the build does not record it); Modified, that the tree had changes.
	Commit   string `json:"commit"`
	Time     string `json:"commit_time,omitempty"`
	Modified bool   `json:"modified,omitempty"`
	// Engine is the session engine's version of the rules (the logs it
	// writes record it); ScenarioFormat the scenario file format's.
	Engine         int    `json:"engine"`
	ScenarioFormat int    `json:"scenario_format"`
	Go             string `json:"go"`
	Platform       string `json:"platform"`
}

// buildVersion reads the version from the build information.
func buildVersion() versionInfo {
	v := versionInfo{Version: "devel", Commit: "devel", Engine: session.EngineVersion, ScenarioFormat: scenario.FormatVersion,
		Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if m := bi.Main.Version; m != "" && m != "(devel)" {
		v.Version = m
	}
	if bi.GoVersion != "" {
		v.Go = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if s.Value != "" {
				v.Commit = s.Value
			}
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

func printVersion(w io.Writer, jsonOut bool) error {
	v := buildVersion()
	if jsonOut {
		return writeJSON(w, v)
	}
	commit := v.Commit
	if v.Time != "" {
		commit += " (" + v.Time + ")"
	}
	if v.Modified {
		commit += ", with uncommitted changes"
	}
	fmt.Fprintf(w, "parley %s\n", v.Version)
	fmt.Fprintf(w, "commit:          %s\n", commit)
	fmt.Fprintf(w, "session engine:  %d\n", v.Engine)
	fmt.Fprintf(w, "scenario format: %d\n", v.ScenarioFormat)
	fmt.Fprintf(w, "go:              %s %s\n", v.Go, v.Platform)
	return nil
}

func newVersion(e *env) *cobra.Command {
	var jsonOut bool
	c := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, engine and scenario format versions",
		Long: `Version prints parley's version (the module's; devel for a build from a
checkout), the commit it was built from (devel when the build does not record
it), the version of the session engine's rules (logs record the version they
were written under), the scenario file format version and the Go version.
parley --version prints the same.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return printVersion(e.stdout, jsonOut)
		},
	}
	c.Flags().BoolVar(&jsonOut, "json", false, "print the versions as JSON")
	return c
}
