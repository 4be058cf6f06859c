package tournament

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/parley-negotiation/parley/genius"
	"github.com/parley-negotiation/parley/internal/posyaml"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// Finding and loading the scenarios a config names: built-in names,
// scenario files, GENIUS folders and folder patterns with their profiles.

// Resolve loads every scenario entry (built-in names, files relative to
// Dir, GENIUS folders and folder patterns), checks that each has enough
// agents for its parties, and sets Scenarios. Problems are an ErrorList
// positioned at the entry concerned.
func (c *Config) Resolve() error {
	d := posyaml.NewDecoder(c.File, configFormat)
	c.Scenarios = nil
	names := map[string]int{}
	for i, e := range c.Entries {
		what := fmt.Sprintf("scenario %d", i+1)
		refs, err := c.resolveEntry(e)
		if err != nil {
			d.ErrorAt(e.line, e.col, "%s: %s", what, err)
			continue
		}
		for _, s := range refs {
			if first, dup := names[s.Ref.Name]; dup {
				d.ErrorAt(e.line, e.col, "%s: a scenario named %q is already in the tournament (scenario %d); give this entry a name:", what, s.Ref.Name, first)
				continue
			}
			names[s.Ref.Name] = i + 1
			n, k := len(s.Parties), len(c.Agents)
			if n < 2 {
				d.ErrorAt(e.line, e.col, "%s: %s has %d negotiating party with a profile; a negotiation needs at least 2", what, s.Ref.Name, n)
				continue
			}
			if !c.SelfPlay && k < n && k > 0 {
				d.ErrorAt(e.line, e.col, "%s: %s has %d parties but the tournament has %d agents; add agents or set self_play: true", what, s.Ref.Name, n, k)
				continue
			}
			// The session engine's own checks, as every negotiation of
			// the scenario will meet them.
			if err := session.CheckConfig(s.sc, c.sessionConfig(s.Parties)); err != nil {
				d.ErrorAt(e.line, e.col, "%s: %s cannot be negotiated under this tournament's rules: %v", what, s.Ref.Name, err)
				continue
			}
			s.sc = nil
			c.Scenarios = append(c.Scenarios, s)
		}
	}
	return d.Err()
}

// resolveEntry loads one entry into its scenarios.
func (c *Config) resolveEntry(e ScenarioEntry) ([]Scenario, error) {
	switch e.Kind {
	case KindBuiltin:
		sc, err := scenario.Builtin(e.Source)
		if err != nil {
			return nil, fmt.Errorf("no built-in scenario %q (built-in: %s)", e.Source, strings.Join(scenario.BuiltinNames(), ", "))
		}
		return []Scenario{newScenario(sc, orName(e.Name, sc.Name), KindBuiltin, e.Source, nil)}, nil
	case KindFile:
		path := c.path(e.Source)
		sc, err := scenario.Load(path)
		if err != nil {
			var el scenario.ErrorList
			switch {
			case errors.As(err, &el) && len(el) == 1:
				return nil, el[0]
			case len(el) == 2:
				return nil, fmt.Errorf("%s (and 1 more problem)", el[0])
			case len(el) > 2:
				return nil, fmt.Errorf("%s (and %d more problems)", el[0], len(el)-1)
			}
			return nil, err
		}
		return []Scenario{newScenario(sc, orName(e.Name, sc.Name), KindFile, path, nil)}, nil
	}
	dirs := []string{c.path(e.Source)}
	if isPattern(e.Source) {
		m, err := filepath.Glob(dirs[0])
		if err != nil {
			return nil, fmt.Errorf("pattern %s: %w", e.Source, err)
		}
		dirs = dirs[:0]
		for _, p := range m {
			if st, err := os.Stat(p); err == nil && st.IsDir() && !slices.Contains(e.Exclude, filepath.Base(p)) {
				dirs = append(dirs, p)
			}
		}
		if len(dirs) == 0 {
			return nil, fmt.Errorf("pattern %s matches no folder", e.Source)
		}
		if e.Name != "" {
			return nil, fmt.Errorf("name applies to one folder, not to a pattern")
		}
	}
	var out []Scenario
	for _, dir := range dirs {
		s, err := loadGenius(dir, e)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// loadGenius loads a GENIUS folder with the entry's profiles (default:
// every linear profile, or the first MaxParties of them by file name).
func loadGenius(dir string, e ScenarioEntry) (Scenario, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return Scenario{}, fmt.Errorf("%s: no such folder", dir)
	}
	sc, err := genius.LoadDir(dir, e.Profiles)
	if err != nil {
		return Scenario{}, err
	}
	var files []string
	for _, p := range sc.Principals() {
		files = append(files, genius.ProfileFile(sc, p.ID))
	}
	if len(e.Profiles) == 0 && e.MaxParties > 0 && len(files) > e.MaxParties {
		files = files[:e.MaxParties]
		if sc, err = genius.LoadDir(dir, files); err != nil {
			return Scenario{}, err
		}
	}
	name := e.Name
	if name == "" {
		name = filepath.Base(dir)
	}
	return newScenario(sc, name, KindGenius, dir, files), nil
}

func newScenario(sc *scenario.Scenario, name, kind, source string, profiles []string) Scenario {
	s := Scenario{Ref: ScenarioRef{Name: name, Kind: kind, Source: source, Profiles: profiles, Digest: session.Digest(sc)}, sc: sc}
	for _, p := range sc.Principals() {
		s.Parties = append(s.Parties, p.ID)
	}
	return s
}

func orName(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// path resolves a path of the config against Dir, as an absolute path.
func (c *Config) path(p string) string {
	if !filepath.IsAbs(p) && c.Dir != "" {
		p = filepath.Join(c.Dir, p)
	}
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// isPattern reports whether a genius entry is a folder pattern.
func isPattern(s string) bool { return strings.ContainsAny(s, "*?[") }
