package agreement

import (
	"slices"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// record is what one pass over a log finds.
type record struct {
	versions []Version
	// agreed is the agreement event; agreedVersion the text version or
	// proposal agreed; assents the moves that made the decision.
	agreed        *Moment
	agreedHash    string
	agreedVersion int
	assents       []assent
	ratify        map[int]ratified // by step number (1-based)
	inForce       *Moment
	failed        *Moment
	left          []string
}

type assent struct {
	Assent
	visible []string
}

func (a assent) visibleTo(viewer string) bool {
	return len(a.visible) == 0 || slices.Contains(a.visible, viewer)
}

type ratified struct {
	yes   bool
	at    Moment
	voted time.Time // when the body voted, if the move says so
}

func moment(e *session.Event) *Moment { return &Moment{Seq: e.Seq, Round: e.Round, Time: e.Time} }

// scan walks the log once. The assents of the decision depend on the
// protocol: under sao the offer agreed and the acceptances since it; under
// single-text the votes after the last call to vote; under amop the votes
// on the offer agreed; under vote and feedback the replies to the last
// proposal adopted (the standing one, agreed at the deadline); under blind
// the bids of the last round, yes when they held the package agreed.
func scan(cfg session.Config, events []session.Event) *record {
	r := &record{ratify: map[int]ratified{}}
	var window, standing []assent
	version, standingVersion, lastRef := 0, 0, 0
	var bids, offers []*session.Event
	add := func(e *session.Event, yes bool, detail string) {
		window = append(window, assent{Assent: Assent{Party: e.Party, Kind: e.Kind, Yes: yes, Detail: detail,
			Public: len(e.Visible) == 0, Moment: *moment(e)}, visible: e.Visible})
	}
	for i := range events {
		e := &events[i]
		m := e.Move
		switch e.Kind {
		case session.KindDraft:
			if m == nil {
				continue
			}
			version++
			r.versions = append(r.versions, Version{Number: version, Seq: e.Seq, Round: e.Round, Time: e.Time,
				Author: e.Party, Text: m.Text.Clone(), Hash: e.Hash})
		case session.KindPropose:
			version++
			window = nil
		case session.KindCallVote:
			window = nil
		case session.KindOffer:
			if cfg.Protocol == session.AMOP {
				if lastRef != 0 {
					window, offers, lastRef = nil, nil, 0
				}
				offers = append(offers, e)
				continue
			}
			window = nil
			add(e, true, "")
		case session.KindAccept:
			add(e, true, "")
		case session.KindVote:
			if m == nil || m.Yes == nil {
				continue
			}
			if cfg.Protocol == session.AMOP && m.Ref != lastRef {
				window, lastRef = nil, m.Ref
				if m.Ref >= 1 && m.Ref <= len(offers) {
					add(offers[m.Ref-1], true, "")
				}
			}
			add(e, *m.Yes, "")
		case session.KindFeedback:
			if m == nil {
				continue
			}
			add(e, m.Feedback != session.Worse, m.Feedback)
		case session.KindBid:
			if len(bids) > 0 && bids[0].Round != e.Round {
				bids, window = nil, nil
			}
			bids = append(bids, e)
			add(e, false, "")
		case "adopted":
			standing, standingVersion = slices.Clone(window), version
			if e.Note != nil && e.Note.Version != 0 {
				standingVersion = e.Note.Version
			}
		case "vote-failed":
			if e.Note != nil {
				for j := range r.versions {
					if r.versions[j].Number == e.Note.Version {
						r.versions[j].Outcome = OutcomeVoteFailed
					}
				}
			}
		case "left":
			if e.Note != nil {
				r.left = append(r.left, e.Note.Parties...)
			}
		case "agreement":
			r.agreed, r.agreedHash, r.agreedVersion = moment(e), e.Hash, version
			r.assents = window
			switch cfg.Protocol {
			case session.Voting, session.Feedback:
				r.assents, r.agreedVersion = standing, standingVersion
			case session.Blind:
				var p framework.Package
				if e.Note != nil {
					p = e.Note.Package
				}
				for j := range r.assents {
					if j < len(bids) && bids[j].Move != nil {
						r.assents[j].Yes = slices.ContainsFunc(bids[j].Move.Packages, func(q framework.Package) bool { return slices.Equal(q, p) })
					}
				}
			case session.SAO, session.AMOP:
				r.agreedVersion = 0
			}
			if cfg.Protocol == session.SingleText && len(r.versions) > 0 {
				r.versions[len(r.versions)-1].Outcome = OutcomeAgreed
			}
		case session.KindRatify:
			if m == nil || m.Yes == nil {
				continue
			}
			rt := ratified{yes: *m.Yes, at: *moment(e)}
			if m.When != nil {
				rt.voted = *m.When
			}
			r.ratify[m.Ref] = rt
		case "in-force":
			r.inForce = moment(e)
		case "ratification-failed":
			r.failed = moment(e)
		}
	}
	for j := range r.versions {
		if r.versions[j].Outcome == "" {
			r.versions[j].Outcome = OutcomeRedrafted
			if j == len(r.versions)-1 {
				r.versions[j].Outcome = OutcomeCurrent
			}
		}
	}
	return r
}

// steps returns the ratification record of the scenario's steps.
func (r *record) steps(sc *scenario.Scenario, d *Document) []Step {
	var out []Step
	failed := false
	for i, s := range sc.Decision.Ratification {
		st := Step{Number: i + 1, Party: s.Party, Name: d.PartyName(s.Party), Body: oneLine(s.Body), Kind: s.Kind,
			Condition: oneLine(s.Condition), Status: StepPending}
		if rt, ok := r.ratify[i+1]; ok {
			at := rt.at
			st.At, st.Voted = &at, rt.voted
			st.Status = StepCompleted
			if !rt.yes {
				st.Status, failed = StepFailed, true
			}
		} else if failed {
			st.Status = StepNotReached
		}
		out = append(out, st)
	}
	return out
}
