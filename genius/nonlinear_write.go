package genius

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
)

// maxWrittenRectangles bounds the rectangles one profile is written as
// (terms with non-contiguous levels split into several).
const maxWrittenRectangles = profile.MaxInteractions

// rectangle is one <hyperRectangle> to write.
type rectangle struct {
	value   float64
	exclude bool
	label   string
	bounds  []rectBound
}

// rectBound is one INCLUDES/EXCLUDES bound: the GENIUS issue number and
// the integer range.
type rectBound struct {
	index    int
	min, max int64
}

// writeNonLinearProfile writes a profile with interactions as a GENIUS
// non-linear utility space (<utility_space type="nonlinear">), which GENIUS,
// NegMAS and ReadProfile evaluate as Parley does:
//
//   - the profile's additive part must be zero (every weight·evaluation 0):
//     GENIUS's non-linear spaces have none;
//   - every point an interaction bounds must be an integer point written as
//     a GENIUS integer issue (hyper-rectangle bounds are integer ranges); a
//     term that lists every level of another point always matches and is
//     left out;
//   - each interaction becomes one rectangle per box of contiguous levels:
//     an inside interaction (INCLUDES) whose terms have non-contiguous
//     levels is split into the boxes of the product of their runs, which
//     are disjoint, so at most one applies and the utility is the same bit
//     for bit; an outside interaction (EXCLUDES) cannot be split exactly
//     and is refused when a term is not contiguous;
//   - rectangles are written in the order Parley adds them (by last point,
//     then as declared), with maxutility="1" and utility = the value, so
//     that GENIUS (sum / 1), NegMAS (a sum in file order, no division) and
//     Parley add the same numbers in the same order;
//   - the label of an interaction is written as a label attribute, which
//     GENIUS and NegMAS ignore and ReadProfile reads back;
//   - reservation and discount are written as WriteProfile writes them.
//
// What cannot be written is an error wrapping ErrNonLinear that says why.
// GENIUS caps utilities at 1; ExportScenario lists the profiles whose
// highest utility is above 1 in Export.Changed.
func writeNonLinearProfile(w io.Writer, f *framework.Framework, p *profile.Profile, pl *xmlPlan) error {
	t, err := p.Compile(f)
	if err != nil {
		return fmt.Errorf("genius: write profile: %w", err)
	}
	for i, c := range t.Contrib {
		for l, v := range c {
			if v != 0 {
				pt := &f.Points[i]
				return fmt.Errorf("genius: write profile: %d interactions over an additive part (point %q, %s contributes %s): GENIUS linear profiles have no interactions and its non-linear ones no additive part: %w", len(p.Interactions), pt.ID, pt.LevelID(l), fmtNum(v), ErrNonLinear)
			}
		}
	}
	rects, err := rectangles(f, p, pl)
	if err != nil {
		return fmt.Errorf("genius: write profile: %w", err)
	}
	hasRes, res := t.HasReservation, t.Reservation
	x := &xw{w: bufio.NewWriter(w)}
	x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	var dropped []string
	if len(p.RedLines) > 0 {
		dropped = append(dropped, "red lines")
	}
	if p.Uncertainty != nil {
		dropped = append(dropped, "uncertainty intervals")
	}
	if p.Fallback != nil {
		dropped = append(dropped, "the fallback package (its utility enters the reservation value)")
	}
	if len(dropped) > 0 {
		x.raw("<!-- Exported by Parley. Not representable in GENIUS and left out: " + strings.Join(dropped, ", ") + ". -->\n")
	}
	x.tag("utility_space", false, "type", "nonlinear")
	// GENIUS reads the <utility> inside the first element of the root.
	x.tag("objective", false, "index", "0", "etype", "objective", "type", "objective", "description", f.Description, "name", objectiveName(f))
	for i := range f.Points {
		pt := &f.Points[i]
		if pt.Kind != framework.Integer || pl.discrete(i) != nil {
			continue
		}
		lo, err1 := javaInt(pt.Min)
		hi, err2 := javaInt(pt.Max)
		if firstErr(err1, err2) != nil {
			continue
		}
		t := kindType[framework.Integer]
		x.tag("issue", true, "index", strconv.Itoa(i+1), "etype", t, "type", t, "vtype", t, "name", pt.ID, "lowerbound", lo, "upperbound", hi)
	}
	x.tag("utility", false, "maxutility", "1")
	x.tag("ufun", false, "type", "PlainUfun", "weight", "1", "aggregation", "sum")
	for _, r := range rects {
		attrs := []string{"utility", fmtNum(r.value)}
		if r.label != "" {
			attrs = append(attrs, "label", r.label)
		}
		x.tag("hyperRectangle", false, attrs...)
		tag := "INCLUDES"
		if r.exclude {
			tag = "EXCLUDES"
		}
		for _, b := range r.bounds {
			x.tag(tag, true, "index", strconv.Itoa(b.index), "min", strconv.FormatInt(b.min, 10), "max", strconv.FormatInt(b.max, 10))
		}
		x.end("hyperRectangle")
	}
	x.end("ufun")
	x.end("utility")
	x.end("objective")
	x.tag("discount_factor", false, "value", fmtNum(p.DiscountFactor()))
	x.end("discount_factor")
	if hasRes {
		x.tag("reservation", false, "value", fmtNum(res))
		x.end("reservation")
	}
	x.end("utility_space")
	if err := x.flush(); err != nil {
		return fmt.Errorf("genius: write profile: %w", err)
	}
	return nil
}

// rectangles turns the interactions into GENIUS rectangles, in the order
// Table.Utility adds them.
func rectangles(f *framework.Framework, p *profile.Profile, pl *xmlPlan) ([]rectangle, error) {
	var out []rectangle
	for _, ref := range addOrder(p) {
		in := &p.Interactions[ref]
		name := fmt.Sprintf("interaction %d", ref+1)
		if in.Label != "" {
			name = fmt.Sprintf("interaction %d (%s)", ref+1, in.Label)
		}
		// Per term: the runs of contiguous levels, as integer ranges.
		var index []int
		var runs [][][2]int64
		for _, tm := range in.Terms {
			pt := &f.Points[tm.Point]
			if len(tm.Levels) == pt.Levels() && (pt.Kind != framework.Integer || pl.discrete(tm.Point) != nil) {
				// Every level: the term always matches; GENIUS needs no bound.
				continue
			}
			if pt.Kind != framework.Integer {
				return nil, fmt.Errorf("%s: point %q is %s: GENIUS hyper-rectangles bound integer issues only: %w", name, pt.ID, kindType[pt.Kind], ErrNonLinear)
			}
			if pl.discrete(tm.Point) != nil {
				return nil, fmt.Errorf("%s: point %q is written as a discrete issue (see the export's changes), which GENIUS hyper-rectangles cannot bound: %w", name, pt.ID, ErrNonLinear)
			}
			if _, err := javaInt(pt.Min); err != nil {
				return nil, fmt.Errorf("%s: point %q: %v: %w", name, pt.ID, err, ErrNonLinear)
			}
			if _, err := javaInt(pt.Max); err != nil {
				return nil, fmt.Errorf("%s: point %q: %v: %w", name, pt.ID, err, ErrNonLinear)
			}
			lv := slices.Clone(tm.Levels)
			slices.Sort(lv)
			var rs [][2]int64
			base := int64(pt.Min)
			for k, l := range lv {
				if k > 0 && l == lv[k-1]+1 {
					rs[len(rs)-1][1] = base + int64(l)
					continue
				}
				rs = append(rs, [2]int64{base + int64(l), base + int64(l)})
			}
			if in.Outside && len(rs) > 1 {
				return nil, fmt.Errorf("%s: an outside (EXCLUDES) interaction whose levels of point %q are not contiguous (%d runs): the complement of a union of boxes is not a sum of GENIUS rectangles, so it cannot be written exactly: %w", name, pt.ID, len(rs), ErrNonLinear)
			}
			index = append(index, tm.Point+1)
			runs = append(runs, rs)
		}
		boxes := 1
		for _, rs := range runs {
			boxes *= len(rs)
			if len(out)+boxes > maxWrittenRectangles {
				return nil, fmt.Errorf("%s: its non-contiguous levels need more than %d rectangles in all: %w", name, maxWrittenRectangles, ErrNonLinear)
			}
		}
		if len(runs) == 0 && in.Outside {
			// Every term always matches: the interaction never applies.
			continue
		}
		// The product of the runs, in mixed-radix order.
		pick := make([]int, len(runs))
		for {
			r := rectangle{value: in.Value, exclude: in.Outside, label: in.Label}
			for k, rs := range runs {
				r.bounds = append(r.bounds, rectBound{index: index[k], min: rs[pick[k]][0], max: rs[pick[k]][1]})
			}
			out = append(out, r)
			k := len(pick) - 1
			for ; k >= 0; k-- {
				pick[k]++
				if pick[k] < len(runs[k]) {
					break
				}
				pick[k] = 0
			}
			if k < 0 {
				break
			}
		}
	}
	return out, nil
}

// addOrder returns the indices of the profile's interactions in the order
// Table.Utility adds them: by last point, then as declared.
func addOrder(p *profile.Profile) []int {
	last := make([]int, len(p.Interactions))
	order := make([]int, len(p.Interactions))
	for k, in := range p.Interactions {
		order[k], last[k] = k, -1
		for _, t := range in.Terms {
			last[k] = max(last[k], t.Point)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return last[a] - last[b] })
	return order
}

// nonLinearChanges lists, for ExportScenario, the profiles written as
// GENIUS non-linear spaces and those whose utilities GENIUS caps at 1
// (with the exact highest reachable utility).
func nonLinearChanges(f *framework.Framework, parties []*scenario.Party) []string {
	var out []string
	for _, p := range parties {
		pr := p.Profile
		if len(pr.Interactions) == 0 {
			continue
		}
		out = append(out, fmt.Sprintf("party %q: its %d interactions written as a GENIUS non-linear (hyper-rectangle) profile, maxutility 1, one rectangle per box of contiguous levels", p.ID, len(pr.Interactions)))
		if _, hi := pr.InteractionRange(); hi <= 1 {
			continue
		}
		t, err := pr.Compile(f)
		if err != nil {
			continue
		}
		if mx, _ := t.Max(); mx > 1 {
			out = append(out, fmt.Sprintf("party %q: its utilities reach %s; GENIUS caps non-linear utilities at 1 (NegMAS and Parley do not)", p.ID, fmtNum(mx)))
		}
	}
	return out
}
