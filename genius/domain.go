package genius

import (
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/parley-negotiation/parley/framework"
)

// domain is a parsed GENIUS domain: the framework plus what the framework
// does not keep, the GENIUS issue index of every point.
type domain struct {
	f     *framework.Framework
	index []int
	warns []string
}

// ReadDomain reads a GENIUS domain file (root <negotiation_template>, or a
// <utility_space> whose evaluations are ignored). name is used in messages
// and, when the root objective has no name of its own (or GENIUS's
// placeholder "root"), as the framework name (without its extension). The
// warnings list GENIUS quirks met on the way (duplicate items, nested
// objectives, ...).
func ReadDomain(r io.Reader, name string) (*framework.Framework, []string, error) {
	d, err := readDomain(r, name)
	if err != nil {
		return nil, nil, err
	}
	return d.f, d.warns, nil
}

func readDomain(r io.Reader, name string) (*domain, error) {
	root, warns, err := parseXML(r, name)
	if err != nil {
		return nil, err
	}
	d, err := domainFromTree(root, name)
	if err != nil {
		return nil, err
	}
	d.warns = append(warns, d.warns...)
	return d, nil
}

// baseName returns the file name without directory and extension.
func baseName(name string) string {
	b := filepath.Base(name)
	return strings.TrimSuffix(b, filepath.Ext(b))
}

// parseInt parses a Java int (Integer.valueOf), tolerating surrounding spaces.
func parseInt(s string) (int, error) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%q is not an integer", s)
	}
	return int(v), nil
}

// parseDouble parses a number the way Java's Double.valueOf does for the
// values found in GENIUS files (surrounding spaces, an optional d/f suffix)
// and rejects NaN and infinities.
func parseDouble(s string) (float64, error) {
	t := strings.TrimSpace(s)
	if n := len(t); n > 1 && strings.ContainsRune("dDfF", rune(t[n-1])) && (t[n-2] == '.' || (t[n-2] >= '0' && t[n-2] <= '9')) {
		t = t[:n-1]
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a finite number", s)
	}
	return v, nil
}

// issueType returns GENIUS's reading of an issue's type attributes
// (ISSUETYPE/EVALUATORTYPE.convertToType: case-insensitive, "type" wins over
// "vtype"/"etype", missing or unknown means discrete) and a warning.
func issueType(e *elem, other string) (string, string) {
	t, ok := e.attr("type")
	if !ok {
		return "discrete", ""
	}
	warn := ""
	if o, ok := e.attr(other); ok && !strings.EqualFold(o, t) {
		warn = fmt.Sprintf("type=%q and %s=%q conflict: type used, as GENIUS does", t, other, o)
	}
	switch lt := strings.ToLower(t); lt {
	case "discrete", "integer", "real":
		return lt, warn
	case "objective":
		return lt, warn
	}
	if warn != "" {
		warn += "; "
	}
	return "discrete", warn + fmt.Sprintf("unknown type %q read as discrete, as GENIUS does", t)
}

// at formats a position for messages.
func at(name string, e *elem) string {
	if e == nil || e.line == 0 {
		return name
	}
	return name + ":" + strconv.Itoa(e.line)
}

func domainFromTree(root *elem, name string) (*domain, error) {
	d := &domain{}
	var us *elem
	switch root.name {
	case "negotiation_template":
		us = root.child("utility_space")
		if us == nil {
			return nil, fmt.Errorf("%s: <negotiation_template> has no <utility_space>", at(name, root))
		}
	case "utility_space":
		us = root
		d.warns = append(d.warns, name+": domain read from a <utility_space> (profile-style) file; evaluations ignored")
	default:
		return nil, fmt.Errorf("%s: root element <%s>: expected <negotiation_template> or <utility_space>", at(name, root), root.name)
	}
	obj := us.child("objective")
	if obj == nil {
		return nil, fmt.Errorf("%s: <utility_space> has no <objective>", at(name, us))
	}
	f := &framework.Framework{}
	if n, _ := obj.attr("name"); n != "" && n != "root" {
		f.Name = n
	} else {
		f.Name = baseName(name)
	}
	f.Description, _ = obj.attr("description")
	seenIndex := map[int]string{}
	seenName := map[string]bool{}
	var walk func(o *elem) error
	walk = func(o *elem) error {
		// GENIUS adds an objective's sub-objectives before its issues and
		// enumerates issues in pre-order, so sub-objectives' issues come first.
		for _, sub := range o.children("objective") {
			n, _ := sub.attr("name")
			d.warns = append(d.warns, fmt.Sprintf("%s: nested objective %q flattened: its issues are points of the framework", at(name, sub), n))
			if err := walk(sub); err != nil {
				return err
			}
		}
		for _, is := range o.children("issue") {
			pt, idx, err := domainIssue(d, is, name)
			if err != nil {
				return err
			}
			if prev, dup := seenIndex[idx]; dup {
				return fmt.Errorf("%s: issue %q has index %d, already used by issue %q", at(name, is), pt.ID, idx, prev)
			}
			seenIndex[idx] = pt.ID
			if seenName[pt.ID] {
				return fmt.Errorf("%s: two issues are named %q", at(name, is), pt.ID)
			}
			seenName[pt.ID] = true
			f.Points = append(f.Points, pt)
			d.index = append(d.index, idx)
		}
		return nil
	}
	if err := walk(obj); err != nil {
		return nil, err
	}
	if len(f.Points) == 0 {
		return nil, fmt.Errorf("%s: domain has no issues", at(name, obj))
	}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	d.f = f
	return d, nil
}

// domainIssue converts one <issue> of a domain file.
func domainIssue(d *domain, is *elem, name string) (framework.Point, int, error) {
	var pt framework.Point
	id, ok := is.attr("name")
	if !ok || id == "" {
		return pt, 0, fmt.Errorf("%s: <issue> without a name", at(name, is))
	}
	pt.ID = id
	pt.Description, _ = is.attr("description")
	sidx, ok := is.attr("index")
	if !ok {
		return pt, 0, fmt.Errorf("%s: issue %q has no index", at(name, is), id)
	}
	idx, err := parseInt(sidx)
	if err != nil {
		return pt, 0, fmt.Errorf("%s: issue %q: index %w", at(name, is), id, err)
	}
	typ, warn := issueType(is, "vtype")
	if warn != "" {
		d.warns = append(d.warns, fmt.Sprintf("%s: issue %q: %s", at(name, is), id, warn))
	}
	switch typ {
	case "discrete":
		pt.Kind = framework.Options
		seen := map[string]bool{}
		for _, it := range is.children("item") {
			v, ok := it.attr("value")
			if !ok {
				return pt, 0, fmt.Errorf("%s: issue %q: <item> without a value", at(name, it), id)
			}
			if v == "" {
				return pt, 0, fmt.Errorf("%s: issue %q: <item> with an empty value", at(name, it), id)
			}
			if seen[v] {
				d.warns = append(d.warns, fmt.Sprintf("%s: issue %q: duplicate item %q dropped (GENIUS counts it twice; utilities are the same)", at(name, it), id, v))
				continue
			}
			seen[v] = true
			desc, _ := it.attr("description")
			pt.Options = append(pt.Options, framework.Option{ID: v, Label: v, Clause: desc})
		}
		if len(pt.Options) == 0 {
			return pt, 0, fmt.Errorf("%s: discrete issue %q has no items", at(name, is), id)
		}
	case "integer":
		pt.Kind = framework.Integer
		lo, err1 := intAttr(is, "lowerbound")
		hi, err2 := intAttr(is, "upperbound")
		if err := errors.Join(err1, err2); err != nil {
			return pt, 0, fmt.Errorf("%s: integer issue %q: %w", at(name, is), id, err)
		}
		if hi < lo || int64(hi)-int64(lo)+1 > framework.MaxLevels {
			return pt, 0, fmt.Errorf("%s: integer issue %q: range %d..%d (at most %d values): %w", at(name, is), id, lo, hi, framework.MaxLevels, framework.ErrBadRange)
		}
		pt.Min, pt.Max = float64(lo), float64(hi)
	case "real":
		pt.Kind = framework.Real
		rg := is.child("range")
		if rg == nil {
			return pt, 0, fmt.Errorf("%s: real issue %q has no <range>", at(name, is), id)
		}
		lo, err1 := floatAttr(rg, "lowerbound")
		hi, err2 := floatAttr(rg, "upperbound")
		if err := errors.Join(err1, err2); err != nil {
			return pt, 0, fmt.Errorf("%s: real issue %q: %w", at(name, rg), id, err)
		}
		if !(hi >= lo) || math.IsInf(hi-lo, 0) {
			return pt, 0, fmt.Errorf("%s: real issue %q: range %v..%v: %w", at(name, rg), id, lo, hi, framework.ErrBadRange)
		}
		pt.Min, pt.Max = lo, hi
		// steps is Parley's: the number of levels of the point, which
		// GENIUS ignores (its real issues are continuous).
		if st, ok := rg.attr("steps"); ok {
			n, err := parseInt(st)
			switch {
			case err != nil || n < 2 || n > framework.MaxLevels:
				d.warns = append(d.warns, fmt.Sprintf("%s: real issue %q: steps=%q ignored (expected 2..%d levels): the default %d levels", at(name, rg), id, st, framework.MaxLevels, framework.DefaultRealSteps))
			default:
				pt.Steps = n
			}
		}
	default:
		return pt, 0, fmt.Errorf("%s: issue %q has type %q: %w", at(name, is), id, typ, ErrUnsupported)
	}
	return pt, idx, nil
}

func intAttr(e *elem, a string) (int, error) {
	s, ok := e.attr(a)
	if !ok {
		return 0, fmt.Errorf("no %s", a)
	}
	v, err := parseInt(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", a, err)
	}
	return v, nil
}

func floatAttr(e *elem, a string) (float64, error) {
	s, ok := e.attr(a)
	if !ok {
		return 0, fmt.Errorf("no %s", a)
	}
	v, err := parseDouble(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", a, err)
	}
	return v, nil
}

// pointIndex maps point ids to indices (framework.PointIndex is linear).
func pointIndex(f *framework.Framework) map[string]int {
	m := make(map[string]int, len(f.Points))
	for i := range f.Points {
		m[f.Points[i].ID] = i
	}
	return m
}

// optionIndex maps the option ids of an options point to their levels.
func optionIndex(pt *framework.Point) map[string]int {
	m := make(map[string]int, len(pt.Options))
	for i, o := range pt.Options {
		m[o.ID] = i
	}
	return m
}
