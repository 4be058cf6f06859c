package genius

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/parley-negotiation/parley/scenario"
)

// fileKind is how LoadDir classifies an XML file of a GENIUS folder.
type fileKind int

const (
	notXML fileKind = iota
	domainFile
	linearFile
	uncertainFile
	nonLinearFile
	otherFile // constraint or unknown utility-space type, or another root
)

type dirFile struct {
	name string // base name
	path string
	kind fileKind
	root *elem
	err  error // parse or classification error
}

// hasEvaluations reports whether a <utility_space> carries profile data.
func hasEvaluations(e *elem) bool {
	switch e.name {
	case "weight", "evaluator", "utility", "ufun":
		return true
	case "item":
		if _, ok := e.attr("evaluation"); ok {
			return true
		}
	}
	for _, k := range e.kids {
		if hasEvaluations(k) {
			return true
		}
	}
	return false
}

func classify(path string) dirFile {
	df := dirFile{name: filepath.Base(path), path: path}
	fh, err := os.Open(path)
	if err != nil {
		df.err = err
		return df
	}
	defer fh.Close()
	root, _, err := parseXML(fh, df.name)
	if err != nil {
		df.err = err
		return df
	}
	df.root = root
	switch root.name {
	case "negotiation_template":
		df.kind = domainFile
	case "utility_space":
		t, _ := root.attr("type")
		switch strings.ToUpper(t) {
		case "NONLINEAR":
			df.kind = nonLinearFile
		case "UNCERTAIN":
			df.kind = uncertainFile
		case "", "LINEAR":
			if hasEvaluations(root) {
				df.kind = linearFile
			} else {
				df.kind = domainFile
			}
		default:
			df.kind = otherFile
		}
	default:
		df.kind = otherFile
	}
	return df
}

// LoadDir loads a GENIUS domain folder: the domain file (the XML file whose
// root is <negotiation_template>, or else the only <utility_space> without
// evaluations) and then the named profile files, in that order (names are
// relative to dir; ".xml" may be omitted). With no names it loads every
// LINEAR profile of the folder sorted by file name, skipping UNCERTAIN,
// non-linear and other profiles with a warning; when the folder has
// non-linear profiles and no linear one it fails with ErrNonLinear.
//
// Each profile becomes a principal party whose id is the file name without
// extension. The scenario is named after the folder, decides by unanimity on
// the whole package and meets in plenary; loader warnings are in
// Scenario.Warnings.
func LoadDir(dir string, profiles []string) (*scenario.Scenario, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []dirFile
	var warns []string
	for _, e := range entries {
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".xml") {
			continue
		}
		files = append(files, classify(filepath.Join(dir, e.Name())))
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })

	// The domain: prefer <negotiation_template> files.
	var templates, bare []*dirFile
	for i := range files {
		f := &files[i]
		if f.err == nil && f.kind == domainFile {
			if f.root.name == "negotiation_template" {
				templates = append(templates, f)
			} else {
				bare = append(bare, f)
			}
		}
	}
	cands := templates
	if len(cands) == 0 {
		cands = bare
	}
	switch len(cands) {
	case 0:
		return nil, fmt.Errorf("%s: no GENIUS domain file (an XML file with root <negotiation_template>, or a <utility_space> without evaluations)", dir)
	case 1:
	default:
		var names []string
		for _, c := range cands {
			names = append(names, c.name)
		}
		return nil, fmt.Errorf("%s: more than one GENIUS domain file: %s", dir, strings.Join(names, ", "))
	}
	dom, err := domainFromTree(cands[0].root, cands[0].name)
	if err != nil {
		return nil, err
	}
	warns = append(warns, dom.warns...)

	byName := map[string]*dirFile{}
	for i := range files {
		byName[files[i].name] = &files[i]
	}
	var chosen []*dirFile
	if len(profiles) > 0 {
		for _, p := range profiles {
			df := byName[p]
			if df == nil {
				df = byName[p+".xml"]
			}
			if df == nil {
				c := classify(filepath.Join(dir, p))
				if errors.Is(c.err, fs.ErrNotExist) {
					return nil, fmt.Errorf("%s: no profile file %q", dir, p)
				}
				df = &c
			}
			if df.err != nil {
				return nil, df.err
			}
			chosen = append(chosen, df)
		}
	} else {
		var nonLinear []string
		for i := range files {
			f := &files[i]
			switch {
			case f.err != nil:
				warns = append(warns, fmt.Sprintf("%s: skipped, not readable as XML: %v", f.name, f.err))
			case f == cands[0]:
			case f.kind == linearFile:
				chosen = append(chosen, f)
			case f.kind == uncertainFile:
				warns = append(warns, f.name+": skipped UNCERTAIN (GENIUS preference-uncertainty) profile; name it explicitly to load its additive part")
			case f.kind == nonLinearFile:
				nonLinear = append(nonLinear, f.name)
				warns = append(warns, f.name+": skipped: "+ErrNonLinear.Error())
			case f.kind == domainFile:
				warns = append(warns, f.name+": skipped: a second domain file")
			default:
				warns = append(warns, fmt.Sprintf("%s: skipped: root <%s> type %q is not a linear profile", f.name, f.root.name, attrOr(f.root, "type")))
			}
		}
		if len(chosen) == 0 && len(nonLinear) > 0 {
			return nil, fmt.Errorf("%s: %s: %w; the folder has no linear profile", dir, strings.Join(nonLinear, ", "), ErrNonLinear)
		}
		if len(chosen) == 0 {
			warns = append(warns, filepath.Base(dir)+": no linear profile: the scenario has no parties")
		}
	}

	s := &scenario.Scenario{
		Version:     scenario.FormatVersion,
		Name:        machineName(filepath.Base(filepath.Clean(dir))),
		Title:       dom.f.Name,
		Description: dom.f.Description,
		Source:      "GENIUS domain " + cands[0].name,
		Framework:   dom.f,
		Decision:    scenario.Decision{Rule: scenario.Unanimity, Agreement: scenario.WholePackage},
		Format:      scenario.Format{Default: scenario.Plenary},
	}
	for _, df := range chosen {
		if df.root == nil {
			return nil, fmt.Errorf("%s: not a profile", df.path)
		}
		p, info, err := profileFromTree(df.root, dom.f, dom.index, df.name)
		if err != nil {
			return nil, err
		}
		warns = append(warns, info.Warnings...)
		id := baseName(df.name)
		if s.Party(id) != nil {
			return nil, fmt.Errorf("%s: profile %s named twice", dir, df.name)
		}
		s.Parties = append(s.Parties, scenario.Party{ID: id, Name: id, Role: scenario.Principal, Profile: p})
	}
	s.Warnings = warns
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return s, nil
}

func attrOr(e *elem, a string) string {
	v, _ := e.attr(a)
	return v
}

// machineName turns a folder name into a scenario name: lower case, with
// every character outside [a-z0-9._-] replaced by '-'.
func machineName(s string) string {
	b := []byte(strings.ToLower(s))
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			b[i] = '-'
		}
	}
	if len(b) == 0 || b[0] == '.' || b[0] == '_' || b[0] == '-' {
		b = append([]byte("g"), b...)
	}
	return string(b)
}
