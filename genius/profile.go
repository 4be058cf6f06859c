package genius

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// Kind is the GENIUS utility-space type of a profile this package imports.
type Kind string

// Profile kinds.
const (
	// Linear is a plain additive <utility_space>.
	Linear Kind = "LINEAR"
	// Uncertain is <utility_space type="UNCERTAIN">, the ANAC 2019
	// preference-uncertainty variant: the same additive data plus the
	// parameters of the uncertainty experiment. Its additive part is imported.
	Uncertain Kind = "UNCERTAIN"
	// NonLinear is <utility_space type="nonlinear">, GENIUS's
	// hyper-rectangle utility space (ANAC 2014): read as interactions over
	// a zero additive part (see ProfileInfo.NonLinear).
	NonLinear Kind = "NONLINEAR"
)

// ProfileInfo describes what ReadProfile found beside the profile itself.
type ProfileInfo struct {
	Kind Kind
	// Discount is the <discount_factor value> as written ("" when absent);
	// Profile.Discount holds the effective factor.
	Discount string
	// Reservation is the <reservation value> as written ("" when absent).
	Reservation string
	// NegMAS says the file was written by NegMAS (its objective is
	// <objective index="1" name="any">) and read with NegMAS's semantics:
	// evaluations as written (not divided by their maximum), an integer
	// function's origin at 0.
	NegMAS bool
	// Uncertain holds the extra elements of an UNCERTAIN profile.
	Uncertain *UncertainInfo
	// NonLinear holds what a NONLINEAR profile says beside its rectangles.
	NonLinear *NonLinearInfo
	// Warnings lists GENIUS quirks met (weights not summing to 1, discount
	// discarded, ...), each prefixed with the input name.
	Warnings []string
}

// UncertainInfo holds the preference-uncertainty parameters of an UNCERTAIN
// profile (as written; 0/false when absent or unreadable). Parley does not use
// them: the profile is the additive utility space of the same file.
type UncertainInfo struct {
	Comparisons  int
	Errors       int
	FixedSeed    bool
	Experimental bool
}

// ReadProfile reads a GENIUS LINEAR, UNCERTAIN or NONLINEAR profile against
// the framework of its domain (from ReadDomain). Issues are matched to points
// by name; the weight <weight index="i"> belongs to the profile's issue with
// index i. A non-linear (hyper-rectangle) profile becomes interactions over
// a zero additive part (see nonLinearFromTree and docs/genius.md); the
// structures it cannot map exactly (aggregations other than sum, ufun types
// other than PlainUfun, bounds on issues that are not integers) fail with
// ErrNonLinear.
func ReadProfile(r io.Reader, f *framework.Framework, name string) (*profile.Profile, *ProfileInfo, error) {
	if f == nil {
		return nil, nil, fmt.Errorf("%s: no framework to read the profile against", name)
	}
	root, warns, err := parseXML(r, name)
	if err != nil {
		return nil, nil, err
	}
	p, info, err := profileFromTree(root, f, readOpts{}, name)
	if err != nil {
		return nil, nil, err
	}
	info.Warnings = append(warns, info.Warnings...)
	return p, info, nil
}

// spaceKind classifies a <utility_space> root by its type attribute, as
// GENIUS's UTILITYSPACETYPE does (case-insensitive; none means LINEAR).
func spaceKind(root *elem, name string) (Kind, error) {
	t, _ := root.attr("type")
	switch strings.ToUpper(t) {
	case "", "LINEAR":
		return Linear, nil
	case "UNCERTAIN":
		return Uncertain, nil
	case "NONLINEAR":
		return NonLinear, nil
	case "CONSTRAINT":
		return "", fmt.Errorf("%s: <utility_space type=%q>: constraint utility spaces are %w", name, t, ErrUnsupported)
	}
	return "", fmt.Errorf("%s: <utility_space type=%q>: unknown utility space type: %w", name, t, ErrUnsupported)
}

// pointEval is what a profile says about one point.
type pointEval struct {
	weight float64
	scores []float64 // options: raw evaluations, in option order
	max    float64   // options: largest evaluation among all the profile's items
	fn     *profile.ValueFunc
	// final marks scores that are evaluations already (an integer
	// evaluator tabulated for a point read as options): never divided.
	final bool
	// other holds, per level, the evaluation the other reader gives
	// (NegMAS for a GENIUS-written file, GENIUS for a NegMAS-written one);
	// nil with otherNote when that reader cannot read the issue at all.
	other     []float64
	otherNote string
	// why says what makes the other reader differ, for the warning (a
	// category shared by issues), detail what of this issue (a number).
	why, detail string
	// negative holds the negative evaluations of a NegMAS-written item
	// table, read as 0, by value.
	negative map[string]float64
}

// readOpts is how profileFromTree reads a profile of a folder.
type readOpts struct {
	// index, when known, holds the GENIUS index of every point.
	index []int
	// tabled marks the integer issues of the domain read as options points
	// (one option per integer) because a profile of the folder gives them
	// as item tables, as NegMAS writes them.
	tabled []bool
}

// whyPeak is the warning's reason for discrete issues whose evaluations do
// not peak at 1.
const whyPeak = "GENIUS divides discrete evaluations by their peak, NegMAS does not (peaks)"

// negmasWritten reports whether a <utility_space> was written by NegMAS
// (UtilityFunction.to_genius), whose objective is always
// <objective index="1" ... name="any">; GENIUS's root objective has index 0.
func negmasWritten(root *elem) bool {
	o := root.child("objective")
	if o == nil {
		return false
	}
	n, _ := o.attr("name")
	i, _ := o.attr("index")
	return n == "any" && strings.TrimSpace(i) == "1"
}

// profileFromTree converts a parsed profile. index, when known, holds the
// GENIUS index of every point of f, which the profile's indices must match.
func profileFromTree(root *elem, f *framework.Framework, opts readOpts, name string) (*profile.Profile, *ProfileInfo, error) {
	index := opts.index
	info := &ProfileInfo{}
	warn := func(e *elem, format string, args ...any) {
		info.Warnings = append(info.Warnings, at(name, e)+": "+fmt.Sprintf(format, args...))
	}
	if root.name != "utility_space" {
		if root.name == "negotiation_template" {
			return nil, nil, fmt.Errorf("%s: <negotiation_template> is a domain, not a profile", at(name, root))
		}
		return nil, nil, fmt.Errorf("%s: root element <%s>: expected <utility_space>", at(name, root), root.name)
	}
	kind, err := spaceKind(root, name)
	if err != nil {
		return nil, nil, err
	}
	if kind == NonLinear {
		return nonLinearFromTree(root, f, opts, name)
	}
	info.Kind = kind
	negmas := negmasWritten(root)
	info.NegMAS = negmas
	n := len(f.Points)
	evals := make([]*pointEval, n)
	pidx := pointIndex(f)
	var resv, disc *elem

	// GENIUS (AdditiveUtilitySpace.loadTreeRecursive) visits every element
	// in pre-order; at each it reads the first <reservation> and the first
	// <discount_factor> child (a later visit overrides), the <weight>
	// children, and gives an evaluator to each <issue> child that has a
	// weight of the same level.
	var walk func(e *elem) error
	walk = func(e *elem) error {
		if c := e.child("reservation"); c != nil {
			if resv != nil {
				warn(c, "more than one <reservation>: this one is used, as in GENIUS")
			}
			resv = c
		}
		if c := e.child("discount_factor"); c != nil {
			if disc != nil {
				warn(c, "more than one <discount_factor>: this one is used, as in GENIUS")
			}
			disc = c
		}
		weights := map[int]float64{}
		for _, w := range e.children("weight") {
			idx, err := intAttr(w, "index")
			if err != nil {
				return fmt.Errorf("%s: <weight>: %w", at(name, w), err)
			}
			v, err := floatAttr(w, "value")
			if err != nil {
				return fmt.Errorf("%s: <weight index=\"%d\">: %w", at(name, w), idx, err)
			}
			if old, dup := weights[idx]; dup && old != v {
				warn(w, "second weight for index %d: %v replaces %v, as in GENIUS", idx, v, old)
			}
			weights[idx] = v
		}
		for _, is := range e.children("issue") {
			id, _ := is.attr("name")
			idx, err := intAttr(is, "index")
			if err != nil {
				return fmt.Errorf("%s: issue %q: %w", at(name, is), id, err)
			}
			w, ok := weights[idx]
			if !ok {
				// GENIUS creates no evaluator for an issue without a weight.
				continue
			}
			pi, ok := pidx[id]
			if !ok {
				return fmt.Errorf("%s: issue %q (index %d) is not in the domain %q", at(name, is), id, idx, f.Name)
			}
			if index != nil && index[pi] != idx {
				return fmt.Errorf("%s: issue %q has index %d here but %d in the domain (GENIUS matches issues by index)", at(name, is), id, idx, index[pi])
			}
			if index == nil && idx != pi+1 {
				warn(is, "issue %q has index %d but is point %d of the framework: matched by name", id, idx, pi+1)
			}
			if evals[pi] != nil {
				warn(is, "issue %q evaluated twice: the later one is used, as in GENIUS", id)
			}
			tabled := opts.tabled != nil && opts.tabled[pi]
			pe, err := issueEval(is, &f.Points[pi], tabled, negmas, name, warn)
			if err != nil {
				return err
			}
			pe.weight = w
			evals[pi] = pe
		}
		for _, k := range e.kids {
			if err := walk(k); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(root); err != nil {
		return nil, nil, err
	}
	if w := root.child("objective"); w != nil && negmas {
		// NegMAS writes a ufun's bias as the weight of an issue past the last.
		for _, we := range w.children("weight") {
			if idx, err := intAttr(we, "index"); err == nil && idx == n+1 {
				if v, err := floatAttr(we, "value"); err == nil && v != 0 {
					warn(we, "weight index %d is NegMAS's bias (%v added to every utility): Parley profiles have no bias, it is left out", idx, v)
				}
			}
		}
	}

	p := &profile.Profile{
		Weights: make([]float64, n),
		Scores:  make([][]float64, n),
		Scale:   profile.ScaleMax,
	}
	absolute := false
	for i := range f.Points {
		pe := evals[i]
		if pe == nil {
			return nil, nil, fmt.Errorf("%s: issue %q has no weight or no evaluation (GENIUS cannot evaluate bids without one)", name, f.Points[i].ID)
		}
		p.Weights[i] = pe.weight
		if f.Points[i].Kind == framework.Options {
			p.Scores[i] = pe.scores
			if mx := maxOf(pe.scores); pe.max > mx || pe.final || negmas {
				absolute = true
			}
			continue
		}
		if p.Funcs == nil {
			p.Funcs = make([]*profile.ValueFunc, n)
		}
		p.Funcs[i] = pe.fn
	}
	if absolute {
		// An item the domain does not have raised some issue's maximum, or
		// an issue is an integer evaluator tabulated: GENIUS divides the
		// items by their maximum, which ScaleMax cannot express next to
		// evaluations that are final, so the evaluations are stored already
		// divided. A NegMAS-written profile's evaluations are used as
		// written (NegMAS does not divide).
		p.Scale = profile.ScaleAbsolute
		if !negmas {
			info.Warnings = append(info.Warnings, name+": evaluations of some issue cannot be stored as GENIUS scores (items outside the domain carry the largest evaluation, or an integer evaluator is tabulated); evaluations stored divided by the maximum (scale absolute)")
		}
		for i, pe := range evals {
			if f.Points[i].Kind != framework.Options || pe.final || negmas {
				continue
			}
			s := make([]float64, len(pe.scores))
			if pe.max >= 0.00001 {
				for j, v := range pe.scores {
					s[j] = v / pe.max
				}
			}
			p.Scores[i] = s
		}
	}

	p.Discount = 1
	if disc != nil {
		raw, ok := disc.attr("value")
		info.Discount = raw
		switch d, err := parseDouble(raw); {
		case !ok:
			warn(disc, "<discount_factor> has no value attribute: no discounting, as in GENIUS")
		case err != nil:
			warn(disc, "discount factor %q is unparsable: no discounting, as in GENIUS", raw)
		case d <= 0 || d > 1:
			warn(disc, "discount factor %v is ≤ 0 or > 1: no discounting, as in GENIUS", d)
		default:
			p.Discount = d
		}
	}
	if resv != nil {
		raw, ok := resv.attr("value")
		info.Reservation = raw
		if v, err := parseDouble(raw); ok && err == nil {
			p.Reservation = &v
		} else {
			warn(resv, "reservation value %q is unreadable: none (GENIUS uses 0)", raw)
		}
	}
	if sum := p.WeightSum(); math.Abs(sum-1) > 1e-6 {
		msg := fmt.Sprintf("weights sum to %s, not 1: kept as written (GENIUS does not renormalise)", strconv.FormatFloat(sum, 'g', 10, 64))
		if sum > 1 {
			msg += "; note GENIUS's AdditiveUtilitySpace.getUtility caps utilities above 1 at 1, Parley does not"
		}
		info.Warnings = append(info.Warnings, name+": "+msg)
	}
	if kind == Uncertain {
		u := &UncertainInfo{}
		if c := root.child("comparisons"); c != nil {
			u.Comparisons, _ = strconv.Atoi(strings.TrimSpace(string(c.text)))
		}
		if c := root.child("errors"); c != nil {
			u.Errors, _ = strconv.Atoi(strings.TrimSpace(string(c.text)))
		}
		if c := root.child("fixed_seed"); c != nil {
			u.FixedSeed = strings.EqualFold(strings.TrimSpace(string(c.text)), "true")
		}
		if c := root.child("experimental"); c != nil {
			u.Experimental = strings.EqualFold(strings.TrimSpace(string(c.text)), "true")
		}
		info.Uncertain = u
		info.Warnings = append(info.Warnings, name+": GENIUS preference-uncertainty (UNCERTAIN) profile: its additive utility space is imported; comparisons, errors, fixed_seed and experimental are not used")
	}
	if err := p.Check(f); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if negmas {
		// Negative NegMAS evaluations read as 0: NegMAS's utilities are
		// lower by up to the sum of the largest cuts.
		cut := 0.0
		var which []string
		for i, pe := range evals {
			if len(pe.negative) == 0 {
				continue
			}
			worst := 0.0
			for _, x := range pe.negative {
				worst = math.Max(worst, -x)
			}
			cut += p.Weights[i] * worst
			which = append(which, fmt.Sprintf("issue %q down to %s", f.Points[i].ID, fmtNum(-worst)))
		}
		if len(which) > 0 {
			info.Warnings = append(info.Warnings, fmt.Sprintf("%s: negative NegMAS evaluations (%s) read as 0, which Parley profiles need: NegMAS's utilities are lower by up to %s (exact, largest over all packages)", name, strings.Join(which, "; "), strconv.FormatFloat(cut, 'g', 4, 64)))
		}
	}
	if w := otherReading(f, p, evals, negmas); w != "" {
		info.Warnings = append(info.Warnings, name+": "+w)
	}
	return p, info, nil
}

// otherReading compares the utilities Parley reads with those of the other
// reader of the file (NegMAS for a GENIUS-written profile, GENIUS for a
// NegMAS-written one) and describes the difference: the exact largest
// |Δ utility| over all packages, and why. "" when they agree within 1e-12.
func otherReading(f *framework.Framework, p *profile.Profile, evals []*pointEval, negmas bool) string {
	other, this := "NegMAS", "GENIUS and Parley"
	if negmas {
		other, this = "GENIUS", "NegMAS and Parley"
	}
	var cats []string
	byCat := map[string][]string{}
	var cannot []string
	hi, lo := 0.0, 0.0
	t, err := p.Compile(f)
	if err != nil {
		return ""
	}
	for i, pe := range evals {
		if pe.other == nil {
			if pe.otherNote != "" {
				cannot = append(cannot, fmt.Sprintf("issue %q: %s", f.Points[i].ID, pe.otherNote))
			}
			continue
		}
		mx, mn := math.Inf(-1), math.Inf(1)
		for l, o := range pe.other {
			d := p.Weights[i]*o - t.Contrib[i][l]
			mx, mn = math.Max(mx, d), math.Min(mn, d)
		}
		hi += mx
		lo += mn
		if (mx > 1e-12 || mn < -1e-12) && pe.why != "" {
			if _, seen := byCat[pe.why]; !seen {
				cats = append(cats, pe.why)
			}
			byCat[pe.why] = append(byCat[pe.why], strings.TrimSpace(fmt.Sprintf("%q %s", f.Points[i].ID, pe.detail)))
		}
	}
	var out []string
	whys := make([]string, len(cats))
	for k, c := range cats {
		whys[k] = c + ": " + strings.Join(byCat[c], ", ")
	}
	if d := math.Max(math.Abs(hi), math.Abs(lo)); d > 1e-12 {
		out = append(out, fmt.Sprintf("%s reads this profile differently from %s (%s): its utilities differ by up to %s (exact, largest over all packages)", other, this, strings.Join(whys, "; "), strconv.FormatFloat(d, 'g', 4, 64)))
	}
	if len(cannot) > 0 {
		out = append(out, fmt.Sprintf("%s cannot read this profile (%s)", other, strings.Join(cannot, "; ")))
	}
	return strings.Join(out, "; ")
}

func maxOf(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}

// issueEval reads the evaluator of one profile <issue> for point pt.
// tabled says pt is an integer issue of the domain read as options (one
// option per integer); negmas that the file was written by NegMAS, whose
// semantics are then used (evaluations not divided by their maximum, an
// integer function's origin at 0). It also records the other reader's
// evaluations (see pointEval.other).
func issueEval(is *elem, pt *framework.Point, tabled, negmas bool, name string, warn func(*elem, string, ...any)) (*pointEval, error) {
	typ, w := issueType(is, "etype")
	if w != "" {
		warn(is, "issue %q: %s", pt.ID, w)
	}
	want := map[framework.Kind]string{framework.Options: "discrete", framework.Integer: "integer", framework.Real: "real"}[pt.Kind]
	if tabled && typ == "integer" {
		return tabledInteger(is, pt, negmas, name, warn)
	}
	if typ != want {
		if pt.Kind == framework.Integer && typ == "discrete" {
			return nil, fmt.Errorf("%s: issue %q is discrete (an item table, as NegMAS writes integer issues) in the profile but integer in the domain: load the whole folder (LoadDir), which reads such an issue as an options point", at(name, is), pt.ID)
		}
		return nil, fmt.Errorf("%s: issue %q is %s in the profile but %s in the domain", at(name, is), pt.ID, typ, want)
	}
	pe := &pointEval{}
	switch pt.Kind {
	case framework.Options:
		// EvaluatorDiscrete: value → evaluation; a missing or "null"
		// evaluation is skipped, a later duplicate replaces an earlier one,
		// and the maximum is over every item of the profile.
		ev := map[string]float64{}
		opts := optionIndex(pt)
		pe.max = math.Inf(-1)
		for _, it := range is.children("item") {
			v, ok := it.attr("value")
			if !ok {
				warn(it, "issue %q: <item> without a value ignored", pt.ID)
				continue
			}
			s, ok := it.attr("evaluation")
			if !ok || s == "null" {
				continue
			}
			x, err := parseDouble(s)
			if err != nil {
				warn(it, "issue %q value %q: evaluation %q unparsable, ignored as in GENIUS", pt.ID, v, s)
				continue
			}
			if x < 0 && negmas {
				// NegMAS writes what its function gives, negative values
				// included (an integer issue's function evaluated without
				// its lower bound); Parley's evaluations are ≥ 0.
				if pe.negative == nil {
					pe.negative = map[string]float64{}
				}
				pe.negative[v] = x
				x = 0
			} else if x < 0 {
				return nil, fmt.Errorf("%s: issue %q value %q: negative evaluation %v", at(name, it), pt.ID, v, x)
			}
			if old, dup := ev[v]; dup && old != x {
				warn(it, "issue %q value %q evaluated twice: %v replaces %v, as in GENIUS", pt.ID, v, x, old)
			}
			ev[v] = x
			if _, ok := opts[v]; !ok {
				warn(it, "issue %q: value %q is not in the domain; ignored (its evaluation still counts towards the maximum, as in GENIUS)", pt.ID, v)
			}
		}
		for _, x := range ev {
			pe.max = math.Max(pe.max, x)
		}
		pe.scores = make([]float64, len(pt.Options))
		for j, o := range pt.Options {
			x, ok := ev[o.ID]
			if !ok {
				return nil, fmt.Errorf("%s: issue %q: value %q has no evaluation", at(name, is), pt.ID, o.ID)
			}
			pe.scores[j] = x
		}
		// The other reader: NegMAS takes the evaluations as written,
		// GENIUS divides them by their maximum (0 below 1e-5).
		pe.other = make([]float64, len(pe.scores))
		if negmas {
			if tabled {
				pe.other, pe.otherNote = nil, "an item table for an integer issue, which GENIUS cannot evaluate"
				break
			}
			if pe.max >= 0.00001 {
				for j, x := range pe.scores {
					pe.other[j] = x / pe.max
				}
			}
			pe.why, pe.detail = whyPeak, fmtNum(pe.max)
		} else {
			copy(pe.other, pe.scores)
			pe.why, pe.detail = whyPeak, fmtNum(pe.max)
		}
	case framework.Integer:
		// EvaluatorInteger: clamp01(slope·(x − lowerbound) + offset), the
		// lowerbound being the profile's own attribute. NegMAS reads the
		// bounds from a <range> child when there is one (else from the
		// attributes, else the domain's) and evaluates slope·x + offset,
		// ignoring the lower bound and not clamping.
		lo, err1 := intAttr(is, "lowerbound")
		hi, err2 := intAttr(is, "upperbound")
		blo, bhi := lo, hi
		if rg := is.child("range"); rg != nil {
			rlo, e1 := intAttr(rg, "lowerbound")
			rhi, e2 := intAttr(rg, "upperbound")
			if e1 == nil && e2 == nil {
				blo, bhi = rlo, rhi
			}
		}
		missing := errors.Join(err1, err2) != nil
		if missing && !negmas {
			return nil, fmt.Errorf("%s: integer issue %q: %w", at(name, is), pt.ID, errors.Join(err1, err2))
		}
		if missing {
			// NegMAS writes no bounds: they are the domain's.
			lo, hi = int(pt.Min), int(pt.Max)
			blo, bhi = lo, hi
		}
		if float64(blo) != pt.Min || float64(bhi) != pt.Max {
			warn(is, "integer issue %q: profile range %d..%d differs from the domain's %v..%v; the profile's lowerbound is the origin of the function, as in GENIUS", pt.ID, blo, bhi, pt.Min, pt.Max)
		}
		ev := is.child("evaluator")
		var slope, offset float64
		if ev != nil {
			if ft, _ := ev.attr("ftype"); strings.EqualFold(ft, "triangular") && negmas {
				fn, err := triangular(ev, pt, name)
				if err != nil {
					return nil, err
				}
				pe.fn = fn
				pe.otherNote = "a triangular integer evaluator, which GENIUS cannot read"
				break
			}
			var err1, err2 error
			slope, err1 = floatAttr(ev, "slope")
			offset, err2 = floatAttr(ev, "offset")
			if err := errors.Join(err1, err2); err != nil {
				return nil, fmt.Errorf("%s: integer issue %q: <evaluator>: %w", at(name, ev), pt.ID, err)
			}
		} else {
			warn(is, "integer issue %q has no <evaluator>: evaluation 0 everywhere, as in GENIUS", pt.ID)
		}
		origin := float64(lo)
		if negmas {
			origin = 0
		}
		pe.fn = &profile.ValueFunc{Kind: profile.Linear, Origin: origin, Slope: slope, Offset: offset}
		n := pt.Levels()
		pe.other = make([]float64, n)
		unclamped := true
		for l := range pe.other {
			x := pt.Value(l)
			raw := slope*x + offset
			if negmas {
				raw = slope*(x-float64(lo)) + offset
				pe.other[l] = math.Min(1, math.Max(0, raw))
			} else {
				pe.other[l] = raw
			}
			if v := slope*(x-origin) + offset; v < 0 || v > 1 {
				unclamped = false
			}
		}
		switch {
		case negmas:
			pe.why = "integer functions: NegMAS evaluates slope·x + offset, GENIUS clamp01(slope·(x − lowerbound) + offset)"
		default:
			pe.why, pe.detail = "integer functions: NegMAS evaluates slope·x + offset, ignoring the lower bound and not clamping to [0,1] (lower bounds)", strconv.Itoa(lo)
		}
		if negmas && !unclamped {
			warn(is, "integer issue %q: NegMAS's function slope·x + offset leaves [0,1] on the domain; Parley clamps it to [0,1]", pt.ID)
		}
	case framework.Real:
		if rg := is.child("range"); rg != nil {
			lo, err1 := floatAttr(rg, "lowerbound")
			hi, err2 := floatAttr(rg, "upperbound")
			if err := errors.Join(err1, err2); err != nil {
				return nil, fmt.Errorf("%s: real issue %q: %w", at(name, rg), pt.ID, err)
			}
			if lo != pt.Min || hi != pt.Max {
				warn(rg, "real issue %q: profile range %v..%v differs from the domain's %v..%v (not used by the evaluation)", pt.ID, lo, hi, pt.Min, pt.Max)
			}
		}
		// Without a <range> (as NegMAS writes them) the domain's range is
		// the issue's: the evaluation does not use it.
		ev := is.child("evaluator")
		if ev == nil {
			return nil, fmt.Errorf("%s: real issue %q has no <evaluator>", at(name, is), pt.ID)
		}
		ft, ok := ev.attr("ftype")
		if !ok {
			return nil, fmt.Errorf("%s: real issue %q: <evaluator> has no ftype", at(name, ev), pt.ID)
		}
		params := func(k int) ([]float64, error) {
			out := make([]float64, k)
			var errs []error
			for i := range out {
				var err error
				out[i], err = floatAttr(ev, "parameter"+strconv.Itoa(i))
				errs = append(errs, err)
			}
			if err := errors.Join(errs...); err != nil {
				return nil, fmt.Errorf("%s: real issue %q: ftype %s: %w", at(name, ev), pt.ID, ft, err)
			}
			return out, nil
		}
		n := pt.Levels()
		switch strings.ToLower(ft) {
		case "linear":
			// clamp01(parameter1·x + parameter0); NegMAS does not clamp.
			p, err := params(2)
			if err != nil {
				return nil, err
			}
			pe.fn = &profile.ValueFunc{Kind: profile.Linear, Slope: p[1], Offset: p[0]}
			pe.other = make([]float64, n)
			for l := range pe.other {
				raw := p[1]*pt.Value(l) + p[0]
				if negmas {
					pe.other[l] = math.Min(1, math.Max(0, raw))
				} else {
					pe.other[l] = raw
				}
				if negmas && (raw < 0 || raw > 1) {
					pe.why = "real linear functions: GENIUS and Parley clamp them to [0,1], NegMAS does not"
				}
			}
			if !negmas {
				pe.why = "real linear functions: GENIUS and Parley clamp them to [0,1], NegMAS does not"
			} else if pe.why != "" {
				warn(ev, "real issue %q: NegMAS's linear function leaves [0,1] on the domain; Parley clamps it to [0,1]", pt.ID)
			}
		case "constant":
			p, err := params(1)
			if err != nil {
				return nil, err
			}
			pe.fn = &profile.ValueFunc{Kind: profile.Constant, Value: p[0]}
			if !negmas {
				pe.otherNote = "ftype constant, which NegMAS cannot read"
			}
		case "triangular":
			fn, err := triangular(ev, pt, name)
			if err != nil {
				return nil, err
			}
			pe.fn = fn
			pe.other = make([]float64, n)
			for l := range pe.other {
				pe.other[l] = negmasTriangular(fn, pt.Value(l))
			}
			pe.why = "triangular functions: NegMAS gives 0 at the start even where the top is"
		case "faratin":
			return nil, fmt.Errorf("%s: real issue %q: ftype faratin is %w (GENIUS does not load it either)", at(name, ev), pt.ID, ErrUnsupported)
		default:
			return nil, fmt.Errorf("%s: real issue %q: unknown ftype %q", at(name, ev), pt.ID, ft)
		}
	}
	return pe, nil
}

// triangular reads a triangular <evaluator> (parameter0 = low, parameter1 =
// high, parameter2 = top).
func triangular(ev *elem, pt *framework.Point, name string) (*profile.ValueFunc, error) {
	var p [3]float64
	var errs []error
	for i := range p {
		var err error
		p[i], err = floatAttr(ev, "parameter"+strconv.Itoa(i))
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("%s: issue %q: ftype triangular: %w", at(name, ev), pt.ID, err)
	}
	return &profile.ValueFunc{Kind: profile.Triangular, Low: p[0], High: p[1], Top: p[2], TopValue: 1}, nil
}

// negmasTriangular is NegMAS's TriangularFun (start = Low, end = High,
// middle = Top) scaled by TopValue: 0 at or outside the ends, rising to
// the top and falling after it.
func negmasTriangular(fn *profile.ValueFunc, x float64) float64 {
	switch {
	case x <= fn.Low || x >= fn.High:
		return 0
	case x <= fn.Top:
		if fn.Top == fn.Low {
			return fn.TopValue
		}
		return fn.TopValue * (x - fn.Low) / (fn.Top - fn.Low)
	case fn.High == fn.Top:
		return fn.TopValue
	}
	return fn.TopValue * (fn.High - x) / (fn.High - fn.Top)
}

// tabledInteger reads a GENIUS integer evaluator for an integer issue that
// the folder reads as options (one per integer, because another profile
// gives it as an item table): the evaluation of every option, final.
func tabledInteger(is *elem, pt *framework.Point, negmas bool, name string, warn func(*elem, string, ...any)) (*pointEval, error) {
	lo, err1 := intAttr(is, "lowerbound")
	if err1 != nil && !negmas {
		return nil, fmt.Errorf("%s: integer issue %q: %w", at(name, is), pt.ID, err1)
	}
	var slope, offset float64
	if ev := is.child("evaluator"); ev != nil {
		var e1, e2 error
		slope, e1 = floatAttr(ev, "slope")
		offset, e2 = floatAttr(ev, "offset")
		if err := errors.Join(e1, e2); err != nil {
			return nil, fmt.Errorf("%s: integer issue %q: <evaluator>: %w", at(name, ev), pt.ID, err)
		}
	}
	origin := float64(lo)
	if negmas {
		origin = 0
	}
	pe := &pointEval{final: true, scores: make([]float64, len(pt.Options))}
	for j, o := range pt.Options {
		x, err := strconv.ParseFloat(o.ID, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: integer issue %q: option %q is not an integer", at(name, is), pt.ID, o.ID)
		}
		pe.scores[j] = math.Min(1, math.Max(0, slope*(x-origin)+offset))
	}
	pe.max = maxOf(pe.scores)
	pe.otherNote = "an integer evaluator where another profile of the folder has an item table"
	warn(is, "integer issue %q: its evaluator is tabulated, one evaluation per integer, since the folder reads the issue as options", pt.ID)
	return pe, nil
}
