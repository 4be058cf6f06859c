package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// Marshal writes s in the YAML file form (docs/scenario-format.md), with keys
// in a fixed order and points, options and parties referred to by id. It is
// MarshalFormat(s, "yaml").
func Marshal(s *Scenario) ([]byte, error) { return MarshalFormat(s, "yaml") }

// MarshalFormat writes s in the file form as "yaml" or "json". The scenario
// must pass Validate, and also the file form's own checks (ids without
// surrounding spaces or control characters, valid UTF-8, finite numbers in
// their ranges, no duplicates, …): MarshalFormat parses its output and
// returns an error rather than a file that would not load. Parse of the
// output yields a scenario equal to s
// (reflect.DeepEqual) when s came from Parse; for a scenario built in code
// the output is its normalised equivalent: defaults are written out,
// Framework.Name and Framework.Description are taken from the scenario,
// Warnings are dropped, and empty lists come back as nil.
//
// The model does not keep a profile's declared weights_total: Marshal
// writes none (meaning 1) when the weights sum to 1 and nothing exceeds 1,
// and "any" otherwise.
func MarshalFormat(s *Scenario, format string) ([]byte, error) {
	if s == nil {
		return nil, fmt.Errorf("scenario: marshal: nil scenario")
	}
	if format != "yaml" && format != "json" {
		return nil, fmt.Errorf("scenario: marshal: unknown format %q (expected yaml or json)", format)
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("scenario: marshal: %w", err)
	}
	if err := checkIDs(s); err != nil {
		return nil, fmt.Errorf("scenario %q: marshal: %w", s.Name, err)
	}
	t, err := toTree(s)
	if err == nil {
		err = checkUTF8(t, "")
	}
	if err != nil {
		return nil, fmt.Errorf("scenario %q: marshal: %w", s.Name, err)
	}
	var b bytes.Buffer
	if format == "json" {
		writeJSON(&b, t, "")
		b.WriteByte('\n')
	} else {
		writeYAMLMap(&b, t, 0)
	}
	// The file form is stricter than Validate (ids, UTF-8, ranges of numbers,
	// duplicates): never hand out a file that does not load. checkIDs has
	// named what is known not to load; this catches the rest, and its
	// positions are those of the output, which was never written.
	if _, err := Parse("output", b.Bytes()); err != nil {
		return nil, fmt.Errorf("scenario %q: marshal: the scenario cannot be written as a valid file (it would not load again; positions are in the %s that was not written):\n%w", s.Name, strings.ToUpper(format), err)
	}
	return b.Bytes(), nil
}

// The file form is first built as a tree of these, then written as YAML or JSON.
type (
	// omap is a mapping that keeps its keys in insertion order.
	omap struct {
		keys []string
		vals []any
		flow bool // prefer {a: 1} on one line in YAML
	}
	// str is a string scalar.
	str string
	// num is a number, already formatted.
	num string
)

func (m *omap) set(k string, v any) { m.keys = append(m.keys, k); m.vals = append(m.vals, v) }

// setStr adds a string field unless it is empty.
func (m *omap) setStr(k, v string) {
	if v != "" {
		m.set(k, str(v))
	}
}

// fnum formats a finite float so that YAML and JSON read it back exactly
// (an exponent always comes with a dot: 1.0e+21, which YAML reads as a float).
func fnum(v float64) num {
	s := strconv.FormatFloat(v, 'g', -1, 64)
	if i := strings.IndexByte(s, 'e'); i >= 0 && !strings.Contains(s[:i], ".") {
		s = s[:i] + ".0" + s[i:]
	}
	return num(s)
}

func toTree(s *Scenario) (*omap, error) {
	fw := s.Framework
	t := &omap{}
	t.set("parley", num(strconv.Itoa(FormatVersion)))
	t.set("name", str(s.Name))
	t.setStr("title", s.Title)
	t.setStr("description", s.Description)
	t.setStr("source", s.Source)
	t.setStr("notice", s.Notice)

	var pts []any
	for i := range fw.Points {
		pt := &fw.Points[i]
		m := &omap{}
		m.set("id", str(pt.ID))
		m.setStr("title", pt.Title)
		m.setStr("description", pt.Description)
		switch pt.Kind {
		case framework.Options:
			var opts []any
			for _, o := range pt.Options {
				om := &omap{}
				om.set("id", str(o.ID))
				om.setStr("label", o.Label)
				om.setStr("clause", o.Clause)
				opts = append(opts, om)
			}
			m.set("options", opts)
		case framework.Integer:
			m.set("integer", &omap{keys: []string{"min", "max"}, vals: []any{fnum(pt.Min), fnum(pt.Max)}, flow: true})
		case framework.Real:
			r := &omap{flow: true}
			r.set("min", fnum(pt.Min))
			r.set("max", fnum(pt.Max))
			if pt.Steps != 0 {
				r.set("steps", num(strconv.Itoa(pt.Steps)))
			}
			m.set("real", r)
		}
		pts = append(pts, m)
	}
	t.set("points", pts)

	var parties []any
	for i := range s.Parties {
		p := &s.Parties[i]
		m := &omap{}
		m.set("id", str(p.ID))
		m.setStr("name", p.Name)
		m.set("role", str(p.Role))
		m.setStr("brief", p.Brief)
		if p.Profile != nil {
			pm, err := profileTree(fw, p.Profile, p.Estimate)
			if err != nil {
				return nil, fmt.Errorf("party %q: %w", p.ID, err)
			}
			m.set("profile", pm)
		} else if p.Estimate != "" {
			return nil, fmt.Errorf("party %q: estimate without a profile cannot be written (the file form keeps it in the profile)", p.ID)
		}
		parties = append(parties, m)
	}
	t.set("parties", parties)

	dec := &omap{}
	dec.set("rule", str(orDefault(s.Decision.Rule, Unanimity)))
	if s.Decision.Quorum != 0 || s.Decision.Rule == Quorum {
		dec.set("quorum", num(strconv.Itoa(s.Decision.Quorum)))
	}
	if len(s.Decision.Vetoes) > 0 {
		dec.set("vetoes", strList(s.Decision.Vetoes))
	}
	dec.set("agreement", str(orDefault(s.Decision.Agreement, WholePackage)))
	if len(s.Decision.Ratification) > 0 {
		var steps []any
		for _, r := range s.Decision.Ratification {
			m := &omap{}
			m.setStr("id", r.ID)
			m.set("party", str(r.Party))
			m.set("body", str(r.Body))
			m.set("kind", str(r.Kind))
			m.setStr("condition", r.Condition)
			if r.After != nil {
				m.set("after", strList(*r.After))
			}
			m.setStr("commitment", r.Commitment)
			steps = append(steps, m)
		}
		dec.set("ratification", steps)
	}
	t.set("decision", dec)

	f := &omap{}
	f.set("default", str(orDefault(s.Format.Default, Plenary)))
	if len(s.Format.NoDirect) > 0 {
		var pairs []any
		for _, p := range s.Format.NoDirect {
			pairs = append(pairs, []any{str(p[0]), str(p[1])})
		}
		f.set("no_direct", pairs)
	}
	t.set("format", f)
	if s.Plan != nil {
		it, err := implementationTree(s.Plan)
		if err != nil {
			return nil, fmt.Errorf("implementation: %w", err)
		}
		t.set("implementation", it)
	}
	return t, nil
}

// checkUTF8 reports the first string of the tree (key or value) that is not
// valid UTF-8, which neither YAML nor JSON can carry.
func checkUTF8(v any, path string) error {
	switch x := v.(type) {
	case str:
		if !utf8.ValidString(string(x)) {
			return fmt.Errorf("%s: string %q is not valid UTF-8", path, string(x))
		}
	case []any:
		for i, e := range x {
			if err := checkUTF8(e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case *omap:
		for i, k := range x.keys {
			p := path + "." + k
			if !utf8.ValidString(k) {
				return fmt.Errorf("%s: key %q is not valid UTF-8", path, k)
			}
			if err := checkUTF8(x.vals[i], p); err != nil {
				return err
			}
		}
	}
	return nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func strList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = str(s)
	}
	return out
}

// levelValue writes a level of a point: an option id or a number. For a real
// point it picks the shortest number that lies nearest that level.
func levelValue(pt *framework.Point, l int) any {
	switch pt.Kind {
	case framework.Options:
		return str(pt.Options[l].ID)
	case framework.Integer:
		return fnum(pt.Value(l))
	}
	v := pt.Value(l)
	for prec := 1; prec < 17; prec++ {
		s := strconv.FormatFloat(v, 'g', prec, 64)
		if x, err := strconv.ParseFloat(s, 64); err == nil && pt.NearestLevel(x) == l {
			return fnum(x)
		}
	}
	return fnum(v)
}

// fitsTotalOne reports whether the profile's numbers are consistent with the
// default weights_total of 1.
func fitsTotalOne(p *profile.Profile) bool {
	if math.Abs(p.WeightSum()-1) > sumTolerance {
		return false
	}
	for _, w := range p.Weights {
		if w > 1 {
			return false
		}
	}
	if p.Reservation != nil && *p.Reservation > 1 {
		return false
	}
	for _, in := range p.Interactions {
		if math.Abs(in.Value) > 1 {
			return false
		}
	}
	if u := p.Uncertainty; u != nil {
		for _, iv := range u.Weights {
			if iv != nil && iv.Hi > 1 {
				return false
			}
		}
		if u.Reservation != nil && u.Reservation.Hi > 1 {
			return false
		}
	}
	return true
}

func profileTree(fw *framework.Framework, p *profile.Profile, estimate string) (*omap, error) {
	n := len(fw.Points)
	m := &omap{}
	m.setStr("estimate", estimate)
	switch p.Scale {
	case profile.ScaleMax:
	case profile.ScaleAbsolute:
		m.set("scale", str("absolute"))
	default:
		return nil, fmt.Errorf("unknown scale %d", p.Scale)
	}
	if !fitsTotalOne(p) {
		m.set("weights_total", str("any"))
	}
	w := &omap{flow: true}
	for i := range fw.Points {
		w.set(fw.Points[i].ID, fnum(p.Weights[i]))
	}
	m.set("weights", w)

	sc := &omap{}
	fn := &omap{}
	for i := range fw.Points {
		pt := &fw.Points[i]
		if pt.Kind == framework.Options {
			om := &omap{flow: true}
			for j, o := range pt.Options {
				om.set(o.ID, fnum(p.Scores[i][j]))
			}
			sc.set(pt.ID, om)
			continue
		}
		f := p.Funcs[i]
		fm := &omap{flow: true}
		switch f.Kind {
		case profile.Linear:
			lm := &omap{flow: true}
			lm.set("slope", fnum(f.Slope))
			if f.Offset != 0 {
				lm.set("offset", fnum(f.Offset))
			}
			if f.Origin != pt.Min {
				lm.set("origin", fnum(f.Origin))
			}
			fm.set("linear", lm)
		case profile.Triangular:
			if !(f.Low <= f.Top && f.Top <= f.High) || f.TopValue < 0 || f.TopValue > 1 {
				return nil, fmt.Errorf("point %q: triangular function %v..%v..%v (top value %v) cannot be written", pt.ID, f.Low, f.Top, f.High, f.TopValue)
			}
			tm := &omap{flow: true}
			tm.set("low", fnum(f.Low))
			tm.set("top", fnum(f.Top))
			tm.set("high", fnum(f.High))
			if f.TopValue != 1 {
				tm.set("top_value", fnum(f.TopValue))
			}
			fm.set("triangular", tm)
		case profile.Constant:
			fm.set("constant", fnum(f.Value))
		default:
			return nil, fmt.Errorf("point %q: unknown function kind %d", pt.ID, f.Kind)
		}
		fn.set(pt.ID, fm)
	}
	if len(sc.keys) > 0 {
		m.set("scores", sc)
	}
	if len(fn.keys) > 0 {
		m.set("functions", fn)
	}
	if p.Reservation != nil {
		m.set("reservation", fnum(*p.Reservation))
	}
	if p.Fallback != nil {
		fb := &omap{flow: true}
		for i, l := range p.Fallback {
			fb.set(fw.Points[i].ID, levelValue(&fw.Points[i], l))
		}
		m.set("fallback", fb)
	}
	if len(p.RedLines) > 0 {
		var rls []any
		for _, r := range p.RedLines {
			when := termsTree(fw, r.Terms, false)
			rm := &omap{}
			rm.set("when", when)
			rm.setStr("reason", r.Reason)
			rls = append(rls, rm)
		}
		m.set("red_lines", rls)
	}
	if len(p.Interactions) > 0 {
		m.set("interactions", interactionsTree(fw, p.Interactions))
	}
	if p.Discount != 0 {
		m.set("discount", fnum(p.Discount))
	}
	if u := p.Uncertainty; u != nil {
		um := &omap{}
		if u.Weights != nil && len(u.Weights) != n {
			return nil, fmt.Errorf("uncertainty: %d weight intervals for %d points", len(u.Weights), n)
		}
		if u.Scores != nil && len(u.Scores) != n {
			return nil, fmt.Errorf("uncertainty: score intervals for %d points, framework has %d", len(u.Scores), n)
		}
		wm := &omap{flow: true}
		for i, iv := range u.Weights {
			if iv != nil {
				wm.set(fw.Points[i].ID, interval(iv))
			}
		}
		if len(wm.keys) > 0 {
			um.set("weights", wm)
		}
		sm := &omap{}
		for i, ivs := range u.Scores {
			if ivs == nil {
				continue
			}
			pt := &fw.Points[i]
			if pt.Kind != framework.Options || len(ivs) != len(pt.Options) {
				return nil, fmt.Errorf("uncertainty: point %q: %d score intervals for %d options", pt.ID, len(ivs), len(pt.Options))
			}
			om := &omap{flow: true}
			for j, iv := range ivs {
				if iv != nil {
					om.set(pt.Options[j].ID, interval(iv))
				}
			}
			if len(om.keys) > 0 {
				sm.set(pt.ID, om)
			}
		}
		if len(sm.keys) > 0 {
			um.set("scores", sm)
		}
		if u.Reservation != nil {
			um.set("reservation", interval(u.Reservation))
		}
		m.set("uncertainty", um)
	}
	return m, nil
}

func interval(iv *profile.Interval) []any { return []any{fnum(iv.Lo), fnum(iv.Hi)} }

// ---- YAML output ----

// writeYAMLMap writes the entries of m as a block mapping at the indentation.
func writeYAMLMap(b *bytes.Buffer, m *omap, indent int) {
	for i, k := range m.keys {
		if indent == 0 && i > 0 && (k == "points" || k == "parties" || k == "decision" || k == "format" || k == "implementation") {
			b.WriteByte('\n') // a blank line between the sections of the file
		}
		if i > 0 {
			b.WriteString(strings.Repeat(" ", indent))
		}
		b.WriteString(yamlKey(k))
		b.WriteByte(':')
		writeYAMLValue(b, m.vals[i], indent, len(k)+2)
	}
}

// writeYAMLValue writes v after "key:" (the cursor is just past the colon).
// col is how far the line already extends past indent.
func writeYAMLValue(b *bytes.Buffer, v any, indent, col int) {
	if f, ok := flowText(v); ok && indent+col+1+len(f) <= 100 {
		b.WriteByte(' ')
		b.WriteString(f)
		b.WriteByte('\n')
		return
	}
	switch x := v.(type) {
	case str:
		if block, ok := literalBlock(string(x), indent+2); ok {
			b.WriteByte(' ')
			b.WriteString(block)
			return
		}
		b.WriteByte(' ')
		b.WriteString(yamlQuote(string(x)))
		b.WriteByte('\n')
	case *omap:
		b.WriteByte('\n')
		b.WriteString(strings.Repeat(" ", indent+2))
		writeYAMLMap(b, x, indent+2)
	case []any:
		b.WriteByte('\n')
		for _, e := range x {
			b.WriteString(strings.Repeat(" ", indent+2))
			b.WriteString("- ")
			switch ex := e.(type) {
			case *omap:
				if len(ex.keys) == 0 {
					b.WriteString("{}\n")
					continue
				}
				writeYAMLMap(b, ex, indent+4)
			default:
				f, _ := flowText(e)
				b.WriteString(f)
				b.WriteByte('\n')
			}
		}
	default:
		f, _ := flowText(v)
		b.WriteByte(' ')
		b.WriteString(f)
		b.WriteByte('\n')
	}
}

// flowText renders v on one line when it is a scalar (other than a multi-line
// string), an empty collection, a list of such, or a mapping marked flow.
func flowText(v any) (string, bool) {
	switch x := v.(type) {
	case num:
		return string(x), true
	case str:
		if strings.Contains(string(x), "\n") {
			return yamlQuote(string(x)), false
		}
		return yamlQuote(string(x)), true
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			if _, isMap := e.(*omap); isMap {
				return "", false
			}
			f, ok := flowText(e)
			if !ok {
				return "", false
			}
			parts[i] = f
		}
		return "[" + strings.Join(parts, ", ") + "]", true
	case *omap:
		if len(x.keys) == 0 {
			return "{}", true
		}
		if !x.flow {
			return "", false
		}
		parts := make([]string, len(x.keys))
		for i, k := range x.keys {
			f, ok := flowText(x.vals[i])
			if !ok {
				return "", false
			}
			parts[i] = yamlKey(k) + ": " + f
		}
		return "{" + strings.Join(parts, ", ") + "}", true
	}
	return "", false
}

func yamlKey(k string) string { return yamlQuote(k) }

// reserved are words a YAML reader may take for something other than a
// string; they are always quoted.
var reserved = map[string]bool{
	"null": true, "~": true, "true": true, "false": true,
	"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true,
}

// plainOK reports whether s can be written unquoted: it starts with a letter
// or underscore, holds only letters, digits, spaces and ._-/()' and is no
// reserved word.
func plainOK(s string) bool {
	if s == "" || reserved[strings.ToLower(s)] || strings.HasSuffix(s, " ") {
		return false
	}
	for i, r := range s {
		switch {
		case unicode.IsLetter(r) || r == '_':
		case i > 0 && (unicode.IsDigit(r) || strings.ContainsRune(" .-/()'", r)):
		default:
			return false
		}
	}
	return !strings.Contains(s, "  ")
}

// yamlQuote returns s as a plain or double-quoted YAML scalar.
func yamlQuote(s string) string {
	if plainOK(s) {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == utf8.RuneError:
			b.WriteString(`\uFFFD`)
		case r < 0x10000 && !unicode.IsPrint(r):
			fmt.Fprintf(&b, `\u%04X`, r)
		case !unicode.IsPrint(r):
			fmt.Fprintf(&b, `\U%08X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// literalBlock renders a multi-line string as a YAML literal block ("|" or
// "|-" followed by the indented lines) when that reads back exactly.
func literalBlock(s string, indent int) (string, bool) {
	body, chomp := s, "-"
	if strings.HasSuffix(s, "\n") {
		body, chomp = s[:len(s)-1], ""
	}
	if !strings.Contains(body, "\n") && chomp == "-" || body == "" || strings.HasSuffix(body, "\n") {
		return "", false
	}
	lines := strings.Split(body, "\n")
	if lines[len(lines)-1] == "" {
		return "", false
	}
	// The block's indentation is taken from its first non-empty line, which
	// therefore must not start with a space.
	for _, ln := range lines {
		if ln != "" {
			if strings.HasPrefix(ln, " ") {
				return "", false
			}
			break
		}
	}
	for _, ln := range lines {
		if strings.HasSuffix(ln, " ") {
			return "", false
		}
		for _, r := range ln {
			if r == '\t' || r == '\r' || r == utf8.RuneError || !unicode.IsPrint(r) && r != ' ' {
				return "", false
			}
		}
	}
	var b strings.Builder
	b.WriteString("|" + chomp + "\n")
	pad := strings.Repeat(" ", indent)
	for _, ln := range lines {
		if ln != "" {
			b.WriteString(pad)
			b.WriteString(ln)
		}
		b.WriteByte('\n')
	}
	return b.String(), true
}

// ---- JSON output ----

func writeJSON(b *bytes.Buffer, v any, indent string) {
	switch x := v.(type) {
	case num:
		b.WriteString(string(x))
	case str:
		b.WriteString(jsonString(string(x)))
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return
		}
		flat := true
		for _, e := range x {
			switch e.(type) {
			case *omap, []any:
				flat = false
			}
		}
		if flat {
			b.WriteByte('[')
			for i, e := range x {
				if i > 0 {
					b.WriteString(", ")
				}
				writeJSON(b, e, indent)
			}
			b.WriteByte(']')
			return
		}
		b.WriteString("[\n")
		for i, e := range x {
			b.WriteString(indent + "  ")
			writeJSON(b, e, indent+"  ")
			if i < len(x)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "]")
	case *omap:
		if len(x.keys) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for i, k := range x.keys {
			b.WriteString(indent + "  ")
			b.WriteString(jsonString(k))
			b.WriteString(": ")
			writeJSON(b, x.vals[i], indent+"  ")
			if i < len(x.keys)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "}")
	}
}

func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return strconv.Quote(s) // unreachable: strings always encode
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// ---- ids ----
// The ids of a scenario in its file form: what MarshalFormat can write, and
// RepairIDs for the ids that come from elsewhere (GENIUS and GeniusWeb
// files, code) and cannot be written as they are.

// idProblem says why the file form cannot hold id ("" when it can).
func idProblem(id string) string {
	switch {
	case id == "":
		return "is empty"
	case hasControl(id):
		return "contains a line break or control character"
	case id != trimSpace(id):
		return "starts or ends with white space"
	}
	return ""
}

// checkIDs reports the first id of s that the file form cannot hold,
// naming it and where it is.
func checkIDs(s *Scenario) error {
	bad := func(what, id string) error {
		return fmt.Errorf("%s %q %s, which a scenario file cannot hold (RepairIDs trims surrounding white space when the result is unambiguous)", what, id, idProblem(id))
	}
	for i := range s.Framework.Points {
		pt := &s.Framework.Points[i]
		if idProblem(pt.ID) != "" {
			return bad("point id", pt.ID)
		}
		for _, o := range pt.Options {
			if idProblem(o.ID) != "" {
				return bad(fmt.Sprintf("point %q: option id", pt.ID), o.ID)
			}
		}
	}
	for _, p := range s.Parties {
		if idProblem(p.ID) != "" {
			return bad("party id", p.ID)
		}
	}
	for _, r := range s.Decision.Ratification {
		if r.ID != "" && idProblem(r.ID) != "" {
			return bad("ratification step id", r.ID)
		}
	}
	return nil
}

// RepairIDs returns s when the file form can hold all its point, option and
// party ids, and otherwise a copy in which every such id that only starts or
// ends with white space is trimmed, with one warning per repaired id naming
// it. An id is trimmed only when that is unambiguous: the trimmed id is not
// empty, holds no control character and is not the id of another point (of
// another option of the same point, of another party). Labels and names
// equal to a repaired id are trimmed with it; references to a party id
// (vetoes, ratification steps, no_direct pairs) follow it. Any other id the
// file form cannot hold is an error naming it, and so is a repair that
// leaves the scenario invalid (an implementation plan referring to the old
// id, say). s itself is never modified.
func RepairIDs(s *Scenario) (*Scenario, []string, error) {
	if s == nil || s.Framework == nil {
		return s, nil, nil
	}
	fw := s.Framework
	var warns []string
	var errs []string
	// trim plans the repair of a set of sibling ids: the new id of each, or
	// "" when it needs none.
	trim := func(what string, ids []string) []string {
		taken := map[string]int{}
		for _, id := range ids {
			if idProblem(id) == "" {
				taken[id]++
			}
		}
		out := make([]string, len(ids))
		for i, id := range ids {
			pr := idProblem(id)
			if pr == "" {
				continue
			}
			t := trimSpace(id)
			switch {
			case pr != "starts or ends with white space" || idProblem(t) != "":
				errs = append(errs, fmt.Sprintf("%s %q %s: a scenario file cannot hold it, and trimming cannot repair it", what, id, pr))
			case taken[t] > 0:
				errs = append(errs, fmt.Sprintf("%s %q starts or ends with white space, and trimming it would give %q, which is already taken: rename one of them", what, id, t))
			default:
				taken[t]++
				out[i] = t
				warns = append(warns, fmt.Sprintf("%s %q written as %q (an id cannot start or end with white space)", what, id, t))
			}
		}
		return out
	}
	pointIDs := make([]string, len(fw.Points))
	for i := range fw.Points {
		pointIDs[i] = fw.Points[i].ID
	}
	newPoints := trim("point", pointIDs)
	newOptions := make([][]string, len(fw.Points))
	for i := range fw.Points {
		pt := &fw.Points[i]
		if pt.Kind != framework.Options {
			continue
		}
		ids := make([]string, len(pt.Options))
		for j, o := range pt.Options {
			ids[j] = o.ID
		}
		newOptions[i] = trim(fmt.Sprintf("point %q: option", pt.ID), ids)
	}
	partyIDs := make([]string, len(s.Parties))
	for i, p := range s.Parties {
		partyIDs[i] = p.ID
	}
	newParties := trim("party", partyIDs)
	if len(errs) > 0 {
		return nil, nil, fmt.Errorf("scenario %q: %s", s.Name, strings.Join(errs, "; "))
	}
	if len(warns) == 0 {
		return s, nil, nil
	}

	c := *s
	g := *fw
	g.Points = append([]framework.Point(nil), fw.Points...)
	for i := range g.Points {
		pt := &g.Points[i]
		if id := newPoints[i]; id != "" {
			if pt.Title == pt.ID {
				pt.Title = id
			}
			pt.ID = id
		}
		if newOptions[i] == nil {
			continue
		}
		pt.Options = append([]framework.Option(nil), pt.Options...)
		for j := range pt.Options {
			if id := newOptions[i][j]; id != "" {
				o := &pt.Options[j]
				if o.Label == o.ID {
					o.Label = id
				}
				o.ID = id
			}
		}
	}
	c.Framework = &g
	rename := map[string]string{}
	c.Parties = append([]Party(nil), s.Parties...)
	for i := range c.Parties {
		if id := newParties[i]; id != "" {
			p := &c.Parties[i]
			rename[p.ID] = id
			if p.Name == p.ID {
				p.Name = id
			}
			p.ID = id
		}
	}
	if len(rename) > 0 {
		ren := func(id string) string {
			if n, ok := rename[id]; ok {
				return n
			}
			return id
		}
		if s.Decision.Vetoes != nil {
			c.Decision.Vetoes = make([]string, len(s.Decision.Vetoes))
			for i, v := range s.Decision.Vetoes {
				c.Decision.Vetoes[i] = ren(v)
			}
		}
		if s.Decision.Ratification != nil {
			c.Decision.Ratification = append([]RatificationStep(nil), s.Decision.Ratification...)
			for i := range c.Decision.Ratification {
				c.Decision.Ratification[i].Party = ren(c.Decision.Ratification[i].Party)
			}
		}
		if s.Format.NoDirect != nil {
			c.Format.NoDirect = make([][2]string, len(s.Format.NoDirect))
			for i, p := range s.Format.NoDirect {
				c.Format.NoDirect[i] = [2]string{ren(p[0]), ren(p[1])}
			}
		}
	}
	if err := c.Validate(); err != nil {
		return nil, nil, fmt.Errorf("scenario %q: repairing ids (%s) leaves it invalid: %w", s.Name, strings.Join(warns, "; "), err)
	}
	return &c, warns, nil
}
