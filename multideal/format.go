package multideal

import (
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/goccy/go-yaml/ast"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/posyaml"
	"github.com/parley-negotiation/parley/profile"
)

// FormatVersion is the version of the multi-deal file format (the value of
// its multideal key).
const FormatVersion = 1

// MaxFileSize bounds a multi-deal file.
const MaxFileSize = 8 << 20

var fileFormat = posyaml.Format{
	Name:     "multi-deal file",
	Contents: "a mapping with keys multideal, name, spaces, center and threads",
	MaxSize:  MaxFileSize,
	MaxDepth: 32,
	MaxKeys:  10000,
	Anchors:  true,
}

// Load reads a multi-deal file (see Parse).
func Load(path string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("multideal: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("multideal: reading %s: %w", path, err)
	}
	return Parse(path, data)
}

// Parse reads a multi-deal scenario from YAML or JSON text
// (docs/multideal.md). filename is used only in messages. Problems with
// the content are returned as a posyaml.ErrorList, each FILE:LINE:COL:
// message; on success the scenario has passed Validate.
func Parse(filename string, data []byte) (*Scenario, error) {
	d := &mdDecoder{Decoder: posyaml.NewDecoder(filename, fileFormat)}
	body := d.Parse(data)
	if body == nil {
		return nil, d.Err()
	}
	s := d.scenario(body)
	if err := d.Err(); err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, posyaml.ErrorList{{File: filename, Msg: err.Error()}}
	}
	return s, nil
}

type mdDecoder struct {
	*posyaml.Decoder
}

var (
	topKeys     = []string{"multideal", "name", "spaces", "center", "threads"}
	centerKeys  = []string{"name", "reservation", "utility"}
	utilityKeys = []string{"kind", "combine", "weights", "partial", "sides", "point", "rows", "default"}
	threadKeys  = []string{"edge", "space", "profile"}
	profileKeys = []string{"weights", "scores", "reservation"}
)

func (d *mdDecoder) scenario(n ast.Node) *Scenario {
	top, ok := d.Object(n, "multi-deal file", topKeys, []string{"multideal", "name", "spaces", "center", "threads"})
	if !ok && !top.IsMapping() {
		return nil
	}
	s := &Scenario{}
	if v := top.Value("multideal"); v != nil {
		if ver, ok := d.Int(v, "multideal"); ok && ver != FormatVersion {
			d.Errorf(v, "multideal: format version %d is not supported (expected %d)", ver, FormatVersion)
		}
	}
	if v := top.Value("name"); v != nil {
		s.Name, _ = d.Name(v, "name")
	}
	spaces := map[string]*framework.Framework{}
	if v := top.Value("spaces"); v != nil {
		entries, _ := d.Mapping(v, "spaces")
		for _, e := range entries {
			if fw := d.space(e.Value, "spaces."+e.Key, e.Key); fw != nil {
				spaces[e.Key] = fw
			}
		}
	}
	if v := top.Value("threads"); v != nil {
		list, _ := d.List(v, "threads")
		for i, tn := range list {
			what := fmt.Sprintf("threads[%d]", i)
			to, ok := d.Object(tn, what, threadKeys, threadKeys)
			if !ok && !to.IsMapping() {
				continue
			}
			th := Thread{}
			if x := to.Value("edge"); x != nil {
				th.Edge, _ = d.Name(x, what+".edge")
			}
			if x := to.Value("space"); x != nil {
				if id, ok := d.Name(x, what+".space"); ok {
					if th.Framework = spaces[id]; th.Framework == nil {
						d.Errorf(x, "%s.space: no space %q (spaces: %s)%s", what, id, posyaml.ListNames(sortedSpaceIDs(spaces)), posyaml.Suggest(id, sortedSpaceIDs(spaces)))
					}
				}
			}
			if x := to.Value("profile"); x != nil && th.Framework != nil {
				th.Profile = d.profile(x, what+".profile", th.Framework)
			}
			s.Threads = append(s.Threads, th)
		}
		if len(list) == 0 {
			d.Errorf(v, "threads: expected at least one thread")
		}
		if len(list) > MaxThreads {
			d.Errorf(v, "threads: %d threads (at most %d)", len(list), MaxThreads)
		}
	}
	if v := top.Value("center"); v != nil {
		d.center(v, s)
	}
	for i := range s.Threads {
		if s.Threads[i].Framework == nil || s.Threads[i].Profile == nil {
			return s // reported above
		}
	}
	return s
}

func sortedSpaceIDs(m map[string]*framework.Framework) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// space reads {points: [{id, options: [...]}]}: options points only.
func (d *mdDecoder) space(n ast.Node, what, name string) *framework.Framework {
	o, ok := d.Object(n, what, []string{"points"}, []string{"points"})
	if !ok {
		return nil
	}
	list, ok := d.List(o.Value("points"), what+".points")
	if !ok {
		return nil
	}
	fw := &framework.Framework{Name: name}
	good := true
	for i, pn := range list {
		pw := fmt.Sprintf("%s.points[%d]", what, i)
		po, ok := d.Object(pn, pw, []string{"id", "options"}, []string{"id", "options"})
		if !ok {
			good = false
			continue
		}
		pt := framework.Point{Kind: framework.Options}
		pt.ID, _ = d.Name(po.Value("id"), pw+".id")
		if fw.PointIndex(pt.ID) >= 0 {
			d.Errorf(po.Value("id"), "%s.id: point %q given twice", pw, pt.ID)
			good = false
		}
		opts, _ := d.List(po.Value("options"), pw+".options")
		for k, on := range opts {
			id, ok := d.Name(on, fmt.Sprintf("%s.options[%d]", pw, k))
			if !ok {
				good = false
				continue
			}
			if pt.Level(id) >= 0 {
				d.Errorf(on, "%s.options[%d]: option %q given twice", pw, k, id)
				good = false
				continue
			}
			pt.Options = append(pt.Options, framework.Option{ID: id})
		}
		if len(opts) == 0 {
			d.Errorf(po.Value("options"), "%s.options: expected at least one option", pw)
			good = false
		}
		fw.Points = append(fw.Points, pt)
	}
	if len(list) == 0 {
		d.Errorf(o.Value("points"), "%s.points: expected at least one point", what)
		return nil
	}
	if !good {
		return nil
	}
	if err := fw.Validate(); err != nil {
		d.Errorf(n, "%s: %v", what, err)
		return nil
	}
	return fw
}

// profile reads {weights: {point: w}, scores: {point: {option: s}},
// reservation: r} over fw (absolute scale: utility = Σ w·s).
func (d *mdDecoder) profile(n ast.Node, what string, fw *framework.Framework) *profile.Profile {
	o, ok := d.Object(n, what, profileKeys, []string{"weights", "scores"})
	if !o.IsMapping() {
		return nil
	}
	p := &profile.Profile{Scale: profile.ScaleAbsolute, Weights: make([]float64, len(fw.Points)), Scores: make([][]float64, len(fw.Points))}
	for i := range fw.Points {
		p.Weights[i] = 1
	}
	if v := o.Value("weights"); v != nil {
		entries, _ := d.Mapping(v, what+".weights")
		seen := map[int]bool{}
		for _, e := range entries {
			k := fw.PointIndex(e.Key)
			if k < 0 {
				d.Errorf(e.KeyNode, "%s.weights: no point %q", what, e.Key)
				ok = false
				continue
			}
			seen[k] = true
			if w, good := d.Number(e.Value, what+".weights."+e.Key); good {
				p.Weights[k] = w
			} else {
				ok = false
			}
		}
		for k, pt := range fw.Points {
			if !seen[k] {
				d.Errorf(v, "%s.weights: missing point %q", what, pt.ID)
				ok = false
			}
		}
	}
	if v := o.Value("scores"); v != nil {
		entries, _ := d.Mapping(v, what+".scores")
		for _, e := range entries {
			k := fw.PointIndex(e.Key)
			if k < 0 {
				d.Errorf(e.KeyNode, "%s.scores: no point %q", what, e.Key)
				ok = false
				continue
			}
			pt := &fw.Points[k]
			p.Scores[k] = make([]float64, len(pt.Options))
			seen := make([]bool, len(pt.Options))
			opts, _ := d.Mapping(e.Value, what+".scores."+e.Key)
			for _, oe := range opts {
				l := pt.Level(oe.Key)
				if l < 0 {
					d.Errorf(oe.KeyNode, "%s.scores.%s: point %q has no option %q%s", what, e.Key, pt.ID, oe.Key, posyaml.Suggest(oe.Key, optionIDs(pt)))
					ok = false
					continue
				}
				seen[l] = true
				if sc, good := d.Number(oe.Value, what+".scores."+e.Key+"."+oe.Key); good {
					p.Scores[k][l] = sc
				} else {
					ok = false
				}
			}
			for l, s := range seen {
				if !s {
					d.Errorf(e.Value, "%s.scores.%s: missing option %q", what, e.Key, pt.Options[l].ID)
					ok = false
				}
			}
		}
		for k, pt := range fw.Points {
			if p.Scores[k] == nil {
				d.Errorf(v, "%s.scores: missing point %q", what, pt.ID)
				ok = false
			}
		}
	}
	if v := o.Value("reservation"); v != nil {
		if r, good := d.Number(v, what+".reservation"); good {
			p.Reservation = &r
		} else {
			ok = false
		}
	}
	if !ok {
		return nil
	}
	if err := p.Check(fw); err != nil {
		d.Errorf(n, "%s: %v", what, err)
		return nil
	}
	return p
}

func optionIDs(pt *framework.Point) []string {
	out := make([]string, len(pt.Options))
	for i, o := range pt.Options {
		out[i] = o.ID
	}
	return out
}

func (d *mdDecoder) center(n ast.Node, s *Scenario) {
	o, _ := d.Object(n, "center", centerKeys, []string{"utility"})
	if !o.IsMapping() {
		return
	}
	s.Center.Name = "center"
	if v := o.Value("name"); v != nil {
		s.Center.Name, _ = d.Name(v, "center.name")
	}
	if v := o.Value("reservation"); v != nil {
		s.Center.Reservation, _ = d.Number(v, "center.reservation")
	}
	v := o.Value("utility")
	if v == nil {
		return
	}
	uo, _ := d.Object(v, "center.utility", utilityKeys, []string{"kind"})
	if !uo.IsMapping() {
		return
	}
	u := &s.Center.Utility
	kinds := make([]string, len(Kinds))
	for i, k := range Kinds {
		kinds[i] = string(k)
	}
	k, ok := d.OneOf(uo.Value("kind"), "center.utility.kind", kinds)
	if !ok {
		return
	}
	u.Kind = Kind(k)
	allowed := map[Kind][]string{
		KindCombine:  {"kind", "combine", "weights", "partial", "sides"},
		KindMeanSM:   {"kind"},
		KindCounts:   {"kind", "point", "rows", "default"},
		KindQuantity: {"kind", "point", "rows", "default"},
		KindTable:    {"kind", "rows", "default"},
	}[u.Kind]
	for _, key := range uo.Keys() {
		if !containsStr(allowed, key) {
			d.Errorf(uo.Key(key), "center.utility: key %q does not apply to kind %s (expected %s)", key, k, posyaml.OrList(allowed))
		}
	}
	n1 := len(s.Threads)
	switch u.Kind {
	case KindCombine:
		if x := uo.Value("combine"); x != nil {
			u.Combine, _ = d.OneOf(x, "center.utility.combine", Combiners)
		} else {
			d.Errorf(uo.Node, "center.utility: missing key %q", "combine")
		}
		if x := uo.Value("partial"); x != nil {
			if b, ok := d.Bool(x, "center.utility.partial"); ok {
				u.NoPartial = !b
			}
		}
		if x := uo.Value("weights"); x != nil {
			list, _ := d.List(x, "center.utility.weights")
			for i, wn := range list {
				w, _ := d.Number(wn, fmt.Sprintf("center.utility.weights[%d]", i))
				u.Weights = append(u.Weights, w)
			}
			if len(list) != n1 {
				d.Errorf(x, "center.utility.weights: %d weights for %d threads", len(list), n1)
			}
			if u.Combine != "weighted" {
				d.Errorf(x, "center.utility.weights: only combine weighted takes weights")
			}
		} else if u.Combine == "weighted" {
			d.Errorf(uo.Node, "center.utility: combine weighted needs weights, one per thread")
		}
		if x := uo.Value("sides"); x != nil {
			list, _ := d.List(x, "center.utility.sides")
			if len(list) != n1 {
				d.Errorf(x, "center.utility.sides: %d side profiles for %d threads", len(list), n1)
				return
			}
			for i, sn := range list {
				var p *profile.Profile
				if fw := s.Threads[i].Framework; fw != nil {
					p = d.profile(sn, fmt.Sprintf("center.utility.sides[%d]", i), fw)
				}
				u.Sides = append(u.Sides, p)
			}
		} else {
			d.Errorf(uo.Node, "center.utility: combine needs sides, one profile per thread")
		}
	case KindCounts, KindQuantity, KindTable:
		if u.Kind != KindTable {
			if x := uo.Value("point"); x != nil {
				u.Point, _ = d.Name(x, "center.utility.point")
				for i, th := range s.Threads {
					if th.Framework != nil && th.Framework.PointIndex(u.Point) < 0 {
						d.Errorf(x, "center.utility.point: thread %d's space has no point %q", i+1, u.Point)
						break
					}
				}
			} else {
				d.Errorf(uo.Node, "center.utility: missing key %q", "point")
			}
		}
		if x := uo.Value("default"); x != nil {
			u.Default, _ = d.Number(x, "center.utility.default")
		}
		if x := uo.Value("rows"); x != nil {
			list, _ := d.List(x, "center.utility.rows")
			for i, rn := range list {
				u.Rows = append(u.Rows, d.row(rn, fmt.Sprintf("center.utility.rows[%d]", i), u, s))
			}
		}
	}
}

func (d *mdDecoder) row(n ast.Node, what string, u *CenterUtility, s *Scenario) Row {
	key := map[Kind]string{KindCounts: "counts", KindQuantity: "quantity", KindTable: "outcomes"}[u.Kind]
	o, _ := d.Object(n, what, []string{key, "value"}, []string{key, "value"})
	r := Row{}
	if !o.IsMapping() {
		return r
	}
	if v := o.Value("value"); v != nil {
		r.Value, _ = d.Number(v, what+".value")
	}
	v := o.Value(key)
	if v == nil {
		return r
	}
	switch u.Kind {
	case KindCounts:
		entries, _ := d.Mapping(v, what+".counts")
		r.Counts = map[string]int{}
		for _, e := range entries {
			c, ok := d.IntIn(e.Value, what+".counts."+e.Key, 0, int64(len(s.Threads)))
			if ok {
				r.Counts[e.Key] = int(c)
			}
			for i, th := range s.Threads {
				if th.Framework == nil {
					continue
				}
				if k := th.Framework.PointIndex(u.Point); k >= 0 && th.Framework.Points[k].Level(e.Key) < 0 {
					d.Errorf(e.KeyNode, "%s.counts: thread %d's point %q has no option %q", what, i+1, u.Point, e.Key)
					break
				}
			}
		}
	case KindQuantity:
		r.Quantity, _ = d.Number(v, what+".quantity")
	case KindTable:
		list, _ := d.List(v, what+".outcomes")
		if len(list) != len(s.Threads) {
			d.Errorf(v, "%s.outcomes: %d outcomes for %d threads", what, len(list), len(s.Threads))
			return r
		}
		r.Outcomes = make([]framework.Package, len(list))
		for i, on := range list {
			if _, null := d.Resolve(on).(*ast.NullNode); null {
				continue
			}
			fw := s.Threads[i].Framework
			if fw == nil {
				continue
			}
			entries, _ := d.Mapping(on, fmt.Sprintf("%s.outcomes[%d]", what, i))
			ids := map[string]string{}
			for _, e := range entries {
				id, _ := d.Name(e.Value, fmt.Sprintf("%s.outcomes[%d].%s", what, i, e.Key))
				ids[e.Key] = id
			}
			p, err := fw.PackageByID(ids)
			if err != nil || !p.Complete() || len(ids) != len(fw.Points) {
				d.Errorf(on, "%s.outcomes[%d]: expected an option for every point of thread %d's space (null for no agreement)", what, i, i+1)
				continue
			}
			r.Outcomes[i] = p
		}
	}
	return r
}
