package session

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/scenario"
)

// packagesIn returns every package an event carries.
func packagesIn(e *Event) []framework.Package {
	var out []framework.Package
	if m := e.Move; m != nil {
		if m.Package != nil {
			out = append(out, m.Package)
		}
		out = append(out, m.Packages...)
	}
	if n := e.Note; n != nil {
		if n.Package != nil {
			out = append(out, n.Package)
		}
		out = append(out, n.Packages...)
	}
	return out
}

func containsPackage(ps []framework.Package, p framework.Package) bool {
	return slices.ContainsFunc(ps, func(q framework.Package) bool { return slices.Equal(p, q) })
}

// TestBlindConfidentiality: no event a party (or the mediator) may see
// carries another party's bid, or any package of it outside the overlap.
func TestBlindConfidentiality(t *testing.T) {
	sc := testScenario()
	all := func() []framework.Package {
		var ps []framework.Package
		for a := range 3 {
			for b := range 2 {
				for c := range 4 {
					ps = append(ps, framework.Package{a, b, c})
				}
			}
		}
		return ps
	}()
	rng := rand.New(rand.NewPCG(5, 5))
	for run := range 60 {
		reveal := []string{RevealSize, RevealPoints, RevealPackages}[run%3]
		s := mustNew(t, sc, Config{Protocol: Blind, Mediator: "med", Rounds: 3, BlindReveal: reveal})
		bids := map[string][][]framework.Package{} // per party, per round
		for !s.State.Done() {
			for _, p := range slices.Clone(s.State.Waiting) {
				var bid []framework.Package
				for _, i := range rng.Perm(len(all))[:1+rng.IntN(4+run%6)] {
					bid = append(bid, all[i].Clone())
				}
				bids[p] = append(bids[p], bid)
				seq := submit(t, s, Move{Kind: KindBid, Party: p, Packages: bid})
				if v := s.Events()[seq-1].Visible; !slices.Equal(v, []string{p}) {
					t.Fatalf("run %d: %s's bid is visible to %v", run, p, v)
				}
			}
		}
		// The overlap of each round, from the bids themselves.
		overlap := map[int][]framework.Package{}
		for r := range len(bids["a"]) {
			for _, p := range bids["a"][r] {
				if containsPackage(bids["b"][r], p) && containsPackage(bids["c"][r], p) {
					overlap[r+1] = append(overlap[r+1], p)
				}
			}
		}
		for _, viewer := range []string{"a", "b", "c", "med"} {
			for i := range s.Events() {
				e := &s.Events()[i]
				if !e.VisibleTo(viewer) {
					continue
				}
				if e.Kind == KindBid && e.Party != viewer {
					t.Fatalf("run %d: %s sees %s's bid", run, viewer, e.Party)
				}
				for _, p := range packagesIn(e) {
					if e.Kind == KindBid && e.Party == viewer {
						continue
					}
					if !containsPackage(overlap[e.Round], p) {
						t.Fatalf("run %d: %s sees package %v (event %d, %s) outside the overlap %v", run, viewer, p, e.Seq, e.Kind, overlap[e.Round])
					}
				}
				if e.Kind == "overlap" {
					n := e.Note
					if n.Count != len(overlap[e.Round]) {
						t.Fatalf("run %d: overlap of round %d noted as %d, is %d", run, e.Round, n.Count, len(overlap[e.Round]))
					}
					if (n.Overlap != nil) != (n.Count > 0 && reveal != RevealSize) || (n.Packages != nil) != (n.Count > 0 && reveal == RevealPackages) {
						t.Fatalf("run %d (%s): the note reveals %+v", run, reveal, n)
					}
					for k, opts := range n.Overlap {
						for _, o := range opts {
							if !slices.ContainsFunc(overlap[e.Round], func(p framework.Package) bool { return p[k] == o }) {
								t.Fatalf("run %d: the note reveals option %d of point %d, used by no overlap package", run, o, k)
							}
						}
					}
				}
			}
		}
		if s.State.Bids != nil {
			t.Fatalf("run %d: bids kept in the state after the round: %v", run, s.State.Bids)
		}
		if a := s.State.Agreement; a != nil {
			if first := overlap[s.State.Round][0]; !slices.Equal(a, slices.MinFunc(overlap[s.State.Round], func(x, y framework.Package) int { return slices.Compare(x, y) })) {
				t.Fatalf("run %d: agreement %v, first of the overlap %v", run, a, first)
			}
		} else if len(overlap[3]) > 0 || s.State.Round != 3 {
			t.Fatalf("run %d: no agreement (round %d) with overlaps %v", run, s.State.Round, overlap)
		}
		checkReplay(t, s)
	}
}

func TestBlindRounds(t *testing.T) {
	sc := testScenario()
	s := mustNew(t, sc, Config{Protocol: Blind, Rounds: 2, BlindReveal: RevealPoints})
	if !slices.Equal(s.State.Waiting, []string{"a", "b", "c"}) {
		t.Fatalf("waiting %v at the start", s.State.Waiting)
	}
	bid := func(p string, ps ...framework.Package) { submit(t, s, Move{Kind: KindBid, Party: p, Packages: ps}) }
	bid("a", framework.Package{0, 0, 0}, framework.Package{1, 1, 1})
	if _, err := s.Submit(Move{Kind: KindBid, Party: "a", Packages: []framework.Package{{0, 0, 0}}}); !errors.Is(err, ErrOutOfTurn) {
		t.Fatalf("a second bid in the round: %v", err)
	}
	bid("b", framework.Package{1, 1, 1})
	bid("c", framework.Package{2, 1, 1})
	last := s.Events()[s.Len()-1]
	if last.Kind != "overlap" || last.Note.Count != 0 || last.Round != 1 || s.State.Round != 2 {
		t.Fatalf("after round 1: %s %+v (round %d, now %d)", last.Kind, last.Note, last.Round, s.State.Round)
	}
	bid("c", framework.Package{2, 1, 1}, framework.Package{1, 1, 1}, framework.Package{1, 1, 3})
	bid("a", framework.Package{1, 1, 3}, framework.Package{1, 1, 1})
	bid("b", framework.Package{1, 1, 3}, framework.Package{1, 1, 1})
	evs := s.Events()
	ov := evs[len(evs)-2]
	if ov.Kind != "overlap" || ov.Note.Count != 2 || ov.Note.Packages != nil || !slices.EqualFunc(ov.Note.Overlap, [][]int{{1}, {1}, {1, 3}}, slices.Equal) {
		t.Fatalf("round 2 overlap note %+v", ov.Note)
	}
	if !slices.Equal(s.State.Agreement, framework.Package{1, 1, 1}) {
		t.Fatalf("agreement %v, want the first package of the overlap", s.State.Agreement)
	}
	checkReplay(t, s)

	// Under a quorum of two (no veto), a package in two bids is agreeable.
	q := testScenario()
	q.Decision = scenario.Decision{Rule: scenario.Quorum, Quorum: 2, Agreement: scenario.WholePackage}
	s = mustNew(t, q, Config{Protocol: Blind, Rounds: 1})
	submit(t, s, Move{Kind: KindBid, Party: "a", Packages: []framework.Package{{2, 0, 0}}})
	submit(t, s, Move{Kind: KindBid, Party: "b", Packages: []framework.Package{{0, 0, 1}, {2, 0, 0}}})
	submit(t, s, Move{Kind: KindBid, Party: "c", Packages: []framework.Package{{0, 0, 1}}})
	if !slices.Equal(s.State.Agreement, framework.Package{0, 0, 1}) {
		t.Fatalf("quorum: agreement %v", s.State.Agreement)
	}
	checkReplay(t, s)
	// Deadline.
	s = mustNew(t, sc, Config{Protocol: Blind, Rounds: 1})
	for i, p := range []string{"a", "b", "c"} {
		submit(t, s, Move{Kind: KindBid, Party: p, Packages: []framework.Package{{0, 0, i}}})
	}
	submit(t, s, Move{Kind: KindMessage, Party: "a", Message: "pity"})
	if s.State.Status != StatusNoAgreement || !strings.Contains(s.State.Reason, "1 rounds") {
		t.Fatalf("status %s (%s)", s.State.Status, s.State.Reason)
	}
	checkReplay(t, s)
}

// TestBlindResponders: parties that concede over the rounds find the
// overlap; what they agree is in the zone.
func TestBlindResponders(t *testing.T) {
	for _, res := range []float64{0.3, 0.5, 0.55} {
		sc := tightScenario(res)
		sp, _ := analysis.FromScenario(sc)
		s := mustNew(t, sc, Config{Protocol: Blind, Rounds: 6})
		if err := RunMediated(s, nil, profileResponders(s, 0)); err != nil {
			t.Fatal(err)
		}
		if s.State.Agreement == nil || !sp.Acceptable(s.State.Agreement) {
			t.Fatalf("reservation %v: agreement %v (%s)", res, s.State.Agreement, s.State.Reason)
		}
		checkReplay(t, s)
	}
	// On the Miami scenario, best-first bids of at most MaxBid packages.
	sc := miami(t)
	sp, _ := analysis.FromScenario(sc)
	s := mustNew(t, sc, Config{Protocol: Blind, Rounds: 4, BlindReveal: RevealPackages})
	if err := RunMediated(s, nil, profileResponders(s, 0)); err != nil {
		t.Fatal(err)
	}
	for _, e := range s.Events() {
		if e.Kind == KindBid {
			if len(e.Move.Packages) == 0 || len(e.Move.Packages) > MaxBid {
				t.Fatalf("a bid of %d packages", len(e.Move.Packages))
			}
			for _, p := range e.Move.Packages {
				i := slices.Index(sp.Names, e.Party)
				if sp.Utilities(p)[i] < sp.Reservation[i] || sp.Profiles[i].CrossesRedLine(p) >= 0 {
					t.Fatalf("%s bid %v, which it would not accept", e.Party, p)
				}
			}
		}
	}
	if a := s.State.Agreement; a != nil && !sp.Acceptable(a) {
		t.Fatalf("Miami blind agreement %v outside the zone", a)
	}
	checkReplay(t, s)
}

func TestBestPackages(t *testing.T) {
	sc := tightScenario(0.4)
	sc.Parties[1].Profile.RedLines = nil
	p := sc.Party("a").Profile
	tb, _ := p.Compile(sc.Framework)
	// Brute force: every acceptable package, best first, ties by package.
	var want []framework.Package
	analysis.Enumerate(sc.Framework.Radix(), func(q framework.Package) bool {
		if tb.Utility(q) >= 0.6 {
			want = append(want, q.Clone())
		}
		return true
	})
	slices.SortStableFunc(want, func(x, y framework.Package) int {
		ux, uy := tb.Utility(x), tb.Utility(y)
		switch {
		case ux > uy:
			return -1
		case ux < uy:
			return 1
		}
		return slices.Compare(x, y)
	})
	got := BestPackages(tb, p, 100, 0.6)
	if len(got) != len(want) {
		t.Fatalf("%d packages, want %d", len(got), len(want))
	}
	for i := range got {
		if tb.Utility(got[i]) != tb.Utility(want[i]) {
			t.Fatalf("package %d: %v (%v), want %v (%v)", i, got[i], tb.Utility(got[i]), want[i], tb.Utility(want[i]))
		}
	}
	if got := BestPackages(tb, p, 3, 0); len(got) != 3 {
		t.Fatalf("limit 3: %d packages", len(got))
	}
}
