package room

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/multideal"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// Shuttle talks: a mediator's talks over a multi-deal scenario (package
// multideal). Each thread is a table — an ordinary room whose Class is the
// shuttle's ID — with three parties: the mediator (the owner's seat), the
// center (a principal holding the center's side profile of that thread)
// and the thread's edge. Moves at a table go through the ordinary room
// API; the shuttle adds the combined view of every table, which its owner
// alone sees (ShuttleView).

// Basis of the center's best in a shuttle view.
const (
	// BasisCenterOnly: the center's best over every package of the tables
	// not yet agreed, the delegations' acceptability not used
	// (mediator_sees overlap).
	BasisCenterOnly = "center-only"
	// BasisProfiles: the delegations' current room profiles decide which
	// packages they accept (mediator_sees full).
	BasisProfiles = "delegations' profiles"
)

// The states of a shuttle's table.
const (
	TableWaiting = "waiting" // not started
	TableOpen    = "open"    // negotiating
	TableAgreed  = "agreed"  // an agreement (in force or awaiting ratification)
	TableEnded   = "ended"   // ended without agreement
)

// ShuttleSetup is what a mediator asks for when opening shuttle talks.
type ShuttleSetup struct {
	Title    string   `json:"title"`
	Settings Settings `json:"settings"`
	// Seats are principal seats only: Room is the table number (1-based,
	// thread order), Party the center's or that table's edge's id.
	Seats []Seat `json:"seats"`
	// InviteTTL is how long the invitations are valid (default 30 days).
	InviteTTL time.Duration `json:"-"`
}

// CreateShuttle opens shuttle talks over md for user: one table per
// thread, with the seats assigned (tokens returned once). md must have a
// center utility of kind combine (one side profile per thread, the
// center's profile at that thread's table); the protocol must be mediated.
func (s *Service) CreateShuttle(ctx context.Context, user string, md *multideal.Scenario, setup ShuttleSetup) (Shuttle, []IssuedSeat, error) {
	if user == "" {
		return Shuttle{}, nil, Errorf(EUNAUTHORIZED, "sign in to open shuttle talks")
	}
	if md == nil {
		return Shuttle{}, nil, Errorf(EINVALID, "no multi-deal scenario")
	}
	if err := md.Validate(); err != nil {
		return Shuttle{}, nil, Errorf(EINVALID, "%v", err)
	}
	if k := md.Center.Utility.Kind; k != multideal.KindCombine {
		return Shuttle{}, nil, Errorf(EINVALID, "scenario %s: center utility of kind %q: shuttle talks need kind %q, with one side profile per thread (the center's profile at that thread's table); a %s utility values the tables only together", md.Name, k, multideal.KindCombine, k)
	}
	if len(md.Threads) > MaxRooms {
		return Shuttle{}, nil, Errorf(EINVALID, "scenario %s: %d threads, at most %d tables", md.Name, len(md.Threads), MaxRooms)
	}
	title := strings.TrimSpace(setup.Title)
	if title == "" {
		title = "Shuttle: " + md.Name
	}
	set := setup.Settings
	if set.Protocol == "" {
		set.Protocol = session.SingleText
	}
	if !mediated(set.Protocol) {
		return Shuttle{}, nil, Errorf(EINVALID, "protocol %q has no mediator: shuttle talks need a mediated protocol (the mediator drafts at each table), such as %s", set.Protocol, session.SingleText)
	}
	if set.AutoMediator != "" {
		return Shuttle{}, nil, Errorf(EINVALID, "auto_mediator %q: the shuttle's owner is the mediator at every table", set.AutoMediator)
	}
	for i, th := range md.Threads {
		// The view's analysis enumerates each thread's packages.
		if n, ok := th.Framework.SizeInt(); !ok || n > multideal.MaxThreadOutcomes {
			return Shuttle{}, nil, Errorf(EINVALID, "scenario %s: thread %d (%s) has more than %d packages, more than the shuttle's view analyses", md.Name, i+1, th.Edge, multideal.MaxThreadOutcomes)
		}
	}
	tables := make([]*scenario.Scenario, len(md.Threads))
	titles := make([]string, len(md.Threads))
	for i := range md.Threads {
		sc, err := shuttleTable(md, i)
		if err != nil {
			return Shuttle{}, nil, err
		}
		if err := set.normalize(sc); err != nil {
			return Shuttle{}, nil, fmt.Errorf("table %d (%s): %w", i+1, md.Threads[i].Edge, err)
		}
		data, err := scenario.MarshalFormat(sc, "json")
		if err == nil {
			_, err = scenario.Parse("stored.json", data)
		}
		if err != nil {
			return Shuttle{}, nil, Errorf(EINVALID, "table %d (%s): scenario: %v", i+1, md.Threads[i].Edge, err)
		}
		tables[i] = sc
		titles[i] = title + " — " + md.Threads[i].Edge
		if len(titles[i]) > MaxTitle {
			return Shuttle{}, nil, Errorf(EINVALID, "title: table %d's title %q is %d bytes, at most %d", i+1, titles[i], len(titles[i]), MaxTitle)
		}
	}
	seats := slices.Clone(setup.Seats)
	if len(seats) > 2*len(tables) {
		return Shuttle{}, nil, Errorf(EINVALID, "%d seats, at most %d (the center's and the edge's at each table)", len(seats), 2*len(tables))
	}
	held := map[Seat]int{}
	for i := range seats {
		st := &seats[i]
		if st.Room < 1 || st.Room > len(tables) {
			return Shuttle{}, nil, Errorf(EINVALID, "seat %d: table %d, want 1 to %d", i+1, st.Room, len(tables))
		}
		center, edge := md.Center.Name, md.Threads[st.Room-1].Edge
		switch {
		case st.Observer || st.Mediator:
			return Shuttle{}, nil, Errorf(EINVALID, "seat %d: shuttle talks seat principals only (the center and each table's edge); you take the mediator's seat, and a delegation invites the observers of its own seat", i+1)
		case st.Party != center && st.Party != edge:
			return Shuttle{}, nil, Errorf(EINVALID, "seat %d: %q is not at table %d, whose principals are %s (the center) and %s", i+1, st.Party, st.Room, center, edge)
		}
		key := Seat{Room: st.Room, Party: st.Party}
		if j := held[key]; j > 0 {
			return Shuttle{}, nil, Errorf(EINVALID, "seat %d: %s's seat at table %d is already assigned (seat %d): one person holds a seat", i+1, st.Party, st.Room, j)
		}
		held[key] = i + 1
	}
	ttl := setup.InviteTTL
	if ttl == 0 {
		ttl = 30 * 24 * time.Hour
	}
	mdData, err := multideal.Marshal(md)
	if err == nil {
		_, err = multideal.Parse("stored.yaml", mdData)
	}
	if err != nil {
		return Shuttle{}, nil, Errorf(EINVALID, "scenario %s does not survive storage: %v", md.Name, err)
	}
	sh := Shuttle{ID: newID(), Owner: user, Title: title, Created: s.clock().UTC(), Scenario: mdData, Settings: encodeSettings(set)}
	if err := s.store.CreateShuttle(ctx, sh); err != nil {
		return Shuttle{}, nil, fmt.Errorf("room: create shuttle: %w", err)
	}
	issued, err := s.shuttleTables(ctx, user, sh.ID, tables, titles, set, seats, ttl)
	if err != nil {
		// Nothing half made stays: the shuttle goes with the tables made.
		if derr := s.store.DeleteShuttle(context.WithoutCancel(ctx), sh.ID); derr != nil {
			return Shuttle{}, nil, fmt.Errorf("%w (and removing the half-made shuttle failed: %v)", err, derr)
		}
		return Shuttle{}, nil, err
	}
	return sh, issued, nil
}

// shuttleTables creates the tables of shuttle id and issues the seats.
func (s *Service) shuttleTables(ctx context.Context, user, id string, tables []*scenario.Scenario, titles []string, set Settings, seats []Seat, ttl time.Duration) ([]IssuedSeat, error) {
	negs := make([]Negotiation, len(tables))
	for i, sc := range tables {
		n, err := s.CreateNegotiation(ctx, user, titles[i], sc, set, id)
		if err != nil {
			return nil, fmt.Errorf("table %d: %w", i+1, err)
		}
		negs[i] = n
	}
	issued := []IssuedSeat{}
	for _, st := range seats {
		n := negs[st.Room-1]
		tok, _, err := s.Invite(ctx, user, n.ID, st.Party, st.Person, false, ttl)
		if err != nil {
			return nil, err
		}
		issued = append(issued, IssuedSeat{Seat: st, Negotiation: n.ID, Token: tok, Brief: tables[st.Room-1].Party(st.Party).Brief})
	}
	return issued, nil
}

// shuttleTable returns the scenario of md's table i: the thread's
// framework; the mediator, the center with its side profile of the thread
// and the edge with its profile; unanimity on the whole package.
func shuttleTable(md *multideal.Scenario, i int) (*scenario.Scenario, error) {
	th := &md.Threads[i]
	center := md.Center.Name
	if center == th.Edge {
		return nil, Errorf(EINVALID, "table %d: the center and the edge are both %q", i+1, center)
	}
	med := "mediator"
	for k := 2; med == center || med == th.Edge; k++ {
		med = fmt.Sprintf("mediator%d", k)
	}
	sc := &scenario.Scenario{
		Version:     scenario.FormatVersion,
		Name:        md.Name + "-" + th.Edge,
		Title:       md.Name + ": " + center + " and " + th.Edge,
		Description: fmt.Sprintf("Table %d of %d of the shuttle talks over the multi-deal scenario %s: %s (the center) and %s.", i+1, len(md.Threads), md.Name, center, th.Edge),
		Framework:   th.Framework,
		Parties: []scenario.Party{
			{ID: med, Name: "Mediator", Role: scenario.Mediator, Brief: "You shuttle between the tables of " + md.Name + " and draft the text at each."},
			{ID: center, Name: center, Role: scenario.Principal, Profile: md.Center.Utility.Sides[i], Brief: fmt.Sprintf("You are %s, the center of %s: you negotiate with every delegation, one table each; this table is %s's.", center, md.Name, th.Edge)},
			{ID: th.Edge, Name: th.Edge, Role: scenario.Principal, Profile: th.Profile, Brief: fmt.Sprintf("You are %s's delegation, negotiating with %s through the mediator.", th.Edge, center)},
		},
		Decision: scenario.Decision{Rule: scenario.Unanimity, Agreement: scenario.WholePackage},
		Format:   scenario.Format{Default: scenario.Plenary},
	}
	if err := sc.Validate(); err != nil {
		return nil, Errorf(EINVALID, "table %d (%s): %v", i+1, th.Edge, err)
	}
	return sc, nil
}

// shuttle loads shuttle id for its owner, with its tables (thread order)
// and its multi-deal scenario; ENOTFOUND for anyone else.
func (s *Service) shuttle(ctx context.Context, user, id string) (Shuttle, []Negotiation, error) {
	sh, err := s.store.Shuttle(ctx, id)
	if err != nil || user == "" || sh.Owner != user {
		if err == nil || ErrorCode(err) == ENOTFOUND {
			return Shuttle{}, nil, Errorf(ENOTFOUND, "no shuttle %q", id)
		}
		return Shuttle{}, nil, err
	}
	tables, err := s.store.NegotiationsOfClass(ctx, id)
	if err != nil {
		return Shuttle{}, nil, err
	}
	return sh, tables, nil
}

// Shuttles lists the user's shuttle talks, oldest first.
func (s *Service) Shuttles(ctx context.Context, user string) ([]Shuttle, error) {
	if user == "" {
		return nil, Errorf(EUNAUTHORIZED, "sign in to list shuttle talks")
	}
	return s.store.Shuttles(ctx, user)
}

// StartShuttle starts every table of the shuttle that has not started.
func (s *Service) StartShuttle(ctx context.Context, user, id string) error {
	_, tables, err := s.shuttle(ctx, user, id)
	if err != nil {
		return err
	}
	for i, n := range tables {
		if err := s.Start(ctx, user, n.ID); err != nil && ErrorCode(err) != ECONFLICT {
			return fmt.Errorf("table %d (%s): %w", i+1, n.Title, err)
		}
	}
	return nil
}

// DeleteShuttle removes shuttle id with its tables, their invitations and
// logs, for its owner; confirm must repeat its title or its id (a request
// cannot delete by accident). The tables' open streams end.
func (s *Service) DeleteShuttle(ctx context.Context, user, id, confirm string) error {
	sh, tables, err := s.shuttle(ctx, user, id)
	if err != nil {
		return err
	}
	if confirm == "" || (confirm != sh.Title && confirm != sh.ID) {
		return Errorf(EINVALID, "deleting shuttle talks and their %d tables cannot be undone: confirm with their title (%q)", len(tables), sh.Title)
	}
	if err := s.store.DeleteShuttle(ctx, id); err != nil {
		return fmt.Errorf("room: delete shuttle: %w", err)
	}
	s.dropRooms(tables)
	return nil
}

// SubscribeShuttle follows every table of shuttle id for its owner, from
// now on: a note whenever a table gets new events.
func (s *Service) SubscribeShuttle(ctx context.Context, user, id string) (*ClassSubscription, error) {
	_, tables, err := s.shuttle(ctx, user, id)
	if err != nil {
		return nil, err
	}
	return s.subscribeRooms(ctx, user, tables)
}

// ShuttleView is the owner's combined view of shuttle talks.
type ShuttleView struct {
	ID      string    `json:"id"`
	Title   string    `json:"title"`
	Created time.Time `json:"created"`
	// Scenario is the multi-deal scenario's name.
	Scenario     string         `json:"scenario"`
	Protocol     string         `json:"protocol"`
	MediatorSees string         `json:"mediator_sees"`
	Tables       []ShuttleTable `json:"tables"`
	Center       ShuttleCenter  `json:"center"`
	// Combined is the combined record, once every table has ended (nil
	// before).
	Combined *ShuttleCombined `json:"combined"`
}

// ShuttleTable is one table of shuttle talks as the mediator sees it.
type ShuttleTable struct {
	// Table is the 1-based table number (thread order).
	Table       int    `json:"table"`
	Negotiation string `json:"negotiation"`
	Edge        string `json:"edge"`
	Title       string `json:"title"`
	// State is TableWaiting, TableOpen, TableAgreed or TableEnded; Status
	// the session's status ("not started" before).
	State  string `json:"state"`
	Status string `json:"status"`
	Round  int    `json:"round"`
	// Waiting lists the parties whose move the table waits for.
	Waiting []string `json:"waiting"`
	// Text is the agreement when the table agreed, else the settled points
	// of the mediator's current text (point id → option id); {} if none.
	Text map[string]string `json:"text"`
	// Complete: Text names every point.
	Complete bool `json:"complete"`
	// CenterIfAgreed is the center's combined utility if this table agreed
	// on Text and the others stayed as they are (nil unless Complete).
	CenterIfAgreed *float64 `json:"center_if_agreed"`
}

// ShuttleCenter is the center's figures, each computed with the
// multi-deal scenario's center utility as the owner created it
// (multideal.Scenario.Utility).
type ShuttleCenter struct {
	Name        string  `json:"name"`
	Reservation float64 `json:"reservation"`
	// Utility is the center's utility of the tuple of the agreed tables'
	// agreements, the other tables without agreement.
	Utility float64 `json:"utility"`
	// Best is the best the center can still reach with the agreed tables
	// fixed (and the tables ended without agreement), on BestBasis.
	Best      ShuttleBest `json:"best"`
	BestBasis string      `json:"best_basis"`
	// Exact is false when Best is the best of a sample (a lower bound).
	Exact bool `json:"exact"`
}

// ShuttleBest is a best tuple of the tables' outcomes for the center.
type ShuttleBest struct {
	Value float64 `json:"value"`
	// Texts are per table the package (nil: no agreement).
	Texts []map[string]string `json:"texts"`
}

// ShuttleCombined is the record of shuttle talks whose tables have all
// ended.
type ShuttleCombined struct {
	// Status is "agreed" when every table agreed, else "failed".
	Status string `json:"status"`
	// Outcomes are per table its agreement (nil: none).
	Outcomes      []map[string]string `json:"outcomes"`
	CenterUtility float64             `json:"center_utility"`
	Tables        []ShuttleLog        `json:"tables"`
	// Hash is ShuttleHash of the scenario's name and the tables' log
	// hashes: a parent record linking the tables' logs.
	Hash string `json:"hash"`
}

// ShuttleLog names a table's log by the hash of its last event (the
// engine's hash chain).
type ShuttleLog struct {
	Negotiation string `json:"negotiation"`
	LogHash     string `json:"log_hash"`
}

// ShuttleHash is the hash of a shuttle's combined record: the hex SHA-256
// of the multi-deal scenario's name followed, for each table in order, by
// a newline and its log hash.
func ShuttleHash(scenario string, logHashes []string) string {
	h := sha256.New()
	h.Write([]byte(scenario))
	for _, lh := range logHashes {
		h.Write([]byte("\n" + lh))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// tableNow is what the view reads of a table, under its lock.
type tableNow struct {
	state, status string
	round         int
	waiting       []string
	text          framework.Package // agreement or settled text points; nil if none
	agreement     framework.Package // nil unless agreed
	logHash       string
}

// ShuttleView returns the combined view of shuttle id for its owner;
// anyone else gets ENOTFOUND.
func (s *Service) ShuttleView(ctx context.Context, user, id string) (*ShuttleView, error) {
	sh, negs, err := s.shuttle(ctx, user, id)
	if err != nil {
		return nil, err
	}
	md, err := multideal.Parse("stored.yaml", sh.Scenario)
	if err != nil {
		return nil, fmt.Errorf("room: shuttle %s: stored scenario: %w", id, err)
	}
	set, err := decodeSettings(sh.Settings)
	if err != nil {
		return nil, fmt.Errorf("room: shuttle %s: %w", id, err)
	}
	if len(negs) != len(md.Threads) {
		return nil, fmt.Errorf("room: shuttle %s: %d tables for %d threads", id, len(negs), len(md.Threads))
	}
	full := set.MediatorSees == MediatorFull
	// With full access, the delegations' current profiles decide what they
	// accept: a copy of the scenario with the edges' room profiles.
	basis := md
	if full {
		c := *md
		c.Threads = slices.Clone(md.Threads)
		basis = &c
	}
	v := &ShuttleView{ID: sh.ID, Title: sh.Title, Created: sh.Created, Scenario: md.Name, Protocol: set.Protocol, MediatorSees: set.MediatorSees,
		Tables: []ShuttleTable{}}
	now := make([]tableNow, len(negs))
	outcomes := make([]framework.Package, len(negs))
	for i, n := range negs {
		l, err := s.load(ctx, n.ID)
		if err != nil {
			return nil, err
		}
		l.mu.Lock()
		t := &now[i]
		t.state, t.status, t.waiting = TableWaiting, "not started", []string{}
		if l.sess != nil {
			st := &l.sess.State
			t.status, t.round, t.waiting = st.Status, st.Round, append(t.waiting, st.Waiting...)
			switch {
			case agreedOn(st):
				t.state, t.agreement = TableAgreed, st.Agreement.Clone()
				t.text = t.agreement
			case ended(st):
				t.state = TableEnded
			default:
				t.state = TableOpen
			}
			if t.text == nil {
				t.text = mediatorText(st, mediatorOf(l.sc))
			}
			if evs := l.sess.Events(); len(evs) > 0 {
				t.logHash = evs[len(evs)-1].Hash
			}
		}
		if full {
			if p := l.sc.Party(md.Threads[i].Edge); p != nil && p.Profile != nil {
				basis.Threads[i].Profile = p.Profile
			}
		}
		l.mu.Unlock()
		outcomes[i] = t.agreement
		fw := md.Threads[i].Framework
		tb := ShuttleTable{Table: i + 1, Negotiation: n.ID, Edge: md.Threads[i].Edge, Title: n.Title, State: t.state, Status: t.status, Round: t.round,
			Waiting: t.waiting, Text: packageMap(fw, t.text)}
		tb.Complete = t.text != nil && t.text.Complete()
		v.Tables = append(v.Tables, tb)
	}
	for i := range v.Tables {
		if !v.Tables[i].Complete {
			continue
		}
		tuple := slices.Clone(outcomes)
		tuple[i] = now[i].text
		u := md.Utility(tuple)
		v.Tables[i].CenterIfAgreed = &u
	}
	v.Center = ShuttleCenter{Name: md.Center.Name, Reservation: md.Center.Reservation, Utility: md.Utility(outcomes)}
	var a *multideal.Analysis
	if full {
		v.Center.BestBasis = BasisProfiles
		if err := basis.Validate(); err != nil {
			return nil, Errorf(EINVALID, "the delegations' profiles: %v", err)
		}
		a, err = multideal.Analyze(basis)
	} else {
		v.Center.BestBasis = BasisCenterOnly
		a, err = multideal.AnalyzeCenterOnly(md)
	}
	if err != nil {
		return nil, Errorf(ETOOLARGE, "the center's best: %v", err)
	}
	fixed := make([]framework.Package, len(negs))
	modes := make([]multideal.Mode, len(negs))
	for i := range now {
		switch now[i].state {
		case TableAgreed:
			fixed[i], modes[i] = now[i].agreement, multideal.Fixed
		case TableEnded:
			modes[i] = multideal.Fixed // no agreement
		}
	}
	best, _ := a.BestGiven(fixed, modes)
	v.Center.Exact = a.Exact
	v.Center.Best = ShuttleBest{Value: best.Center, Texts: make([]map[string]string, len(negs))}
	for i, p := range best.Outcomes {
		if p != nil {
			v.Center.Best.Texts[i] = packageMap(md.Threads[i].Framework, p)
		}
	}
	// The combined record, once every table has ended.
	hashes := make([]string, len(negs))
	for i := range now {
		if now[i].state != TableAgreed && now[i].state != TableEnded {
			return v, nil
		}
		hashes[i] = now[i].logHash
	}
	c := &ShuttleCombined{Status: "agreed", Outcomes: make([]map[string]string, len(negs)), CenterUtility: md.Utility(outcomes), Hash: ShuttleHash(md.Name, hashes)}
	for i, n := range negs {
		if outcomes[i] == nil {
			c.Status = "failed"
		} else {
			c.Outcomes[i] = packageMap(md.Threads[i].Framework, outcomes[i])
		}
		c.Tables = append(c.Tables, ShuttleLog{Negotiation: n.ID, LogHash: hashes[i]})
	}
	v.Combined = c
	return v, nil
}

// mediatorText returns the settled points of the mediator's current text
// (single text) or proposal (other mediated protocols): what the mediator
// put on the table. nil when there is none.
func mediatorText(st *session.State, mediator string) framework.Package {
	if st.Version > 0 && len(st.Text) > 0 {
		return st.Text.Package()
	}
	if st.Current != nil && st.Current.By == mediator && st.Current.Package != nil {
		return st.Current.Package.Clone()
	}
	return nil
}

// packageMap writes p's settled points as point id → option id ({} for
// nil).
func packageMap(fw *framework.Framework, p framework.Package) map[string]string {
	out := map[string]string{}
	for k, l := range p {
		if l == framework.Open || k >= len(fw.Points) {
			continue
		}
		out[fw.Points[k].ID] = fw.Points[k].LevelID(l)
	}
	return out
}
