package room_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/room/sqlstore"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

type fixture struct {
	t       *testing.T
	ctx     context.Context
	path    string
	st      room.Store
	svc     *room.Service
	user    string
	neg     string
	parties map[string]room.Viewer
	tokens  map[string]string // the parties' invitation tokens
}

func openStore(t *testing.T, path string) room.Store {
	t.Helper()
	st, err := sqlstore.OpenSQLite(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newMiami opens a Miami room with the three principals invited.
func newMiami(t *testing.T, set room.Settings) *fixture {
	t.Helper()
	return newMiamiOn(t, set, nil)
}

// newMiamiOn is newMiami with the service on a clock (nil: wall time).
func newMiamiOn(t *testing.T, set room.Settings, clock func() time.Time) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), path: filepath.Join(t.TempDir(), "room.db"), parties: map[string]room.Viewer{}, tokens: map[string]string{}}
	f.st = openStore(t, f.path)
	f.svc = room.New(f.st, clock)
	u, err := f.svc.CreateUser(f.ctx, "mediator", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	f.user = u.ID
	sc, err := scenario.Builtin("miami-2025")
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.svc.CreateNegotiation(f.ctx, f.user, "", sc, set, "")
	if err != nil {
		t.Fatal(err)
	}
	f.neg = n.ID
	for _, p := range []string{"russia", "ukraine", "europe"} {
		tok, _, err := f.svc.Invite(f.ctx, f.user, n.ID, p, "Delegate of "+p, false, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		v, err := f.svc.Join(f.ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if v.Party != p || v.Negotiation != n.ID {
			t.Fatalf("join: %+v", v)
		}
		f.parties[p] = v
		f.tokens[p] = tok
	}
	return f
}

func (f *fixture) mediator() room.Viewer { return room.Viewer{User: f.user} }

func (f *fixture) submit(v room.Viewer, m session.Move) int {
	f.t.Helper()
	seq, err := f.svc.Submit(f.ctx, v, f.neg, m)
	if err != nil {
		f.t.Fatalf("%+v: %v", m, err)
	}
	return seq
}

func (f *fixture) view(v room.Viewer) *room.View {
	f.t.Helper()
	out, err := f.svc.View(f.ctx, v, f.neg)
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// agree runs the single text to an agreement on the Nash suggestion.
func (f *fixture) agree() framework.Package {
	f.t.Helper()
	a, err := f.svc.Analysis(f.ctx, f.user, f.neg)
	if err != nil {
		f.t.Fatal(err)
	}
	var pkg framework.Package
	for _, s := range a.Suggestions {
		if s.Name == "nash" {
			pkg = s.Package
		}
	}
	if pkg == nil {
		f.t.Fatalf("no nash suggestion in %+v", a.Suggestions)
	}
	text := make([][]int, len(pkg))
	for i, o := range pkg {
		text[i] = []int{o}
	}
	f.submit(f.mediator(), session.Move{Kind: session.KindDraft, Text: text})
	for _, p := range []string{"russia", "ukraine", "europe"} {
		var rs []session.PointResponse
		for i := range pkg {
			rs = append(rs, session.PointResponse{Point: i, Stance: session.StanceAccept})
		}
		f.submit(f.parties[p], session.Move{Kind: session.KindRespond, Responses: rs})
	}
	f.submit(f.mediator(), session.Move{Kind: session.KindCallVote})
	yes := true
	for _, p := range []string{"russia", "ukraine", "europe"} {
		f.submit(f.parties[p], session.Move{Kind: session.KindVote, Yes: &yes})
	}
	return pkg
}

func TestMiamiSingleTextToAgreementAndRestart(t *testing.T) {
	clk := &testClock{t: time.Now().UTC()}
	f := newMiamiOn(t, room.Settings{MediatorSees: room.MediatorFull}, clk.now)
	if err := f.svc.Start(f.ctx, f.user, f.neg); err != nil {
		t.Fatal(err)
	}
	pkg := f.agree()
	v := f.view(f.parties["ukraine"])
	if v.State.Status != session.StatusPending || !slices.Equal(v.State.Agreement, pkg) {
		t.Fatalf("status %s agreement %v, want pending on %v", v.State.Status, v.State.Agreement, pkg)
	}
	if len(v.Utilities) == 0 || v.Profile == nil {
		t.Fatalf("ukraine's view lacks its utilities or profile")
	}

	// A new service over the same file sees the same log and carries on.
	f.svc = room.New(openStore(t, f.path), clk.now)
	again := f.view(f.parties["ukraine"])
	if again.Seq != v.Seq || again.State.Status != v.State.Status {
		t.Fatalf("after restart seq %d status %s, want %d %s", again.Seq, again.State.Status, v.Seq, v.State.Status)
	}
	yes := true
	f.submit(f.parties["russia"], session.Move{Kind: session.KindRatify, Ref: 1, Yes: &yes})
	f.submit(f.parties["ukraine"], session.Move{Kind: session.KindRatify, Ref: 2, Yes: &yes})
	final := f.view(f.mediator())
	steps := len(final.Decision.Ratification)
	// The referendum (step 3) waits for the ceasefire to hold 60 days.
	clk.set(clk.now().AddDate(0, 0, 61))
	for ref := 3; ref <= steps; ref++ {
		p := final.Decision.Ratification[ref-1].Party
		viewer, ok := f.parties[p]
		if !ok {
			viewer = f.mediator()
		}
		f.submit(viewer, session.Move{Kind: session.KindRatify, Ref: ref, Yes: &yes})
	}
	final = f.view(f.mediator())
	if final.State.Status != session.StatusInForce {
		t.Fatalf("status %s, want in-force", final.State.Status)
	}
	events, err := f.st.Events(f.ctx, f.neg)
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := scenario.Builtin("miami-2025")
	if _, err := session.Replay(sc, events); err != nil {
		t.Fatalf("stored log does not replay: %v", err)
	}
}

func TestRefusedMovesStoreNothing(t *testing.T) {
	f := newMiami(t, room.Settings{})
	yes := true
	cases := []struct {
		name string
		v    room.Viewer
		m    session.Move
		code string
	}{
		{"before start", f.parties["russia"], session.Move{Kind: session.KindVote, Yes: &yes}, room.ECLOSED},
	}
	for _, c := range cases {
		if _, err := f.svc.Submit(f.ctx, c.v, f.neg, c.m); room.ErrorCode(err) != c.code {
			t.Errorf("%s: %v (code %q), want %q", c.name, err, room.ErrorCode(err), c.code)
		}
	}
	if err := f.svc.Start(f.ctx, f.user, f.neg); err != nil {
		t.Fatal(err)
	}
	observerTok, _, err := f.svc.Issue(f.ctx, f.parties["ukraine"], f.neg, room.SeatRequest{Observer: true, Person: "watcher", TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	observer, err := f.svc.Join(f.ctx, observerTok)
	if err != nil {
		t.Fatal(err)
	}
	other := room.Viewer{Negotiation: "elsewhere", Party: "russia"}
	cases = []struct {
		name string
		v    room.Viewer
		m    session.Move
		code string
	}{
		{"respond before any draft", f.parties["russia"], session.Move{Kind: session.KindRespond, Responses: []session.PointResponse{{Point: 0, Stance: session.StanceAccept}}}, room.EOUTOFTURN},
		{"party drafts", f.parties["russia"], session.Move{Kind: session.KindDraft, Text: [][]int{{0}}}, room.EINVALID},
		{"observer moves", observer, session.Move{Kind: session.KindEnd}, room.EFORBIDDEN},
		{"invite of another negotiation", other, session.Move{Kind: session.KindEnd}, room.ENOTFOUND},
		{"stranger", room.Viewer{User: "nobody"}, session.Move{Kind: session.KindEnd}, room.ENOTFOUND},
		{"vote with no vote open", f.parties["europe"], session.Move{Kind: session.KindVote, Yes: &yes}, room.EOUTOFTURN},
		{"huge message", f.parties["europe"], session.Move{Kind: session.KindMessage, Message: strings.Repeat("x", room.MaxMessage+1), To: []string{"us"}}, room.EINVALID},
		{"a party records a fault", f.parties["russia"], session.Move{Kind: session.KindFault, Message: "my agent crashed"}, room.EFORBIDDEN},
		{"the mediator records a fault", f.mediator(), session.Move{Kind: session.KindFault, Message: "russia's agent crashed"}, room.EFORBIDDEN},
		{"the mediator records a seat", f.mediator(), session.Move{Kind: session.KindSeat, To: []string{"ukraine"}}, room.EFORBIDDEN},
		{"a party records a seat", f.parties["ukraine"], session.Move{Kind: session.KindSeat, To: []string{"ukraine"}}, room.EFORBIDDEN},
	}
	before, _ := f.st.Events(f.ctx, f.neg)
	for _, c := range cases {
		_, err := f.svc.Submit(f.ctx, c.v, f.neg, c.m)
		if got := room.ErrorCode(err); got != c.code {
			t.Errorf("%s: %v (code %q), want %q", c.name, err, got, c.code)
		}
	}
	after, _ := f.st.Events(f.ctx, f.neg)
	if len(after) != len(before) {
		t.Fatalf("refused moves stored %d events", len(after)-len(before))
	}
}

func TestProfilesFixedAtStartAndPrivate(t *testing.T) {
	f := newMiami(t, room.Settings{})
	ru := f.view(f.parties["russia"])
	if ru.Profile == nil {
		t.Fatal("russia does not see its own profile")
	}
	p := *ru.Profile
	p.Weights = slices.Clone(p.Weights)
	p.Weights[0] *= 2
	if err := f.svc.SetProfile(f.ctx, f.parties["russia"], f.neg, &p); err != nil {
		t.Fatal(err)
	}
	if got := f.view(f.parties["russia"]).Profile.Weights[0]; got != p.Weights[0] {
		t.Fatalf("weight after set %v, want %v", got, p.Weights[0])
	}
	if err := f.svc.SetProfile(f.ctx, f.mediator(), f.neg, &p); room.ErrorCode(err) != room.EFORBIDDEN {
		t.Fatalf("mediator sets a profile: %v", err)
	}
	bad := p
	bad.Weights = p.Weights[:3]
	if err := f.svc.SetProfile(f.ctx, f.parties["russia"], f.neg, &bad); room.ErrorCode(err) != room.EINVALID {
		t.Fatalf("short profile: %v", err)
	}
	if m := f.view(f.mediator()); m.Profile != nil {
		t.Fatal("the mediator's view carries a profile")
	}
	if err := f.svc.Start(f.ctx, f.user, f.neg); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetProfile(f.ctx, f.parties["russia"], f.neg, &p); room.ErrorCode(err) != room.ECONFLICT {
		t.Fatalf("set profile after start: %v", err)
	}
	ev, err := f.svc.Evaluate(f.ctx, f.parties["russia"], f.neg, make(framework.Package, len(p.Weights)))
	if err != nil || ev.Max <= 0 {
		t.Fatalf("evaluate: %+v %v", ev, err)
	}
	if _, err := f.svc.Evaluate(f.ctx, f.parties["russia"], f.neg, framework.Package{0}); room.ErrorCode(err) != room.EINVALID {
		t.Fatalf("evaluate short package: %v", err)
	}
}

func TestSubscriptionsSeeOnlyTheirEvents(t *testing.T) {
	f := newMiami(t, room.Settings{})
	if err := f.svc.Start(f.ctx, f.user, f.neg); err != nil {
		t.Fatal(err)
	}
	subs := map[string]*room.Subscription{}
	for p, v := range f.parties {
		s, err := f.svc.Subscribe(f.ctx, v, f.neg, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Cancel()
		subs[p] = s
	}
	// A private message from ukraine to the mediator.
	f.submit(f.parties["ukraine"], session.Move{Kind: session.KindMessage, Message: "for the mediator only", To: []string{"us"}})
	f.submit(f.mediator(), session.Move{Kind: session.KindMessage, Message: "to all", To: []string{"russia", "ukraine", "europe"}})
	for p, s := range subs {
		var got []string
		timeout := time.After(2 * time.Second)
	read:
		for {
			select {
			case batch := <-s.C:
				for _, e := range batch {
					if e.Move != nil && e.Move.Message != "" {
						got = append(got, e.Move.Message)
					}
				}
				if slices.Contains(got, "to all") {
					break read
				}
			case <-timeout:
				t.Fatalf("%s: no message in time (got %v)", p, got)
			}
		}
		hasPrivate := slices.Contains(got, "for the mediator only")
		if hasPrivate != (p == "ukraine") {
			t.Errorf("%s sees the private message: %v", p, hasPrivate)
		}
	}
	if n := f.svc.Subscribers(); n != 3 {
		t.Errorf("subscribers %d, want 3", n)
	}
}

func TestClassDebrief(t *testing.T) {
	f := newMiami(t, room.Settings{})
	sc, _ := scenario.Builtin("miami-2025")
	c, seats, err := f.svc.CreateClass(f.ctx, f.user, sc, room.ClassSetup{Rooms: 2, Seats: []room.Seat{
		{Room: 1, Party: "russia", Person: "Ann"}, {Room: 1, Party: "ukraine", Person: "Bo"}, {Room: 1, Party: "europe", Person: "Cy"},
		{Room: 2, Party: "russia", Person: "Di"}, {Room: 2, Party: "", Person: "Ed", Observer: true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(seats) != 5 || seats[0].Token == "" {
		t.Fatalf("seats %+v", seats)
	}
	if err := f.svc.StartClass(f.ctx, f.user, c.ID); err != nil {
		t.Fatal(err)
	}
	// Room 1 agrees.
	room1 := &fixture{t: t, ctx: f.ctx, st: f.st, svc: f.svc, user: f.user, neg: seats[0].Negotiation, parties: map[string]room.Viewer{}}
	for _, s := range seats[:3] {
		v, err := f.svc.Join(f.ctx, s.Token)
		if err != nil {
			t.Fatal(err)
		}
		room1.parties[s.Party] = v
	}
	room1.agree()
	d, err := f.svc.Debrief(f.ctx, f.user, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Room 2 has not finished: listed, not scored, out of the rate.
	if len(d.Rooms) != 2 || d.Finished != 1 || d.Agreement != 1 || d.Rooms[1].Scored || d.Rooms[1].Utilities != nil {
		t.Fatalf("debrief rooms %d finished %d agreement %v room 2 %+v", len(d.Rooms), d.Finished, d.Agreement, d.Rooms[1])
	}
	if d.Rooms[0].Status != session.StatusPending || d.Rooms[0].People["ukraine"] != "Bo" || d.Rooms[0].DistancePareto < 0 {
		t.Fatalf("room 1: %+v", d.Rooms[0])
	}
	csv := string(d.CSV())
	if !strings.HasPrefix(csv, "room,negotiation,status,rounds,person_russia,person_ukraine,person_europe,utility_russia") || strings.Count(csv, "\n") != 3 {
		t.Fatalf("csv:\n%s", csv)
	}
	svg, err := f.svc.DebriefPlot(f.ctx, f.user, c.ID, "", "")
	if err != nil || !strings.Contains(string(svg), "<svg") {
		t.Fatalf("debrief plot: %v", err)
	}
	if _, err := f.svc.Debrief(f.ctx, "someone-else", c.ID); room.ErrorCode(err) != room.ENOTFOUND {
		t.Fatalf("debrief by another user: %v", err)
	}
}

func TestPasswordsAndTokens(t *testing.T) {
	h, err := room.HashPassword("s3cret-pass")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$") || strings.Contains(h, "s3cret") {
		t.Fatalf("hash %q", h)
	}
	if !room.CheckPassword(h, "s3cret-pass") || room.CheckPassword(h, "s3cret-pasS") || room.CheckPassword("garbage", "x") {
		t.Fatal("password check wrong")
	}
	f := newMiami(t, room.Settings{})
	if _, _, err := f.svc.Login(f.ctx, "mediator", "wrong password"); room.ErrorCode(err) != room.EUNAUTHORIZED {
		t.Fatalf("wrong password: %v", err)
	}
	if _, _, err := f.svc.Login(f.ctx, "nobody", "correct horse"); room.ErrorCode(err) != room.EUNAUTHORIZED {
		t.Fatalf("unknown user: %v", err)
	}
	tok, u, err := f.svc.Login(f.ctx, "mediator", "correct horse")
	if err != nil || u.ID != f.user {
		t.Fatal(err)
	}
	if got, err := f.svc.UserByLogin(f.ctx, tok); err != nil || got.ID != f.user {
		t.Fatalf("login token: %v", err)
	}
	if err := f.svc.Logout(f.ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UserByLogin(f.ctx, tok); room.ErrorCode(err) != room.EUNAUTHORIZED {
		t.Fatalf("after logout: %v", err)
	}
	// Expired invitations are refused.
	now := time.Now()
	svc := room.New(f.st, func() time.Time { return now })
	itok, _, err := svc.Issue(f.ctx, f.mediator(), f.neg, room.SeatRequest{Party: "russia", Reissue: true, TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Minute)
	if _, err := svc.Join(f.ctx, itok); room.ErrorCode(err) != room.EUNAUTHORIZED || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("expired invitation: %v", err)
	}
}
