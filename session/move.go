package session

import (
	"encoding/json"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/plan"
)

// Move kinds a party can make. Which are valid depends on the protocol.
const (
	KindOffer    = "offer"     // put Package on the table (alternating offers)
	KindAccept   = "accept"    // accept the offer or proposal on the table
	KindReject   = "reject"    // reject it (voting protocols)
	KindEnd      = "end"       // walk away: the session ends without agreement
	KindLeave    = "leave"     // leave the table (the rest may go on where the rule allows)
	KindMessage  = "message"   // Text to the parties in To, within the format
	KindRelay    = "relay"     // the mediator passes on (or paraphrases) a message: Text, To, Ref
	KindDraft    = "draft"     // the mediator's single negotiating text: Text alternatives
	KindRespond  = "respond"   // per-point responses to the current draft
	KindCritique = "critique"  // one point of the current draft
	KindCallVote = "call-vote" // the mediator puts the text (or a proposal) to a final vote
	KindVote     = "vote"      // Yes on the text or proposal put to the vote
	KindPropose  = "propose"   // a mediator's proposal in voting protocols: Package
	KindBid      = "bid"       // blind bidding: secret acceptable Packages
	KindRatify   = "ratify"    // a ratification step completes (Yes) or fails
	KindFeedback = "feedback"  // better, same or worse than the previous proposal (Feedback)
)

// Stances of a per-point response to a draft.
const (
	StanceAccept  = "accept"
	StanceObject  = "object"
	StancePropose = "propose"
)

// PointResponse is a party's response to one point of the current draft.
type PointResponse struct {
	Point  int    `json:"point"`
	Stance string `json:"stance"`
	// Option is the alternative proposed (StancePropose).
	Option int    `json:"option,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Move is what a party submits. Only the fields its Kind uses are set.
type Move struct {
	Kind    string            `json:"kind"`
	Party   string            `json:"party"`
	Package framework.Package `json:"package,omitempty"`
	// Text holds, for a draft, per point the options still open: one
	// option means the point reads that way; several mean it is bracketed.
	Text      Text            `json:"text,omitempty"`
	Responses []PointResponse `json:"responses,omitempty"`
	Yes       *bool           `json:"yes,omitempty"`
	Message   string          `json:"message,omitempty"`
	To        []string        `json:"to,omitempty"`
	// Ref points at an earlier event (a relayed message, a ratification step).
	Ref int `json:"ref,omitempty"`
	// Feedback is a party's feedback on a proposal: better, same or worse.
	Feedback string `json:"feedback,omitempty"`
	// Packages are the secret acceptable packages of a blind bid.
	Packages []framework.Package `json:"packages,omitempty"`
	// Report is a verifier's report on a commitment of the plan (KindReport).
	Report *plan.Report `json:"report,omitempty"`
	// Response is a party's response to a report (KindResponse).
	Response *plan.Response `json:"response,omitempty"`
	// When is, for a ratification, when the ratifying body voted (at or
	// before the move, not before the agreement); nil: when it is recorded.
	// The plan's milestones count from the record, what the log knew then.
	When *time.Time `json:"when,omitempty"`
}

// Note is the payload of an event the engine draws.
type Note struct {
	// Package is the agreement (kind "agreement"); from engine version 2
	// the agreement note also gives the Version agreed and the Parties that
	// assented (or their Count; see Session.agree).
	Package framework.Package `json:"package,omitempty"`
	Reason  string            `json:"reason,omitempty"`
	// Config is the session's configuration (kind "start").
	Config *Config `json:"config,omitempty"`
	// Version is the single-text version a note refers to.
	Version int `json:"version,omitempty"`
	// Overlap is what blind bidding reveals: per point, the options that
	// appear in every party's bid (never whose bid held what).
	Overlap [][]int `json:"overlap,omitempty"`
	// Count is a number the note reports (e.g. the size of a blind overlap).
	Count int `json:"count,omitempty"`
	// Parties names parties the note concerns (e.g. who voted against).
	Parties []string `json:"parties,omitempty"`
	// Status is a status the note records (e.g. "pending-ratification").
	Status string `json:"status,omitempty"`
	// Points are the point indices a note concerns (e.g. the points agreed
	// provisionally).
	Points []int `json:"points,omitempty"`
	// Packages are packages a note reveals (e.g. a blind overlap, when the
	// session reveals it).
	Packages []framework.Package `json:"packages,omitempty"`
	// Commitment is the plan's commitment a note concerns (a trigger) and
	// Due its deadline.
	Commitment string     `json:"commitment,omitempty"`
	Due        *time.Time `json:"due,omitempty"`
	// Scenario is the scenario a session is played on, in its file format
	// (kind "scenario", visible to Nobody).
	Scenario json.RawMessage `json:"scenario,omitempty"`
}
