package analysis

import (
	"cmp"
	"context"
	"encoding/json"
	"math"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/parley-negotiation/parley/framework"
)

// ZoneOptions bounds the agreement-zone computation.
type ZoneOptions struct {
	// EnumLimit is the largest outcome space counted exactly by enumeration
	// (default 50 million); larger spaces are sampled.
	EnumLimit int64
	// Samples is the number of uniformly random packages drawn when the space
	// is too large to enumerate (default 1,000,000).
	Samples int
	// Seed makes sampling reproducible.
	Seed uint64
	// Workers is the number of goroutines (default GOMAXPROCS).
	Workers int
	// SearchBudget bounds the nodes of each exact feasibility search used for
	// per-point overlap on sampled spaces (default 2,000,000).
	SearchBudget int
	// SearchTotal bounds the nodes of all those searches together (default
	// 100,000,000); once it is spent, the options not yet decided are
	// reported Unknown.
	SearchTotal int64
	// Progress, when set, is called from time to time with (done, total)
	// packages examined; it must be safe for concurrent use.
	Progress func(done, total int64)
}

// Possibility says whether some zone package uses an option.
type Possibility string

// Possibility values.
const (
	Yes     Possibility = "yes"
	No      Possibility = "no"
	Unknown Possibility = "unknown" // the search budget ran out
)

// LevelOverlap describes one option of a point with respect to the zone.
type LevelOverlap struct {
	Level string `json:"option"`
	// Possible tells whether at least one zone package uses this option.
	Possible Possibility `json:"possible"`
	// Share is the fraction of zone packages that use it (exact when the
	// zone was enumerated, estimated when sampled; NaN for an empty zone).
	Share float64 `json:"share"`
}

// PointOverlap is the per-point overlap: which options survive in the zone.
type PointOverlap struct {
	Point   string         `json:"point"`
	Options []LevelOverlap `json:"options"`
}

// Zone is the agreement zone of a space: the packages every party rates at
// least its reservation value and that cross no party's red line.
type Zone struct {
	// Outcomes is the size of the whole space (decimal, exact).
	Outcomes string `json:"outcomes"`
	// Exact tells whether Size was counted (true) or estimated by sampling.
	Exact bool `json:"exact"`
	// Size is the number of zone packages (or the estimate).
	Size float64 `json:"size"`
	// Low and High bound Size: equal to it when exact, a 95% Wilson interval
	// when sampled.
	Low  float64 `json:"low"`
	High float64 `json:"high"`
	// Fraction is Size / Outcomes.
	Fraction float64 `json:"fraction"`
	// Method says how Size was obtained.
	Method  string         `json:"method"`
	Samples int            `json:"samples,omitempty"`
	Overlap []PointOverlap `json:"overlap"`
}

// AgreementZone computes the zone's size and per-point overlap: exactly by
// Gray-code enumeration split over cores when the space has at most
// EnumLimit packages, otherwise by seeded sampling for the size and shares
// and by exact branch-and-bound search for whether each option is possible.
func AgreementZone(s *Space, o ZoneOptions) *Zone {
	z, _ := AgreementZoneContext(context.Background(), s, o)
	return z
}

// AgreementZoneContext is AgreementZone stopped when ctx is done: the error
// then wraps ctx's cause (e.g. context.DeadlineExceeded) and the zone is nil.
func AgreementZoneContext(ctx context.Context, s *Space, o ZoneOptions) (*Zone, error) {
	o = o.withDefaults()
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if size, ok := s.Framework.SizeInt(); ok && size <= o.EnumLimit {
		n, counts := enumerateZone(ctx, s, o)
		return finishZone(ctx, s, o, true, n, counts)
	}
	hits, counts := sampleZone(ctx, s, o)
	return finishZone(ctx, s, o, false, hits, counts)
}

// withDefaults fills the options left zero.
func (o ZoneOptions) withDefaults() ZoneOptions {
	if o.EnumLimit <= 0 {
		o.EnumLimit = 50_000_000
	}
	if o.Samples <= 0 {
		o.Samples = 1_000_000
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.SearchBudget <= 0 {
		o.SearchBudget = 2_000_000
	}
	if o.SearchTotal <= 0 {
		o.SearchTotal = 100_000_000
	}
	return o
}

// finishZone builds the zone from its counts: n zone packages (exact) or
// sample hits, and per point and level the zone packages (or hits) using
// the level; options no counted package uses are decided by exact search
// when the zone was sampled.
func finishZone(ctx context.Context, s *Space, o ZoneOptions, exact bool, n uint64, counts [][]uint64) (*Zone, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	f := s.Framework
	z := &Zone{Outcomes: f.Size().String()}
	total, _ := new(big.Float).SetInt(f.Size()).Float64()
	if exact {
		z.Exact, z.Size, z.Low, z.High = true, float64(n), float64(n), float64(n)
		z.Method = "exact enumeration (mixed-radix Gray code)"
	} else {
		p := float64(n) / float64(o.Samples)
		lo, hi := wilson(n, uint64(o.Samples))
		z.Size, z.Low, z.High = p*total, lo*total, hi*total
		z.Samples = o.Samples
		z.Method = "estimate from uniform random sampling (95% Wilson interval); option possibility by exact search"
	}
	z.Fraction = z.Size / total
	var zoneCount uint64
	for _, c := range counts[0] {
		zoneCount += c
	}
	se := newSearcher(ctx, s, o.SearchBudget, o.SearchTotal)
	for k := range f.Points {
		po := PointOverlap{Point: f.Points[k].ID}
		for l := 0; l < f.Points[k].Levels(); l++ {
			lo := LevelOverlap{Level: f.Points[k].LevelID(l), Share: math.NaN()}
			if zoneCount > 0 {
				lo.Share = float64(counts[k][l]) / float64(zoneCount)
			}
			switch {
			case counts[k][l] > 0:
				lo.Possible = Yes
			case z.Exact:
				lo.Possible = No
			default:
				lo.Possible = se.possible(k, l)
			}
			po.Options = append(po.Options, lo)
		}
		if se.stopped {
			return nil, ctxErr(ctx)
		}
		z.Overlap = append(z.Overlap, po)
	}
	return z, nil
}

// wilson returns the 95% Wilson score interval of a binomial proportion.
func wilson(k, n uint64) (lo, hi float64) {
	if n == 0 {
		return 0, 1
	}
	const z = 1.959963984540054
	p := float64(k) / float64(n)
	nn := float64(n)
	den := 1 + z*z/nn
	c := (p + z*z/(2*nn)) / den
	h := z * math.Sqrt(p*(1-p)/nn+z*z/(4*nn*nn)) / den
	return math.Max(0, c-h), math.Min(1, c+h)
}

// zoneChecker tracks red lines incrementally for one walker.
type zoneChecker struct {
	s *Space
	// terms[k][l] lists (red line, term) pairs whose term contains level l of point k.
	rlTerms [][]int // per red line: number of terms
	onPoint [][][2]int
	inTerm  [][][]bool // per point, per (red line,term) on it, per level
	matched []int
	crossed int
}

func newZoneChecker(s *Space) *zoneChecker {
	f := s.Framework
	c := &zoneChecker{s: s, onPoint: make([][][2]int, len(f.Points)), inTerm: make([][][]bool, len(f.Points))}
	r := 0
	for _, p := range s.Profiles {
		for _, rl := range p.RedLines {
			c.matched = append(c.matched, 0)
			c.rlTerms = append(c.rlTerms, []int{len(rl.Terms)})
			for ti, t := range rl.Terms {
				in := make([]bool, f.Points[t.Point].Levels())
				for _, l := range t.Levels {
					in[l] = true
				}
				c.onPoint[t.Point] = append(c.onPoint[t.Point], [2]int{r, ti})
				c.inTerm[t.Point] = append(c.inTerm[t.Point], in)
			}
			r++
		}
	}
	return c
}

// reset recomputes the red-line state for a package.
func (c *zoneChecker) reset(p framework.Package) {
	for r := range c.matched {
		c.matched[r] = 0
	}
	c.crossed = 0
	for k, l := range p {
		if l < 0 {
			continue
		}
		for a, rt := range c.onPoint[k] {
			if c.inTerm[k][a][l] {
				c.matched[rt[0]]++
			}
		}
	}
	for r, m := range c.matched {
		if m == c.rlTerms[r][0] {
			c.crossed++
		}
	}
}

// crossesAny reports whether p crosses a red line, as reset then crossed >
// 0 would, stopping at the first red line whose terms all match (the
// checker's state is left undefined: call reset before change).
func (c *zoneChecker) crossesAny(p framework.Package) bool {
	clear(c.matched)
	for k, l := range p {
		if l < 0 {
			continue
		}
		for a, rt := range c.onPoint[k] {
			if c.inTerm[k][a][l] {
				r := rt[0]
				c.matched[r]++
				if c.matched[r] == c.rlTerms[r][0] {
					return true
				}
			}
		}
	}
	return false
}

// change updates the state for point k moving from level a to level b.
func (c *zoneChecker) change(k, a, b int) {
	for i, rt := range c.onPoint[k] {
		in := c.inTerm[k][i]
		if in[a] == in[b] {
			continue
		}
		r := rt[0]
		full := c.rlTerms[r][0]
		if c.matched[r] == full {
			c.crossed--
		}
		if in[b] {
			c.matched[r]++
		} else {
			c.matched[r]--
		}
		if c.matched[r] == full {
			c.crossed++
		}
	}
}

// enumerateZone counts zone packages and per-level zone counts exactly; it
// stops early (with partial counts) when ctx is done.
func enumerateZone(ctx context.Context, s *Space, o ZoneOptions) (uint64, [][]uint64) {
	f := s.Framework
	radix := f.Radix()
	n := len(radix)
	// Fix a prefix of points per task so there are enough tasks to balance.
	m, tasks := 0, 1
	for m < n && tasks < 16*o.Workers {
		tasks *= radix[m]
		m++
	}
	var next atomic.Int64
	var done atomic.Int64
	size, _ := f.SizeInt()
	type result struct {
		n      uint64
		counts [][]uint64
	}
	results := make([]result, o.Workers)
	var wg sync.WaitGroup
	for w := 0; w < o.Workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			counts := make([][]uint64, n)
			for k := range counts {
				counts[k] = make([]uint64, radix[k])
			}
			var total uint64
			walk := newGrayWalker(s, radix, m)
			for {
				t := next.Add(1) - 1
				if t >= int64(tasks) || ctx.Err() != nil {
					break
				}
				c := walk.run(uint64(t), counts)
				total += c
				if o.Progress != nil {
					o.Progress(done.Add(walk.per), size)
				}
			}
			results[w] = result{total, counts}
		}(w)
	}
	wg.Wait()
	out := make([][]uint64, n)
	for k := range out {
		out[k] = make([]uint64, radix[k])
	}
	var total uint64
	for _, r := range results {
		total += r.n
		for k := range out {
			for l := range out[k] {
				out[k][l] += r.counts[k][l]
			}
		}
	}
	return total, out
}

// grayWalker enumerates the packages with a fixed prefix of m points in
// reflected mixed-radix Gray order (Knuth's Algorithm H), so each step
// changes one point and each party's utility is updated by one subtraction
// and one addition (plus, with interactions, the value of each effect on
// that point whose Applies changes). Incremental utilities drift from
// Table.Utility by less than walkSlack; one that close to a reservation
// value is recomputed with Table.Utility before deciding, so the count is
// exact.
type grayWalker struct {
	s     *Space
	radix []int
	m     int
	free  []int // points after the prefix with more than one level, fastest first
	per   int64 // packages per task
	pkg   framework.Package
	u     []float64
	res   []float64
	// lo[j], hi[j]: res[j] ∓ party j's drift margin (walkSlack): an
	// incremental utility in [lo, hi) is recomputed exactly before deciding.
	lo, hi []float64
	check  *zoneChecker
	// eff tracks the interactions (nil when every table is additive): the
	// utilities include the effects that apply, except those on inner.
	eff *walkEffects
	// plain: no interactions and every margin is exactSlack (sweepPlain).
	plain  bool
	a, o   []int
	fp     []int
	digits int
	// flat[k][l*d+j] is party j's contribution of level l of point k.
	flat [][]float64
	// inner is the point swept by the inner loop (-1: none); the Gray code
	// runs over the other free points, and utilities exclude inner's share.
	inner int
}

// exactEvery is how many incremental steps pass before utilities are
// recomputed exactly, bounding floating-point drift far below exactSlack.
const exactEvery = 1 << 12

// exactSlack: an incremental utility this close to a reservation value is
// recomputed exactly before deciding (the least margin; walkSlack widens it
// for tables whose utilities are large or have many interactions).
const exactSlack = 1e-9

func newGrayWalker(s *Space, radix []int, m int) *grayWalker {
	g := &grayWalker{s: s, radix: radix, m: m, per: 1, pkg: make(framework.Package, len(radix)),
		u: make([]float64, s.N()), res: s.Reservation, check: newZoneChecker(s)}
	g.lo, g.hi = make([]float64, s.N()), make([]float64, s.N())
	g.plain = true
	for j, t := range s.Tables {
		margin := walkSlack(t, len(radix))
		g.lo[j], g.hi[j] = g.res[j]-margin, g.res[j]+margin
		g.plain = g.plain && t.Additive() && margin == exactSlack
	}
	g.inner = -1
	for k := len(radix) - 1; k >= m; k-- {
		g.per *= int64(radix[k])
		if radix[k] > 1 {
			if g.inner < 0 && k == len(radix)-1 {
				g.inner = k // the last point is swept in a tight inner loop
				continue
			}
			g.free = append(g.free, k)
		}
	}
	g.digits = len(g.free)
	d := s.N()
	g.flat = make([][]float64, len(radix))
	for k := range radix {
		g.flat[k] = make([]float64, radix[k]*d)
		for l := 0; l < radix[k]; l++ {
			for j, t := range s.Tables {
				g.flat[k][l*d+j] = t.Contrib[k][l]
			}
		}
	}
	g.eff = newWalkEffects(s, g.inner)
	g.a = make([]int, g.digits)
	g.o = make([]int, g.digits)
	g.fp = make([]int, g.digits+1)
	return g
}

func (g *grayWalker) exact() {
	for j, t := range g.s.Tables {
		g.u[j] = t.Utility(g.pkg)
	}
}

func (g *grayWalker) inZone() bool {
	if g.check.crossed > 0 {
		return false
	}
	for j, r := range g.res {
		if g.u[j] < g.hi[j] {
			if g.u[j] < g.lo[j] {
				return false
			}
			if g.s.Tables[j].Utility(g.pkg) < r {
				return false
			}
		}
	}
	return true
}

// run walks task t (the prefix with mixed-radix index t) and returns the
// number of zone packages, adding per-level counts.
func (g *grayWalker) run(t uint64, counts [][]uint64) uint64 {
	if !g.plain {
		return g.runGeneral(t, counts)
	}
	g.start(t)
	d := len(g.u)
	u := g.u
	var n uint64
	steps := 0
	for {
		if g.inner < 0 {
			if g.inZone() {
				n++
				for k, l := range g.pkg {
					counts[k][l]++
				}
			}
		} else {
			n += g.sweepPlain(counts)
		}
		// Algorithm H, steps H3–H5.
		j := g.fp[0]
		g.fp[0] = 0
		if j == g.digits {
			return n
		}
		k := g.free[j]
		from := g.a[j]
		g.a[j] += g.o[j]
		to := g.a[j]
		if g.a[j] == 0 || g.a[j] == g.radix[k]-1 {
			g.o[j] = -g.o[j]
			g.fp[j] = g.fp[j+1]
			g.fp[j+1] = j + 1
		}
		g.pkg[k] = to
		steps++
		if steps == exactEvery {
			steps = 0
			g.exact()
		} else {
			c := g.flat[k]
			a, b := c[from*d:from*d+d], c[to*d:to*d+d]
			for p := range u {
				u[p] += b[p] - a[p]
			}
		}
		g.check.change(k, from, to)
	}
}

// start sets the walker on the first package of task t.
func (g *grayWalker) start(t uint64) {
	for k := g.m - 1; k >= 0; k-- {
		g.pkg[k] = int(t % uint64(g.radix[k]))
		t /= uint64(g.radix[k])
	}
	for k := g.m; k < len(g.pkg); k++ {
		g.pkg[k] = 0
	}
	if g.inner >= 0 {
		g.pkg[g.inner] = framework.Open
	}
	for j := range g.a {
		g.a[j], g.o[j], g.fp[j] = 0, 1, j
	}
	g.fp[g.digits] = g.digits
	g.exact()
	g.check.reset(g.pkg)
	if g.eff != nil {
		g.eff.reset(g.pkg)
	}
}

// runGeneral is run for walkers that are not plain: tables with
// interactions (each step also adds or takes the value of every effect on
// the changed point whose Applies changes) or margins wider than
// exactSlack.
func (g *grayWalker) runGeneral(t uint64, counts [][]uint64) uint64 {
	g.start(t)
	d := len(g.u)
	u := g.u
	eff := g.eff
	var n uint64
	steps := 0
	for {
		if g.inner < 0 {
			if g.inZone() {
				n++
				for k, l := range g.pkg {
					counts[k][l]++
				}
			}
		} else {
			n += g.sweep(counts)
		}
		j := g.fp[0]
		g.fp[0] = 0
		if j == g.digits {
			return n
		}
		k := g.free[j]
		from := g.a[j]
		g.a[j] += g.o[j]
		to := g.a[j]
		if g.a[j] == 0 || g.a[j] == g.radix[k]-1 {
			g.o[j] = -g.o[j]
			g.fp[j] = g.fp[j+1]
			g.fp[j+1] = j + 1
		}
		g.pkg[k] = to
		steps++
		if steps == exactEvery {
			steps = 0
			g.exact()
			if eff != nil {
				eff.change(k, from, to, nil)
			}
		} else {
			c := g.flat[k]
			a, b := c[from*d:from*d+d], c[to*d:to*d+d]
			for p := range u {
				u[p] += b[p] - a[p]
			}
			if eff != nil {
				eff.change(k, from, to, u)
			}
		}
		g.check.change(k, from, to)
	}
}

// sweep tries every level of the inner point on top of the current
// utilities and returns the number of zone packages, adding per-level counts.
func (g *grayWalker) sweep(counts [][]uint64) uint64 {
	if g.check.crossed > 0 {
		return 0 // a red line is crossed whatever the inner point says
	}
	k := g.inner
	c := g.flat[k]
	if g.eff != nil {
		c = g.eff.innerRow(c)
	}
	d := len(g.u)
	u, res, lo, hi := g.u, g.res, g.lo, g.hi
	checkInner := len(g.check.onPoint[k]) > 0
	var hits uint64
	for l := 0; l < g.radix[k]; l++ {
		if checkInner && g.check.crossesWith(k, l) {
			continue
		}
		ok := true
		row := c[l*d : l*d+d]
		for j := range u {
			v := u[j] + row[j]
			if v < hi[j] {
				if v < lo[j] {
					ok = false
					break
				}
				g.pkg[k] = l
				exact := g.s.Tables[j].Utility(g.pkg)
				g.pkg[k] = framework.Open
				if exact < res[j] {
					ok = false
					break
				}
			}
		}
		if ok {
			hits++
			counts[k][l]++
		}
	}
	if hits > 0 {
		for p, l := range g.pkg {
			if p != k {
				counts[p][l] += hits
			}
		}
	}
	return hits
}

// sweepPlain is sweep for additive tables whose drift margin is exactSlack
// (every party's walkSlack): the same decisions, with the margin a
// constant (the enumeration's innermost loop).
func (g *grayWalker) sweepPlain(counts [][]uint64) uint64 {
	if g.check.crossed > 0 {
		return 0 // a red line is crossed whatever the inner point says
	}
	k := g.inner
	c := g.flat[k]
	d := len(g.u)
	u, res := g.u, g.res
	checkInner := len(g.check.onPoint[k]) > 0
	var hits uint64
	for l := 0; l < g.radix[k]; l++ {
		if checkInner && g.check.crossesWith(k, l) {
			continue
		}
		ok := true
		row := c[l*d : l*d+d]
		for j := range u {
			v := u[j] + row[j]
			if v < res[j]+exactSlack {
				if v < res[j]-exactSlack {
					ok = false
					break
				}
				g.pkg[k] = l
				exact := g.s.Tables[j].Utility(g.pkg)
				g.pkg[k] = framework.Open
				if exact < res[j] {
					ok = false
					break
				}
			}
		}
		if ok {
			hits++
			counts[k][l]++
		}
	}
	if hits > 0 {
		for p, l := range g.pkg {
			if p != k {
				counts[p][l] += hits
			}
		}
	}
	return hits
}

// crossesWith reports whether setting open point k to level l completes a
// red line (the state tracks k as open).
func (c *zoneChecker) crossesWith(k, l int) bool {
	for i, rt := range c.onPoint[k] {
		if c.inTerm[k][i][l] && c.matched[rt[0]]+1 == c.rlTerms[rt[0]][0] {
			return true
		}
	}
	return false
}

// sampleZone draws uniform packages and counts zone hits (and per level);
// it stops early when ctx is done.
func sampleZone(ctx context.Context, s *Space, o ZoneOptions) (uint64, [][]uint64) {
	radix := s.Framework.Radix()
	newCounts := func() [][]uint64 {
		c := make([][]uint64, len(radix))
		for k := range c {
			c[k] = make([]uint64, radix[k])
		}
		return c
	}
	counts := make([][][]uint64, o.Workers)
	hits := make([]uint64, o.Workers)
	evals := make([]*sampleEval, o.Workers)
	for w := range counts {
		counts[w] = newCounts()
		evals[w] = newSampleEval(s)
	}
	forEachSample(ctx, s, o, func(w, _ int, p framework.Package) {
		if evals[w].acceptable(p) {
			hits[w]++
			for k, l := range p {
				counts[w][k][l]++
			}
		}
	})
	out := newCounts()
	var n uint64
	for w := range counts {
		n += hits[w]
		for k := range out {
			for l := range out[k] {
				out[k][l] += counts[w][k][l]
			}
		}
	}
	return n, out
}

// sampleBlock is the number of samples drawn from one random stream: block
// b of the sample is drawn from the stream seeded (Seed, sampleStream+b),
// so the sample is the same whatever the number of workers.
const sampleBlock = 1 << 16

// sampleStream is the second seed word of the sample's first block.
const sampleStream = 0x7061726c6579

// forEachSample draws o.Samples uniform packages and calls fn(w, i, p) for
// sample i on worker w (0 ≤ w < o.Workers; fn must only touch worker w's
// state and sample i's); p is reused. It returns ctx's error if ctx is done
// before every sample is drawn.
func forEachSample(ctx context.Context, s *Space, o ZoneOptions, fn func(w, i int, p framework.Package)) error {
	radix := s.Framework.Radix()
	blocks := (o.Samples + sampleBlock - 1) / sampleBlock
	var next, done atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < o.Workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			p := make(framework.Package, len(radix))
			dr := newDrawer(radix)
			for ctx.Err() == nil {
				b := int(next.Add(1) - 1)
				if b >= blocks {
					return
				}
				rng := rand.New(rand.NewPCG(o.Seed, sampleStream+uint64(b)))
				hi := min((b+1)*sampleBlock, o.Samples)
				for i := b * sampleBlock; i < hi; i++ {
					dr.draw(rng, p)
					fn(w, i, p)
				}
				n := done.Add(int64(hi - b*sampleBlock))
				if o.Progress != nil {
					o.Progress(n, int64(o.Samples))
				}
			}
		}(w)
	}
	wg.Wait()
	return ctxErr(ctx)
}

// drawer draws uniform packages: a point whose number of levels is a power
// of two takes its level from the bits of one 64-bit random number shared
// with the next such points, any other from Rand.IntN.
type drawer struct {
	radix []int
	bits  []int // log2 of the radix, -1 when it is not a power of two
}

func newDrawer(radix []int) *drawer {
	d := &drawer{radix: radix, bits: make([]int, len(radix))}
	for k, r := range radix {
		d.bits[k] = -1
		if r > 0 && r&(r-1) == 0 {
			d.bits[k] = bits.TrailingZeros(uint(r))
		}
	}
	return d
}

func (d *drawer) draw(rng *rand.Rand, p framework.Package) {
	var word uint64
	avail := 0
	for k, r := range d.radix {
		b := d.bits[k]
		if b < 0 {
			p[k] = rng.IntN(r)
			continue
		}
		if avail < b {
			word, avail = rng.Uint64(), 64
		}
		p[k] = int(word & (1<<b - 1))
		word >>= b
		avail -= b
	}
}

// sampleEval decides whether packages are in the zone: utilities summed in
// point order from one table of every party's contributions (bit for bit
// profile.Table.Utility), the utilities of parties with interactions by
// Table.Utility itself, red lines by the zone checker.
type sampleEval struct {
	s     *Space
	flat  [][]float64 // flat[k][l*d+j]: party j's contribution of level l of point k
	u     []float64
	check *zoneChecker
	// nonAdditive lists the parties whose tables have interactions.
	nonAdditive []int
}

func newSampleEval(s *Space) *sampleEval {
	d := s.N()
	e := &sampleEval{s: s, u: make([]float64, d), check: newZoneChecker(s), flat: make([][]float64, len(s.Framework.Points))}
	for k := range e.flat {
		levels := s.Framework.Points[k].Levels()
		e.flat[k] = make([]float64, levels*d)
		for l := 0; l < levels; l++ {
			for j, t := range s.Tables {
				e.flat[k][l*d+j] = t.Contrib[k][l]
			}
		}
	}
	for j, t := range s.Tables {
		if !t.Additive() {
			e.nonAdditive = append(e.nonAdditive, j)
		}
	}
	return e
}

// utilities sets e.u to every party's utility of p.
func (e *sampleEval) utilities(p framework.Package) []float64 {
	d := len(e.u)
	u := e.u
	clear(u)
	for k, l := range p {
		row := e.flat[k][l*d : l*d+d]
		for j := range u {
			u[j] += row[j]
		}
	}
	for _, j := range e.nonAdditive {
		u[j] = e.s.Tables[j].Utility(p)
	}
	return u
}

// acceptable is Space.Acceptable: party by party, stopping at the first
// whose utility is below its reservation value.
func (e *sampleEval) acceptable(p framework.Package) bool {
	for j, t := range e.s.Tables {
		u := 0.0
		if t.Additive() {
			for k, l := range p {
				u += t.Contrib[k][l]
			}
		} else {
			u = t.Utility(p)
		}
		if u < e.s.Reservation[j] {
			return false
		}
	}
	return !e.crosses(p)
}

// crosses reports whether p crosses some party's red line.
func (e *sampleEval) crosses(p framework.Package) bool {
	if len(e.check.matched) == 0 {
		return false
	}
	return e.check.crossesAny(p)
}

// searcher finds zone packages by depth-first branch and bound: a partial
// package is abandoned when, for some party, its contributions so far plus
// the best allowed contributions of the points left plus the most the
// interactions can still add (searchEffects) fall below the reservation
// value by more than the rounding margin slack; a complete package is
// decided by Space.Acceptable (Table.Utility, exact).
type searcher struct {
	ctx     context.Context
	s       *Space
	budget  int
	total   int64       // nodes left for all searches
	stopped bool        // ctx was done
	limit   int         // node limit of the current search
	allowed [][]bool    // levels not forbidden by a single-option red line
	order   [][]int     // per point, allowed levels in the order to try
	best    [][]float64 // best[k][j]: party j's best allowed contribution at point k
	restMax [][]float64 // per query: party j's best from points k.. (fixed point included)
	pkg     framework.Package
	// part[i][j] is party j's sum of the contributions of points before i
	// (kept per depth so that backtracking restores it exactly).
	part  [][]float64
	nodes int
	fk    int
	// slack[j] is party j's rounding margin of the bound (searchSlack).
	slack []float64
	// eff bounds the interactions (nil when every table is additive);
	// saved[i] keeps its bounds before point i is set.
	eff   *searchEffects
	saved [][]float64
}

func newSearcher(ctx context.Context, s *Space, budget int, total int64) *searcher {
	f := s.Framework
	n, d := len(f.Points), s.N()
	allowed, _ := compileRedLines(s, true)
	se := &searcher{ctx: ctx, s: s, budget: budget, total: total, allowed: allowed, order: make([][]int, n), restMax: make([][]float64, n+1)}
	maxU := make([]float64, d)
	for j, t := range s.Tables {
		maxU[j], _ = t.Max()
		if maxU[j] <= 0 {
			maxU[j] = 1
		}
	}
	se.best = bestAllowed(s, allowed)
	for k := 0; k < n; k++ {
		var lv []int
		score := make([]float64, f.Points[k].Levels())
		for l := range score {
			if !allowed[k][l] {
				continue
			}
			lv = append(lv, l)
			for j, t := range s.Tables {
				score[l] += t.Contrib[k][l] / maxU[j]
			}
		}
		slices.SortStableFunc(lv, func(a, b int) int { return cmp.Compare(score[b], score[a]) })
		se.order[k] = lv
	}
	for k := range se.restMax {
		se.restMax[k] = make([]float64, d)
	}
	se.pkg = make(framework.Package, n)
	se.part = make([][]float64, n+1)
	for i := range se.part {
		se.part[i] = make([]float64, d)
	}
	se.slack = make([]float64, d)
	for j, t := range s.Tables {
		se.slack[j] = searchSlack(t)
	}
	if se.eff = newSearchEffects(s); se.eff != nil {
		se.saved = make([][]float64, n)
		for i := range se.saved {
			se.saved[i] = make([]float64, d)
		}
	}
	return se
}

// possible reports whether a zone package with level l at point k exists.
func (se *searcher) possible(k, l int) Possibility {
	if !se.allowed[k][l] {
		return No
	}
	if se.stopped || se.total <= 0 {
		return Unknown
	}
	se.limit = int(min(int64(se.budget), se.total))
	n := len(se.pkg)
	for j := range se.restMax[n] {
		se.part[0][j] = 0
		se.restMax[n][j] = 0
	}
	for i := n - 1; i >= 0; i-- {
		for j, t := range se.s.Tables {
			c := se.best[i][j]
			if i == k {
				c = t.Contrib[k][l]
			}
			se.restMax[i][j] = se.restMax[i+1][j] + c
		}
	}
	for i := range se.pkg {
		se.pkg[i] = framework.Open
	}
	se.pkg[k] = l
	if se.eff != nil {
		se.eff.reset()
		se.eff.set(k, l)
	}
	se.nodes, se.fk = 0, k
	r := se.dfs(0, k, l)
	se.total -= int64(se.nodes)
	switch r {
	case 1:
		return Yes
	case 0:
		return No
	}
	return Unknown
}

// dfs returns 1 when a zone package is found, 0 when none exists below, -1
// when the budget ran out.
func (se *searcher) dfs(i, fk, fl int) int {
	s := se.s
	n := len(se.pkg)
	if i == n {
		if s.Acceptable(se.pkg) {
			return 1
		}
		return 0
	}
	se.nodes++
	if se.nodes > se.limit {
		return -1
	}
	if se.nodes%checkEvery == 0 && se.ctx.Err() != nil {
		se.stopped = true
		se.limit = 0
		return -1
	}
	levels := se.order[i]
	if i == fk {
		levels = []int{fl}
	}
	result := 0
	eff := se.eff
	part, next := se.part[i], se.part[i+1]
	for _, l := range levels {
		se.pkg[i] = l
		ok := true
		if eff == nil {
			for j, t := range s.Tables {
				if part[j]+t.Contrib[i][l]+se.restMax[i+1][j] < s.Reservation[j]-se.slack[j] {
					ok = false
					break
				}
			}
		} else {
			if i != fk {
				copy(se.saved[i], eff.opt)
				eff.set(i, l)
			}
			for j, t := range s.Tables {
				if part[j]+t.Contrib[i][l]+se.restMax[i+1][j]+eff.opt[j] < s.Reservation[j]-se.slack[j] {
					ok = false
					break
				}
			}
		}
		if ok && se.crossesCompleted(i) {
			ok = false
		}
		r := 0
		if ok {
			for j, t := range s.Tables {
				next[j] = part[j] + t.Contrib[i][l]
			}
			r = se.dfs(i+1, fk, fl)
		}
		if eff != nil && i != fk {
			eff.unset(i, l)
			copy(eff.opt, se.saved[i])
		}
		if r == 1 {
			return 1
		}
		if r < 0 {
			result = -1
		}
	}
	if i != fk {
		se.pkg[i] = framework.Open
	}
	return result
}

// crossesCompleted reports whether a red line that involves point i and
// whose points are all decided (≤ i, or the fixed point) is crossed.
func (se *searcher) crossesCompleted(i int) bool {
	for _, p := range se.s.Profiles {
	line:
		for _, rl := range p.RedLines {
			involves := false
			for _, t := range rl.Terms {
				if t.Point > i && t.Point != se.fk {
					continue line
				}
				involves = involves || t.Point == i
			}
			if involves && rl.Crossed(se.pkg) {
				return true
			}
		}
	}
	return false
}

// MarshalJSON writes a NaN share (empty zone) as null.
func (l LevelOverlap) MarshalJSON() ([]byte, error) {
	type plain LevelOverlap
	if math.IsNaN(l.Share) {
		return json.Marshal(struct {
			plain
			Share *float64 `json:"share"`
		}{plain: plain(l)})
	}
	return json.Marshal(plain(l))
}
