package genius

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/parley-negotiation/parley/framework"
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
	path string // for messages: the folder's label joined with name
	kind fileKind
	root *elem
	err  error // parse or classification error
}

// MaxFileName bounds the length of a file name LoadDir and LoadFS accept.
const MaxFileName = 255

// CheckName reports whether name is a plain file name of a folder: not
// empty, no separator, not "." or "..", no control character (NUL
// included), at most MaxFileName bytes. LoadDir and LoadFS refuse profile
// names that fail it before anything is opened, so that no name leaves
// the folder.
func CheckName(name string) error {
	switch {
	case len(name) > MaxFileName:
		return fmt.Errorf("file name of %d bytes: want at most %d", len(name), MaxFileName)
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("file name %q: want the name of a file in the folder", name)
	case strings.ContainsAny(name, `/\`):
		return fmt.Errorf("file name %q: want the name of a file in the folder, without folders", name)
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return fmt.Errorf("file name %q: control characters are not allowed", name)
	}
	return nil
}

// folder is a GENIUS folder to load: its files and a label for messages.
type folder struct {
	fsys  fs.FS
	label string
}

func (d folder) path(name string) string {
	if d.label == "" {
		return name
	}
	return filepath.Join(d.label, name)
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

// open opens the folder's regular file name. Only regular files are
// opened: a FIFO, a device or a socket is refused before it could block or
// stream forever.
func (d folder) open(name string) (fs.File, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	path := d.path(name)
	st, err := fs.Stat(d.fsys, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", path, errNotRegular)
	}
	fh, err := d.fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	// The file may have been replaced between Stat and Open.
	if st, err := fh.Stat(); err != nil || !st.Mode().IsRegular() {
		fh.Close()
		return nil, fmt.Errorf("%s: %w", path, errNotRegular)
	}
	return fh, nil
}

// classify reads and classifies the folder's file name.
func (d folder) classify(name string) dirFile {
	df := dirFile{name: name, path: d.path(name)}
	fh, err := d.open(name)
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

var errNotRegular = errors.New("not a regular file")

// unwrapPath drops the operation and path of an *fs.PathError (the path
// is named by the caller, and may be the inside of an os.Root).
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// LoadDir loads a GENIUS domain folder: the domain file (the XML file whose
// root is <negotiation_template>, or else the only <utility_space> without
// evaluations) and then the named profile files, in that order (names are
// file names of dir, without folders; ".xml" may be omitted). With no
// names it loads every LINEAR and NONLINEAR (hyper-rectangle) profile of
// the folder sorted by file name, skipping UNCERTAIN and other profiles with
// a warning.
//
// Nothing outside dir is read: a profile name with a separator or "..",
// or a symbolic link that leads out of dir, is refused, and only regular
// files are opened (a FIFO or a device in the folder is skipped with a
// warning, or refused when named).
//
// Each profile becomes a principal party whose id is the file name without
// extension. The scenario is named after the folder, decides by unanimity on
// the whole package and meets in plenary; loader warnings are in
// Scenario.Warnings.
func LoadDir(dir string, profiles []string) (*scenario.Scenario, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return load(folder{fsys: root.FS(), label: dir}, filepath.Base(filepath.Clean(dir)), profiles)
}

// LoadFS is LoadDir over the root directory of fsys (an upload held in
// memory, say): name names the folder (the scenario's name) and prefixes
// messages. Subdirectories of fsys are ignored.
func LoadFS(fsys fs.FS, name string, profiles []string) (*scenario.Scenario, error) {
	return load(folder{fsys: fsys, label: name}, name, profiles)
}

func load(d folder, name string, profiles []string) (*scenario.Scenario, error) {
	dir := d.label
	for _, p := range profiles {
		if err := CheckName(p); err != nil {
			return nil, fmt.Errorf("%s: profile: %w", dir, err)
		}
	}
	entries, err := fs.ReadDir(d.fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, unwrapPath(err))
	}
	var files []dirFile
	var warns []string
	jsonFiles := false
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(filepath.Ext(e.Name()), ".json") {
			jsonFiles = true
		}
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".xml") {
			continue
		}
		files = append(files, d.classify(e.Name()))
	}
	if len(files) == 0 && jsonFiles {
		return loadWeb(d, name, profiles, entries)
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
		return nil, fmt.Errorf("%s: no GENIUS domain file (an XML file with root <negotiation_template>, or a <utility_space> without evaluations; a GeniusWeb folder has JSON files only)", dir)
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
				c := d.classify(p)
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
		for i := range files {
			f := &files[i]
			switch {
			case errors.Is(f.err, errNotRegular):
				warns = append(warns, f.name+": skipped: not a regular file")
			case f.err != nil:
				warns = append(warns, fmt.Sprintf("%s: skipped, not readable as XML: %v", f.name, f.err))
			case f == cands[0]:
			case f.kind == linearFile || f.kind == nonLinearFile:
				chosen = append(chosen, f)
			case f.kind == uncertainFile:
				warns = append(warns, f.name+": skipped UNCERTAIN (GENIUS preference-uncertainty) profile; name it explicitly to load its additive part")
			case f.kind == domainFile:
				warns = append(warns, f.name+": skipped: a second domain file")
			default:
				warns = append(warns, fmt.Sprintf("%s: skipped: root <%s> type %q is not a linear profile", f.name, f.root.name, attrOr(f.root, "type")))
			}
		}
		if len(chosen) == 0 {
			warns = append(warns, name+": no linear or non-linear profile: the scenario has no parties")
		}
	}

	s := &scenario.Scenario{
		Version:     scenario.FormatVersion,
		Name:        machineName(name),
		Title:       dom.f.Name,
		Description: dom.f.Description,
		Source:      "GENIUS domain " + cands[0].name,
		Framework:   dom.f,
		Decision:    scenario.Decision{Rule: scenario.Unanimity, Agreement: scenario.WholePackage},
		Format:      scenario.Format{Default: scenario.Plenary},
	}
	tabled, twarns := tableIntegers(dom.f, chosen)
	warns = append(warns, twarns...)
	for _, df := range chosen {
		if df.root == nil {
			return nil, fmt.Errorf("%s: not a profile", df.path)
		}
		p, info, err := profileFromTree(df.root, dom.f, readOpts{index: dom.index, tabled: tabled}, df.name)
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
	nameParties(s, baseName(cands[0].name))
	s.Warnings = warns
	return finish(s, dir, cands[0].name)
}

// finish validates an imported scenario and repairs the ids a scenario
// file cannot hold (GENIUS files may pad them with spaces), with a warning
// prefixed by the domain file's name for each. Ids that cannot be repaired
// are kept as they are, with a warning: the scenario can be analysed, and
// writing it as a scenario file fails naming them.
func finish(s *scenario.Scenario, dir, domainFile string) (*scenario.Scenario, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	r, warns, err := scenario.RepairIDs(s)
	if err != nil {
		s.Warnings = append(s.Warnings, fmt.Sprintf("%s: %v (it cannot be written as a scenario file)", domainFile, err))
		return s, nil
	}
	for _, w := range warns {
		r.Warnings = append(r.Warnings, domainFile+": "+w)
	}
	return r, nil
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

// tableIntegers makes options points of the integer points of f that some
// chosen profile gives as an item table (type discrete, as NegMAS writes
// integer issues): one option per integer, its id and label the integer
// in decimal. It returns which points it changed and a warning for each.
func tableIntegers(f *framework.Framework, chosen []*dirFile) ([]bool, []string) {
	var tabled []bool
	var warns []string
	for _, df := range chosen {
		if df.root == nil {
			continue
		}
		tables := itemTables(df.root)
		ids := make([]string, 0, len(tables))
		for id := range tables {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			e := tables[id]
			i := -1
			for k := range f.Points {
				if f.Points[k].ID == id {
					i = k
				}
			}
			if i < 0 || f.Points[i].Kind != framework.Integer || (tabled != nil && tabled[i]) {
				continue
			}
			pt := &f.Points[i]
			if tabled == nil {
				tabled = make([]bool, len(f.Points))
			}
			tabled[i] = true
			n := pt.Levels()
			opts := make([]framework.Option, n)
			for l := range opts {
				v := strconv.FormatFloat(pt.Value(l), 'f', -1, 64)
				opts[l] = framework.Option{ID: v, Label: v}
			}
			warns = append(warns, fmt.Sprintf("%s: integer issue %q is an item table (as NegMAS writes integer issues): read as an options point with one option per integer, %v..%v", at(df.name, e), pt.ID, pt.Min, pt.Max))
			pt.Kind, pt.Options, pt.Min, pt.Max, pt.Steps = framework.Options, opts, 0, 0, 0
		}
	}
	return tabled, warns
}

// itemTables returns the issues of a profile given as item tables
// (discrete, with items), by name.
func itemTables(root *elem) map[string]*elem {
	out := map[string]*elem{}
	var walk func(e *elem)
	walk = func(e *elem) {
		for _, k := range e.kids {
			if k.name == "issue" {
				if t, _ := issueType(k, "etype"); t == "discrete" && k.child("item") != nil {
					if n, ok := k.attr("name"); ok {
						out[n] = k
					}
				}
			}
			walk(k)
		}
	}
	walk(root)
	return out
}
