package genius

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/scenario"
)

// Formats of ExportScenario.
const (
	FormatGenius    = "genius"
	FormatGeniusWeb = "geniusweb"
)

// An Export is a scenario made into the files of a GENIUS or GeniusWeb
// folder, in memory: nothing is on disk until WriteDir.
type Export struct {
	Format string // FormatGenius or FormatGeniusWeb
	// Files are the folder's files: the domain first, then one profile per
	// profiled party, in party order.
	Files []File
	// LeftOut names, one line each, what the format cannot hold and was
	// not written (red lines, option labels, the decision rule, ...).
	LeftOut []string
	// Changed names, one line each, what was written in another form than
	// the model's, with the same utilities (an integer point written as a
	// GENIUS real issue, a numeric point as a GeniusWeb discrete issue, ...).
	Changed []string
}

// File is one file of an Export.
type File struct {
	Name string
	Data []byte
}

// ExportScenario makes the files of a GENIUS (format "genius": domain.xml
// and <party>.xml) or GeniusWeb ("geniusweb": domain.json and
// <party>.json) folder for every profiled party of s, entirely in memory,
// such that LoadDir reads back the same points (ids, kinds, levels) and,
// for every package, the same utilities (up to rounding) and the same
// effective reservation (GENIUS; GeniusWeb has only the fallback).
//
// What the format cannot hold is listed in LeftOut, and what is written in
// another form in Changed. What cannot be written at all is an error that
// names it, returned before anything is written: a party id that cannot be
// a file name of the folder, ids with characters the format cannot hold.
// Ids that a scenario file cannot hold are not repaired here
// (scenario.RepairIDs does that).
func ExportScenario(s *scenario.Scenario, format string) (*Export, error) {
	if s == nil || s.Framework == nil {
		return nil, fmt.Errorf("export: no scenario")
	}
	if format != FormatGenius && format != FormatGeniusWeb {
		return nil, fmt.Errorf("export: unknown format %q (expected genius or geniusweb)", format)
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	x := &Export{Format: format}
	ext := ".xml"
	if format == FormatGeniusWeb {
		ext = ".json"
	}
	profiled := s.Profiled()
	if err := checkFileNames(profiled, ext); err != nil {
		return nil, err
	}
	f := s.Framework
	x.LeftOut = leftOut(s, format)
	var buf bytes.Buffer
	var err error
	if format == FormatGenius {
		pl := &xmlPlan{values: make([][]string, len(f.Points))}
		for i := range f.Points {
			pt := &f.Points[i]
			if pt.Kind == framework.Options {
				continue
			}
			why := ""
			if pt.Kind == framework.Integer {
				if _, err1 := javaInt(pt.Min); err1 != nil {
					why = "its bounds are not 32-bit integers, as GENIUS integer issues need"
				} else if _, err2 := javaInt(pt.Max); err2 != nil {
					why = "its bounds are not 32-bit integers, as GENIUS integer issues need"
				}
			}
			for _, p := range profiled {
				if why != "" {
					break
				}
				if err := xmlFits(pt, p.Profile.Funcs[i]); err != nil {
					why = fmt.Sprintf("party %q's %s", p.ID, err)
				}
			}
			if why != "" {
				pl.values[i] = levelStrings(pt)
				x.Changed = append(x.Changed, fmt.Sprintf("point %q: written as a discrete issue with one item per level (%d items, the numbers as values), since %s; it reads back as an options point with the same utilities", pt.ID, pt.Levels(), why))
			} else if pt.Kind == framework.Real && pt.Steps != 0 {
				x.Changed = append(x.Changed, fmt.Sprintf("point %q: its %d levels are kept in the steps attribute of the domain, which Parley reads and GENIUS and NegMAS ignore (their real issues are continuous)", pt.ID, pt.Steps))
			}
		}
		x.Changed = append(x.Changed, nonLinearChanges(f, profiled)...)
		err = writeDomain(&buf, f, pl)
		if err == nil {
			x.add("domain"+ext, &buf)
			for _, p := range profiled {
				if err = writeProfile(&buf, f, p.Profile, pl); err != nil {
					err = fmt.Errorf("party %q: %w", p.ID, err)
					break
				}
				x.add(p.ID+ext, &buf)
			}
		}
	} else {
		pl := &webPlan{values: make([][]string, len(f.Points))}
		for i := range f.Points {
			pt := &f.Points[i]
			if pt.Kind == framework.Options {
				continue
			}
			// NegMAS reads only GeniusWeb value sets (issues_from_geniusweb
			// takes "values" of every issue), so numeric points are written
			// as one value per level, which every reader evaluates alike.
			pl.values[i] = levelStrings(pt)
			x.Changed = append(x.Changed, fmt.Sprintf("point %q: written as a discrete issue with one value per level (%d values, the numbers as strings), since NegMAS cannot read GeniusWeb number ranges; it reads back as an options point with the same utilities", pt.ID, pt.Levels()))
		}
		err = writeGeniusWebDomain(&buf, f, pl)
		if err == nil {
			x.add("domain"+ext, &buf)
			for _, p := range profiled {
				if err = writeGeniusWebProfile(&buf, f, p.Profile, p.ID, pl); err != nil {
					err = fmt.Errorf("party %q: %w", p.ID, err)
					break
				}
				x.add(p.ID+ext, &buf)
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("export to %s: %w", format, err)
	}
	return x, nil
}

func (x *Export) add(name string, buf *bytes.Buffer) {
	x.Files = append(x.Files, File{Name: name, Data: bytes.Clone(buf.Bytes())})
	buf.Reset()
}

// checkFileNames refuses party ids that cannot be the file names of the
// folder: not plain file names (CheckName), the domain's own name, or two
// ids that differ only in case (one file on case-insensitive systems).
func checkFileNames(parties []*scenario.Party, ext string) error {
	seen := map[string]string{"domain": "the domain file"}
	for _, p := range parties {
		if err := CheckName(p.ID + ext); err != nil {
			return fmt.Errorf("export: party %q: its id cannot name the party's file: %v", p.ID, err)
		}
		k := strings.ToLower(p.ID)
		if other, dup := seen[k]; dup {
			if other == "the domain file" {
				return fmt.Errorf("export: party %q: its file would be domain%s, the domain's: rename the party", p.ID, ext)
			}
			return fmt.Errorf("export: parties %q and %q: their files %s%s and %s%s differ only in case, which many file systems do not tell apart: rename one", other, p.ID, other, ext, p.ID, ext)
		}
		seen[k] = p.ID
	}
	return nil
}

// leftOut lists what the format cannot hold.
func leftOut(s *scenario.Scenario, format string) []string {
	f := s.Framework
	web := format == FormatGeniusWeb
	name := "GENIUS"
	if web {
		name = "GeniusWeb"
	}
	var out []string
	add := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }

	if s.Title != "" && s.Title != f.Name {
		add("the scenario's title %q (the domain is named %q)", s.Title, f.Name)
	}
	if s.Description != "" && (web || s.Description != f.Description) {
		add("the scenario's description")
	}
	if web && f.Description != "" && f.Description != s.Description {
		add("the framework's description")
	}
	// The source LoadDir writes names the file it read, and is written
	// anew when the folder is read back.
	if s.Source != "" && !strings.HasPrefix(s.Source, "GENIUS domain ") && !strings.HasPrefix(s.Source, "GeniusWeb domain ") {
		add("the scenario's source")
	}
	if s.Notice != "" {
		add("the scenario's notice")
	}
	// Points and options.
	var titles, descs []string
	for i := range f.Points {
		pt := &f.Points[i]
		if pt.Title != "" && pt.Title != pt.ID {
			titles = append(titles, pt.ID)
		}
		if web && pt.Description != "" {
			descs = append(descs, pt.ID)
		}
		var labels, clauses int
		for _, o := range pt.Options {
			if o.Label != "" && o.Label != o.ID {
				labels++
			}
			if web && o.Clause != "" {
				clauses++
			}
		}
		if labels > 0 {
			add("point %q: the labels of %d %s (only ids are written)", pt.ID, labels, plural(labels, "option", "options"))
		}
		if clauses > 0 {
			add("point %q: the clauses of %d %s", pt.ID, clauses, plural(clauses, "option", "options"))
		}
	}
	if len(titles) > 0 {
		add("the titles of %s %s", plural(len(titles), "point", "points"), quoteList(titles))
	}
	if len(descs) > 0 {
		add("the descriptions of %s %s", plural(len(descs), "point", "points"), quoteList(descs))
	}
	// Parties and profiles.
	for i := range s.Parties {
		p := &s.Parties[i]
		if p.Profile == nil {
			add("party %q (%s without a profile): %s folders hold profiles only", p.ID, p.Role, name)
			continue
		}
		if p.Role != scenario.Principal {
			add("party %q: its role %s (a profile reads back as a principal)", p.ID, p.Role)
		}
		if p.Name != "" && p.Name != p.ID {
			add("party %q: its name %q", p.ID, p.Name)
		}
		if p.Estimate != "" {
			add("party %q: the note on its estimated profile", p.ID)
		}
		pr := p.Profile
		if n := len(pr.RedLines); n > 0 {
			add("party %q: %d red %s", p.ID, n, plural(n, "line", "lines"))
		}
		if pr.Uncertainty != nil {
			add("party %q: the uncertainty intervals of its profile", p.ID)
		}
		if web {
			// The reservation value and the discount factor are written as
			// NegMAS's reserved_value and discount_factor; with a fallback
			// too, NegMAS takes the fallback's utility as the reservation.
			if pr.Reservation != nil && pr.Fallback != nil {
				add("party %q: for NegMAS, its reservation value %s (NegMAS takes the utility of the reservationBid, the fallback, instead; Parley reads back both)", p.ID, fmtNum(*pr.Reservation))
			}
		} else if pr.Fallback != nil {
			t, err := pr.Compile(f)
			res := ""
			if err == nil && t.HasReservation {
				res = fmtNum(t.Reservation)
			}
			add("party %q: its fallback package (the reservation written, %s, is the larger of its utility and the reservation value)", p.ID, res)
		}
	}
	// The rules of the talks.
	d := s.Decision
	if d.Rule != "" && d.Rule != scenario.Unanimity {
		add("the decision rule %s (quorum %d)", d.Rule, d.Quorum)
	}
	if len(d.Vetoes) > 0 {
		add("the vetoes of %s", quoteList(d.Vetoes))
	}
	if d.Agreement != "" && d.Agreement != scenario.WholePackage {
		add("the agreement mode %s", d.Agreement)
	}
	if n := len(d.Ratification); n > 0 {
		add("%d ratification %s", n, plural(n, "step", "steps"))
	}
	if s.Format.Default != "" && s.Format.Default != scenario.Plenary {
		add("the meeting format %s", s.Format.Default)
	}
	if n := len(s.Format.NoDirect); n > 0 {
		add("%d no-direct-contact %s", n, plural(n, "pair", "pairs"))
	}
	if s.Plan != nil {
		add("the implementation plan")
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func quoteList(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = fmt.Sprintf("%q", id)
	}
	return strings.Join(q, ", ")
}

// ErrNotEmpty is returned by WriteDir when the folder exists with content
// and may not be replaced.
var ErrNotEmpty = errors.New("the folder exists and is not empty")

// WriteDir writes the export's files as the folder dir, all or nothing:
// they are written to a new folder beside dir, synced, and the folder is
// renamed to dir, so that dir never holds a partial export and a failure
// leaves nothing behind. dir must not exist or be empty; with replace, a
// dir holding only files a previous export could have written (regular
// files with the format's extension, no folders) is replaced as a whole.
// Missing parent folders are created.
func (x *Export) WriteDir(dir string, replace bool) (err error) {
	dir = filepath.Clean(dir)
	ext := ".xml"
	if x.Format == FormatGeniusWeb {
		ext = ".json"
	}
	existing := false
	switch st, err := os.Lstat(dir); {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	case !st.IsDir():
		return fmt.Errorf("%s exists and is not a folder", dir)
	default:
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		existing = len(entries) > 0
		if existing && !replace {
			return fmt.Errorf("%s: %w", dir, ErrNotEmpty)
		}
		for _, e := range entries {
			if !e.Type().IsRegular() || !strings.EqualFold(filepath.Ext(e.Name()), ext) {
				return fmt.Errorf("%s holds %s, which no %s export writes: not replacing it", dir, e.Name(), x.Format)
			}
		}
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	for _, f := range x.Files {
		if err := CheckName(f.Name); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := writeSynced(filepath.Join(tmp, f.Name), f.Data); err != nil {
			return err
		}
	}
	if err := syncDir(tmp); err != nil {
		return err
	}
	if existing {
		// Move the old folder aside, the new one in, then drop the old one.
		old := tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return err
		}
		if err := os.Rename(tmp, dir); err != nil {
			if e := os.Rename(old, dir); e != nil {
				return fmt.Errorf("%w; and the old folder could not be put back from %s: %v", err, old, e)
			}
			return err
		}
		os.RemoveAll(old)
	} else if err := os.Rename(tmp, dir); err != nil {
		// An empty dir is replaced by rename on POSIX systems; elsewhere
		// remove it first.
		if rmErr := os.Remove(dir); rmErr != nil {
			return err
		}
		if err := os.Rename(tmp, dir); err != nil {
			return err
		}
	}
	return syncDir(parent)
}

// writeSynced creates name (which must not exist) with data and syncs it.
func writeSynced(name string, data []byte) error {
	fh, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := fh.Write(data); err != nil {
		fh.Close()
		return err
	}
	if err := fh.Sync(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

// syncDir makes a folder's entries durable, as far as the system allows
// (some file systems refuse to sync folders; the files themselves are
// synced).
func syncDir(dir string) error {
	fh, err := os.Open(dir)
	if err != nil {
		return err
	}
	fh.Sync()
	return fh.Close()
}
