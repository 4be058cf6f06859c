package room

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/chart"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// MaxRooms bounds the rooms of one class: a class of 200 students in
// rooms of two. The form asks for a confirmation beyond a few rooms; this
// is the rule the service enforces.
const MaxRooms = 100

// Seat assigns a person to a role in one room of a class.
type Seat struct {
	// Room is the 1-based room number.
	Room     int    `json:"room"`
	Party    string `json:"party"`
	Person   string `json:"person"`
	Observer bool   `json:"observer,omitempty"`
	// Mediator: the room's mediator's seat, held by a student (a student
	// mediator); Party may then be "" (the service fills in the
	// mediator's party id) or that id. Not with an automatic mediator.
	Mediator bool `json:"mediator,omitempty"`
}

// IssuedSeat is a seat with its invitation token (shown once).
type IssuedSeat struct {
	Seat
	Negotiation string `json:"negotiation"`
	Token       string `json:"token"`
	// Brief is the brief of the seat's role (scenario.Party.Brief), for
	// the student's slip; "" for a public observer.
	Brief string `json:"brief,omitempty"`
}

// ClassSetup is what an instructor asks for.
type ClassSetup struct {
	Title    string   `json:"title"`
	Rooms    int      `json:"rooms"`
	Settings Settings `json:"settings"`
	// Deadline closes every room's session (zero: none).
	Deadline time.Time `json:"deadline,omitempty"`
	Seats    []Seat    `json:"seats"`
	// InviteTTL is how long the invitations are valid (default 30 days).
	InviteTTL time.Duration `json:"-"`
}

// CreateClass creates a class of Rooms parallel negotiations of sc with
// the seats assigned, and returns the invitations.
func (s *Service) CreateClass(ctx context.Context, user string, sc *scenario.Scenario, setup ClassSetup) (Class, []IssuedSeat, error) {
	if user == "" {
		return Class{}, nil, Errorf(EUNAUTHORIZED, "sign in to create a class")
	}
	if setup.Rooms < 1 || setup.Rooms > MaxRooms {
		return Class{}, nil, Errorf(EINVALID, "rooms: %d, want 1 to %d", setup.Rooms, MaxRooms)
	}
	if len(setup.Title) > MaxTitle {
		return Class{}, nil, Errorf(EINVALID, "title: %d bytes, at most %d", len(setup.Title), MaxTitle)
	}
	if len(setup.Seats) > MaxRooms*20 {
		return Class{}, nil, Errorf(EINVALID, "%d seats, at most %d", len(setup.Seats), MaxRooms*20)
	}
	set := setup.Settings
	sc = withMediatorSeat(sc, set.Protocol)
	if err := set.normalize(sc); err != nil {
		return Class{}, nil, err
	}
	host := ""
	if mediated(set.Protocol) {
		host = mediatorOf(sc)
	}
	seats := slices.Clone(setup.Seats)
	held := map[Seat]int{} // a party's seat of a room → the seat (1-based) assigned to it
	for i := range seats {
		st := &seats[i]
		if st.Room < 1 || st.Room > setup.Rooms {
			return Class{}, nil, Errorf(EINVALID, "seat %d: room %d, want 1 to %d", i+1, st.Room, setup.Rooms)
		}
		if st.Mediator || (st.Party != "" && st.Party == host) {
			// A student mediator: the rules of mediatorSeatable.
			switch {
			case host == "":
				return Class{}, nil, Errorf(EINVALID, "seat %d: protocol %q has no mediator, so no mediator's seat", i+1, set.Protocol)
			case st.Observer:
				return Class{}, nil, Errorf(EINVALID, "seat %d: a mediator's seat is not an observer's", i+1)
			case st.Party != "" && st.Party != host:
				return Class{}, nil, Errorf(EINVALID, "seat %d: the mediator's seat is %q's, not %q's", i+1, host, st.Party)
			case set.AutoMediator != "":
				return Class{}, nil, Errorf(EINVALID, "seat %d: an automatic mediator (%s) plays every room's mediator's seat: choose a student mediator or the automatic one, not both", i+1, set.AutoMediator)
			}
			st.Party, st.Mediator = host, true
		}
		p := sc.Party(st.Party)
		if p == nil && !(st.Observer && st.Party == "") {
			return Class{}, nil, Errorf(EINVALID, "seat %d: scenario has no party %q", i+1, st.Party)
		}
		// The rules of Service.Issue, checked before anything is created.
		if st.Observer && st.Party != "" {
			return Class{}, nil, Errorf(EINVALID, "seat %d: observers of %s's seat are invited by its delegation; assign public observer seats (no party)", i+1, st.Party)
		}
		if p != nil && p.Role == scenario.Mediator && !st.Mediator {
			return Class{}, nil, Errorf(EINVALID, "seat %d: %q is a mediator but not the room's mediator's seat (%q)", i+1, st.Party, host)
		}
		if !st.Observer {
			key := Seat{Room: st.Room, Party: st.Party}
			if j := held[key]; j > 0 {
				return Class{}, nil, Errorf(EINVALID, "seat %d: %s's seat in room %d is already assigned (seat %d): one person holds a seat", i+1, st.Party, st.Room, j)
			}
			held[key] = i + 1
		}
	}
	now := s.clock().UTC()
	if !setup.Deadline.IsZero() {
		if !setup.Deadline.After(now) {
			return Class{}, nil, Errorf(EINVALID, "deadline %s is in the past", setup.Deadline.Format(time.RFC3339))
		}
	}
	ttl := setup.InviteTTL
	if ttl == 0 {
		ttl = 30 * 24 * time.Hour
	}
	title := strings.TrimSpace(setup.Title)
	if title == "" {
		title = "Class: " + sc.Name
	}
	scData, err := scenario.MarshalFormat(sc, "json")
	if err != nil {
		return Class{}, nil, Errorf(EINVALID, "scenario: %v", err)
	}
	c := Class{ID: newID(), Owner: user, Title: title, Deadline: setup.Deadline.UTC(), Created: now, Scenario: scData, Settings: encodeSettings(set)}
	if setup.Deadline.IsZero() {
		c.Deadline = time.Time{}
	}
	if err := s.store.CreateClass(ctx, c); err != nil {
		return Class{}, nil, fmt.Errorf("room: create class: %w", err)
	}
	rooms := make([]Negotiation, setup.Rooms)
	for r := range rooms {
		n, err := s.CreateNegotiation(ctx, user, fmt.Sprintf("%s — room %d", title, r+1), sc, set, c.ID)
		if err != nil {
			return Class{}, nil, err
		}
		rooms[r] = n
	}
	var issued []IssuedSeat
	for _, st := range seats {
		n := rooms[st.Room-1]
		tok, _, err := s.Invite(ctx, user, n.ID, st.Party, st.Person, st.Observer, ttl)
		if err != nil {
			return Class{}, nil, err
		}
		brief := ""
		if p := sc.Party(st.Party); p != nil {
			brief = p.Brief
		}
		issued = append(issued, IssuedSeat{Seat: st, Negotiation: n.ID, Token: tok, Brief: brief})
	}
	return c, issued, nil
}

// StartClass starts every room of the class that has not started. With a
// class deadline, each session's time limit ends at the deadline.
func (s *Service) StartClass(ctx context.Context, user, id string) error {
	c, rooms, err := s.class(ctx, user, id)
	if err != nil {
		return err
	}
	for _, n := range rooms {
		l, err := s.load(ctx, n.ID)
		if err != nil {
			return err
		}
		l.mu.Lock()
		started := l.sess != nil
		if !started && !c.Deadline.IsZero() {
			left := c.Deadline.Sub(s.clock())
			if left <= 0 {
				l.mu.Unlock()
				return Errorf(EINVALID, "the class deadline has passed")
			}
			l.settings.Minutes = left.Minutes()
			l.neg.Settings = encodeSettings(l.settings)
			if err := s.store.UpdateNegotiation(ctx, n.ID, l.neg.Scenario, l.neg.Settings); err != nil {
				l.mu.Unlock()
				return err
			}
		}
		l.mu.Unlock()
		if started {
			continue
		}
		if err := s.Start(ctx, user, n.ID); err != nil && ErrorCode(err) != ECONFLICT {
			return fmt.Errorf("room %s: %w", n.Title, err)
		}
	}
	return nil
}

func (s *Service) class(ctx context.Context, user, id string) (Class, []Negotiation, error) {
	c, err := s.store.Class(ctx, id)
	if err != nil || user == "" || c.Owner != user {
		if err == nil || ErrorCode(err) == ENOTFOUND {
			return Class{}, nil, Errorf(ENOTFOUND, "no class %q", id)
		}
		return Class{}, nil, err
	}
	rooms, err := s.store.NegotiationsOfClass(ctx, id)
	if err != nil {
		return Class{}, nil, err
	}
	return c, rooms, nil
}

// RoomStatus is one room of a class at a glance, for the instructor's
// monitor.
type RoomStatus struct {
	Negotiation string `json:"negotiation"`
	Title       string `json:"title"`
	Started     bool   `json:"started"`
	// Finished: the negotiation has ended (an agreement, in force or
	// awaiting ratification; none; a failed ratification).
	Finished bool   `json:"finished"`
	Status   string `json:"status"`
	Round    int    `json:"round"`
	// Moves counts the events of the room's log.
	Moves int `json:"moves"`
	// Agreement: the parties agreed (in force or awaiting ratification).
	Agreement bool `json:"agreement"`
	// Waiting lists the parties whose move the room waits for.
	Waiting []string `json:"waiting,omitempty"`
	// LastActivity is the room's last event or its people's last activity
	// (zero: none yet).
	LastActivity time.Time `json:"last_activity,omitzero"`
	// Joined counts the seats whose holder has opened the invitation, of
	// Seats.
	Joined int `json:"joined"`
	Seats  int `json:"seats"`
	// Problem is why the automatic mediator stopped ("" when it did not).
	Problem string `json:"problem,omitempty"`
}

// ClassInfo is a class and the state of its rooms.
type ClassInfo struct {
	Class Class `json:"class"`
	// Settings are the rooms' settings (the first room's).
	Settings *Settings    `json:"settings,omitempty"`
	Parties  []PartyInfo  `json:"parties"`
	Rooms    []RoomStatus `json:"rooms"`
}

// ended reports whether a session's negotiation has ended: its outcome
// is known (an agreement awaiting ratification counts as one).
func ended(st *session.State) bool { return st.Done() }

// agreedOn reports whether a session's outcome is an agreement (in force or
// awaiting ratification).
func agreedOn(st *session.State) bool {
	return st.Agreement != nil && (st.Status == session.StatusInForce || st.Status == session.StatusPending)
}

// Class returns the class and where each of its rooms stands (no
// analysis: cheap enough to poll).
func (s *Service) Class(ctx context.Context, user, id string) (*ClassInfo, error) {
	c, rooms, err := s.class(ctx, user, id)
	if err != nil {
		return nil, err
	}
	info := &ClassInfo{Class: c, Rooms: []RoomStatus{}, Parties: []PartyInfo{}}
	for k, n := range rooms {
		l, err := s.load(ctx, n.ID)
		if err != nil {
			return nil, err
		}
		invites, err := s.store.Invites(ctx, n.ID)
		if err != nil {
			return nil, err
		}
		rs := RoomStatus{Negotiation: n.ID, Title: n.Title, Status: "not started"}
		for i := range invites {
			inv := &invites[i]
			if !inv.Holds() || !inv.Revoked.IsZero() {
				continue
			}
			rs.Seats++
			if !inv.Used.IsZero() {
				rs.Joined++
			}
			rs.LastActivity = lastActive(inv, rs.LastActivity)
		}
		l.mu.Lock()
		if k == 0 {
			set := l.settings
			info.Settings = &set
			for _, p := range l.sc.Parties {
				info.Parties = append(info.Parties, PartyInfo{ID: p.ID, Name: p.Name, Role: p.Role, HasProfile: p.Profile != nil})
			}
		}
		if l.sess != nil {
			st := &l.sess.State
			rs.Started, rs.Status, rs.Round = true, st.Status, st.Round
			rs.Finished, rs.Agreement = ended(st), agreedOn(st)
			rs.Waiting = slices.Clone(st.Waiting)
			evs := l.sess.Events()
			rs.Moves = len(evs)
			if len(evs) > 0 && evs[len(evs)-1].Time.After(rs.LastActivity) {
				rs.LastActivity = evs[len(evs)-1].Time
			}
		}
		rs.Problem = l.autoErr
		l.mu.Unlock()
		info.Rooms = append(info.Rooms, rs)
	}
	return info, nil
}

// Classes lists the user's classes.
func (s *Service) Classes(ctx context.Context, user string) ([]Class, error) {
	if user == "" {
		return nil, Errorf(EUNAUTHORIZED, "sign in to list classes")
	}
	return s.store.Classes(ctx, user)
}

// ClassesOf lists the user's classes, the archived ones or the others.
func (s *Service) ClassesOf(ctx context.Context, user string, archived bool) ([]Class, error) {
	all, err := s.Classes(ctx, user)
	if err != nil {
		return nil, err
	}
	out := []Class{}
	for _, c := range all {
		if c.Archived.IsZero() != archived {
			out = append(out, c)
		}
	}
	return out, nil
}

// ArchiveClass archives class id (archived false: restores it) for its
// owner: it leaves the list of current classes and keeps its rooms, which
// open as before. Its rooms are archived with it (restored with it).
func (s *Service) ArchiveClass(ctx context.Context, user, id string, archived bool) (Class, error) {
	c, rooms, err := s.class(ctx, user, id)
	if err != nil {
		return Class{}, err
	}
	var at time.Time
	if archived {
		at = s.clock().UTC()
		if !c.Archived.IsZero() {
			at = c.Archived // archived already: since then
		}
	}
	if err := s.store.ArchiveClass(ctx, id, at); err != nil {
		return Class{}, fmt.Errorf("room: archive class: %w", err)
	}
	for _, n := range rooms {
		if _, err := s.Archive(ctx, user, n.ID, archived); err != nil {
			return Class{}, err
		}
	}
	c.Archived = at
	return c, nil
}

// DeleteClass removes class id with its rooms, their invitations and
// logs, for its owner; confirm must repeat its id (a request cannot
// delete by accident). The rooms' open streams end.
func (s *Service) DeleteClass(ctx context.Context, user, id, confirm string) error {
	_, rooms, err := s.class(ctx, user, id)
	if err != nil {
		return err
	}
	if confirm != id {
		return Errorf(EINVALID, "deleting a class and its %d rooms cannot be undone: confirm with its id (%q)", len(rooms), id)
	}
	if err := s.store.DeleteClass(ctx, id); err != nil {
		return fmt.Errorf("room: delete class: %w", err)
	}
	s.dropRooms(rooms)
	return nil
}

// dropRooms lets the deleted rooms in memory go as Delete's do.
func (s *Service) dropRooms(rooms []Negotiation) {
	for _, n := range rooms {
		s.mu.Lock()
		l := s.live[n.ID]
		s.mu.Unlock()
		if l == nil {
			continue
		}
		l.mu.Lock()
		s.drop(l)
		l.mu.Unlock()
	}
}

// CloneClass creates a new class like class id: the same scenario (as the
// class was created, profiles included), settings, number of rooms and
// seats (the same people; new invitations), without its deadline. Title
// "" is the old title with " (copy)".
func (s *Service) CloneClass(ctx context.Context, user, id, title string) (Class, []IssuedSeat, error) {
	c, rooms, err := s.class(ctx, user, id)
	if err != nil {
		return Class{}, nil, err
	}
	if len(rooms) == 0 {
		return Class{}, nil, Errorf(EINVALID, "class %q has no rooms to copy", id)
	}
	scData, setData := c.Scenario, c.Settings
	if len(scData) == 0 || len(setData) == 0 {
		// A class stored before it kept them: its first room's.
		scData, setData = rooms[0].Scenario, rooms[0].Settings
	}
	sc, err := scenario.Parse("stored.json", scData)
	if err != nil {
		return Class{}, nil, fmt.Errorf("room: class %s: stored scenario: %w", id, err)
	}
	set, err := decodeSettings(setData)
	if err != nil {
		return Class{}, nil, err
	}
	if !c.Deadline.IsZero() {
		set.Minutes = 0 // the old deadline's, not the instructor's
	}
	setup := ClassSetup{Title: strings.TrimSpace(title), Rooms: len(rooms), Settings: set}
	if setup.Title == "" {
		setup.Title = c.Title + " (copy)"
		if len(setup.Title) > MaxTitle {
			setup.Title = c.Title
		}
	}
	for k, n := range rooms {
		invites, err := s.store.Invites(ctx, n.ID)
		if err != nil {
			return Class{}, nil, err
		}
		for _, inv := range invites {
			// The owner's seats still held: parties' and public observers'.
			if inv.IssuedBy != "" || inv.Verifier != "" || !inv.Revoked.IsZero() || (inv.Observer && inv.Party != "") {
				continue
			}
			mediator := !inv.Observer && inv.Party != "" && inv.Party == mediatorOf(sc) && mediated(set.Protocol)
			setup.Seats = append(setup.Seats, Seat{Room: k + 1, Party: inv.Party, Person: inv.Person, Observer: inv.Observer, Mediator: mediator})
		}
	}
	return s.CreateClass(ctx, user, sc, setup)
}

// RoomResult is one room's outcome in a debrief. Only a finished room is
// scored: the others say where they stand and carry no figures.
type RoomResult struct {
	Negotiation string `json:"negotiation"`
	Title       string `json:"title"`
	Status      string `json:"status"`
	Rounds      int    `json:"rounds"`
	// Scored: the room has finished and the figures below are its result.
	Scored bool `json:"scored"`
	// Agreement lists "point=option" ids of the agreed package.
	Agreement []string `json:"agreement,omitempty"`
	// Utilities per principal (Debrief.Parties order): of the agreement,
	// or the reservation values without one; nil for a room not scored.
	Utilities      []float64 `json:"utilities"`
	Welfare        float64   `json:"welfare"`
	DistancePareto float64   `json:"distance_pareto"`
	DistanceNash   float64   `json:"distance_nash"`
	// People who held each seat, by party.
	People map[string]string `json:"people,omitempty"`
}

// Debrief is a class's outcomes against each room's frontier, over the
// rooms that have finished.
type Debrief struct {
	Class   Class        `json:"class"`
	Parties []string     `json:"parties"`
	Rooms   []RoomResult `json:"rooms"`
	// Finished counts the rooms scored.
	Finished int `json:"finished"`
	// Mean utility per party over the finished rooms, and the share of
	// them that agreed (zero and nil when none has finished).
	Mean      []float64 `json:"mean"`
	Agreement float64   `json:"agreement_rate"`
}

// Debrief scores the finished rooms of a class for the instructor; the
// others are listed with their status only.
func (s *Service) Debrief(ctx context.Context, user, id string) (*Debrief, error) {
	c, rooms, err := s.class(ctx, user, id)
	if err != nil {
		return nil, err
	}
	d := &Debrief{Class: c, Rooms: []RoomResult{}}
	nAgreed := 0
	var sum []float64
	for _, n := range rooms {
		l, err := s.load(ctx, n.ID)
		if err != nil {
			return nil, err
		}
		a, err := s.report(ctx, l)
		if err != nil {
			return nil, err
		}
		if d.Parties == nil {
			d.Parties = a.space.Names
			sum = make([]float64, len(d.Parties))
		}
		invites, err := s.store.Invites(ctx, n.ID)
		if err != nil {
			return nil, err
		}
		rr := RoomResult{Negotiation: n.ID, Title: n.Title, Status: "not started", People: map[string]string{}}
		for _, inv := range invites {
			if !inv.Observer && inv.Party != "" && inv.Person != "" && inv.Revoked.IsZero() {
				rr.People[inv.Party] = inv.Person
			}
		}
		l.mu.Lock()
		var agreement []int
		scoring := session.ScoreReservation
		if l.sess != nil {
			rr.Status, rr.Rounds = l.sess.State.Status, l.sess.State.Round
			rr.Scored = ended(&l.sess.State)
			if agreedOn(&l.sess.State) {
				agreement = l.sess.State.Agreement
			}
			scoring = l.sess.Config.Scoring
		}
		l.mu.Unlock()
		if !rr.Scored {
			d.Rooms = append(d.Rooms, rr)
			continue
		}
		d.Finished++
		var u []float64
		if agreement != nil {
			nAgreed++
			ids := a.sc.Framework.IDs(agreement)
			for _, pt := range a.sc.Framework.Points {
				if o, ok := ids[pt.ID]; ok {
					rr.Agreement = append(rr.Agreement, pt.ID+"="+o)
				}
			}
			u = a.space.Utilities(agreement)
		} else {
			u = make([]float64, a.space.N())
			if scoring == session.ScoreReservation {
				copy(u, a.space.Reservation)
			}
		}
		rr.Utilities = u
		rr.Welfare = analysis.Welfare(u)
		rr.DistancePareto = analysis.DistanceToFrontier(u, a.report.Frontier)
		if nash, ok := analysis.NashPoint(a.report.Frontier, a.space.Reservation); ok {
			rr.DistanceNash = analysis.Distance(u, nash.Point.U)
		}
		for i := range u {
			if i < len(sum) {
				sum[i] += u[i]
			}
		}
		d.Rooms = append(d.Rooms, rr)
	}
	if d.Finished > 0 {
		d.Agreement = float64(nAgreed) / float64(d.Finished)
		d.Mean = make([]float64, len(sum))
		for i := range sum {
			d.Mean[i] = sum[i] / float64(d.Finished)
		}
	}
	return d, nil
}

// CSV writes the debrief as CSV: one row per room.
func (d *Debrief) CSV() []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := []string{"room", "negotiation", "status", "rounds"}
	for _, p := range d.Parties {
		head = append(head, "person_"+p)
	}
	for _, p := range d.Parties {
		head = append(head, "utility_"+p)
	}
	head = append(head, "welfare", "distance_pareto", "distance_nash", "agreement")
	_ = w.Write(head)
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }
	for _, r := range d.Rooms {
		row := []string{r.Title, r.Negotiation, r.Status, strconv.Itoa(r.Rounds)}
		for _, p := range d.Parties {
			row = append(row, r.People[p])
		}
		if !r.Scored {
			// Not finished: no figures, never zeros that read as results.
			row = append(row, make([]string, len(d.Parties)+4)...)
			_ = w.Write(row)
			continue
		}
		for _, u := range r.Utilities {
			row = append(row, f(u))
		}
		row = append(row, f(r.Welfare), f(r.DistancePareto), f(r.DistanceNash), strings.Join(r.Agreement, " "))
		_ = w.Write(row)
	}
	w.Flush()
	return buf.Bytes()
}

// DebriefPlot draws every room's outcome in the utility space of the
// class's parties — pairwise panels for three or more, or the one panel
// of parties x and y when given — against the Pareto frontier and the
// solutions that the debrief's distances use, as SVG (chart.Debrief).
func (s *Service) DebriefPlot(ctx context.Context, user, id, x, y string) ([]byte, error) {
	d, err := s.Debrief(ctx, user, id)
	if err != nil {
		return nil, err
	}
	if len(d.Rooms) == 0 {
		return nil, Errorf(EINVALID, "the class has no rooms")
	}
	if d.Finished == 0 {
		return nil, Errorf(ECONFLICT, "no room of the class has finished: the debrief plot shows finished rooms only")
	}
	if len(d.Parties) < 2 || (x != "" && x == y) {
		return nil, Errorf(EINVALID, "a debrief plot needs two different parties")
	}
	l, err := s.load(ctx, d.Rooms[0].Negotiation)
	if err != nil {
		return nil, err
	}
	// The analysis the debrief measured the rooms against (cached).
	a, err := s.report(ctx, l)
	if err != nil {
		return nil, err
	}
	var rooms []chart.RoomOutcome
	for _, r := range d.Rooms {
		if !r.Scored {
			continue
		}
		label := r.Title
		if k := strings.LastIndex(label, "room "); k >= 0 {
			label = label[k:]
		}
		rooms = append(rooms, chart.RoomOutcome{Label: label, Agreement: r.Agreement != nil, At: r.Utilities})
	}
	u, err := chart.Debrief(chart.DebriefInput{Class: d.Class.Title, Scenario: a.sc, Space: a.space, Report: a.report, Rooms: rooms, Axes: plotAxes(x, y)})
	if err != nil {
		return nil, analysisError(chartError(err), s.analysisTimeout(), false)
	}
	return svg(u, "debrief plot")
}
