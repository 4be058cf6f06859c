package room

import (
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
)

// A party's interactions (profile.Interaction: "this option is worth more
// or less if …") are part of its private profile: the party states them in
// the elicitation, saves them with the rest of its profile (SetProfile)
// and sees each that applies in Evaluate. Nobody else sees them, exactly
// as the rest of the profile: a mediator who sees the profiles
// (MediatorFull) sees them in a party's preview; the mediator's analysis
// says only that some profile has them (MediatorAnalysis.Interactions)
// and, for a mediator who sees the profiles, how many each party has.

// MaxInteractionLabel bounds the label of an interaction, in bytes.
const MaxInteractionLabel = 200

// checkInteractionLabels verifies the labels of p's interactions (length,
// UTF-8); profile.Check verifies the rest. The message names the
// interaction by number, not by its label.
func checkInteractionLabels(p *profile.Profile) error {
	for k, in := range p.Interactions {
		if len(in.Label) > MaxInteractionLabel {
			return Errorf(EINVALID, "profile: interaction %d: label of %d bytes, at most %d", k+1, len(in.Label), MaxInteractionLabel)
		}
		if !utf8.ValidString(in.Label) {
			return Errorf(EINVALID, "profile: interaction %d: label is not valid UTF-8", k+1)
		}
	}
	return nil
}

// sameInteractions reports whether a and b state the same interactions in
// the same order: the same value, side and label, and terms on the same
// points listing the same levels (in any order).
func sameInteractions(a, b []profile.Interaction) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		x, y := &a[k], &b[k]
		if x.Value != y.Value || x.Outside != y.Outside || x.Label != y.Label || !sameTerms(x.Terms, y.Terms) {
			return false
		}
	}
	return true
}

// sameTerms reports whether two lists of terms cover the same points with
// the same levels, whatever their order.
func sameTerms(a, b []profile.Term) bool {
	if len(a) != len(b) {
		return false
	}
	norm := func(ts []profile.Term) []profile.Term {
		out := make([]profile.Term, len(ts))
		for i, t := range ts {
			out[i] = profile.Term{Point: t.Point, Levels: slices.Sorted(slices.Values(t.Levels))}
		}
		slices.SortFunc(out, func(x, y profile.Term) int { return x.Point - y.Point })
		return out
	}
	x, y := norm(a), norm(b)
	for i := range x {
		if x[i].Point != y[i].Point || !slices.Equal(x[i].Levels, y[i].Levels) {
			return false
		}
	}
	return true
}

// redactPrivate returns err with every interaction label and red-line
// reason of sc's profiles taken out of its message (the analysis's
// messages name points and counts; this makes sure that none carries a
// party's private words to the mediator). Errors that are not *Error reach
// no one but the log ("internal error") and pass unchanged.
func redactPrivate(sc *scenario.Scenario, err error) error {
	var e *Error
	if sc == nil || !errors.As(err, &e) || e.Message == "" {
		return err
	}
	msg := e.Message
	for i := range sc.Parties {
		p := sc.Parties[i].Profile
		if p == nil {
			continue
		}
		for _, in := range p.Interactions {
			if in.Label != "" {
				msg = strings.ReplaceAll(msg, in.Label, "[private]")
			}
		}
		for _, rl := range p.RedLines {
			if rl.Reason != "" {
				msg = strings.ReplaceAll(msg, rl.Reason, "[private]")
			}
		}
	}
	if msg == e.Message {
		return err
	}
	return &Error{Code: e.Code, Message: msg, Err: e.Err}
}
