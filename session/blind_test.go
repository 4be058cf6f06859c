package session

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/genius"
	"github.com/parley-negotiation/parley/internal/refdata"
	"github.com/parley-negotiation/parley/profile"
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
	// On the Miami scenario, bids of at most agent.MaxBlindBid packages,
	// each acceptable to its bidder.
	sc := miami(t)
	sp, _ := analysis.FromScenario(sc)
	s := mustNew(t, sc, Config{Protocol: Blind, Rounds: 4, BlindReveal: RevealPackages})
	if err := RunMediated(s, nil, profileResponders(s, 0)); err != nil {
		t.Fatal(err)
	}
	for _, e := range s.Events() {
		if e.Kind == KindBid {
			if len(e.Move.Packages) == 0 || len(e.Move.Packages) > agent.MaxBlindBid {
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

// checkBids fails the test on a bid of more than agent.MaxBlindBid
// packages or holding a package its bidder would not accept (below its
// reservation value or across its red lines), and on an agreement outside
// the zone.
func checkBids(t *testing.T, s *Session, sp *analysis.Space) {
	t.Helper()
	for _, e := range s.Events() {
		if e.Kind != KindBid {
			continue
		}
		if len(e.Move.Packages) == 0 || len(e.Move.Packages) > agent.MaxBlindBid {
			t.Fatalf("%s bid %d packages in round %d", e.Party, len(e.Move.Packages), e.Round)
		}
		i := slices.Index(sp.Names, e.Party)
		for _, p := range e.Move.Packages {
			if sp.Utilities(p)[i] < sp.Reservation[i] || sp.Profiles[i].CrossesRedLine(p) >= 0 {
				t.Fatalf("%s bid %v in round %d (utility %v, reservation %v, red line %d)", e.Party, p, e.Round, sp.Utilities(p)[i], sp.Reservation[i], sp.Profiles[i].CrossesRedLine(p))
			}
		}
	}
	if a := s.State.Agreement; a != nil && !sp.Acceptable(a) {
		t.Fatalf("agreement %v outside the zone: utilities %v, reservations %v, red lines %v", a, sp.Utilities(a), sp.Reservation, sp.RedLineCrossings(a))
	}
}

// TestBlindMiami is the bug report of issue 11 item 7: `parley run
// miami-2025 --protocol blind` never agreed — every round "the bids do not
// overlap" — because each party bid its best packages only, which never
// reach the zone. With every party bidding through ProfileResponder (as
// the command does), the default 100 rounds end in an agreement inside the
// zone: every principal at or above its reservation value, no red line
// crossed. The bids are deterministic (public order, no seed), so the
// round is too: 71 when this was written; the test allows up to 90.
func TestBlindMiami(t *testing.T) {
	sc := miami(t)
	sp, err := analysis.FromScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	s := mustNew(t, sc, Config{Protocol: Blind, Rounds: 100})
	start := time.Now()
	if err := RunMediated(s, nil, profileResponders(s, 0.1)); err != nil {
		t.Fatal(err)
	}
	t.Logf("miami-2025 blind: %s in round %d of 100 (%s), %v; utilities %.4f", s.State.Status, s.State.Round, s.State.Reason, time.Since(start), sp.Utilities(s.State.Agreement))
	if s.State.Agreement == nil {
		t.Fatalf("no agreement: %s (%s) after %d rounds", s.State.Status, s.State.Reason, s.State.Round)
	}
	if s.State.Round > 90 {
		t.Fatalf("agreement only in round %d of 100", s.State.Round)
	}
	checkBids(t, s, sp)
	// No replay here: replaying 213 bids of 1,000 packages takes longer
	// than the session (about 3 s); TestBlindResponders replays Miami's
	// blind bids, TestBlindGENIUS a whole blind session of these bidders.
}

// TestBlindGENIUS: the same on GENIUS's Supermarket domain (ANAC 2012,
// 112,896 packages, reservation values 0.5, a zone of 23,456 packages):
// the bidders that bid their best packages only never agreed within 100
// rounds; these agree (round 42 when this was written; at most 60).
func TestBlindGENIUS(t *testing.T) {
	dir := refdata.Dir(t, "genius", "domains", "Supermarket")
	sc, err := genius.LoadDir(dir, []string{"Supermarket-A-prof1.xml", "Supermarket-A-prof2.xml"})
	if err != nil {
		t.Fatal(err)
	}
	sp, err := analysis.FromScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	s := mustNew(t, sc, Config{Protocol: Blind, Rounds: 100})
	if err := RunMediated(s, nil, profileResponders(s, 0.1)); err != nil {
		t.Fatal(err)
	}
	t.Logf("Supermarket blind: %s in round %d, utilities %.4f", s.State.Status, s.State.Round, sp.Utilities(s.State.Agreement))
	if s.State.Agreement == nil || s.State.Round > 60 {
		t.Fatalf("%s (%s) after %d rounds, agreement %v", s.State.Status, s.State.Reason, s.State.Round, s.State.Agreement)
	}
	checkBids(t, s, sp)
	checkReplay(t, s)
}

// randomBlindScenario draws 2–4 principals with random additive profiles,
// random red lines (forbidden options, forbidden pairs) and reservation
// values on 2–7 points of 2–5 options, redrawn until analysis finds the
// zone non-empty by exact enumeration; it returns the scenario, its space
// and the zone's size.
func randomBlindScenario(rng *rand.Rand) (*scenario.Scenario, *analysis.Space, float64) {
	for {
		f := &framework.Framework{Name: fmt.Sprintf("random-%d", rng.Uint32())}
		for k := range 2 + rng.IntN(6) {
			pt := framework.Point{ID: fmt.Sprintf("p%d", k)}
			for l := range 2 + rng.IntN(4) {
				pt.Options = append(pt.Options, framework.Option{ID: fmt.Sprintf("o%d", l)})
			}
			f.Points = append(f.Points, pt)
		}
		sc := &scenario.Scenario{Version: 1, Name: f.Name, Framework: f,
			Decision: scenario.Decision{Rule: scenario.Unanimity, Agreement: scenario.WholePackage},
			Format:   scenario.Format{Default: scenario.Plenary}}
		for i := range 2 + rng.IntN(3) {
			pr := &profile.Profile{Reservation: fptr(0.3 + 0.5*rng.Float64())}
			sum := 0.0
			for range f.Points {
				w := 0.05 + rng.Float64()
				pr.Weights = append(pr.Weights, w)
				sum += w
			}
			for k := range f.Points {
				pr.Weights[k] /= sum
				s := make([]float64, len(f.Points[k].Options))
				for l := range s {
					s[l] = rng.Float64()
				}
				pr.Scores = append(pr.Scores, s)
			}
			if rng.IntN(2) == 0 {
				k := rng.IntN(len(f.Points))
				pr.RedLines = append(pr.RedLines, profile.RedLine{Terms: []profile.Term{{Point: k, Levels: []int{rng.IntN(len(f.Points[k].Options))}}}})
			}
			if a, b := rng.IntN(len(f.Points)), rng.IntN(len(f.Points)); a != b && rng.IntN(2) == 0 {
				pr.RedLines = append(pr.RedLines, profile.RedLine{Terms: []profile.Term{
					{Point: a, Levels: []int{rng.IntN(len(f.Points[a].Options))}},
					{Point: b, Levels: []int{rng.IntN(len(f.Points[b].Options))}},
				}})
			}
			sc.Parties = append(sc.Parties, scenario.Party{ID: fmt.Sprintf("party%d", i), Role: scenario.Principal, Profile: pr})
		}
		sp, err := analysis.FromScenario(sc)
		if err != nil {
			panic(err)
		}
		z := analysis.AgreementZone(sp, analysis.ZoneOptions{Workers: 1})
		if z.Exact && z.Size > 0 {
			return sc, sp, z.Size
		}
	}
}

// TestBlindProperty: on random small scenarios whose agreement zone is
// non-empty (counted exactly by analysis.AgreementZone), blind bidding
// with ProfileResponder bidders and a deadline of 5 to 30 rounds never
// agrees outside the zone, no bid holds a package below its bidder's
// reservation value or across its red lines, and it agrees within the
// deadline in most cases. Measured: all of the first 300 scenarios agree
// (2–4 parties, spaces of up to 40,000 packages, zones from a single
// package), on average after 47% of the deadline (the parties reach their
// reservation values at 80%); the test runs 200 and requires 97%.
// PARLEY_BLIND_PROPERTY=N runs N scenarios (2,000: all agree, also after
// 47% on average).
func TestBlindProperty(t *testing.T) {
	n := 200
	if testing.Short() {
		n = 60
	}
	if v := os.Getenv("PARLEY_BLIND_PROPERTY"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			t.Fatalf("PARLEY_BLIND_PROPERTY=%q: %v", v, err)
		}
	}
	rng := rand.New(rand.NewPCG(2026, 11))
	agreed, share := 0, 0.0
	minZone, maxSpace := math.Inf(1), int64(0)
	var misses []string
	for run := range n {
		sc, sp, zone := randomBlindScenario(rng)
		size, _ := sc.Framework.SizeInt()
		minZone, maxSpace = min(minZone, zone), max(maxSpace, size)
		rounds := 5 + rng.IntN(26)
		s := mustNew(t, sc, Config{Protocol: Blind, Rounds: rounds})
		if err := RunMediated(s, nil, profileResponders(s, 0.1)); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		checkBids(t, s, sp)
		if s.State.Agreement != nil {
			agreed++
			share += float64(s.State.Round) / float64(rounds)
		} else {
			misses = append(misses, fmt.Sprintf("run %d: %d parties, %s packages, zone %.0f, %d rounds: %s", run, sp.N(), sc.Framework.Size(), zone, rounds, s.State.Reason))
		}
		if run%25 == 0 {
			checkReplay(t, s)
		}
	}
	t.Logf("%d of %d random scenarios agreed (%.1f%%), on average after %.0f%% of the deadline; spaces of up to %d packages, zones from %.0f", agreed, n, 100*float64(agreed)/float64(n), 100*share/float64(max(agreed, 1)), maxSpace, minZone)
	for _, m := range misses {
		t.Log(m)
	}
	if float64(agreed) < 0.97*float64(n) {
		t.Fatalf("only %d of %d agreed", agreed, n)
	}
}
