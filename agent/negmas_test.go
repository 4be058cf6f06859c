package agent

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// nmLadder is a one-point framework of 11 options, option l worth 1 − l/10,
// with reservation value rv (none when rv < 0).
func nmLadder(t testing.TB, rv float64) (*framework.Framework, *profile.Profile, *profile.Table) {
	t.Helper()
	f := testFramework(11)
	scores := make([]float64, 11)
	for l := range scores {
		scores[l] = float64(10 - l)
	}
	p := &profile.Profile{Weights: []float64{1}, Scores: [][]float64{scores}}
	if rv >= 0 {
		p.Reservation = &rv
	}
	return f, p, compile(t, f, p)
}

func TestNegmasTime(t *testing.T) {
	for _, c := range []struct {
		round, deadline int
		time, want      float64
	}{
		{1, 100, 0.5, 1.0 / 101},
		{100, 100, 0, 100.0 / 101},
		{150, 100, 0, 1},
		{3, 0, 0.25, 0.25}, // no round deadline: the session's time
	} {
		v := &View{Round: c.round, Deadline: c.deadline, Time: c.time}
		if got := NegmasTime(v); got != c.want {
			t.Errorf("round %d of %d: %v, want %v", c.round, c.deadline, got, c.want)
		}
	}
}

// TestTimeBasedRange: the TB negotiators' range is the PolyAspiration
// level relative to [max(lowest, reservation), highest], widened by eps,
// and they accept inside it and offer the lowest outcome at or above it.
func TestTimeBasedRange(t *testing.T) {
	f, p, tb := nmLadder(t, 0.2)
	for _, c := range []struct {
		a       *TimeBasedNegotiator
		round   int
		wantAsp float64
	}{
		{NegmasBoulware(), 50, 1 - math.Pow(50.0/101, 4)},
		{NegmasLinear(), 50, 1 - 50.0/101},
		{NegmasConceder(), 50, 1 - math.Pow(50.0/101, 0.25)},
		{NewAspiration(2, 0.9), 30, 0.9 * (1 - math.Pow(30.0/101, 2))},
	} {
		v := view(f, p, tb, c.round, 100, nil)
		c.a.Init(v)
		lo, hi, err := c.a.Range(v)
		if err != nil {
			t.Fatal(err)
		}
		want := 0.8*c.wantAsp + 0.2 - c.a.eps
		if math.Abs(lo-want) > 1e-12 || hi != 1 {
			t.Errorf("%s: range [%v, %v], want [%v, 1]", c.a.Name(), lo, hi, want)
		}
		act := c.a.Act(v)
		u := tb.Utility(act.Package)
		if act.Kind != MakeOffer || u < lo-1e-6 || u-0.1 >= lo {
			t.Errorf("%s: offered %v (utility %v) for the range from %v", c.a.Name(), act, u, lo)
		}
		// An offer at the lower end is accepted, one just below refused.
		for _, d := range []struct {
			level int
			want  Kind
		}{{int(math.Floor((1 - lo) * 10)), Accept}, {int(math.Floor((1-lo)*10)) + 1, MakeOffer}} {
			if d.level > 10 {
				continue
			}
			cur := &Offer{By: 1, Round: c.round, Package: framework.Package{d.level}}
			if got := c.a.Act(view(f, p, tb, c.round, 100, cur)).Kind; got != d.want {
				t.Errorf("%s: offer of %v answered %v, want %v", c.a.Name(), tb.Utility(cur.Package), got, d.want)
			}
		}
	}
}

// TestTimeBasedNeverBelowReservation: the TB negotiators neither offer nor
// accept below the reservation value, even at the deadline.
func TestTimeBasedNeverBelowReservation(t *testing.T) {
	f, p, tb := nmLadder(t, 0.45)
	for _, a := range []*TimeBasedNegotiator{NegmasBoulware(), NegmasLinear(), NegmasConceder()} {
		cur := &Offer{By: 1, Round: 100, Package: framework.Package{6}} // 0.4
		v := view(f, p, tb, 100, 100, cur)
		a.Init(v)
		act := a.Act(v)
		if act.Kind != MakeOffer || tb.Utility(act.Package) < 0.45 {
			t.Errorf("%s at the deadline: %v (%v)", a.Name(), act, tb.Utility(act.Package))
		}
	}
}

// TestWorstInTies: among outcomes of equal utility the NegMAS space picks
// the first in enumeration order (first point slowest), and MiCRO's
// ranking walks ties from the last.
func TestWorstInTies(t *testing.T) {
	f := testFramework(2, 2)
	p := &profile.Profile{Weights: []float64{0.5, 0.5}, Scores: [][]float64{{1, 0}, {1, 0}}}
	tb := compile(t, f, p)
	v := &View{Framework: f, Profile: p, Table: tb}
	s, err := newNMSpace(v, true, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Packages {0,1} and {1,0} are both worth 0.5; {0,1} comes first.
	if p, u, _ := s.worstIn(0.4); !slices.Equal(p, framework.Package{0, 1}) || u != 0.5 {
		t.Errorf("worstIn(0.4) = %v (%v)", p, u)
	}
	var ranks []framework.Package
	for i := 0; ; i++ {
		p, _, ok := s.rank(i)
		if !ok {
			break
		}
		ranks = append(ranks, p)
	}
	want := []framework.Package{{0, 0}, {1, 0}, {0, 1}, {1, 1}}
	if !slices.EqualFunc(ranks, want, slices.Equal) {
		t.Errorf("ranking %v, want %v", ranks, want)
	}
	// Nearer from below within 1e-6 wins.
	if p, _, _ := s.worstIn(0.5 + 5e-7); !slices.Equal(p, framework.Package{0, 1}) {
		t.Errorf("worstIn(0.5+5e-7) = %v, want the 0.5 outcome", p)
	}
	if p, _, _ := s.worstIn(2); !slices.Equal(p, framework.Package{0, 0}) {
		t.Errorf("worstIn above the best = %v, want the best", p)
	}
}

// TestMiCRO: MiCRO opens with its best outcome, concedes one outcome per
// new offer received and no faster, and accepts what is worth its next
// offer.
func TestMiCRO(t *testing.T) {
	f, p, tb := nmLadder(t, 0.65)
	a := NewMiCRO()
	v := view(f, p, tb, 1, 50, nil)
	a.Init(v)
	hist := []Offer{}
	step := func(round int, opp int) Action {
		hist = append(hist, Offer{By: 1, Round: round, Package: framework.Package{opp}})
		v := view(f, p, tb, round, 50, &hist[len(hist)-1])
		v.History = slices.Clone(hist)
		act := a.Act(v)
		if act.Kind == MakeOffer {
			hist = append(hist, Offer{By: 0, Round: round + 1, Package: act.Package})
		}
		return act
	}
	if act := a.Act(v); !slices.Equal(act.Package, framework.Package{0}) {
		t.Fatalf("opening %v", act)
	}
	hist = append(hist, Offer{By: 0, Round: 1, Package: framework.Package{0}})
	// The opponent repeats one offer: MiCRO concedes once (1 sent ≤ 1
	// received) and then repeats itself.
	for i, want := range []int{1, 1, 1} {
		if act := step(1+i, 10); act.Kind != MakeOffer || act.Package[0] != want {
			t.Errorf("offer %d: %v, want level %d", i, act, want)
		}
	}
	// New offers from the opponent let it concede again, down to 0.7 (level
	// 3, its last rational outcome above 0.65) and no lower.
	var got []int
	for i := range 4 {
		act := step(10+i, 9-i)
		got = append(got, act.Package[0])
	}
	if !slices.Equal(got, []int{2, 3, 3, 3}) {
		t.Errorf("concessions %v, want [2 3 3 3]", got)
	}
	// An offer worth its next one (0.7) is accepted.
	if act := step(20, 3); act.Kind != Accept {
		t.Errorf("offer of 0.7: %v", act)
	}
}

// TestNaiveTitForTat: NegMAS's naive tit-for-tat opens with its best
// outcome, makes the smallest concession in steps 1 and 2, then mirrors
// the opponent's offers in its own normalised utility and accepts what is
// worth half of its range.
func TestNaiveTitForTat(t *testing.T) {
	f, p, tb := nmLadder(t, 0)
	a := NewNaiveTitForTat(0)
	v := view(f, p, tb, 1, 50, nil)
	a.Init(v)
	if act := a.Act(v); !slices.Equal(act.Package, framework.Package{0}) {
		t.Fatalf("opening %v", act)
	}
	cur := &Offer{By: 1, Round: 1, Package: framework.Package{9}} // 0.1
	// Step 1: the response uses ranks 0–1, the offer ranks 2–3: a
	// concession of 0.1 (+1e-12): it offers 0.9.
	if act := a.Act(view(f, p, tb, 2, 50, cur)); act.Kind != MakeOffer || act.Package[0] != 1 {
		t.Errorf("step 1: %v, want level 1", act)
	}
	// Step 3 on: it concedes n(offer) = 0.3 and offers 0.7.
	cur = &Offer{By: 1, Round: 4, Package: framework.Package{7}}
	if act := a.Act(view(f, p, tb, 4, 50, cur)); act.Kind != MakeOffer || act.Package[0] != 3 {
		t.Errorf("step 3: %v, want level 3", act)
	}
	cur = &Offer{By: 1, Round: 5, Package: framework.Package{5}} // 0.5
	if act := a.Act(view(f, p, tb, 5, 50, cur)); act.Kind != Accept {
		t.Errorf("offer of 0.5: %v, want accept", act)
	}
}

func TestNegmasByName(t *testing.T) {
	for _, c := range []struct{ spec, name string }{
		{"boulware-tb", "boulware-tb"},
		{"linear-tb", "linear-tb"},
		{"conceder-tb", "conceder-tb"},
		{"aspiration", "aspiration(e=4,max=1)"},
		{"aspiration:e=0.25,max=0.9", "aspiration(e=0.25,max=0.9)"},
		{"naive-tft", "naive-tft(kindness=0)"},
		{"naive-tft:kindness=0.02", "naive-tft(kindness=0.02)"},
		{"micro", "micro"},
	} {
		n, err := ByName(c.spec, 1)
		if err != nil {
			t.Errorf("%s: %v", c.spec, err)
			continue
		}
		if n.Name() != c.name {
			t.Errorf("%s: name %q, want %q", c.spec, n.Name(), c.name)
		}
	}
	for _, spec := range []string{"boulware-tb:e=2", "micro:kindness=0.1", "aspiration:k=0.1"} {
		if _, err := ByName(spec, 1); err == nil {
			t.Errorf("%s: no error", spec)
		}
	}
}

// BenchmarkNegmasBoulwareAct measures one turn of boulware-tb on a
// 5-point, 10-option space (10^5 outcomes, presorted once).
func BenchmarkNegmasBoulwareAct(b *testing.B) {
	f := testFramework(10, 10, 10, 10, 10)
	p := &profile.Profile{Scale: profile.ScaleMax}
	for i := range f.Points {
		p.Weights = append(p.Weights, float64(i+1)/15)
		s := make([]float64, 10)
		for l := range s {
			s[l] = float64((l*7+i*3)%10 + 1)
		}
		p.Scores = append(p.Scores, s)
	}
	tb := compile(b, f, p)
	a := NegmasBoulware()
	cur := &Offer{By: 1, Round: 1, Package: framework.Package{0, 0, 0, 0, 0}}
	v := view(f, p, tb, 1, 1000, cur)
	a.Init(v)
	b.ResetTimer()
	for i := range b.N {
		v.Round = 1 + i%1000
		a.Act(v)
	}
}

// TestRadixSort: the stable radix sort of nmSpace orders utilities as
// floats (negative ones included), ties by enumeration index.
func TestRadixSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 17, 1000} {
		keys, vals := make([]uint64, n), make([]uint64, n)
		us := make([]float64, n)
		for i := range n {
			us[i] = float64(rng.IntN(21)-10) / 4 // many ties, negatives, zero
			if rng.IntN(5) == 0 {
				us[i] = rng.NormFloat64()
			}
			keys[i], vals[i] = orderKey(us[i]), uint64(i)
		}
		radixSort(keys, vals)
		for i := range n {
			if fromOrderKey(keys[i]) != us[vals[i]] {
				t.Fatalf("n=%d: key %d does not decode to its value", n, i)
			}
			if i > 0 {
				a, b := us[vals[i-1]], us[vals[i]]
				if a > b || a == b && vals[i-1] > vals[i] {
					t.Fatalf("n=%d: %v (%d) before %v (%d)", n, a, vals[i-1], b, vals[i])
				}
			}
		}
	}
}

// TestNothingRational: with a reservation value above every outcome, MiCRO
// and the TB negotiators offer their best outcome (NegMAS's MiCRO proposes
// nothing) and accept nothing below the reservation value.
func TestNothingRational(t *testing.T) {
	f, p, tb := nmLadder(t, 1.5)
	v := view(f, p, tb, 1, 10, nil)
	m := NewMiCRO()
	m.Init(v)
	if act := m.Act(v); act.Kind != MakeOffer || act.Package[0] != 0 {
		t.Errorf("micro: %v, want its best", act)
	}
	cur := &Offer{By: 1, Round: 2, Package: framework.Package{0}}
	if act := m.Act(view(f, p, tb, 2, 10, cur)); act.Kind == Accept {
		t.Errorf("micro accepted 1.0 below its reservation value 1.5")
	}
	b := NegmasBoulware()
	b.Init(v)
	if act := b.Act(v); act.Kind != MakeOffer || act.Package[0] != 0 {
		t.Errorf("boulware-tb: %v, want its best", act)
	}
	cur = &Offer{By: 1, Round: 10, Package: framework.Package{0}}
	if act := b.Act(view(f, p, tb, 10, 10, cur)); act.Kind == Accept {
		t.Errorf("boulware-tb accepted 1.0 below its reservation value 1.5")
	}
}
