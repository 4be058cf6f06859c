package genius

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
)

// webFile is a JSON file of a GeniusWeb folder.
type webFile struct {
	name string
	root *jnode
	err  error
}

func (w *webFile) isDomain() bool { return w.err == nil && w.root.get("issuesValues") != nil }
func (w *webFile) isProfile() bool {
	return w.err == nil && w.root.get("LinearAdditiveUtilitySpace") != nil
}

// loadWeb loads a GeniusWeb folder (LoadDir's folders without XML files):
// the domain is the JSON file with issuesValues, the profiles those with a
// LinearAdditiveUtilitySpace (named, or all of them sorted by file name),
// each a principal party named after its file.
func loadWeb(d folder, name string, profiles []string, entries []fs.DirEntry) (*scenario.Scenario, error) {
	dir := d.label
	read := func(fn string) webFile {
		wf := webFile{name: fn}
		fh, err := d.open(fn)
		if err != nil {
			wf.err = err
			return wf
		}
		defer fh.Close()
		wf.root, wf.err = parseJSON(fh, fn)
		return wf
	}
	var files []webFile
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".json") {
			files = append(files, read(e.Name()))
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	var domains []*webFile
	for i := range files {
		if files[i].isDomain() {
			domains = append(domains, &files[i])
		}
	}
	switch len(domains) {
	case 0:
		return nil, fmt.Errorf("%s: no GeniusWeb domain file (a JSON file with issuesValues) and no GENIUS XML file", dir)
	case 1:
	default:
		return nil, fmt.Errorf("%s: more than one GeniusWeb domain file: %s, %s", dir, domains[0].name, domains[1].name)
	}
	dom := domains[0]
	f, err := webDomain(dom.root, dom.name)
	if err != nil {
		return nil, err
	}
	var warns []string
	var chosen []*webFile
	if len(profiles) > 0 {
		byName := map[string]*webFile{}
		for i := range files {
			byName[files[i].name] = &files[i]
		}
		for _, p := range profiles {
			if err := CheckName(p); err != nil {
				return nil, fmt.Errorf("%s: profile: %w", dir, err)
			}
			wf := byName[p]
			if wf == nil {
				wf = byName[p+".json"]
			}
			if wf == nil {
				c := read(p)
				if errors.Is(c.err, fs.ErrNotExist) {
					return nil, fmt.Errorf("%s: no profile file %q", dir, p)
				}
				wf = &c
			}
			if wf.err != nil {
				return nil, wf.err
			}
			if !wf.isProfile() {
				return nil, fmt.Errorf("%s: %s is not a GeniusWeb LinearAdditiveUtilitySpace profile", dir, wf.name)
			}
			chosen = append(chosen, wf)
		}
	} else {
		for i := range files {
			wf := &files[i]
			switch {
			case wf == dom:
			case wf.err != nil:
				warns = append(warns, fmt.Sprintf("%s: skipped: %v", wf.name, wf.err))
			case wf.isProfile():
				chosen = append(chosen, wf)
			default:
				warns = append(warns, wf.name+": skipped: not a GeniusWeb domain or LinearAdditiveUtilitySpace profile")
			}
		}
		if len(chosen) == 0 {
			warns = append(warns, name+": no profile: the scenario has no parties")
		}
	}
	s := &scenario.Scenario{
		Version:   scenario.FormatVersion,
		Name:      machineName(name),
		Title:     f.Name,
		Source:    "GeniusWeb domain " + dom.name,
		Framework: f,
		Decision:  scenario.Decision{Rule: scenario.Unanimity, Agreement: scenario.WholePackage},
		Format:    scenario.Format{Default: scenario.Plenary},
	}
	for _, wf := range chosen {
		p, err := webFileProfile(wf, f)
		if err != nil {
			return nil, err
		}
		id := baseName(wf.name)
		if s.Party(id) != nil {
			return nil, fmt.Errorf("%s: profile %s named twice", dir, wf.name)
		}
		s.Parties = append(s.Parties, scenario.Party{ID: id, Name: id, Role: scenario.Principal, Profile: p})
	}
	nameParties(s, baseName(dom.name))
	s.Warnings = warns
	return finish(s, dir, dom.name)
}

// webFileProfile reads a profile of a GeniusWeb folder against its domain.
func webFileProfile(wf *webFile, f *framework.Framework) (*profile.Profile, error) {
	las := wf.root.get("LinearAdditiveUtilitySpace")
	if wf.root.kind != jObj || len(wf.root.keys) != 1 || las.kind != jObj {
		return nil, fmt.Errorf("%s:%d: expected {\"LinearAdditiveUtilitySpace\": {...}}", wf.name, wf.root.line)
	}
	if dn := las.get("domain"); dn != nil && dn.kind != jNull {
		df, err := webDomain(dn, wf.name+" domain")
		if err != nil {
			return nil, err
		}
		if err := sameIssues(f, df); err != nil {
			return nil, fmt.Errorf("%s:%d: embedded domain does not match the folder's: %w", wf.name, dn.line, err)
		}
	}
	return webProfile(las, f, wf.name)
}
