package agent

import (
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// Offer is one package put on the table.
type Offer struct {
	By      int               // party index in the session
	Round   int               // 1-based round
	Package framework.Package // complete package
}

// Kinds of a Move of the public history.
const (
	MoveOffer  = "offer"  // Package put on the table
	MoveAccept = "accept" // the offer on the table (Package) accepted
	MoveEnd    = "end"    // walked away: the session ended without agreement
	MoveVote   = "vote"   // a vote (Yes) on an offer of the table (Package), amop
)

// Move is one move of the public history, as every party at the table sees
// it: an offer, an acceptance, a walk-out or a vote.
type Move struct {
	By    int    // party index in the session
	Round int    // 1-based round the move was made in
	Kind  string // MoveOffer, MoveAccept, MoveEnd or MoveVote
	// Package is the offer made, accepted or voted on (nil for MoveEnd).
	Package framework.Package
	// Yes is the vote of a MoveVote.
	Yes bool
}

// View is what a negotiator may know when it acts: its own profile (never
// another party's), the clock and the public history of offers.
type View struct {
	// Self is this party's index; Parties the number of negotiating parties.
	Self, Parties int
	// PartyIDs and PartyNames are the negotiating parties' ids and display
	// names in turn order (set by session.NewRunner; nil when unknown).
	PartyIDs, PartyNames []string
	Framework            *framework.Framework
	Profile              *profile.Profile
	// Table is Profile compiled against Framework.
	Table *profile.Table
	// Time is normalised time in [0,1]: the fraction of the deadline used
	// (rounds or wall time), as GENIUS's Timeline.getTime.
	Time float64
	// Round is the current round (1-based) and Deadline the round limit (0: none).
	Round, Deadline int
	// Current is the offer on the table (nil before the first offer).
	Current *Offer
	// History is every offer so far, oldest first.
	History []Offer
	// Moves is every public move so far, oldest first: the offers of
	// History and the acceptances, walk-outs and votes between them (set by
	// session.Runner; nil for a negotiator driven without it).
	Moves []Move
}

// Kind is what a negotiator does at its turn in alternating offers.
type Kind int

// Action kinds.
const (
	MakeOffer Kind = iota // put Package on the table
	Accept                // accept the current offer
	EndTalks              // walk away: the session ends without agreement
)

// Action is a negotiator's move at its turn. For Accept, the negotiators of
// this package set Package to (a copy of) the package accepted, the one of
// View.Current, as GENIUS's Accept action carries its bid. A negotiator may
// reuse the storage of an offer's Package at its next call of Act (the
// time-dependent ones do: an offer at every turn then allocates nothing);
// the session copies an offer when it takes it, and a caller that keeps
// one beyond the next call must copy it too.
type Action struct {
	Kind    Kind
	Package framework.Package
}

// Negotiator is an automated party in alternating-offers protocols. Act is
// called at the party's turn; it must not keep references to v's slices
// or to v.Current beyond the call (the runner reuses them). A Negotiator is used by one session at a time.
type Negotiator interface {
	// Name identifies the strategy, e.g. "boulware(e=0.2)".
	Name() string
	// Init is called once before the first turn with the party's view.
	Init(v *View)
	// Act returns the action for this turn.
	Act(v *View) Action
}

// Voter decides on a proposal in voting and mediated protocols.
type Voter interface {
	Name() string
	// Vote says whether the party accepts proposal; previous is the last
	// accepted proposal (nil if none), for hill-climbing voters.
	Vote(v *View, proposal, previous framework.Package) bool
}
