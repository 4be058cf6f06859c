package session

import (
	"errors"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
)

// This file holds what the automated side of the mediated protocols sees
// and implements: the mediator's and the parties' views, and the Mediator
// and Responder interfaces. RunMediated (runmediated.go) plays a session
// with them; the parties' responders are in responders.go and the mediator
// strategies in package mediator.

// MediatorView is what a mediator strategy may know when it acts: the
// framework, the rules, the state of the text or proposal, every event the
// mediator may see and — only when Config.MediatorAccess is AccessProfiles —
// the negotiating parties' profiles. It never holds a blind bid. Strategies
// must not modify it.
type MediatorView struct {
	Self      string
	Protocol  string
	Parties   []string
	Framework *framework.Framework
	Decision  scenario.Decision
	// Round is the current round (1-based); Rounds the round deadline (0: none).
	Round, Rounds int
	// Time is normalised time in [0,1] (Session.Time).
	Time float64
	// Text is the current single text (nil before the first draft) and
	// Version its number (single text); Version counts proposals under the
	// vote protocol.
	Text    Text
	Version int
	// Provisional holds the points agreed provisionally (nil if none).
	Provisional framework.Package
	// Replies are the parties' responses to the current version.
	Replies map[string][]PointResponse
	// Votes are the votes on the text or proposal last put to the vote;
	// with VoteOpen false and Votes set, that vote has failed (single text)
	// or is decided (vote protocol).
	Votes    map[string]bool
	VoteOpen bool
	// Current is the proposal on the table (vote protocol) or the settled
	// points of the text (single text).
	Current framework.Package
	// Standing is the last proposal every party accepted (vote protocol).
	Standing framework.Package
	// Events are the events the mediator may see, oldest first.
	Events []Event
	// Profiles are the negotiating parties' profiles, present only when the
	// session allows the mediator to see them.
	Profiles map[string]*profile.Profile
}

// Mediator is a mediator strategy for the single-text, vote and feedback
// protocols. Package mediator holds Parley's strategies and builds them by
// name (mediator.ByName); RunMediated asks the strategy for the mediator's
// move whenever it is the mediator's turn, with a fresh view each time. A
// strategy may keep state between calls (a view of Version 0 is the first
// move of a session); it is used by one session at a time.
type Mediator interface {
	// Name identifies the strategy.
	Name() string
	// Act returns the mediator's next move when it is the mediator's turn:
	// a draft or a call to vote (single text), a proposal (vote, feedback),
	// or an end. The runner fills in Party; the engine refuses a move the
	// protocol does not allow, and RunMediated then stops with that error.
	// An error from Act (ErrNoAccess when the strategy needs profiles the
	// view does not hold) stops RunMediated before anything is submitted.
	Act(v *MediatorView) (Move, error)
}

// PartyView is what a party's responder may know: its own profile (never
// another party's), the rules, the current text or proposal and the events
// it may see. Responders must not modify it.
type PartyView struct {
	Self      string
	Protocol  string
	Parties   []string
	Framework *framework.Framework
	Profile   *profile.Profile
	// Table is Profile compiled against Framework.
	Table         *profile.Table
	Round, Rounds int
	Time          float64
	Text          Text
	Version       int
	Provisional   framework.Package
	// Proposal is the complete package the party votes on (the text put to
	// the vote, or the mediator's proposal).
	Proposal framework.Package
	// Previous is the last proposal every party accepted (vote protocol;
	// nil if none): GENIUS's hill-climbing voters compare with it.
	Previous framework.Package
	// Prior is the proposal before Proposal (feedback protocol; nil for the
	// first): feedback compares with it.
	Prior framework.Package
	// Events are the events this party may see, oldest first.
	Events []Event
}

// Responder answers for one party in the mediated protocols and blind
// bidding.
type Responder interface {
	Name() string
	// Respond answers the current draft point by point (single text).
	Respond(v *PartyView) []PointResponse
	// Vote says yes or no to v.Proposal.
	Vote(v *PartyView) bool
	// Bid returns the packages the party accepts this round (blind
	// bidding); none means the party has nothing to offer and walks out.
	Bid(v *PartyView) []framework.Package
}

// FeedbackGiver is a Responder that gives its own feedback under the
// feedback protocol; responders without it give FeedbackFor's.
type FeedbackGiver interface {
	Feedback(v *PartyView) string
}

// ErrNoAccess is returned by strategies that need to see profiles when the
// session does not allow it.
var ErrNoAccess = errors.New("session: this mediator needs the parties' profiles, which the session does not let it see (its mediator access is none, not profiles)")
