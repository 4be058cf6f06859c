package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// Decision is who assented to an agreement and who was outvoted, from the
// engine's agreement record: the names, or only their numbers when the
// votes were private (a quorum whose votes the table did not see).
type Decision struct {
	Assented []string `json:"assented,omitempty"`
	Outvoted []string `json:"outvoted,omitempty"`
	// AssentedCount and OutvotedCount count the negotiating principals
	// that assented and that did not.
	AssentedCount int `json:"assented_count"`
	OutvotedCount int `json:"outvoted_count"`
	// Private: the record gives the numbers only.
	Private bool `json:"private,omitempty"`
}

// decisionOf reads the decision from a session's agreement record; nil
// without an agreement, or for a log whose record names nobody (written
// before engine version 2).
func decisionOf(s *session.Session) *Decision {
	note := agreementNote(s.Events())
	if note == nil {
		return nil
	}
	// The principals at the table when they agreed (Session.agree).
	var principals []string
	for _, id := range s.Config.Parties {
		if p := s.Scenario.Party(id); p != nil && p.Role == scenario.Principal && !s.State.Left[id] {
			principals = append(principals, id)
		}
	}
	switch {
	case note.Parties != nil:
		d := &Decision{Assented: note.Parties, AssentedCount: len(note.Parties)}
		for _, id := range principals {
			if !slices.Contains(note.Parties, id) {
				d.Outvoted = append(d.Outvoted, id)
			}
		}
		d.OutvotedCount = len(d.Outvoted)
		return d
	case note.Count > 0:
		return &Decision{AssentedCount: note.Count, OutvotedCount: max(len(principals)-note.Count, 0), Private: true}
	}
	return nil
}

// printDecision writes who assented and who was outvoted.
func printDecision(w io.Writer, d *Decision) {
	if d == nil {
		return
	}
	if d.Private {
		fmt.Fprintf(w, "Assented: %d of %d principals (the votes were private)\n", d.AssentedCount, d.AssentedCount+d.OutvotedCount)
		fmt.Fprintf(w, "Outvoted: %d\n", d.OutvotedCount)
		return
	}
	fmt.Fprintf(w, "Assented: %s\n", clean(strings.Join(d.Assented, ", ")))
	if len(d.Outvoted) == 0 {
		fmt.Fprintln(w, "Outvoted: none")
	} else {
		fmt.Fprintf(w, "Outvoted: %s\n", clean(strings.Join(d.Outvoted, ", ")))
	}
}

// roundsTo is where parley run prints the rounds as they happen: stderr
// with --progress, nowhere with --json or -q, else stdout.
func roundsTo(e *env, fl *runFlags) io.Writer {
	switch {
	case fl.progress:
		return e.stderr
	case fl.json || fl.quiet:
		return nil
	}
	return e.stdout
}
