package room

import (
	"context"
	"fmt"
	"slices"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/plan"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// PartyInfo is the public description of a party.
type PartyInfo struct {
	ID   string        `json:"id"`
	Name string        `json:"name,omitempty"`
	Role scenario.Role `json:"role"`
	// HasProfile tells whether the party negotiates with a profile (its
	// content is private).
	HasProfile bool `json:"has_profile"`
}

// StateView is the part of the session state a viewer may see.
type StateView struct {
	Status    string            `json:"status"`
	Round     int               `json:"round"`
	Turn      string            `json:"turn,omitempty"` // whose turn (turn-based protocols)
	Current   *session.Offer    `json:"current,omitempty"`
	Accepted  []string          `json:"accepted,omitempty"`
	Left      []string          `json:"left,omitempty"`
	Agreement framework.Package `json:"agreement,omitempty"`
	Reason    string            `json:"reason,omitempty"`
	Ratified  []bool            `json:"ratified,omitempty"`
	// Steps tells where each ratification step stands now: done, ready to
	// be recorded by its party, or waiting and why (the engine's
	// Session.Ratification: the steps it waits for, the plan's condition).
	Steps   []session.StepState `json:"steps,omitempty"`
	Text    [][]int             `json:"text,omitempty"`
	Version int                 `json:"version,omitempty"`
	// Replies holds the per-point responses to the current text the viewer
	// may see (its own; all of them for the mediator).
	Replies  map[string][]session.PointResponse `json:"replies,omitempty"`
	VoteOpen bool                               `json:"vote_open,omitempty"`
	// Votes holds the votes the viewer may see (its own; all for the mediator).
	Votes       map[string]bool   `json:"votes,omitempty"`
	Waiting     []string          `json:"waiting,omitempty"`
	Provisional framework.Package `json:"provisional,omitempty"`
	Standing    *session.Offer    `json:"standing,omitempty"`
	Table       []session.Offer   `json:"table,omitempty"`
	VoteOn      int               `json:"vote_on,omitempty"`
	Prior       *session.Offer    `json:"prior,omitempty"`
	// MyBids are the viewer's own blind bids of the current round.
	MyBids []framework.Package `json:"my_bids,omitempty"`
}

// UtilityPoint is the viewer's own utility of a package that was on the
// table at some event.
type UtilityPoint struct {
	Seq     int     `json:"seq"`
	Round   int     `json:"round"`
	Kind    string  `json:"kind"`
	By      string  `json:"by,omitempty"`
	Utility float64 `json:"utility"`
}

// View is everything one viewer may see of a negotiation.
type View struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Class is the class or shuttle talks the room belongs to, for its
	// owner only ("" for every seat).
	Class string `json:"class,omitempty"`
	// Role is the viewer's role: mediator, party, observer or verifier.
	Role string `json:"role"`
	// Party is the viewer's seat (the scenario's mediator party for the
	// mediator; the watched party for an observer; "" for a verifier).
	Party string `json:"party,omitempty"`
	// Invited: the viewer holds the mediator's seat through an invitation
	// (a class's student mediator), not as the negotiation's owner: the
	// mediator's moves and view, none of the owner's rights.
	Invited bool `json:"invited,omitempty"`
	// Brief is the brief of the viewer's own role (the scenario party's
	// brief; the mediator's for the mediator's seat), never another's.
	Brief string `json:"brief,omitempty"`
	// Verifier is a verifier's seat: the id of the plan's verifier.
	Verifier    string               `json:"verifier,omitempty"`
	Scenario    string               `json:"scenario"`
	Description string               `json:"description,omitempty"`
	Notice      string               `json:"notice,omitempty"`
	Framework   *framework.Framework `json:"framework"`
	Parties     []PartyInfo          `json:"parties"`
	Decision    scenario.Decision    `json:"decision"`
	Format      scenario.Format      `json:"format"`
	Settings    Settings             `json:"settings"`
	// Verifiers are the monitoring bodies of the scenario's implementation
	// plan (none without a plan); Plan tells whether there is one.
	Verifiers []plan.Verifier `json:"verifiers,omitempty"`
	Plan      bool            `json:"plan"`
	// Mediator is the scenario's mediator party ("" for none).
	Mediator string `json:"mediator,omitempty"`
	// Negotiators are the parties of the session, in turn order.
	Negotiators []string `json:"negotiators,omitempty"`
	Started     bool     `json:"started"`
	// Seq is the number of events in the log (visible or not): updates
	// carry later numbers.
	Seq    int             `json:"seq"`
	State  *StateView      `json:"state,omitempty"`
	Events []session.Event `json:"events"`
	// Profile is the viewer's own profile (a party's, or the watched
	// party's for an observer); never another's.
	Profile *profile.Profile `json:"profile,omitempty"`
	// Reservation is the viewer's effective reservation value.
	Reservation *float64       `json:"reservation,omitempty"`
	Utilities   []UtilityPoint `json:"utilities,omitempty"`
	// Addressing says whom the viewer may address with a message once the
	// talks run (the engine's rules of the meeting format: under proximity
	// talks a party addresses the mediator only); nil for those who do not
	// write (observers, verifiers, an owner without a mediator seat).
	Addressing *session.Addressing `json:"addressing,omitempty"`
	// Seat is a party's or a verifier's own seat: its credentials and
	// the times it was re-issued (before the session starts, the only
	// record of them).
	Seat *SeatStatus `json:"seat,omitempty"`
}

// View returns what v may see of negotiation id.
func (s *Service) View(ctx context.Context, v Viewer, id string) (*View, error) {
	l, role, party, err := s.access(ctx, v, id)
	if err != nil {
		return nil, err
	}
	seat, err := s.seatOf(ctx, l, role, party)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	sc := l.sc
	out := &View{Seat: seat,
		ID: l.neg.ID, Title: l.neg.Title, Role: role, Party: party,
		Scenario: sc.Name, Description: sc.Description, Notice: sc.Notice,
		Framework: sc.Framework, Decision: sc.Decision, Format: sc.Format,
		Settings: l.settings, Mediator: mediatorOf(sc), Events: []session.Event{},
	}
	if role == roleOwner {
		// The class or shuttle talks the room belongs to is the owner's
		// to see: a seat learns nothing of the rooms beside its own.
		out.Class = l.neg.Class
	}
	for _, p := range sc.Parties {
		out.Parties = append(out.Parties, PartyInfo{ID: p.ID, Name: p.Name, Role: p.Role, HasProfile: p.Profile != nil})
	}
	if sc.Plan != nil {
		out.Plan, out.Verifiers = true, sc.Plan.Verifiers
	}
	if role == roleVerifier {
		out.Party, out.Verifier = "", party
	}
	if role == roleSeatMediator {
		out.Role, out.Invited = roleOwner, true
	}
	if role != roleVerifier && party != "" {
		// Only the seat's own role's brief (the owner's: the mediator's).
		if p := sc.Party(party); p != nil {
			out.Brief = p.Brief
		}
	}
	if (role == roleParty || role == roleObserver) && party != "" {
		if p := sc.Party(party); p != nil && p.Profile != nil {
			out.Profile = p.Profile
			if t, err := p.Profile.Compile(sc.Framework); err == nil && t.HasReservation {
				r := t.Reservation
				out.Reservation = &r
			}
		}
	}
	if l.sess == nil {
		return out, nil
	}
	out.Started = true
	out.Negotiators = l.sess.Config.Parties
	all := l.sess.Events()
	out.Seq = len(all)
	out.Events = visibleEvents(all, 0, role, party)
	out.State = stateView(l.sess, role, party)
	if (role == roleParty || role == roleOwner || role == roleSeatMediator) && party != "" {
		a := l.sess.Addressing(party)
		out.Addressing = &a
	}
	if out.Profile != nil {
		out.Utilities = utilitySeries(sc, out.Profile, out.Events)
	}
	return out, nil
}

// Events returns the events after seq that v may see.
func (s *Service) Events(ctx context.Context, v Viewer, id string, after int) ([]session.Event, error) {
	l, role, party, err := s.access(ctx, v, id)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sess == nil {
		return []session.Event{}, nil
	}
	return visibleEvents(l.sess.Events(), after, role, party), nil
}

// visibleEvents filters events after seq by visibility. The owner sees
// what the mediator's seat sees; without a mediator seat, public events.
// A verifier sees the public record of the implementation only
// (verifierSees), not the talks, and the records of its own seat's
// re-issue.
func visibleEvents(all []session.Event, after int, role, party string) []session.Event {
	out := []session.Event{}
	for i := after; i < len(all); i++ {
		if e := &all[i]; mayView(e, role, party) {
			out = append(out, redact(*e, role))
		}
	}
	return out
}

// mayView reports whether a viewer of role with seat party may see event
// e (perhaps redacted): the one rule of the views, the streams and the
// exported logs.
func mayView(e *session.Event, role, party string) bool {
	if role == roleVerifier {
		return (len(e.Visible) == 0 && verifierSees[e.Kind]) || (e.Kind == session.KindSeat && e.VisibleTo(party))
	}
	return len(e.Visible) == 0 || (party != "" && e.VisibleTo(party))
}

// verifierSees are the kinds of event a verifier sees (when public): the
// session's opening, the agreement and its ratification, and the reports,
// responses and triggers of the implementation. Offers, drafts, replies,
// votes and messages — the talks themselves — are not a monitoring body's
// to see, even when they are public to the table.
var verifierSees = map[string]bool{
	"start": true, "agreement": true, session.KindRatify: true, "ratification-failed": true, "in-force": true,
	session.KindReport: true, session.KindResponse: true, session.KindTrigger: true, session.KindTriggerCancelled: true,
}

// redact removes from an event what the viewer must not see even when the
// event is visible: the start event's configuration is public, but an
// observer does not get private bids.
func redact(e session.Event, role string) session.Event {
	if role == roleObserver && e.Move != nil && len(e.Move.Packages) > 0 {
		m := *e.Move
		m.Packages = nil
		e.Move = &m
		// Without the packages the event's salt would let the observer
		// check guesses of them against its hash: it goes too (the hash
		// stays, a commitment the observer cannot open).
		e.Salt = ""
	}
	return e
}

// stateView derives the viewer's part of the state. A verifier gets the
// outcome only: the status, the agreement and its ratification.
func stateView(sess *session.Session, role, party string) *StateView {
	st := &sess.State
	if role == roleVerifier {
		v := &StateView{Status: st.Status, Round: st.Round, Agreement: st.Agreement, Ratified: st.Ratified, Steps: sess.Ratification()}
		if st.Agreement != nil {
			v.Reason = st.Reason
		}
		return v
	}
	v := &StateView{
		Status: st.Status, Round: st.Round, Current: st.Current, Accepted: st.Accepted,
		Agreement: st.Agreement, Reason: st.Reason, Ratified: st.Ratified, Steps: sess.Ratification(), Text: st.Text,
		Version: st.Version, VoteOpen: st.VoteOpen, Waiting: st.Waiting,
		Provisional: st.Provisional, Standing: st.Standing, Table: st.Table, VoteOn: st.VoteOn, Prior: st.Prior,
	}
	for p, left := range st.Left {
		if left {
			v.Left = append(v.Left, p)
		}
	}
	slices.Sort(v.Left)
	if turnBased(sess.Config.Protocol) && st.Status == session.StatusOpen && len(sess.Config.Parties) > 0 {
		v.Turn = sess.TurnParty()
	}
	seesAll := (role == roleOwner || role == roleSeatMediator) && party != ""
	for p, r := range st.Replies {
		if seesAll || p == party {
			if v.Replies == nil {
				v.Replies = map[string][]session.PointResponse{}
			}
			v.Replies[p] = r
		}
	}
	for p, y := range st.Votes {
		if seesAll || p == party {
			if v.Votes == nil {
				v.Votes = map[string]bool{}
			}
			v.Votes[p] = y
		}
	}
	if role == roleParty {
		v.MyBids = st.Bids[party]
	}
	return v
}

// utilitySeries evaluates the packages the viewer saw on the table.
func utilitySeries(sc *scenario.Scenario, p *profile.Profile, events []session.Event) []UtilityPoint {
	t, err := p.Compile(sc.Framework)
	if err != nil {
		return nil
	}
	var out []UtilityPoint
	for i := range events {
		e := &events[i]
		var pkg framework.Package
		switch {
		case e.Move != nil && len(e.Move.Package) > 0 && (e.Kind == session.KindOffer || e.Kind == session.KindPropose):
			pkg = e.Move.Package
		case e.Move != nil && e.Kind == session.KindDraft:
			pkg = e.Move.Text.Package()
		case e.Note != nil && e.Kind == "agreement" && len(e.Note.Package) > 0:
			pkg = e.Note.Package
		default:
			continue
		}
		out = append(out, UtilityPoint{Seq: e.Seq, Round: e.Round, Kind: e.Kind, By: e.Party, Utility: t.Utility(pkg)})
	}
	return out
}

// Evaluation is a package rated by the viewer's own profile.
type Evaluation struct {
	Utility float64 `json:"utility"`
	// Max is the best utility the viewer can get.
	Max float64 `json:"max"`
	// Reservation is the viewer's effective reservation value, if any.
	Reservation *float64 `json:"reservation,omitempty"`
	// Acceptable: complete, above the reservation and crossing no red line.
	Acceptable bool `json:"acceptable"`
	Complete   bool `json:"complete"`
	// RedLine is the index of the first red line crossed (-1: none).
	RedLine int `json:"red_line"`
	// Points are the per-point contributions (0 for open points).
	Points []float64 `json:"points"`
	// Additive is the sum of Points: what the package is worth without
	// the profile's interactions.
	Additive float64 `json:"additive"`
	// Interactions are the viewer's own interactions that apply to the
	// package, in the profile's order (none when the profile has none or
	// none applies). Utility is the additive part plus their values,
	// summed in the order profile.Table.Utility sums them.
	Interactions []AppliedInteraction `json:"interactions,omitempty"`
}

// AppliedInteraction is one of the viewer's own interactions that adds its
// value to an evaluated package.
type AppliedInteraction struct {
	// Index is the interaction's index in the profile's list.
	Index int     `json:"index"`
	Label string  `json:"label,omitempty"`
	Value float64 `json:"value"`
}

// Evaluate rates a (possibly partial) package against the viewer's own profile.
func (s *Service) Evaluate(ctx context.Context, v Viewer, id string, pkg framework.Package) (*Evaluation, error) {
	p, sc, err := s.ownProfile(ctx, v, id)
	if err != nil {
		return nil, err
	}
	if err := packageOK(sc.Framework, pkg); err != nil {
		return nil, err
	}
	t, err := p.Compile(sc.Framework)
	if err != nil {
		return nil, Errorf(EINVALID, "your profile: %v", err)
	}
	mx, _ := t.Max()
	ev := &Evaluation{Utility: t.Utility(pkg), Max: mx, Complete: !slices.Contains(pkg, framework.Open), RedLine: p.CrossesRedLine(pkg)}
	if t.HasReservation {
		r := t.Reservation
		ev.Reservation = &r
	}
	ev.Acceptable = ev.Complete && ev.RedLine < 0 && ev.Utility >= t.Reservation
	for i, l := range pkg {
		c := 0.0
		if l >= 0 {
			c = t.Contrib[i][l]
		}
		ev.Points = append(ev.Points, c)
		ev.Additive += c
	}
	ev.Interactions = appliedInteractions(p, t, pkg)
	return ev, nil
}

// appliedInteractions lists the interactions of p (compiled in t) that add
// their value to pkg, in the profile's order.
func appliedInteractions(p *profile.Profile, t *profile.Table, pkg framework.Package) []AppliedInteraction {
	var out []AppliedInteraction
	for k := range t.Effects {
		e := &t.Effects[k]
		if !e.Applies(pkg) {
			continue
		}
		out = append(out, AppliedInteraction{Index: e.Index, Label: p.Interactions[e.Index].Label, Value: e.Value})
	}
	slices.SortFunc(out, func(a, b AppliedInteraction) int { return a.Index - b.Index })
	return out
}

// ownProfile returns the viewer's own profile (parties and observers of a
// seat only).
func (s *Service) ownProfile(ctx context.Context, v Viewer, id string) (*profile.Profile, *scenario.Scenario, error) {
	l, role, party, err := s.access(ctx, v, id)
	if err != nil {
		return nil, nil, err
	}
	if (role != roleParty && role != roleObserver) || party == "" {
		return nil, nil, Errorf(EFORBIDDEN, "only a party has a profile of its own here")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.sc.Party(party)
	if p == nil || p.Profile == nil {
		return nil, nil, Errorf(ENOTFOUND, "party %q has no profile", party)
	}
	return p.Profile, l.sc, nil
}

// SetProfile replaces the viewer's own profile. Profiles are fixed once
// the negotiation starts.
func (s *Service) SetProfile(ctx context.Context, v Viewer, id string, p *profile.Profile) error {
	l, role, party, err := s.access(ctx, v, id)
	if err != nil {
		return err
	}
	if role != roleParty {
		return Errorf(EFORBIDDEN, "only the party itself can set its profile")
	}
	if p == nil {
		return Errorf(EINVALID, "no profile given")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sess != nil {
		return Errorf(ECONFLICT, "the negotiation has started: profiles are fixed")
	}
	if l.settings.LockProfiles {
		return Errorf(EFORBIDDEN, "the profiles of this room are locked: every room of the class negotiates with the role's profile as given")
	}
	if err := p.Check(l.sc.Framework); err != nil {
		return Errorf(EINVALID, "profile: %v", err)
	}
	// The elicitation refuses it too: with no importance anywhere every
	// package is worth the same, and no analysis can rate one.
	if p.WeightSum() <= 0 {
		return Errorf(EINVALID, "profile: every point has importance 0; give at least one point some importance")
	}
	if p.Fallback != nil {
		if err := packageOK(l.sc.Framework, p.Fallback); err != nil {
			return Errorf(EINVALID, "fallback: %v", err)
		}
	}
	// p.Check bounds the red lines (count, terms, levels) with the rest.
	for i, rl := range p.RedLines {
		if len(rl.Reason) > MaxMessage {
			return Errorf(EINVALID, "red line %d: reason of %d bytes, at most %d", i+1, len(rl.Reason), MaxMessage)
		}
	}
	if err := checkInteractionLabels(p); err != nil {
		return err
	}
	sc := *l.sc
	sc.Parties = slices.Clone(l.sc.Parties)
	cp := *p
	sc.Party(party).Profile = &cp
	data, err := scenario.MarshalFormat(&sc, "json")
	if err != nil {
		return Errorf(EINVALID, "profile: %v", err)
	}
	stored, err := scenario.Parse("stored.json", data)
	if err != nil {
		return Errorf(EINVALID, "profile: %v", err)
	}
	// The profile is stored as part of the scenario file: refuse rather
	// than drop what the file would not keep.
	if sp := stored.Party(party); sp == nil || sp.Profile == nil || !sameInteractions(p.Interactions, sp.Profile.Interactions) {
		return Errorf(EINVALID, "profile: the scenario file this server stores profiles in does not keep these interactions; nothing was saved")
	}
	if err := s.store.UpdateNegotiation(ctx, l.neg.ID, data, l.neg.Settings); err != nil {
		return fmt.Errorf("room: store profile: %w", err)
	}
	l.neg.Scenario = data
	l.sc = stored
	return s.markProfileSaved(ctx, l.neg.ID, party)
}
