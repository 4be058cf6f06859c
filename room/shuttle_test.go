package room_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/multideal"
	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/room/sqlstore"
	"github.com/parley-negotiation/parley/session"
)

// shuttleFixture is a service with a mediator and the two-thread
// multi-deal scenario of testdata/shuttle-two.yaml.
type shuttleFixture struct {
	t    *testing.T
	ctx  context.Context
	svc  *room.Service
	st   room.Store
	user string
	md   *multideal.Scenario
}

func newShuttleFixture(t *testing.T) *shuttleFixture {
	t.Helper()
	st := openStore(t, filepath.Join(t.TempDir(), "room.db"))
	svc := room.New(st, nil)
	u, err := svc.CreateUser(t.Context(), "mediator", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	return &shuttleFixture{t: t, ctx: t.Context(), svc: svc, st: st, user: u.ID, md: loadShuttleTwo(t)}
}

func loadShuttleTwo(t *testing.T) *multideal.Scenario {
	t.Helper()
	md, err := multideal.Load(filepath.Join("testdata", "shuttle-two.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return md
}

// twoSeats are the principals' seats of shuttle-two: hub and the edge at
// each table.
func twoSeats() []room.Seat {
	return []room.Seat{
		{Room: 1, Party: "hub", Person: "H1"}, {Room: 1, Party: "north", Person: "N"},
		{Room: 2, Party: "hub", Person: "H2"}, {Room: 2, Party: "south", Person: "S"},
	}
}

// seatViewers resolves the issued seats' tokens: table (1-based) → party →
// viewer.
func (f *shuttleFixture) seatViewers(seats []room.IssuedSeat) map[int]map[string]room.Viewer {
	f.t.Helper()
	out := map[int]map[string]room.Viewer{}
	for _, st := range seats {
		v, err := f.svc.Join(f.ctx, st.Token)
		if err != nil {
			f.t.Fatal(err)
		}
		if out[st.Room] == nil {
			out[st.Room] = map[string]room.Viewer{}
		}
		out[st.Room][st.Party] = v
	}
	return out
}

func (f *shuttleFixture) view(id string) *room.ShuttleView {
	f.t.Helper()
	v, err := f.svc.ShuttleView(f.ctx, f.user, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return v
}

// submit makes a move at a table as v.
func (f *shuttleFixture) submit(v room.Viewer, neg string, m session.Move) {
	f.t.Helper()
	if _, err := f.svc.Submit(f.ctx, v, neg, m); err != nil {
		f.t.Fatalf("%s at %s: %s: %v", v.Party+v.User, neg, m.Kind, err)
	}
}

// draftAndCall has the mediator (the owner) draft p at a table, both
// principals accept every point, and the mediator call the vote.
func (f *shuttleFixture) draftAndCall(neg string, p framework.Package, seats map[string]room.Viewer) {
	f.t.Helper()
	owner := room.Viewer{User: f.user}
	f.submit(owner, neg, session.Move{Kind: session.KindDraft, Text: session.SettledText(p)})
	for _, v := range seats {
		m := session.Move{Kind: session.KindRespond}
		for k := range p {
			m.Responses = append(m.Responses, session.PointResponse{Point: k, Stance: session.StanceAccept})
		}
		f.submit(v, neg, m)
	}
	f.submit(owner, neg, session.Move{Kind: session.KindCallVote})
}

func vote(yes bool) session.Move { return session.Move{Kind: session.KindVote, Yes: &yes} }

// TestShuttleCreateRefusals: shuttle talks open from the built-in
// miami-shuttle (one table per thread, the center and the edge at each)
// and from YAML, and refuse a center utility of another kind, a seat at
// the wrong table, observers and mediators' seats, and a protocol without
// a mediator — leaving nothing behind.
func TestShuttleCreateRefusals(t *testing.T) {
	f := newShuttleFixture(t)
	miami, err := multideal.Builtin("miami-shuttle")
	if err != nil {
		t.Fatal(err)
	}
	sh, seats, err := f.svc.CreateShuttle(f.ctx, f.user, miami, room.ShuttleSetup{Seats: []room.Seat{{Room: 2, Party: "ukraine", Person: "Kyiv"}, {Room: 2, Party: "us", Person: "DC"}}})
	if err != nil {
		t.Fatal(err)
	}
	if sh.Title != "Shuttle: miami-shuttle" || len(seats) != 2 || seats[0].Token == "" {
		t.Fatalf("shuttle %+v, seats %+v", sh, seats)
	}
	v := f.view(sh.ID)
	if len(v.Tables) != 3 || v.Tables[1].Edge != "ukraine" || v.Center.Name != "us" || v.MediatorSees != room.MediatorOverlap || v.Protocol != session.SingleText {
		t.Fatalf("view %+v", v)
	}
	for i, tb := range v.Tables {
		if tb.State != room.TableWaiting || tb.Title != sh.Title+" — "+miami.Threads[i].Edge {
			t.Errorf("table %d: %+v", i+1, tb)
		}
		iv, err := f.svc.View(f.ctx, room.Viewer{User: f.user}, tb.Negotiation)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, p := range iv.Parties {
			ids = append(ids, p.ID+":"+string(p.Role))
		}
		if got, want := strings.Join(ids, " "), "mediator:mediator us:principal "+miami.Threads[i].Edge+":principal"; got != want {
			t.Errorf("table %d parties %s, want %s", i+1, got, want)
		}
		if len(iv.Framework.Points) != len(miami.Threads[i].Framework.Points) {
			t.Errorf("table %d: %d points, want the thread's %d", i+1, len(iv.Framework.Points), len(miami.Threads[i].Framework.Points))
		}
	}
	// The seat's profile at its table: the edge's and the center's side.
	for _, st := range seats {
		sv, err := f.svc.Join(f.ctx, st.Token)
		if err != nil {
			t.Fatal(err)
		}
		iv, err := f.svc.View(f.ctx, sv, sv.Negotiation)
		if err != nil || iv.Profile == nil {
			t.Fatalf("%s's view: %v", st.Party, err)
		}
		want := miami.Threads[1].Profile
		if st.Party == "us" {
			want = miami.Center.Utility.Sides[1]
		}
		if got := mustJSON(t, iv.Profile.Weights); got != mustJSON(t, want.Weights) {
			t.Errorf("%s's profile weights %s, want %s", st.Party, got, mustJSON(t, want.Weights))
		}
	}
	if _, _, err := f.svc.CreateShuttle(f.ctx, f.user, f.md, room.ShuttleSetup{Title: "Two"}); err != nil {
		t.Fatalf("from YAML: %v", err)
	}

	before, _ := f.svc.Negotiations(f.ctx, f.user)
	dinners, err := multideal.Load(filepath.Join("..", "multideal", "testdata", "dinners.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		md    *multideal.Scenario
		setup room.ShuttleSetup
		want  string
	}{
		{"counts kind", dinners, room.ShuttleSetup{}, `center utility of kind "counts": shuttle talks need kind "combine"`},
		{"wrong table", miami, room.ShuttleSetup{Seats: []room.Seat{{Room: 2, Party: "russia"}}}, `seat 1: "russia" is not at table 2, whose principals are us (the center) and ukraine`},
		{"no such table", miami, room.ShuttleSetup{Seats: []room.Seat{{Room: 4, Party: "us"}}}, "seat 1: table 4, want 1 to 3"},
		{"mediator seat", miami, room.ShuttleSetup{Seats: []room.Seat{{Room: 1, Party: "mediator", Mediator: true}}}, "shuttle talks seat principals only"},
		{"observer", miami, room.ShuttleSetup{Seats: []room.Seat{{Room: 1, Party: "russia", Observer: true}}}, "shuttle talks seat principals only"},
		{"twice", miami, room.ShuttleSetup{Seats: []room.Seat{{Room: 1, Party: "us"}, {Room: 1, Party: "us"}}}, "already assigned"},
		{"sao", miami, room.ShuttleSetup{Settings: room.Settings{Protocol: session.SAO}}, `protocol "sao" has no mediator: shuttle talks need a mediated protocol`},
		{"auto mediator", miami, room.ShuttleSetup{Settings: room.Settings{AutoMediator: "hill"}}, "the shuttle's owner is the mediator"},
	} {
		_, _, err := f.svc.CreateShuttle(f.ctx, f.user, c.md, c.setup)
		if room.ErrorCode(err) != room.EINVALID || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want EINVALID with %q", c.name, err, c.want)
		}
	}
	if _, _, err := f.svc.CreateShuttle(f.ctx, "", f.md, room.ShuttleSetup{}); room.ErrorCode(err) != room.EUNAUTHORIZED {
		t.Errorf("signed out: %v", err)
	}
	after, _ := f.svc.Negotiations(f.ctx, f.user)
	list, _ := f.svc.Shuttles(f.ctx, f.user)
	if len(after) != len(before) || len(list) != 2 || list[0].ID != sh.ID {
		t.Errorf("after the refusals: %d negotiations (was %d), shuttles %+v", len(after), len(before), list)
	}
}

// TestShuttleToAgreement runs both tables of shuttle-two to agreement
// through the service: the mediator drafts, the center and the edge accept
// and vote through their invitations. Nothing acts for a person: a table
// agrees only when both principals voted yes, and the combined record
// stays null until every table has ended. The view's figures are those of
// multideal.Scenario.Utility, the combined hash is recomputed here, and
// each log hash is the table's last event hash.
func TestShuttleToAgreement(t *testing.T) {
	f := newShuttleFixture(t)
	sh, issued, err := f.svc.CreateShuttle(f.ctx, f.user, f.md, room.ShuttleSetup{Seats: twoSeats()})
	if err != nil {
		t.Fatal(err)
	}
	seats := f.seatViewers(issued)
	v := f.view(sh.ID)
	negs := []string{v.Tables[0].Negotiation, v.Tables[1].Negotiation}
	if v.Center.Utility != f.md.Center.Reservation || v.Combined != nil || v.Center.BestBasis != room.BasisCenterOnly || !v.Center.Exact {
		t.Fatalf("before the start: %+v", v.Center)
	}
	// Center-only best: over every package, whatever the edges accept.
	ca, err := multideal.AnalyzeCenterOnly(f.md)
	if err != nil {
		t.Fatal(err)
	}
	if want := ca.Best().Center; v.Center.Best.Value != want || want != f.md.Utility([]framework.Package{{0, 0}, {1, 0}}) {
		t.Errorf("best %v, want the center's best over all packages %v", v.Center.Best.Value, want)
	}
	if err := f.svc.StartShuttle(f.ctx, f.user, sh.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.StartShuttle(f.ctx, f.user, sh.ID); err != nil {
		t.Fatalf("started twice: %v", err)
	}
	// A table's seats are not told which shuttle talks it belongs to;
	// its owner is.
	for _, who := range []room.Viewer{seats[1]["hub"], seats[1]["north"], seats[2]["south"]} {
		neg := negs[0]
		if who.Party == "south" {
			neg = negs[1]
		}
		tv, err := f.svc.View(f.ctx, who, neg)
		if err != nil {
			t.Fatal(err)
		}
		if tv.Class != "" {
			t.Errorf("%s's view of its table names the shuttle %q", who.Party, tv.Class)
		}
	}
	if tv, err := f.svc.View(f.ctx, room.Viewer{User: f.user}, negs[0]); err != nil || tv.Class != sh.ID {
		t.Errorf("the owner's view of table 1: class %q, %v; want %q", tv.Class, err, sh.ID)
	}
	north, south := framework.Package{1, 0}, framework.Package{0, 0}

	// Table 1: a draft; the view shows it, and what it would give.
	f.draftAndCall(negs[0], north, seats[1])
	v = f.view(sh.ID)
	t1 := v.Tables[0]
	if t1.State != room.TableOpen || !t1.Complete || t1.Text["border"] != "monitored" || t1.Text["trade"] != "free" {
		t.Fatalf("table 1 after the draft: %+v", t1)
	}
	if want := f.md.Utility([]framework.Package{north, nil}); t1.CenterIfAgreed == nil || *t1.CenterIfAgreed != want {
		t.Errorf("center_if_agreed %v, want %v", t1.CenterIfAgreed, want)
	}
	if v.Tables[1].State != room.TableOpen || len(v.Tables[1].Text) != 0 || v.Tables[1].Complete || v.Tables[1].CenterIfAgreed != nil {
		t.Errorf("table 2 before any draft: %+v", v.Tables[1])
	}
	// The center votes yes: nothing is agreed until north does.
	f.submit(seats[1]["hub"], negs[0], vote(true))
	if v = f.view(sh.ID); v.Tables[0].State != room.TableOpen || v.Center.Utility != f.md.Center.Reservation {
		t.Fatalf("after the center's yes alone: table 1 %s, center %v", v.Tables[0].State, v.Center.Utility)
	}
	f.submit(seats[1]["north"], negs[0], vote(true))
	v = f.view(sh.ID)
	if v.Tables[0].State != room.TableAgreed {
		t.Fatalf("table 1 after both yes: %+v", v.Tables[0])
	}
	if want := f.md.Utility([]framework.Package{north, nil}); v.Center.Utility != want {
		t.Errorf("center utility %v, want %v", v.Center.Utility, want)
	}
	if v.Combined != nil {
		t.Fatalf("combined record with table 2 open: %+v", v.Combined)
	}
	// Best given table 1's agreement: table 2 free.
	fixed := []framework.Package{north, nil}
	want, _ := ca.BestGiven(fixed, []multideal.Mode{multideal.Fixed, multideal.Free})
	if v.Center.Best.Value != want.Center || v.Center.Best.Texts[0]["border"] != "monitored" {
		t.Errorf("best %+v, want %v with table 1 fixed", v.Center.Best, want.Center)
	}

	// Table 2.
	f.draftAndCall(negs[1], south, seats[2])
	f.submit(seats[2]["south"], negs[1], vote(true))
	if v = f.view(sh.ID); v.Combined != nil || v.Tables[1].State != room.TableOpen {
		t.Fatalf("after south's yes alone: %+v, %+v", v.Tables[1], v.Combined)
	}
	f.submit(seats[2]["hub"], negs[1], vote(true))
	v = f.view(sh.ID)
	both := []framework.Package{north, south}
	if v.Tables[1].State != room.TableAgreed || v.Center.Utility != f.md.Utility(both) {
		t.Fatalf("after both tables agreed: %+v, center %v want %v", v.Tables[1], v.Center.Utility, f.md.Utility(both))
	}
	c := v.Combined
	if c == nil || c.Status != "agreed" || c.CenterUtility != f.md.Utility(both) || len(c.Tables) != 2 {
		t.Fatalf("combined %+v", c)
	}
	if c.Outcomes[1]["water"] != "shared" || c.Outcomes[1]["ports"] != "joint" {
		t.Errorf("outcomes %v", c.Outcomes)
	}
	h := sha256.New()
	h.Write([]byte("shuttle-two"))
	for i, neg := range negs {
		evs, err := f.st.Events(f.ctx, neg)
		if err != nil {
			t.Fatal(err)
		}
		last := evs[len(evs)-1].Hash
		if c.Tables[i].Negotiation != neg || c.Tables[i].LogHash != last {
			t.Errorf("table %d: %+v, want log hash %s", i+1, c.Tables[i], last)
		}
		h.Write([]byte("\n" + last))
	}
	if got := hex.EncodeToString(h.Sum(nil)); c.Hash != got {
		t.Errorf("hash %s, recomputed %s", c.Hash, got)
	}
	if v.Center.Best.Value != f.md.Utility(both) {
		t.Errorf("best with every table agreed: %v", v.Center.Best.Value)
	}
}

// TestShuttleFailedAndAccess: a table ended without agreement makes the
// combined record "failed" once the other ends too; nobody but the owner
// reaches the shuttle (ENOTFOUND, as for an id that does not exist); a
// deletion needs the title and removes the tables.
func TestShuttleFailedAndAccess(t *testing.T) {
	f := newShuttleFixture(t)
	sh, issued, err := f.svc.CreateShuttle(f.ctx, f.user, f.md, room.ShuttleSetup{Title: "Talks", Seats: twoSeats()})
	if err != nil {
		t.Fatal(err)
	}
	seats := f.seatViewers(issued)
	other, err := f.svc.CreateUser(f.ctx, "other", "another password")
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"", other.ID} {
		if _, err := f.svc.ShuttleView(f.ctx, who, sh.ID); room.ErrorCode(err) != room.ENOTFOUND {
			t.Errorf("view as %q: %v", who, err)
		}
		if err := f.svc.StartShuttle(f.ctx, who, sh.ID); room.ErrorCode(err) != room.ENOTFOUND {
			t.Errorf("start as %q: %v", who, err)
		}
		if err := f.svc.DeleteShuttle(f.ctx, who, sh.ID, "Talks"); room.ErrorCode(err) != room.ENOTFOUND {
			t.Errorf("delete as %q: %v", who, err)
		}
		if _, err := f.svc.SubscribeShuttle(f.ctx, who, sh.ID); room.ErrorCode(err) != room.ENOTFOUND {
			t.Errorf("subscribe as %q: %v", who, err)
		}
	}
	if err := f.svc.StartShuttle(f.ctx, f.user, sh.ID); err != nil {
		t.Fatal(err)
	}
	v := f.view(sh.ID)
	f.submit(seats[1]["north"], v.Tables[0].Negotiation, session.Move{Kind: session.KindEnd})
	if v = f.view(sh.ID); v.Tables[0].State != room.TableEnded || v.Combined != nil {
		t.Fatalf("after north walked away: %+v, %+v", v.Tables[0], v.Combined)
	}
	f.draftAndCall(v.Tables[1].Negotiation, framework.Package{1, 1}, seats[2])
	f.submit(seats[2]["hub"], v.Tables[1].Negotiation, vote(true))
	f.submit(seats[2]["south"], v.Tables[1].Negotiation, vote(true))
	v = f.view(sh.ID)
	tuple := []framework.Package{nil, {1, 1}}
	if c := v.Combined; c == nil || c.Status != "failed" || c.Outcomes[0] != nil || c.CenterUtility != f.md.Utility(tuple) {
		t.Fatalf("combined %+v", v.Combined)
	}

	if err := f.svc.DeleteShuttle(f.ctx, f.user, sh.ID, "no"); room.ErrorCode(err) != room.EINVALID {
		t.Errorf("delete without confirmation: %v", err)
	}
	if err := f.svc.DeleteShuttle(f.ctx, f.user, sh.ID, "Talks"); err != nil {
		t.Fatal(err)
	}
	for _, tb := range v.Tables {
		if _, err := f.st.Negotiation(f.ctx, tb.Negotiation); room.ErrorCode(err) != room.ENOTFOUND {
			t.Errorf("table %d after the deletion: %v", tb.Table, err)
		}
	}
	if _, err := f.svc.ShuttleView(f.ctx, f.user, sh.ID); room.ErrorCode(err) != room.ENOTFOUND {
		t.Errorf("view after the deletion: %v", err)
	}
}

// BenchmarkShuttleView measures the owner's view of miami-shuttle (three
// tables, the center-only analysis), which the UI polls.
func BenchmarkShuttleView(b *testing.B) {
	st, err := sqlstore.OpenSQLite(b.Context(), filepath.Join(b.TempDir(), "room.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	svc := room.New(st, nil)
	u, err := svc.CreateUser(b.Context(), "mediator", "correct horse")
	if err != nil {
		b.Fatal(err)
	}
	md, err := multideal.Builtin("miami-shuttle")
	if err != nil {
		b.Fatal(err)
	}
	sh, _, err := svc.CreateShuttle(b.Context(), u.ID, md, room.ShuttleSetup{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := svc.ShuttleView(b.Context(), u.ID, sh.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// TestShuttleMediatorSeatIsTheOwners: a table of shuttle talks never seats
// a mediator by invitation (one mediator, the owner, who alone sees the
// combined view), whether asked at creation or later from the table's
// seats; a class's room still may.
func TestShuttleMediatorSeatIsTheOwners(t *testing.T) {
	f := newShuttleFixture(t)
	if _, _, err := f.svc.CreateShuttle(f.ctx, f.user, f.md, room.ShuttleSetup{Seats: []room.Seat{{Room: 1, Mediator: true, Person: "deputy"}}}); room.ErrorCode(err) != room.EINVALID {
		t.Errorf("a mediator's seat asked at creation: %v", err)
	}
	sh, _, err := f.svc.CreateShuttle(f.ctx, f.user, f.md, room.ShuttleSetup{})
	if err != nil {
		t.Fatal(err)
	}
	v := f.view(sh.ID)
	for _, tb := range v.Tables {
		tv, err := f.svc.View(f.ctx, room.Viewer{User: f.user}, tb.Negotiation)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = f.svc.Invite(f.ctx, f.user, tb.Negotiation, tv.Mediator, "deputy", false, time.Hour)
		if room.ErrorCode(err) != room.EINVALID || !strings.Contains(err.Error(), "shuttle talks") {
			t.Errorf("table %d: a mediator's seat issued later: %v", tb.Table, err)
		}
		seats, err := f.svc.Seats(f.ctx, room.Viewer{User: f.user}, tb.Negotiation)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range seats.Seats {
			if st.Party == tv.Mediator {
				t.Errorf("table %d lists the mediator's seat as one to issue: %+v", tb.Table, st)
			}
		}
	}
}
