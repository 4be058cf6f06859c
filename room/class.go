package room

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/chart"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// MaxRooms bounds the rooms of one class.
const MaxRooms = 200

// Seat assigns a person to a role in one room of a class.
type Seat struct {
	// Room is the 1-based room number.
	Room     int    `json:"room"`
	Party    string `json:"party"`
	Person   string `json:"person"`
	Observer bool   `json:"observer,omitempty"`
}

// IssuedSeat is a seat with its invitation token (shown once).
type IssuedSeat struct {
	Seat
	Negotiation string `json:"negotiation"`
	Token       string `json:"token"`
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
	held := map[Seat]int{} // a party's seat of a room → the seat (1-based) assigned to it
	for i, st := range setup.Seats {
		if st.Room < 1 || st.Room > setup.Rooms {
			return Class{}, nil, Errorf(EINVALID, "seat %d: room %d, want 1 to %d", i+1, st.Room, setup.Rooms)
		}
		p := sc.Party(st.Party)
		if p == nil && !(st.Observer && st.Party == "") {
			return Class{}, nil, Errorf(EINVALID, "seat %d: scenario has no party %q", i+1, st.Party)
		}
		// The rules of Service.Issue, checked before anything is created.
		if st.Observer && st.Party != "" {
			return Class{}, nil, Errorf(EINVALID, "seat %d: observers of %s's seat are invited by its delegation; assign public observer seats (no party)", i+1, st.Party)
		}
		if p != nil && p.Role == scenario.Mediator && !st.Observer {
			return Class{}, nil, Errorf(EINVALID, "seat %d: the mediator's seat is the instructor's", i+1)
		}
		if !st.Observer {
			key := Seat{Room: st.Room, Party: st.Party}
			if j := held[key]; j > 0 {
				return Class{}, nil, Errorf(EINVALID, "seat %d: %s's seat in room %d is already assigned (seat %d): one person holds a seat", i+1, st.Party, st.Room, j)
			}
			held[key] = i + 1
		}
	}
	set := setup.Settings
	sc = withMediatorSeat(sc, set.Protocol)
	if err := set.normalize(sc); err != nil {
		return Class{}, nil, err
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
	c := Class{ID: newID(), Owner: user, Title: title, Deadline: setup.Deadline.UTC(), Created: now}
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
	for _, st := range setup.Seats {
		n := rooms[st.Room-1]
		tok, _, err := s.Invite(ctx, user, n.ID, st.Party, st.Person, st.Observer, ttl)
		if err != nil {
			return Class{}, nil, err
		}
		issued = append(issued, IssuedSeat{Seat: st, Negotiation: n.ID, Token: tok})
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

// RoomStatus is one room of a class at a glance.
type RoomStatus struct {
	Negotiation string `json:"negotiation"`
	Title       string `json:"title"`
	Started     bool   `json:"started"`
	Status      string `json:"status"`
	Round       int    `json:"round"`
}

// ClassInfo is a class and the state of its rooms.
type ClassInfo struct {
	Class Class        `json:"class"`
	Rooms []RoomStatus `json:"rooms"`
}

// Class returns the class and where each of its rooms stands (no
// analysis: cheap enough to poll).
func (s *Service) Class(ctx context.Context, user, id string) (*ClassInfo, error) {
	c, rooms, err := s.class(ctx, user, id)
	if err != nil {
		return nil, err
	}
	info := &ClassInfo{Class: c, Rooms: []RoomStatus{}}
	for _, n := range rooms {
		l, err := s.load(ctx, n.ID)
		if err != nil {
			return nil, err
		}
		rs := RoomStatus{Negotiation: n.ID, Title: n.Title, Status: "not started"}
		l.mu.Lock()
		if l.sess != nil {
			rs.Started, rs.Status, rs.Round = true, l.sess.State.Status, l.sess.State.Round
		}
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

// RoomResult is one room's outcome in a debrief.
type RoomResult struct {
	Negotiation string `json:"negotiation"`
	Title       string `json:"title"`
	Status      string `json:"status"`
	Rounds      int    `json:"rounds"`
	// Agreement lists "point=option" ids of the agreed package.
	Agreement []string `json:"agreement,omitempty"`
	// Utilities per principal (Debrief.Parties order): of the agreement,
	// or the reservation values without one.
	Utilities      []float64 `json:"utilities"`
	Welfare        float64   `json:"welfare"`
	DistancePareto float64   `json:"distance_pareto"`
	DistanceNash   float64   `json:"distance_nash"`
	// People who held each seat, by party.
	People map[string]string `json:"people,omitempty"`
}

// Debrief is a class's outcomes against each room's frontier.
type Debrief struct {
	Class   Class        `json:"class"`
	Parties []string     `json:"parties"`
	Rooms   []RoomResult `json:"rooms"`
	// Mean utility per party over the rooms, and the agreement rate.
	Mean      []float64 `json:"mean"`
	Agreement float64   `json:"agreement_rate"`
}

// Debrief scores every room of a class for the instructor.
func (s *Service) Debrief(ctx context.Context, user, id string) (*Debrief, error) {
	c, rooms, err := s.class(ctx, user, id)
	if err != nil {
		return nil, err
	}
	d := &Debrief{Class: c}
	agreed := 0
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
			d.Mean = make([]float64, len(d.Parties))
		}
		invites, err := s.store.Invites(ctx, n.ID)
		if err != nil {
			return nil, err
		}
		rr := RoomResult{Negotiation: n.ID, Title: n.Title, Status: "not started", People: map[string]string{}}
		for _, inv := range invites {
			if !inv.Observer && inv.Person != "" {
				rr.People[inv.Party] = inv.Person
			}
		}
		l.mu.Lock()
		var agreement []int
		scoring := session.ScoreReservation
		if l.sess != nil {
			rr.Status, rr.Rounds = l.sess.State.Status, l.sess.State.Round
			agreement = l.sess.State.Agreement
			scoring = l.sess.Config.Scoring
		}
		l.mu.Unlock()
		var u []float64
		if agreement != nil {
			agreed++
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
			if i < len(d.Mean) {
				d.Mean[i] += u[i] / float64(len(rooms))
			}
		}
		d.Rooms = append(d.Rooms, rr)
	}
	if len(rooms) > 0 {
		d.Agreement = float64(agreed) / float64(len(rooms))
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
