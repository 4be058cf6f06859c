package scenario

import (
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"

	"github.com/goccy/go-yaml/ast"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// sumTolerance is how far the weights may sum from weights_total.
const sumTolerance = 1e-6

// Load reads and parses the scenario file at path (see Parse). Files larger
// than MaxFileSize are rejected without being read in full. I/O errors are
// returned wrapped with the path; problems with the content are an ErrorList.
func Load(path string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("scenario: reading %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, ErrorList{{File: path, Msg: fmt.Sprintf("file is larger than the %d MiB limit for scenario files", MaxFileSize>>20)}}
	}
	return Parse(path, data)
}

// Parse reads a scenario from YAML or JSON text (docs/scenario-format.md).
// filename is used only in messages. On success the scenario satisfies
// Validate. Otherwise the error is an ErrorList holding every problem found
// (up to MaxErrors), each with its line and column. Parse never panics and
// its cost is bounded by MaxFileSize, MaxDepth and MaxKeys.
func Parse(filename string, data []byte) (*Scenario, error) {
	d := &decoder{file: filename}
	body := d.parseYAML(data)
	if body == nil {
		return nil, d.result()
	}
	d.collectAnchors(body)
	s := d.scenario(body)
	if err := d.result(); err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		// The checks above should catch everything Validate checks (the fuzz
		// test looks for this message).
		return nil, ErrorList{{File: filename, Msg: validateFailed + err.Error()}}
	}
	return s, nil
}

// validateFailed starts the message of a file that passed the loader's own
// checks but not Scenario.Validate.
const validateFailed = "the scenario fails Validate: "

// namePattern is the syntax of a scenario's machine name.
var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

var (
	topKeys      = []string{"parley", "name", "title", "description", "source", "notice", "points", "parties", "decision", "format", "implementation"}
	pointKeys    = []string{"id", "title", "description", "options", "integer", "real"}
	optionKeys   = []string{"id", "label", "clause"}
	partyKeys    = []string{"id", "name", "role", "profile"}
	profileKeys  = []string{"estimate", "scale", "weights_total", "weights", "scores", "functions", "reservation", "fallback", "red_lines", "discount", "uncertainty"}
	decisionKeys = []string{"rule", "quorum", "vetoes", "agreement", "ratification"}
	formatKeys   = []string{"default", "no_direct"}
	roles        = []string{string(Principal), string(Mediator), string(Guarantor), string(Observer)}
	rules        = []string{Unanimity, Quorum}
	agreements   = []string{WholePackage, Provisional}
	formats      = []string{Plenary, Bilateral, Trilateral, Proximity}
	ratKinds     = []string{"parliament", "referendum", "signature", "other"}
	scales       = []string{"max", "absolute"}
	funcKinds    = []string{"linear", "triangular", "constant"}
)

// scenario decodes the top-level mapping.
func (d *decoder) scenario(n ast.Node) *Scenario {
	top, ok := d.object(n, "scenario", topKeys, nil)
	if !ok && top.entries == nil {
		return nil
	}
	if !top.has("parley") {
		d.errorf(top.node, "missing key \"parley\": expected the format version, parley: %d", FormatVersion)
		return nil
	}
	if v, ok := d.integer(top.val("parley"), "parley"); !ok {
		return nil
	} else if v != FormatVersion {
		d.errorf(d.resolve(top.val("parley")), "parley: format version %d is not supported (expected %d)", v, FormatVersion)
		return nil
	}
	for _, k := range []string{"name", "points", "parties"} {
		if !top.has(k) {
			d.errorf(top.node, "scenario: missing key %q", k)
		}
	}
	s := &Scenario{Version: FormatVersion}
	if top.has("name") {
		if v, ok := d.str(top.val("name"), "name"); ok {
			if !namePattern.MatchString(v) {
				d.errorf(d.resolve(top.val("name")), "name: %s is not a machine name (expected lower-case letters, digits, '.', '_' and '-', starting with a letter or digit)", quoteShort(v))
			}
			s.Name = v
		}
	}
	d.optStr(top, "title", &s.Title)
	d.optStr(top, "description", &s.Description)
	d.optStr(top, "source", &s.Source)
	d.optStr(top, "notice", &s.Notice)

	fw := &framework.Framework{Name: s.Name, Description: s.Description}
	var pts *points
	if top.has("points") {
		pts = d.points(top.val("points"), fw)
	}
	s.Framework = fw

	var parties map[string]ast.Node
	if top.has("parties") {
		s.Parties, parties = d.parties(top.val("parties"), fw, pts)
	}
	s.Decision = Decision{Rule: Unanimity, Agreement: WholePackage}
	if top.has("decision") {
		d.decision(top.val("decision"), &s.Decision, s, parties)
	}
	s.Format = Format{Default: Plenary}
	if top.has("format") {
		d.format(top.val("format"), &s.Format, parties)
	}
	if top.has("implementation") {
		s.Plan = d.implementation(top.val("implementation"), fw, pts, parties)
	}
	d.stepCommitments(s)
	return s
}

// optStr decodes an optional string field.
func (d *decoder) optStr(o object, key string, dst *string) {
	if o.has(key) {
		if v, ok := d.str(o.val(key), key); ok {
			*dst = v
		}
	}
}

// checkID reports an id that is empty, padded with spaces or holds control
// characters.
func (d *decoder) checkID(n ast.Node, what, id string) bool {
	msg := ""
	switch {
	case id == "":
		msg = "is empty"
	case id != trimSpace(id):
		msg = "starts or ends with white space"
	case hasControl(id):
		msg = "contains a line break or control character"
	default:
		return true
	}
	d.errorf(d.resolve(n), "%s %s %s (expected a non-empty name without surrounding spaces)", what, quoteShort(id), msg)
	return false
}

func trimSpace(s string) string {
	start, end := 0, len(s)
	for start < end && isSpace(s[start]) {
		start++
	}
	for end > start && isSpace(s[end-1]) {
		end--
	}
	return s[start:end]
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 {
			return true
		}
	}
	return false
}

// points is what the profile decoder needs to know about the framework.
type points struct {
	index map[string]int // point id → index
	ids   []string       // in framework order
	bad   map[int]bool   // points whose definition had problems: skip references
}

// points decodes the points list into fw.Points.
func (d *decoder) points(n ast.Node, fw *framework.Framework) *points {
	pts := &points{index: map[string]int{}, bad: map[int]bool{}}
	items, ok := d.list(n, "points")
	if !ok {
		return pts
	}
	if len(items) == 0 {
		d.errorf(d.resolve(n), "points: expected at least one point, found an empty list")
	}
	if len(items) > framework.MaxPoints {
		d.errorf(items[framework.MaxPoints], "points: %d points (a framework has at most %d)", len(items), framework.MaxPoints)
		return pts
	}
	levels, digits, tooBig := 0, 0.0, false
	for _, item := range items {
		if d.full() {
			break
		}
		pt, good := d.point(item)
		if pt.ID == "" {
			continue
		}
		if _, dup := pts.index[pt.ID]; dup {
			d.errorf(item, "point %q is defined twice (point ids must be unique)", pt.ID)
			continue
		}
		if good && !tooBig {
			levels += pt.Levels()
			digits += math.Log10(float64(pt.Levels()))
			switch {
			case levels > framework.MaxTotalLevels:
				d.errorf(item, "point %q brings the options and values of all points to %d (at most %d in all)", pt.ID, levels, framework.MaxTotalLevels)
				tooBig, good = true, false
			case digits > framework.MaxSpaceDigits:
				d.errorf(item, "point %q brings the number of packages to about 10^%.0f (at most 10^%d)", pt.ID, math.Floor(digits), framework.MaxSpaceDigits)
				tooBig, good = true, false
			}
		}
		pts.index[pt.ID] = len(fw.Points)
		pts.ids = append(pts.ids, pt.ID)
		if !good {
			pts.bad[len(fw.Points)] = true
		}
		fw.Points = append(fw.Points, pt)
	}
	return pts
}

// point decodes one point; good is false when anything was wrong.
func (d *decoder) point(n ast.Node) (pt framework.Point, good bool) {
	o, good := d.object(n, d.peekID(d.resolve(n), "point"), pointKeys, []string{"id"})
	if o.entries == nil {
		return pt, false
	}
	if o.has("id") {
		if id, ok := d.str(o.val("id"), "point id"); ok && d.checkID(o.val("id"), "point id", id) {
			pt.ID = id
		} else {
			good = false
		}
	}
	what := "point"
	if pt.ID != "" {
		what = fmt.Sprintf("point %q", pt.ID)
	}
	d.optStr(o, "title", &pt.Title)
	d.optStr(o, "description", &pt.Description)
	var kinds []string
	for _, k := range []string{"options", "integer", "real"} {
		if o.has(k) {
			kinds = append(kinds, k)
		}
	}
	switch len(kinds) {
	case 0:
		d.errorf(o.node, "%s: no values: expected one of the keys options, integer or real", what)
		return pt, false
	case 1:
	default:
		d.errorf(o.key(kinds[1]), "%s: both %s and %s given (expected exactly one of options, integer or real)", what, kinds[0], kinds[1])
		return pt, false
	}
	switch kinds[0] {
	case "options":
		pt.Kind = framework.Options
		items, ok := d.list(o.val("options"), what+": options")
		if !ok {
			return pt, false
		}
		if len(items) == 0 {
			d.errorf(d.resolve(o.val("options")), "%s: options: expected at least one option, found an empty list", what)
			good = false
		}
		seen := map[string]bool{}
		for _, item := range items {
			if d.full() {
				return pt, false
			}
			oo, ok := d.object(item, what+": "+d.peekID(d.resolve(item), "option"), optionKeys, []string{"id"})
			if !ok {
				good = false
			}
			if oo.entries == nil || !oo.has("id") {
				continue
			}
			var opt framework.Option
			id, ok := d.str(oo.val("id"), "option id")
			if !ok || !d.checkID(oo.val("id"), "option id", id) {
				good = false
				continue
			}
			if seen[id] {
				d.errorf(d.resolve(oo.val("id")), "%s: option %q is defined twice (option ids must be unique within a point)", what, id)
				good = false
				continue
			}
			seen[id] = true
			opt.ID = id
			d.optStr(oo, "label", &opt.Label)
			d.optStr(oo, "clause", &opt.Clause)
			pt.Options = append(pt.Options, opt)
		}
		if len(pt.Options) > framework.MaxLevels {
			d.errorf(d.resolve(o.val("options")), "%s: %d options (at most %d)", what, len(pt.Options), framework.MaxLevels)
			return pt, false
		}
	case "integer":
		pt.Kind = framework.Integer
		r, ok := d.object(o.val("integer"), what+": integer", []string{"min", "max"}, []string{"min", "max"})
		if !ok {
			return pt, false
		}
		lo, ok1 := d.integer(r.val("min"), what+": min")
		hi, ok2 := d.integer(r.val("max"), what+": max")
		if !ok1 || !ok2 {
			return pt, false
		}
		pt.Min, pt.Max = float64(lo), float64(hi)
		if hi < lo {
			d.errorf(r.node, "%s: integer range min %d > max %d (expected min ≤ max)", what, lo, hi)
			return pt, false
		}
		if hi-lo+1 > framework.MaxLevels {
			d.errorf(r.node, "%s: integer range %d..%d has %d values (at most %d)", what, lo, hi, hi-lo+1, framework.MaxLevels)
			return pt, false
		}
	case "real":
		pt.Kind = framework.Real
		r, ok := d.object(o.val("real"), what+": real", []string{"min", "max", "steps"}, []string{"min", "max"})
		if !ok {
			return pt, false
		}
		lo, ok1 := d.num(r.val("min"), what+": min")
		hi, ok2 := d.num(r.val("max"), what+": max")
		if !ok1 || !ok2 {
			return pt, false
		}
		pt.Min, pt.Max = lo, hi
		if hi < lo {
			d.errorf(r.node, "%s: real range min %s > max %s (expected min ≤ max)", what, fmtNum(lo), fmtNum(hi))
			return pt, false
		}
		if math.Abs(lo) > framework.MaxMagnitude || math.Abs(hi) > framework.MaxMagnitude {
			d.errorf(r.node, "%s: real range %s..%s is out of bounds (expected min and max within ±1e100)", what, fmtNum(lo), fmtNum(hi))
			return pt, false
		}
		if r.has("steps") {
			st, ok := d.integer(r.val("steps"), what+": steps")
			if !ok {
				return pt, false
			}
			if st < 2 || st > framework.MaxLevels {
				d.errorf(d.resolve(r.val("steps")), "%s: steps %d out of range (expected 2..%d; omit for the default %d)", what, st, framework.MaxLevels, framework.DefaultRealSteps)
				return pt, false
			}
			pt.Steps = int(st)
		}
	}
	return pt, good
}

// fmtNum formats a number for a message.
func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }

// parties decodes the parties list. It returns the parties and their id →
// id node, for references from the decision and format sections.
func (d *decoder) parties(n ast.Node, fw *framework.Framework, pts *points) ([]Party, map[string]ast.Node) {
	ids := map[string]ast.Node{}
	items, ok := d.list(n, "parties")
	if !ok {
		return nil, ids
	}
	if len(items) == 0 {
		d.errorf(d.resolve(n), "parties: expected at least one party, found an empty list")
	}
	var out []Party
	for _, item := range items {
		if d.full() {
			break
		}
		o, _ := d.object(item, d.peekID(d.resolve(item), "party"), partyKeys, []string{"id", "role"})
		if o.entries == nil {
			continue
		}
		var p Party
		if o.has("id") {
			id, ok := d.str(o.val("id"), "party id")
			if ok && d.checkID(o.val("id"), "party id", id) {
				if first, dup := ids[id]; dup {
					l, _ := position(first)
					d.errorf(d.resolve(o.val("id")), "party %q is defined twice (first at line %d; party ids must be unique)", id, l)
				} else {
					ids[id] = d.resolve(o.val("id"))
				}
				p.ID = id
			}
		}
		d.optStr(o, "name", &p.Name)
		if o.has("role") {
			if r, ok := d.oneOf(o.val("role"), "role", roles); ok {
				p.Role = Role(r)
			}
		}
		if o.has("profile") && pts != nil {
			p.Profile, p.Estimate = d.profile(o.val("profile"), fw, pts, p.ID)
		}
		out = append(out, p)
	}
	return out, ids
}

// profile decodes a party's profile.
func (d *decoder) profile(n ast.Node, fw *framework.Framework, pts *points, party string) (*profile.Profile, string) {
	what := "profile"
	if party != "" {
		what = fmt.Sprintf("profile of party %q", party)
	}
	o, _ := d.object(n, what, profileKeys, []string{"weights"})
	if o.entries == nil {
		return nil, ""
	}
	np := len(fw.Points)
	p := &profile.Profile{Weights: make([]float64, np), Scores: make([][]float64, np)}
	var estimate string
	d.optStr(o, "estimate", &estimate)
	if o.has("scale") {
		if s, ok := d.oneOf(o.val("scale"), "scale", scales); ok && s == "absolute" {
			p.Scale = profile.ScaleAbsolute
		}
	}
	// total is the declared sum of weights; NaN means "any".
	total := 1.0
	if o.has("weights_total") {
		v := d.resolve(o.val("weights_total")) // nil: already reported
		_, isNum := number(v)
		switch s, isStr := v.(*ast.StringNode); {
		case v == nil:
		case isStr && s.Value == "any":
			total = math.NaN()
		case !isNum:
			d.errorf(v, "weights_total: expected a positive number or any, found %s", describe(v))
		default:
			if t, ok := d.num(v, "weights_total"); ok {
				if t <= 0 {
					d.errorf(v, "weights_total: expected a positive number or any, found %s", scalarText(v))
				} else {
					total = t
				}
			}
		}
	}
	bound := func(what, name string, v float64, n ast.Node) {
		switch {
		case v < 0:
			d.errorf(n, "%s %s for %s is negative (expected a number ≥ 0)", what, scalarText(n), name)
		case !math.IsNaN(total) && v > total:
			d.errorf(n, "%s %s for %s is above %s (%ss must be in [0,%s] when weights_total is %s)", what, scalarText(n), name, fmtNum(total), what, fmtNum(total), fmtNum(total))
		case v > profile.MaxWeight:
			d.errorf(n, "%s %s for %s is above %s (the largest %s accepted; rescale the weights, e.g. to sum 1)", what, scalarText(n), name, fmtNum(profile.MaxWeight), what)
		}
	}

	// Weights.
	if o.has("weights") {
		entries, _ := d.mapping(o.val("weights"), "weights")
		given := make([]bool, np)
		complete := entries != nil
		for _, e := range entries {
			i, ok := d.pointRef(e.kn, e.key, "weights", pts)
			if !ok {
				complete = false
				continue
			}
			given[i] = true
			w, ok := d.num(e.val, fmt.Sprintf("weight for point %q", e.key))
			if !ok {
				complete = false
				continue
			}
			if w < 0 || (!math.IsNaN(total) && w > total) || w > profile.MaxWeight {
				complete = false
			}
			bound("weight", fmt.Sprintf("point %q", e.key), w, d.resolve(e.val))
			p.Weights[i] = w
		}
		if entries != nil {
			var missing []string
			for i, g := range given {
				if !g && !pts.bad[i] {
					missing = append(missing, pts.ids[i])
				}
			}
			if len(missing) > 0 {
				complete = false
				d.errorf(o.key("weights"), "weights: no weight for %s %s (every point needs one; use 0 for a point the party does not care about)", plural(len(missing), "point", "points"), quotedList(missing))
			}
			if complete && !math.IsNaN(total) && len(pts.bad) == 0 {
				if sum := p.WeightSum(); math.Abs(sum-total) > sumTolerance {
					d.errorf(o.key("weights"), "weights sum to %s, declared weights_total is %s", fmtNum(sum), fmtNum(total))
				}
			}
		}
	}

	// Scores of options points.
	var optionPoints []string
	for i := range fw.Points {
		if fw.Points[i].Kind == framework.Options && !pts.bad[i] {
			optionPoints = append(optionPoints, fw.Points[i].ID)
		}
	}
	if o.has("scores") {
		entries, _ := d.mapping(o.val("scores"), "scores")
		given := make([]bool, np)
		for _, e := range entries {
			i, ok := d.pointRef(e.kn, e.key, "scores", pts)
			if !ok {
				continue
			}
			given[i] = true
			pt := &fw.Points[i]
			if pt.Kind != framework.Options {
				d.errorf(e.kn, "scores: point %q is %s point (scores are for options points; give it a value function under functions)", pt.ID, kindName(pt.Kind))
				continue
			}
			p.Scores[i] = d.scores(e, pt, p.Scale)
		}
		if entries != nil {
			var missing []string
			for _, id := range optionPoints {
				if !given[pts.index[id]] {
					missing = append(missing, id)
				}
			}
			if len(missing) > 0 {
				d.errorf(o.key("scores"), "scores: no scores for %s %s (every options point needs one score per option)", plural(len(missing), "point", "points"), quotedList(missing))
			}
		}
	} else if len(optionPoints) > 0 {
		d.errorf(o.node, "%s: missing key \"scores\" (needed for the options %s %s)", what, plural(len(optionPoints), "point", "points"), quotedList(optionPoints))
	}

	// Value functions of numeric points.
	var numericPoints []string
	for i := range fw.Points {
		if fw.Points[i].Kind != framework.Options && !pts.bad[i] {
			numericPoints = append(numericPoints, fw.Points[i].ID)
		}
	}
	hasNumeric := false
	for i := range fw.Points {
		hasNumeric = hasNumeric || fw.Points[i].Kind != framework.Options
	}
	if hasNumeric {
		p.Funcs = make([]*profile.ValueFunc, np)
	}
	if o.has("functions") {
		entries, _ := d.mapping(o.val("functions"), "functions")
		given := make([]bool, np)
		for _, e := range entries {
			i, ok := d.pointRef(e.kn, e.key, "functions", pts)
			if !ok {
				continue
			}
			given[i] = true
			pt := &fw.Points[i]
			if pt.Kind == framework.Options {
				d.errorf(e.kn, "functions: point %q is an options point (value functions are for integer and real points; give it scores under scores)", pt.ID)
				continue
			}
			p.Funcs[i] = d.valueFunc(e.val, pt)
		}
		if entries != nil {
			var missing []string
			for _, id := range numericPoints {
				if !given[pts.index[id]] {
					missing = append(missing, id)
				}
			}
			if len(missing) > 0 {
				d.errorf(o.key("functions"), "functions: no value function for %s %s (every integer or real point needs one)", plural(len(missing), "point", "points"), quotedList(missing))
			}
		}
	} else if len(numericPoints) > 0 {
		d.errorf(o.node, "%s: missing key \"functions\" (needed for the numeric %s %s)", what, plural(len(numericPoints), "point", "points"), quotedList(numericPoints))
	}

	if o.has("reservation") {
		if r, ok := d.num(o.val("reservation"), "reservation"); ok {
			v := d.resolve(o.val("reservation"))
			switch {
			case r < 0:
				d.errorf(v, "reservation %s is negative (expected a utility in [0,%s])", scalarText(v), totalText(total))
			case !math.IsNaN(total) && r > total:
				d.errorf(v, "reservation %s is above weights_total %s (expected a utility in [0,%s])", scalarText(v), fmtNum(total), fmtNum(total))
			case r > profile.MaxReservation:
				d.errorf(v, "reservation %s is above %s (the largest reservation accepted)", scalarText(v), fmtNum(profile.MaxReservation))
			}
			p.Reservation = &r
		}
	}
	if o.has("fallback") {
		p.Fallback = d.fallback(o.val("fallback"), o.key("fallback"), fw, pts)
	}
	if o.has("red_lines") {
		p.RedLines = d.redLines(o.val("red_lines"), fw, pts)
	}
	if o.has("discount") {
		if v, ok := d.num(o.val("discount"), "discount"); ok {
			p.Discount = v
		}
	}
	if o.has("uncertainty") {
		p.Uncertainty = d.uncertainty(o.val("uncertainty"), fw, pts, total, p.Scale)
	}
	return p, estimate
}

func totalText(total float64) string {
	if math.IsNaN(total) {
		return "weights_total"
	}
	return fmtNum(total)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// quotedList formats ids as `"a", "b" and "c"`, eliding after 8.
func quotedList(ids []string) string {
	q := make([]string, 0, min(len(ids), 9))
	for i, id := range ids {
		if i == 8 {
			q = append(q, fmt.Sprintf("%d more", len(ids)-8))
			break
		}
		q = append(q, strconv.Quote(id))
	}
	if len(q) == 1 {
		return q[0]
	}
	return joinAnd(q)
}

func joinAnd(q []string) string {
	s := ""
	for i, x := range q {
		switch {
		case i == 0:
		case i == len(q)-1:
			s += " and "
		default:
			s += ", "
		}
		s += x
	}
	return s
}

// pointRef resolves a point id used as a key in section what. Points whose
// definition had problems are skipped silently (their problem is reported).
func (d *decoder) pointRef(n ast.Node, id, what string, pts *points) (int, bool) {
	i, ok := pts.index[id]
	if !ok {
		d.errorf(n, "%s: no point %q (points: %s)%s", what, id, listNames(pts.ids), suggest(id, pts.ids))
		return 0, false
	}
	if pts.bad[i] {
		return 0, false
	}
	return i, true
}

// optionIDs lists the option ids of an options point.
func optionIDs(pt *framework.Point) []string {
	ids := make([]string, len(pt.Options))
	for i, o := range pt.Options {
		ids[i] = o.ID
	}
	return ids
}

// scores decodes the option → score mapping of one options point.
func (d *decoder) scores(e entry, pt *framework.Point, scale profile.Scale) []float64 {
	entries, _ := d.mapping(e.val, fmt.Sprintf("scores of point %q", pt.ID))
	if entries == nil {
		return nil
	}
	out := make([]float64, len(pt.Options))
	given := make([]bool, len(pt.Options))
	for _, se := range entries {
		l := pt.Level(se.key)
		if l < 0 {
			d.errorf(se.kn, "scores: point %q has no option %q (options: %s)%s", pt.ID, se.key, listNames(optionIDs(pt)), suggest(se.key, optionIDs(pt)))
			continue
		}
		given[l] = true
		v, ok := d.num(se.val, fmt.Sprintf("score of option %q of point %q", se.key, pt.ID))
		if !ok {
			continue
		}
		vn := d.resolve(se.val)
		switch {
		case v < 0:
			d.errorf(vn, "score %s for option %q of point %q is negative (expected a number ≥ 0)", scalarText(vn), se.key, pt.ID)
		case scale == profile.ScaleAbsolute && v > 1:
			d.errorf(vn, "score %s for option %q of point %q is above 1 (with scale: absolute, scores are evaluations in [0,1])", scalarText(vn), se.key, pt.ID)
		case v > profile.MaxScore:
			d.errorf(vn, "score %s for option %q of point %q is above %s (the largest score accepted; only ratios matter with scale: max)", scalarText(vn), se.key, pt.ID, fmtNum(profile.MaxScore))
		}
		out[l] = v
	}
	var missing []string
	for l, g := range given {
		if !g {
			missing = append(missing, pt.Options[l].ID)
		}
	}
	if len(missing) > 0 {
		d.errorf(e.kn, "scores: point %q has no score for %s %s (every option needs one)", pt.ID, plural(len(missing), "option", "options"), quotedList(missing))
	}
	return out
}

// valueFunc decodes {linear: {...}} | {triangular: {...}} | {constant: v}.
func (d *decoder) valueFunc(n ast.Node, pt *framework.Point) *profile.ValueFunc {
	what := fmt.Sprintf("function of point %q", pt.ID)
	o, ok := d.object(n, what, funcKinds, nil)
	if !ok {
		return nil
	}
	if len(o.entries) != 1 {
		d.errorf(o.node, "%s: expected exactly one of linear, triangular or constant, found %d", what, len(o.entries))
		return nil
	}
	f := &profile.ValueFunc{}
	switch {
	case o.has("linear"):
		f.Kind = profile.Linear
		lo, ok := d.object(o.val("linear"), what+": linear", []string{"slope", "offset", "origin"}, []string{"slope"})
		if !ok {
			return nil
		}
		f.Origin = pt.Min
		for _, k := range []string{"slope", "offset", "origin"} {
			dst := map[string]*float64{"slope": &f.Slope, "offset": &f.Offset, "origin": &f.Origin}[k]
			if lo.has(k) {
				v, ok2 := d.num(lo.val(k), what+": "+k)
				ok2 = ok2 && d.funcParam(lo.val(k), what+": "+k, v)
				ok = ok && ok2
				*dst = v
			}
		}
		if !ok {
			return nil
		}
	case o.has("triangular"):
		f.Kind = profile.Triangular
		to, ok := d.object(o.val("triangular"), what+": triangular", []string{"low", "top", "high", "top_value"}, []string{"low", "top", "high"})
		if !ok {
			return nil
		}
		f.TopValue = 1
		for _, k := range []string{"low", "top", "high", "top_value"} {
			dst := map[string]*float64{"low": &f.Low, "top": &f.Top, "high": &f.High, "top_value": &f.TopValue}[k]
			if to.has(k) {
				v, ok2 := d.num(to.val(k), what+": "+k)
				ok2 = ok2 && d.funcParam(to.val(k), what+": "+k, v)
				ok = ok && ok2
				*dst = v
			}
		}
		if !ok {
			return nil
		}
		if !(f.Low <= f.Top && f.Top <= f.High) {
			d.errorf(to.node, "%s: triangular low %s, top %s, high %s (expected low ≤ top ≤ high)", what, fmtNum(f.Low), fmtNum(f.Top), fmtNum(f.High))
			return nil
		}
		if f.TopValue < 0 || f.TopValue > 1 {
			d.errorf(d.resolve(to.val("top_value")), "%s: top_value %s out of range (expected an evaluation in [0,1])", what, fmtNum(f.TopValue))
			return nil
		}
	case o.has("constant"):
		f.Kind = profile.Constant
		v, ok := d.num(o.val("constant"), what+": constant")
		if !ok {
			return nil
		}
		if v < 0 || v > 1 {
			d.errorf(d.resolve(o.val("constant")), "%s: constant %s out of range (expected an evaluation in [0,1])", what, fmtNum(v))
			return nil
		}
		f.Value = v
	}
	return f
}

// funcParam checks a value function's parameter against
// profile.MaxFuncParam.
func (d *decoder) funcParam(n ast.Node, what string, v float64) bool {
	if math.Abs(v) > profile.MaxFuncParam {
		d.errorf(d.resolve(n), "%s: %s is out of bounds (expected a number within ±1e100)", what, scalarText(d.resolve(n)))
		return false
	}
	return true
}

// level resolves a value naming a level of point pt: an option id, or a
// number of an integer or real point (written as a number or a string).
func (d *decoder) level(n ast.Node, pt *framework.Point, what string) (int, bool) {
	r := d.resolve(n)
	if r == nil {
		return 0, false
	}
	if !isScalar(r) {
		d.errorf(r, "%s: point %q: expected a level, found %s", what, pt.ID, describe(r))
		return 0, false
	}
	text := scalarText(r)
	if pt.Kind == framework.Options {
		l := pt.Level(text)
		if l < 0 {
			d.errorf(r, "%s: point %q has no option %q (options: %s)%s", what, pt.ID, text, listNames(optionIDs(pt)), suggest(text, optionIDs(pt)))
			return 0, false
		}
		return l, true
	}
	v, ok := number(r)
	if !ok {
		var err error
		v, err = strconv.ParseFloat(trimSpace(text), 64)
		ok = err == nil
	}
	if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
		d.errorf(r, "%s: point %q is %s point: expected a number, found %s", what, pt.ID, kindName(pt.Kind), describe(r))
		return 0, false
	}
	if pt.Kind == framework.Integer {
		if v != math.Trunc(v) || v < pt.Min || v > pt.Max {
			d.errorf(r, "%s: point %q has no level %s (expected an integer in %s..%s)", what, pt.ID, text, fmtNum(pt.Min), fmtNum(pt.Max))
			return 0, false
		}
		return int(v - pt.Min), true
	}
	l := pt.NearestLevel(v)
	if l < 0 {
		d.errorf(r, "%s: point %q has no level %s (expected a number in [%s, %s])", what, pt.ID, text, fmtNum(pt.Min), fmtNum(pt.Max))
		return 0, false
	}
	return l, true
}

// fallback decodes the BATNA package: a level for every point.
func (d *decoder) fallback(n, key ast.Node, fw *framework.Framework, pts *points) framework.Package {
	entries, _ := d.mapping(n, "fallback")
	if entries == nil {
		return nil
	}
	pkg := framework.NewPackage(len(fw.Points))
	complete := true
	for _, e := range entries {
		i, ok := d.pointRef(e.kn, e.key, "fallback", pts)
		if !ok {
			complete = false
			continue
		}
		l, ok := d.level(e.val, &fw.Points[i], "fallback")
		if !ok {
			complete = false
			continue
		}
		pkg[i] = l
	}
	given := make([]bool, len(fw.Points))
	for _, e := range entries {
		if i, ok := pts.index[e.key]; ok {
			given[i] = true
		}
	}
	var missing []string
	for i, g := range given {
		if !g && !pts.bad[i] {
			missing = append(missing, fw.Points[i].ID)
		}
	}
	if len(missing) > 0 {
		d.errorf(key, "fallback: no level for %s %s (a fallback is a complete package: it names a level for every point)", plural(len(missing), "point", "points"), quotedList(missing))
		complete = false
	}
	if !complete {
		return nil
	}
	return pkg
}

// redLines decodes the red_lines list.
func (d *decoder) redLines(n ast.Node, fw *framework.Framework, pts *points) []profile.RedLine {
	items, ok := d.list(n, "red_lines")
	if !ok {
		return nil
	}
	if len(items) > profile.MaxRedLines {
		d.errorf(items[profile.MaxRedLines], "red_lines: %d red lines (at most %d per profile)", len(items), profile.MaxRedLines)
		return nil
	}
	var out []profile.RedLine
	listed := 0
	for _, item := range items {
		if d.full() {
			break
		}
		o, _ := d.object(item, "red line", []string{"when", "reason"}, []string{"when"})
		if o.entries == nil || !o.has("when") {
			continue
		}
		var rl profile.RedLine
		d.optStr(o, "reason", &rl.Reason)
		entries, _ := d.mapping(o.val("when"), "red line: when")
		if entries != nil && len(entries) == 0 {
			d.errorf(d.resolve(o.val("when")), "red line: when: expected at least one point, found an empty mapping")
		}
		for _, e := range entries {
			i, ok := d.pointRef(e.kn, e.key, "red line", pts)
			if !ok {
				continue
			}
			t := profile.Term{Point: i}
			seen := map[int]bool{}
			vals := []ast.Node{e.val}
			if r := d.resolve(e.val); r == nil {
				continue
			} else if seq, isSeq := r.(*ast.SequenceNode); isSeq {
				vals = seq.Values
				if len(vals) == 0 {
					d.errorf(seq, "red line: point %q: expected at least one level, found an empty list", fw.Points[i].ID)
				}
			}
			for _, v := range vals {
				l, ok := d.level(v, &fw.Points[i], "red line")
				if !ok {
					continue
				}
				if seen[l] {
					d.errorf(d.resolve(v), "red line: point %q: level %s listed twice", fw.Points[i].ID, fw.Points[i].LevelID(l))
					continue
				}
				seen[l] = true
				if listed++; listed == profile.MaxRedLineLevels+1 {
					d.errorf(d.resolve(v), "red_lines: more than %d levels listed in all (at most %d per profile)", profile.MaxRedLineLevels, profile.MaxRedLineLevels)
				}
				t.Levels = append(t.Levels, l)
			}
			rl.Terms = append(rl.Terms, t)
		}
		out = append(out, rl)
	}
	return out
}

// interval decodes [lo, hi].
func (d *decoder) interval(n ast.Node, what string, hiBound float64, boundWhy string, limit float64) *profile.Interval {
	items, ok := d.list(n, what)
	if !ok {
		return nil
	}
	if len(items) != 2 {
		d.errorf(d.resolve(n), "%s: expected an interval [low, high], found a list of %d", what, len(items))
		return nil
	}
	lo, ok1 := d.num(items[0], what+": low")
	hi, ok2 := d.num(items[1], what+": high")
	if !ok1 || !ok2 {
		return nil
	}
	switch {
	case lo > hi:
		d.errorf(d.resolve(n), "%s: interval [%s, %s] has low > high", what, fmtNum(lo), fmtNum(hi))
		return nil
	case lo < 0:
		d.errorf(d.resolve(n), "%s: interval [%s, %s] is negative (expected bounds ≥ 0)", what, fmtNum(lo), fmtNum(hi))
		return nil
	case !math.IsNaN(hiBound) && hi > hiBound:
		d.errorf(d.resolve(n), "%s: interval [%s, %s] goes above %s (%s)", what, fmtNum(lo), fmtNum(hi), fmtNum(hiBound), boundWhy)
		return nil
	case hi > limit:
		d.errorf(d.resolve(n), "%s: interval [%s, %s] goes above %s (the largest value accepted)", what, fmtNum(lo), fmtNum(hi), fmtNum(limit))
		return nil
	}
	return &profile.Interval{Lo: lo, Hi: hi}
}

// uncertainty decodes the intervals of an estimated profile.
func (d *decoder) uncertainty(n ast.Node, fw *framework.Framework, pts *points, total float64, scale profile.Scale) *profile.Uncertainty {
	o, _ := d.object(n, "uncertainty", []string{"weights", "scores", "reservation"}, nil)
	if o.entries == nil {
		return nil
	}
	u := &profile.Uncertainty{}
	totalWhy := fmt.Sprintf("weights_total is %s", fmtNum(total))
	if o.has("weights") {
		entries, _ := d.mapping(o.val("weights"), "uncertainty: weights")
		for _, e := range entries {
			i, ok := d.pointRef(e.kn, e.key, "uncertainty: weights", pts)
			if !ok {
				continue
			}
			iv := d.interval(e.val, fmt.Sprintf("uncertainty: weight of point %q", e.key), total, totalWhy, profile.MaxWeight)
			if iv == nil {
				continue
			}
			if u.Weights == nil {
				u.Weights = make([]*profile.Interval, len(fw.Points))
			}
			u.Weights[i] = iv
		}
	}
	if o.has("scores") {
		entries, _ := d.mapping(o.val("scores"), "uncertainty: scores")
		for _, e := range entries {
			i, ok := d.pointRef(e.kn, e.key, "uncertainty: scores", pts)
			if !ok {
				continue
			}
			pt := &fw.Points[i]
			if pt.Kind != framework.Options {
				d.errorf(e.kn, "uncertainty: scores: point %q is %s point (score intervals are for options points)", pt.ID, kindName(pt.Kind))
				continue
			}
			opts, _ := d.mapping(e.val, fmt.Sprintf("uncertainty: scores of point %q", pt.ID))
			hi, why := math.NaN(), ""
			if scale == profile.ScaleAbsolute {
				hi, why = 1, "with scale: absolute, scores are evaluations in [0,1]"
			}
			for _, oe := range opts {
				l := pt.Level(oe.key)
				if l < 0 {
					d.errorf(oe.kn, "uncertainty: scores: point %q has no option %q (options: %s)%s", pt.ID, oe.key, listNames(optionIDs(pt)), suggest(oe.key, optionIDs(pt)))
					continue
				}
				iv := d.interval(oe.val, fmt.Sprintf("uncertainty: score of option %q of point %q", oe.key, pt.ID), hi, why, profile.MaxScore)
				if iv == nil {
					continue
				}
				if u.Scores == nil {
					u.Scores = make([][]*profile.Interval, len(fw.Points))
				}
				if u.Scores[i] == nil {
					u.Scores[i] = make([]*profile.Interval, len(pt.Options))
				}
				u.Scores[i][l] = iv
			}
		}
	}
	if o.has("reservation") {
		u.Reservation = d.interval(o.val("reservation"), "uncertainty: reservation", total, totalWhy, profile.MaxReservation)
	}
	return u
}

// decision decodes the decision section.
func (d *decoder) decision(n ast.Node, dec *Decision, s *Scenario, parties map[string]ast.Node) {
	o, _ := d.object(n, "decision", decisionKeys, nil)
	if o.entries == nil {
		return
	}
	if o.has("rule") {
		if r, ok := d.oneOf(o.val("rule"), "decision: rule", rules); ok {
			dec.Rule = r
		}
	}
	principals := 0
	for _, p := range s.Parties {
		if p.Role == Principal {
			principals++
		}
	}
	switch {
	case o.has("quorum") && dec.Rule != Quorum:
		d.errorf(o.key("quorum"), "decision: quorum given but rule is %s (quorum is used only with rule: quorum)", dec.Rule)
	case o.has("quorum"):
		if q, ok := d.integer(o.val("quorum"), "decision: quorum"); ok {
			if q < 1 || q > int64(principals) {
				d.errorf(d.resolve(o.val("quorum")), "decision: quorum %d out of range (expected 1..%d, the number of principals)", q, principals)
			} else {
				dec.Quorum = int(q)
			}
		}
	case dec.Rule == Quorum:
		d.errorf(o.key("rule"), "decision: rule is quorum but no quorum is given (expected quorum: N principals)")
	}
	if o.has("vetoes") {
		items, _ := d.list(o.val("vetoes"), "decision: vetoes")
		for _, item := range items {
			id, ok := d.partyRef(item, "decision: vetoes", parties)
			if !ok {
				continue
			}
			if contains(dec.Vetoes, id) {
				d.errorf(d.resolve(item), "decision: vetoes: party %q listed twice", id)
				continue
			}
			if p := s.Party(id); p != nil && p.Role != Principal {
				d.errorf(d.resolve(item), "decision: vetoes: %q is %s; a veto belongs to a principal (a party that negotiates and must agree)", id, p.Role.Article())
				continue
			}
			dec.Vetoes = append(dec.Vetoes, id)
		}
	}
	if o.has("agreement") {
		if a, ok := d.oneOf(o.val("agreement"), "decision: agreement", agreements); ok {
			dec.Agreement = a
		}
	}
	if o.has("ratification") {
		d.ratification(o.val("ratification"), dec, parties)
	}
}

// ratification decodes the ratification steps; the links of steps to the
// implementation plan are checked by stepCommitments once the plan is read.
func (d *decoder) ratification(n ast.Node, dec *Decision, parties map[string]ast.Node) {
	items, _ := d.list(n, "decision: ratification")
	ids := map[string]bool{}
	for _, item := range items {
		ro, _ := d.object(item, "ratification step", []string{"id", "party", "body", "kind", "condition", "after", "commitment"}, []string{"party", "body", "kind"})
		if ro.entries == nil {
			continue
		}
		var st RatificationStep
		if ro.has("id") {
			if id, ok := d.str(ro.val("id"), "ratification step: id"); ok && d.checkID(ro.val("id"), "ratification step id", id) {
				if ids[id] {
					d.errorf(d.resolve(ro.val("id")), "ratification step: id %q is used twice", id)
				}
				st.ID = id
			}
		}
		if ro.has("party") {
			st.Party, _ = d.partyRef(ro.val("party"), "ratification step: party", parties)
		}
		d.optStr(ro, "body", &st.Body)
		if ro.has("kind") {
			st.Kind, _ = d.oneOf(ro.val("kind"), "ratification step: kind", ratKinds)
		}
		d.optStr(ro, "condition", &st.Condition)
		if ro.has("after") {
			after := []string{}
			list, _ := d.list(ro.val("after"), "ratification step: after")
			for _, a := range list {
				id, ok := d.ref(a, "ratification step: after")
				if !ok {
					continue
				}
				if !ids[id] {
					var earlier []string
					for _, e := range dec.Ratification {
						if e.ID != "" {
							earlier = append(earlier, e.ID)
						}
					}
					d.errorf(d.resolve(a), "ratification step: after: %q is not the id of an earlier step (earlier steps with ids: %s)", id, listNames(earlier))
					continue
				}
				if contains(after, id) {
					d.errorf(d.resolve(a), "ratification step: after: %q listed twice", id)
					continue
				}
				after = append(after, id)
			}
			st.After = &after
		}
		if ro.has("commitment") {
			if c, ok := d.ref(ro.val("commitment"), "ratification step: commitment"); ok {
				st.Commitment = c
				d.stepRefs = append(d.stepRefs, stepRef{step: len(dec.Ratification), node: ro.val("commitment")})
			}
		}
		if st.ID != "" {
			ids[st.ID] = true
		}
		dec.Ratification = append(dec.Ratification, st)
	}
}

// stepRef is a ratification step's reference to a commitment of the plan.
type stepRef struct {
	step int
	node ast.Node
}

// stepCommitments checks the ratification steps' commitments against the
// plan (read after the decision).
func (d *decoder) stepCommitments(s *Scenario) {
	for _, r := range d.stepRefs {
		st := s.Decision.Ratification[r.step]
		if s.Plan == nil {
			d.errorf(d.resolve(r.node), "ratification step: commitment %q, but the scenario has no implementation section", st.Commitment)
			continue
		}
		if s.Plan.Commitment(st.Commitment) == nil {
			var ids []string
			for _, c := range s.Plan.Commitments {
				ids = append(ids, c.ID)
			}
			d.errorf(d.resolve(r.node), "ratification step: commitment: the plan has no commitment %q (commitments: %s)%s", st.Commitment, listNames(ids), suggest(st.Commitment, ids))
			continue
		}
		if err := s.checkStepCommitment(st); err != nil {
			d.errorf(d.resolve(r.node), "ratification step: %v", err)
		}
	}
}

// partyRef resolves a party id.
func (d *decoder) partyRef(n ast.Node, what string, parties map[string]ast.Node) (string, bool) {
	id, ok := d.ref(n, what)
	if !ok {
		return "", false
	}
	if _, ok := parties[id]; !ok {
		ids := sortedKeys(parties)
		d.errorf(d.resolve(n), "%s: no party %q (parties: %s)%s", what, id, listNames(ids), suggest(id, ids))
		return "", false
	}
	return id, true
}

// format decodes the format section.
func (d *decoder) format(n ast.Node, f *Format, parties map[string]ast.Node) {
	o, _ := d.object(n, "format", formatKeys, nil)
	if o.entries == nil {
		return
	}
	if o.has("default") {
		if v, ok := d.oneOf(o.val("default"), "format: default", formats); ok {
			f.Default = v
		}
	}
	if o.has("no_direct") {
		items, _ := d.list(o.val("no_direct"), "format: no_direct")
		for _, item := range items {
			pair, ok := d.list(item, "format: no_direct")
			if !ok {
				continue
			}
			if len(pair) != 2 {
				d.errorf(d.resolve(item), "format: no_direct: expected a pair [party, party], found a list of %d", len(pair))
				continue
			}
			a, ok1 := d.partyRef(pair[0], "format: no_direct", parties)
			b, ok2 := d.partyRef(pair[1], "format: no_direct", parties)
			if !ok1 || !ok2 {
				continue
			}
			if a == b {
				d.errorf(d.resolve(item), "format: no_direct: pair [%s, %s] names the same party twice", a, b)
				continue
			}
			dup := false
			for _, p := range f.NoDirect {
				dup = dup || (p[0] == a && p[1] == b) || (p[0] == b && p[1] == a)
			}
			if dup {
				d.errorf(d.resolve(item), "format: no_direct: pair [%s, %s] listed twice", a, b)
				continue
			}
			f.NoDirect = append(f.NoDirect, [2]string{a, b})
		}
	}
}

// kindName is the kind with its article: "an integer", "a real".
func kindName(k framework.Kind) string {
	if k == framework.Real {
		return "a real"
	}
	return "an " + k.String()
}
