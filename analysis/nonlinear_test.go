package analysis

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/fixture"
	"github.com/parley-negotiation/parley/profile"
)

// nonLinearSpace is a random small non-linear space (fixture.RandomNonLinear)
// for the property tests: 2–4 parties, 2–6 points of 2–4 levels, with red
// lines on about half, reservation values on about half, and the shapes'
// variants (negative and outside values, integer values that tie, an
// additive part or none, 1 to 4 points per interaction) drawn from rng.
func nonLinearSpace(t testing.TB, rng *rand.Rand, iter int) (*Space, string) {
	t.Helper()
	parties := 2 + iter%3
	points := 2 + rng.IntN(5)
	levels := 2 + rng.IntN(3)
	shape := fixture.NonLinear{
		Interactions: 1 + rng.IntN(2*points),
		Arity:        1 + rng.IntN(4),
		Negative:     rng.IntN(2) == 0,
		Outside:      rng.IntN(2) == 0,
		Integer:      rng.IntN(2) == 0,
	}
	if rng.IntN(3) != 0 {
		shape.Additive = 1
		if shape.Integer {
			shape.Additive = 100 // integer values are 1…100
		}
	}
	sc := fixture.RandomNonLinear("nl", points, levels, parties, uint64(iter), 17, -1, shape)
	names, profs := fixture.Principals(sc)
	reservations := rng.IntN(2) == 0
	redLines := rng.IntN(2) == 0
	for _, pr := range profs {
		if reservations && rng.IntN(4) != 0 {
			tb, err := pr.Compile(sc.Framework)
			if err != nil {
				t.Fatal(err)
			}
			hi, _ := tb.Max()
			r := rng.Float64() * 0.9 * hi
			pr.Reservation = &r
		}
		if redLines {
			for range rng.IntN(3) {
				var rl profile.RedLine
				for _, k := range rng.Perm(points)[:1+rng.IntN(min(3, points))] {
					rl.Terms = append(rl.Terms, profile.Term{Point: k, Levels: []int{rng.IntN(levels)}})
				}
				pr.RedLines = append(pr.RedLines, rl)
			}
		}
	}
	s, err := NewSpace(sc.Framework, names, profs)
	if err != nil {
		t.Fatal(err)
	}
	return s, fmt.Sprintf("iter %d: %d parties, %d points × %d levels, %+v, reservations %v, red lines %v", iter, parties, points, levels, shape, reservations, redLines)
}

// TestFrontierNonLinearMatchesBruteForce is the property test of the merge
// on profiles with interactions: on hundreds of random small non-linear
// domains, with and without red lines and reservation values, the frontier
// equals enumeration's bit for bit (utility vectors, tie counts, lowest
// witnesses), every witness's utilities are Space.Utilities of it, and the
// solution points chosen on it are those chosen on enumeration's.
func TestFrontierNonLinearMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 2))
	effects, states := 0, 0
	for iter := range 400 {
		s, desc := nonLinearSpace(t, rng, iter)
		for _, tb := range s.Tables {
			effects += len(tb.Effects)
		}
		for _, o := range []FrontierOptions{{}, {RedLines: true}, {Rational: true}, {RedLines: true, Rational: true}} {
			want, err := FrontierEnumerate(s, o, 0)
			if err != nil {
				t.Fatal(err)
			}
			got, err := FrontierAdditive(s, o)
			if err != nil {
				t.Fatalf("%s, %+v: %v", desc, o, err)
			}
			if !strings.Contains(got.Method, "interactions merged exactly with their states") {
				t.Fatalf("%s: method %q does not say the interactions were merged with their states", desc, got.Method)
			}
			var n int
			if _, err := fmt.Sscanf(got.Method[strings.Index(got.Method, "(up to ")+len("(up to "):], "%d", &n); err != nil || n < 1 {
				t.Fatalf("%s: method %q: no state count", desc, got.Method)
			}
			states = max(states, n)
			if len(got.Points) != len(want.Points) {
				t.Fatalf("%s, %+v: frontier has %d points, brute force %d\ngot  %v\nwant %v", desc, o, len(got.Points), len(want.Points), us(got), us(want))
			}
			for i := range got.Points {
				g, w := got.Points[i], want.Points[i]
				if !slices.Equal(g.U, w.U) || g.Count != w.Count || !slices.Equal(g.Witness, w.Witness) {
					t.Fatalf("%s, %+v: point %d: %v ×%d witness %v; brute force %v ×%d witness %v", desc, o, i, g.U, g.Count, g.Witness, w.U, w.Count, w.Witness)
				}
				if u := s.Utilities(g.Witness); !slices.Equal(u, g.U) {
					t.Fatalf("%s, %+v: point %d: utilities %v, its witness %v has %v", desc, o, i, g.U, g.Witness, u)
				}
			}
			res := s.Reservation
			for _, sol := range []func(*Frontier) (Solution, bool){
				func(fr *Frontier) (Solution, bool) { return NashPoint(fr, res) },
				func(fr *Frontier) (Solution, bool) { return NashPointGENIUS(fr, res) },
				func(fr *Frontier) (Solution, bool) { return KalaiSmorodinskyPoint(fr, res) },
				func(fr *Frontier) (Solution, bool) { return GENIUSKalaiPoint(fr) },
				MaxWelfarePoint,
				func(fr *Frontier) (Solution, bool) { return EgalitarianPoint(fr, res) },
			} {
				a, okA := sol(got)
				b, okB := sol(want)
				if okA != okB || a.Value != b.Value && !(math.IsNaN(a.Value) && math.IsNaN(b.Value)) || !slices.Equal(a.Point.U, b.Point.U) || !slices.Equal(a.Point.Witness, b.Point.Witness) {
					t.Fatalf("%s, %+v: %s %v (%v, ok %v); brute force %v (%v, ok %v)", desc, o, a.Name, a.Point.U, a.Value, okA, b.Point.U, b.Value, okB)
				}
			}
			checkSolutionsByEnumeration(t, s, o, got, desc)
		}
	}
	t.Logf("400 domains, %d interactions in all, up to %d states per point", effects, states)
}

// checkSolutionsByEnumeration compares the Nash and max-welfare values
// chosen on fr with the maxima over every package (enumerated again,
// independently of FrontierEnumerate): the products and sums are monotone,
// so the maxima over all packages are reached on the frontier, bit for bit.
func checkSolutionsByEnumeration(t *testing.T, s *Space, o FrontierOptions, fr *Frontier, desc string) {
	t.Helper()
	bestW, bestN := math.Inf(-1), math.Inf(-1)
	any, rational := false, false
	Enumerate(s.Framework.Radix(), func(p framework.Package) bool {
		if o.RedLines {
			for _, pr := range s.Profiles {
				if pr.CrossesRedLine(p) >= 0 {
					return true
				}
			}
		}
		u := make([]float64, s.N())
		for j, tb := range s.Tables {
			u[j] = tb.Utility(p)
		}
		if o.Rational && !atLeast(u, s.Reservation) {
			return true
		}
		any = true
		bestW = math.Max(bestW, welfare(u))
		if atLeast(u, s.Reservation) {
			rational = true
			prod := 1.0
			for j := range u {
				prod *= u[j] - s.Reservation[j]
			}
			bestN = math.Max(bestN, prod)
		}
		return true
	})
	w, ok := MaxWelfarePoint(fr)
	if ok != any || ok && w.Value != bestW {
		t.Fatalf("%s, %+v: max welfare %v (ok %v), enumeration %v (ok %v)", desc, o, w.Value, ok, bestW, any)
	}
	n, ok := NashPoint(fr, s.Reservation)
	if ok != rational || ok && n.Value != bestN {
		t.Fatalf("%s, %+v: Nash product %v (ok %v), enumeration %v (ok %v)", desc, o, n.Value, ok, bestN, rational)
	}
}

// TestFrontierNonLinearApproximate: with Epsilon, every exact frontier
// point of a non-linear space is within Epsilon (per party) of a listed
// point, and every listed point is a real package with its exact
// utilities (thinning is per state, so the proof of thinBudget holds).
func TestFrontierNonLinearApproximate(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 3))
	for iter := range 60 {
		s, desc := nonLinearSpace(t, rng, iter)
		exact, err := FrontierEnumerate(s, FrontierOptions{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		eps := 0.05 * (1 + rng.Float64()*10)
		fr, err := FrontierAdditive(s, FrontierOptions{Epsilon: eps, thinAbove: 1 + rng.IntN(4)})
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		if !fr.Approximate {
			t.Fatalf("%s: not marked approximate", desc)
		}
		for _, p := range fr.Points {
			if u := s.Utilities(p.Witness); !slices.Equal(u, p.U) {
				t.Fatalf("%s: listed %v, its witness %v has %v", desc, p.U, p.Witness, u)
			}
		}
	exact:
		for _, x := range exact.Points {
			for _, p := range fr.Points {
				within := true
				for j := range x.U {
					within = within && p.U[j] >= x.U[j]-eps
				}
				if within {
					continue exact
				}
			}
			t.Fatalf("%s: exact point %v has no listed point within ε = %v: %v", desc, x.U, eps, us(fr))
		}
	}
}

// TestFrontierNonLinearBudget: past MaxPoints or MaxWork, a non-linear
// merge fails (never an inexact answer) with an error that says it is the
// interaction states, how many, and suggests --epsilon.
func TestFrontierNonLinearBudget(t *testing.T) {
	sc := fixture.RandomNonLinear("budget", 12, 6, 2, 5, 1, -1, fixture.NonLinear{Interactions: 24, Arity: 4, Integer: true})
	s, err := FromScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []FrontierOptions{{MaxPoints: 50}, {MaxWork: 20_000}} {
		_, err := FrontierAdditive(s, o)
		if !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrWorkBudget) {
			t.Fatalf("%+v: err = %v, want a budget error", o, err)
		}
		msg := err.Error()
		if !strings.Contains(msg, "48 interactions keep the partial packages in") || !strings.Contains(msg, "states") || !strings.Contains(msg, "--epsilon") {
			t.Errorf("%+v: error %q does not name the interaction states and --epsilon", o, msg)
		}
	}
	// Thinning is per state: below the number of states it fails too, and
	// says so.
	_, err = FrontierAdditive(s, FrontierOptions{MaxPoints: 50, Epsilon: 100})
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "the approximate frontier thins the partial packages of each state, not the states") {
		t.Errorf("approximate, 50 partial packages at most: err = %v", err)
	}
	fr, err := FrontierAdditive(s, FrontierOptions{MaxPoints: 50_000, Epsilon: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if !fr.Approximate || len(fr.Points) == 0 {
		t.Fatalf("approximate frontier: %d points, approximate %v", len(fr.Points), fr.Approximate)
	}
}

// TestFrontierNonLinearWhatIf: a what-if weight change on a non-linear
// space (the merges resumed from their kept states, which include the
// interactions' flags) gives the frontier and zone frontier a merge from
// scratch gives on the changed space, bit for bit, and a sampled zone
// re-evaluates a party with its interactions.
func TestFrontierNonLinearWhatIf(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 4))
	for iter := range 30 {
		s, desc := nonLinearSpace(t, rng, iter)
		w, err := NewWhatIf(context.Background(), s, Options{})
		if err != nil {
			t.Fatalf("%s: %v", desc, err)
		}
		for range 3 {
			j, k := rng.IntN(s.N()), rng.IntN(len(s.Framework.Points))
			rep, err := w.SetWeight(context.Background(), j, k, rng.Float64())
			if err != nil {
				t.Fatalf("%s: %v", desc, err)
			}
			cs := w.Space()
			want, err := FrontierEnumerate(cs, FrontierOptions{}, 0)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(rep.Frontier.Points) != fmt.Sprint(want.Points) {
				t.Fatalf("%s: weight (%d, %d): frontier %v, brute force %v", desc, j, k, us(rep.Frontier), us(want))
			}
			zwant, err := FrontierEnumerate(cs, FrontierOptions{RedLines: true, Rational: true}, 0)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(rep.ZoneFrontier.Points) != fmt.Sprint(zwant.Points) {
				t.Fatalf("%s: weight (%d, %d): zone frontier %v, brute force %v", desc, j, k, us(rep.ZoneFrontier), us(zwant))
			}
		}
		// The sample's re-evaluation of one party.
		radix := s.Framework.Radix()
		zs := &zoneSample{points: len(radix), d: s.N(), hit: make([]bool, 50)}
		zs.pkgs = make([]uint16, 50*len(radix))
		zs.u = make([]float64, 50*s.N())
		for i := range zs.hit {
			for k, r := range radix {
				zs.pkgs[i*len(radix)+k] = uint16(rng.IntN(r))
			}
		}
		zs.reevaluate(s, 0)
		for i := range zs.hit {
			p := make(framework.Package, len(radix))
			for k := range p {
				p[k] = int(zs.pkgs[i*len(radix)+k])
			}
			if u := s.Tables[0].Utility(p); zs.u[i*s.N()] != u {
				t.Fatalf("%s: sample %v re-evaluated %v, utility %v", desc, p, zs.u[i*s.N()], u)
			}
		}
	}
}

// TestFrontierCacheKeyInteractions: two spaces that differ only by an
// interaction (or its value, side or levels) have different cache keys,
// and an additive space keeps the key it had.
func TestFrontierCacheKeyInteractions(t *testing.T) {
	sc := fixture.RandomNonLinear("key", 4, 3, 2, 3, 1, -1, fixture.NonLinear{Interactions: 3, Arity: 2, Additive: 1})
	names, profs := fixture.Principals(sc)
	build := func(edit func(p *profile.Profile)) string {
		ps := make([]*profile.Profile, len(profs))
		for i, p := range profs {
			c := *p
			c.Interactions = slices.Clone(p.Interactions)
			ps[i] = &c
		}
		edit(ps[1])
		s, err := NewSpace(sc.Framework, names, ps)
		if err != nil {
			t.Fatal(err)
		}
		return FrontierCache{}.key(s)
	}
	keys := map[string]string{}
	for name, edit := range map[string]func(p *profile.Profile){
		"as is":    func(*profile.Profile) {},
		"additive": func(p *profile.Profile) { p.Interactions = nil },
		"value":    func(p *profile.Profile) { p.Interactions[0].Value += 1 },
		"outside":  func(p *profile.Profile) { p.Interactions[0].Outside = !p.Interactions[0].Outside },
		"levels": func(p *profile.Profile) {
			in := p.Interactions[0]
			in.Terms = slices.Clone(in.Terms)
			tm := in.Terms[0]
			if len(tm.Levels) > 1 {
				tm.Levels = tm.Levels[:1]
			} else {
				tm.Levels = []int{(tm.Levels[0] + 1) % 3}
			}
			in.Terms[0] = tm
			p.Interactions[0] = in
		},
	} {
		k := build(edit)
		if other, dup := keys[k]; dup {
			t.Errorf("%q and %q have the same cache key", name, other)
		}
		keys[k] = name
	}
	// An additive space keeps the key the cache used before interactions
	// (its files stay valid).
	s, err := NewSpace(sc.Framework, names, []*profile.Profile{withoutInteractions(profs[0]), withoutInteractions(profs[1])})
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	h.Write([]byte(cacheMagic))
	put := func(x uint64) { h.Write(binary.LittleEndian.AppendUint64(nil, x)) }
	radix := s.Framework.Radix()
	put(uint64(len(radix)))
	for _, r := range radix {
		put(uint64(r))
	}
	put(uint64(len(s.Tables)))
	for _, tb := range s.Tables {
		for _, c := range tb.Contrib {
			for _, x := range c {
				put(math.Float64bits(x))
			}
		}
	}
	if got, want := (FrontierCache{}).key(s), hex.EncodeToString(h.Sum(nil))+".frontier"; got != want {
		t.Errorf("additive key %s, before interactions %s", got, want)
	}
	if keys[FrontierCache{}.key(s)] != "" {
		t.Errorf("the additive space has the key of %q", keys[FrontierCache{}.key(s)])
	}
}

func withoutInteractions(p *profile.Profile) *profile.Profile {
	c := *p
	c.Interactions = nil
	return &c
}
