package agreement

import (
	"fmt"
	"strings"
	"time"

	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// Phrases the renderers share, so that Markdown and HTML say the same.

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func statusPhrase(status string) string {
	switch status {
	case session.StatusPending:
		return "agreed, pending ratification"
	case session.StatusInForce:
		return "in force"
	case session.StatusFailed:
		return "agreed, ratification failed"
	case session.StatusOpen:
		return "under negotiation"
	case session.StatusNoAgreement:
		return "no agreement"
	}
	return status
}

// protocolPhrase names a protocol by its title and name
// ("single negotiating text (single-text)"); an unknown one by its name.
func protocolPhrase(p string) string {
	if info, ok := session.Info(p); ok {
		return info.Title + " (" + p + ")"
	}
	return p
}

func rulePhrase(d *Decision) string {
	if d.Rule == scenario.Quorum {
		return fmt.Sprintf("a quorum of %d negotiating principals", d.Quorum)
	}
	return "unanimity of the negotiating principals"
}

func modePhrase(mode string) string {
	switch mode {
	case scenario.Provisional:
		return "provisional: a settled point every party accepts is agreed provisionally; the whole text is voted at the end"
	case scenario.WholePackage:
		return "package: nothing is agreed until everything is agreed"
	}
	return mode
}

func assentPhrase(a Assent) string {
	switch a.Kind {
	case session.KindOffer:
		return "offered the package"
	case session.KindAccept:
		return "accepted"
	case session.KindVote:
		if a.Yes {
			return "voted yes"
		}
		return "voted no"
	case session.KindFeedback:
		return "feedback: " + a.Detail
	case session.KindBid:
		if a.Yes {
			return "bid, including the package agreed"
		}
		return "bid, without the package agreed"
	}
	return a.Kind
}

func momentPhrase(m *Moment) string {
	if m == nil {
		return ""
	}
	return fmt.Sprintf("round %d, %s (event %d)", m.Round, fmtTime(m.Time), m.Seq)
}

func stepPhrase(s Step) string {
	voted := " "
	if !s.Voted.IsZero() {
		voted = ": voted " + fmtTime(s.Voted) + ", recorded "
	}
	switch s.Status {
	case StepCompleted:
		return "completed" + voted + fmtTime(s.At.Time) + fmt.Sprintf(" (event %d)", s.At.Seq)
	case StepFailed:
		return "failed" + voted + fmtTime(s.At.Time) + fmt.Sprintf(" (event %d)", s.At.Seq)
	case StepNotReached:
		return "not reached"
	}
	return s.Status
}

func changePhrase(c string) string {
	switch c {
	case SettledNow:
		return "settled"
	case Changed:
		return "changed wording"
	case Reopened:
		return "reopened"
	case Rebracketed:
		return "brackets changed"
	}
	return c
}

func outcomePhrase(o string) string {
	switch o {
	case OutcomeVoteFailed:
		return "put to the vote; the rule was not met"
	case OutcomeAgreed:
		return "agreed"
	case OutcomeRedrafted:
		return "redrafted"
	case OutcomeCurrent:
		return "current"
	}
	return o
}

// letter names the i-th alternative of a bracket: A, B, …, Z, AA, AB, …
func letter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

func (d *Document) names(ids []string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = d.PartyName(id)
	}
	return strings.Join(out, ", ")
}

// kindLine is the document's status in one line.
func (d *Document) kindLine() string {
	if d.Kind == KindDraft {
		s := "DRAFT"
		if d.Version > 0 {
			s += fmt.Sprintf(" — version %d of the single negotiating text", d.Version)
		}
		s += " — not agreed"
		return s
	}
	return "AGREEMENT — " + statusPhrase(d.Status)
}

// closing is the sentence after the preamble.
func (d *Document) closing() string {
	if d.Kind == KindAgreement {
		return "The Parties have agreed as follows."
	}
	s := "This is a draft of the single negotiating text"
	if d.Version > 0 {
		s = fmt.Sprintf("This is version %d of the single negotiating text", d.Version)
		if d.Author != "" && d.Drafted != nil {
			s += fmt.Sprintf(", drafted by %s in round %d (%s)", d.PartyName(d.Author), d.Drafted.Round, fmtTime(d.Drafted.Time))
		}
	}
	s += ". Nothing in it is agreed until the whole text is agreed."
	if d.Bracketed > 0 {
		s += " Bracketed text — [A / B] — marks alternatives still under negotiation."
	}
	return s
}

func (p Party) notes() string {
	var n []string
	if p.Negotiating {
		n = append(n, "at the table")
	}
	if p.Veto {
		n = append(n, "holds a veto")
	}
	switch p.Signs {
	case SignsAsGuarantor:
		n = append(n, "signs as guarantor")
	case SignsAsWitness:
		n = append(n, "mediates; signs as witness")
	}
	return strings.Join(n, "; ")
}

func (d *Document) sessionLine() string {
	dec := d.Decision
	s := protocolPhrase(dec.Protocol)
	if dec.Mediator != "" {
		s += ", mediated by " + d.PartyName(dec.Mediator)
	}
	if dec.Format != "" {
		s += ", format " + dec.Format
	}
	if dec.Rounds > 0 {
		s += fmt.Sprintf(", deadline %d rounds", dec.Rounds)
	}
	return s + "; opened " + fmtTime(dec.Opened)
}

func (d *Document) ruleLine() string {
	s := rulePhrase(d.Decision)
	if len(d.Decision.Vetoes) > 0 {
		s += "; veto: " + d.names(d.Decision.Vetoes)
	}
	return s
}

func (d *Document) agreedLine() string {
	dec := d.Decision
	if dec.Agreed == nil {
		return ""
	}
	s := ""
	if dec.Version > 0 {
		what := "version"
		if dec.Protocol != session.SingleText {
			what = "proposal"
		}
		s = fmt.Sprintf("%s %d, ", what, dec.Version)
	}
	return s + momentPhrase(dec.Agreed)
}

// outcomeLine says what became of the agreement after the decision.
func (d *Document) outcomeLine() string {
	switch {
	case d.InForce != nil:
		return "Entered into force: " + momentPhrase(d.InForce) + "."
	case d.Failed != nil:
		return "Ratification failed: " + momentPhrase(d.Failed) + "."
	case d.Status == session.StatusInForce:
		return "In force since the agreement: it needs no ratification."
	case d.Status == session.StatusPending:
		return "Pending ratification."
	}
	return ""
}

func (d *Document) fingerprintLine() string {
	if d.Fingerprint == "" {
		return ""
	}
	s := fmt.Sprintf("Fingerprint: SHA-256 %s, the hash of event %d of the session log, the last this document includes (parley replay verifies the log).", d.Fingerprint, d.Events)
	if dec := d.Decision; dec != nil && dec.Agreed != nil && dec.Hash == d.Fingerprint {
		s += " The agreement is that event."
	} else if dec != nil && dec.Agreed != nil && dec.Hash != "" {
		s += fmt.Sprintf(" The agreement is event %d, hash %s.", dec.Agreed.Seq, dec.Hash)
	}
	return s
}
