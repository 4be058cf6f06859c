// Package agreement turns a negotiation into the text the parties sign.
//
// Text builds the agreement document from a session's event log: the title
// and parties of the scenario, a preamble from its description, one article
// per point in framework order carrying the agreed option's clause, the
// decision record (protocol, rule, veto holders, who voted or accepted and
// when, the round and time of the agreement), the ratification record (each
// step of the scenario with its status) and the hash of the log's last event
// as the document's fingerprint. Draft renders one version of the mediator's
// single negotiating text, bracketed points shown as [option A / option B].
// Versions lists every draft of a session and Diff compares two of them.
//
// Markdown, HTML and PrintHTML render a document; DiffMarkdown and DiffHTML
// render a comparison. The model carries JSON tags so that a server can send
// it to a mediator's console or a party's screen as it is.
package agreement

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// Document kinds.
const (
	KindAgreement = "agreement" // the agreed text
	KindDraft     = "draft"     // a version of the single negotiating text
)

// Article statuses.
const (
	Agreed      = "agreed"      // agreed as part of the agreement
	Settled     = "settled"     // a draft reads one way on the point
	Provisional = "provisional" // a draft's point agreed provisionally by every party
	Bracketed   = "bracketed"   // a draft keeps several alternatives
	OpenPoint   = "open"        // no wording: the point is left open
)

// Ratification step statuses.
const (
	StepPending    = "pending"
	StepCompleted  = "completed"
	StepFailed     = "failed"
	StepNotReached = "not-reached" // an earlier step failed
)

// Roles a party has at the signature.
const (
	SignsAsParty     = "party"     // a negotiating principal
	SignsAsGuarantor = "guarantor" // guarantees implementation
	SignsAsWitness   = "witness"   // the mediator
)

// ErrNoAgreement is returned by Text for a log with neither an agreement
// nor a draft of the single negotiating text.
var ErrNoAgreement = errors.New("no agreement")

// Document is an agreement or a draft, ready to render.
type Document struct {
	Kind     string `json:"kind"`
	Scenario string `json:"scenario"`
	Title    string `json:"title"`
	// Notice is the scenario's notice on one line.
	Notice string `json:"notice,omitempty"`
	// Status is the session's status when the document comes from a log
	// (negotiating, no-agreement, pending-ratification, in-force, failed).
	Status string `json:"status,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Version is the single-text version a draft shows (0 when the draft
	// does not come from a log), and for an agreement the version agreed.
	Version int `json:"version,omitempty"`
	// Drafted is when and by whom a draft from a log was put forward.
	Drafted *Moment `json:"drafted,omitempty"`
	Author  string  `json:"author,omitempty"`
	Parties []Party `json:"parties"`
	// Preamble is the scenario's description, one string per paragraph.
	Preamble []string  `json:"preamble,omitempty"`
	Articles []Article `json:"articles"`
	// Open and Bracketed count the articles left open and in brackets.
	Open      int `json:"open,omitempty"`
	Bracketed int `json:"bracketed,omitempty"`
	// Decision and Ratification are the records of a document built from
	// a log (nil for a draft built from a bare text).
	Decision     *Decision `json:"decision,omitempty"`
	Ratification []Step    `json:"ratification,omitempty"`
	// InForce and Failed are when the agreement entered into force or its
	// ratification failed.
	InForce *Moment `json:"in_force,omitempty"`
	Failed  *Moment `json:"failed,omitempty"`
	// Fingerprint is the hash of the last event of the log the document
	// was built from; Events is the number of events.
	Fingerprint string `json:"fingerprint,omitempty"`
	Events      int    `json:"events,omitempty"`
}

// Party is a party as the document names it.
type Party struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
	// Veto is set for the scenario's veto holders.
	Veto bool `json:"veto,omitempty"`
	// Negotiating is set for the parties at the table of the session.
	Negotiating bool `json:"negotiating,omitempty"`
	// Signs is how the party signs: party, guarantor, witness, or "".
	Signs string `json:"signs,omitempty"`
}

// Article is one point of the framework as the document reads it.
type Article struct {
	Number int    `json:"number"`
	Point  string `json:"point"`
	Title  string `json:"title"`
	Status string `json:"status"`
	// Wording is the text of the point when it reads one way.
	Wording *Wording `json:"wording,omitempty"`
	// Alternatives are the bracketed options of a draft's point.
	Alternatives []Wording `json:"alternatives,omitempty"`
}

// Wording is one option of a point and the text it contributes.
type Wording struct {
	// Option is the option's index in the point (its level).
	Option int    `json:"option"`
	ID     string `json:"id"`
	Label  string `json:"label"`
	// Clause is the text, paragraphs separated by a blank line.
	Clause string `json:"clause"`
	// Fallback is set when the option has no clause and the text is its label.
	Fallback bool `json:"fallback,omitempty"`
	// Numeric is set for a level of an integer or real point: the text
	// states the value ("title: value.").
	Numeric bool `json:"numeric,omitempty"`
}

// Paragraphs returns the clause's paragraphs.
func (w Wording) Paragraphs() []string { return strings.Split(w.Clause, "\n\n") }

// ShowLabel reports whether renderers name the option before its text
// (not when the text is the label or states the value).
func (w Wording) ShowLabel() bool { return !w.Fallback && !w.Numeric }

// Moment is when an event of the log happened.
type Moment struct {
	Seq   int       `json:"seq"`
	Round int       `json:"round"`
	Time  time.Time `json:"time"`
}

// Decision is the record of how the agreement was decided.
type Decision struct {
	Protocol string `json:"protocol"`
	Rule     string `json:"rule"`
	Quorum   int    `json:"quorum,omitempty"`
	// Mode is the agreement mode (package or provisional).
	Mode   string   `json:"mode,omitempty"`
	Vetoes []string `json:"vetoes,omitempty"`
	// Negotiating are the parties at the table, in turn order.
	Negotiating []string  `json:"negotiating"`
	Mediator    string    `json:"mediator,omitempty"`
	Format      string    `json:"format,omitempty"`
	Rounds      int       `json:"rounds,omitempty"`
	Opened      time.Time `json:"opened"`
	// Agreed is the agreement event; nil for a draft.
	Agreed *Moment `json:"agreed,omitempty"`
	// Hash is the hash of the agreement event.
	Hash string `json:"hash,omitempty"`
	// Version is the text version or proposal that was agreed (mediated protocols).
	Version int `json:"version,omitempty"`
	// Assents are the moves that made the decision: the offer and its
	// acceptances, or the votes, feedback or bids on what was agreed.
	Assents []Assent `json:"assents,omitempty"`
	// Confidential counts the assents the viewer may not see (TextFor).
	Confidential int `json:"confidential,omitempty"`
	// Left names the parties that left the table before the decision.
	Left []string `json:"left,omitempty"`
}

// Assent is one party's move in the decision.
type Assent struct {
	Party string `json:"party"`
	Name  string `json:"name"`
	// Kind is the move: offer, accept, vote, feedback or bid.
	Kind string `json:"kind"`
	Yes  bool   `json:"yes"`
	// Detail qualifies the move (feedback: better, same or worse).
	Detail string `json:"detail,omitempty"`
	// Public is set when every party at the table could see the move.
	Public bool `json:"public"`
	Moment
}

// Step is one ratification step and what became of it.
type Step struct {
	Number    int    `json:"number"`
	Party     string `json:"party"`
	Name      string `json:"name"`
	Body      string `json:"body"`
	Kind      string `json:"kind"`
	Condition string `json:"condition,omitempty"`
	Status    string `json:"status"`
	// At is the ratify event that completed or failed the step; Voted is
	// when the body voted, when the move says so (engine version 2).
	At    *Moment   `json:"at,omitempty"`
	Voted time.Time `json:"voted,omitzero"`
}

// PartyName returns the name of a party of the document, or its id.
func (d *Document) PartyName(id string) string {
	for _, p := range d.Parties {
		if p.ID == id {
			return p.Name
		}
	}
	return id
}

// Text builds the agreement document from a session's event log. The log
// is replayed against sc first (hash chain, the scenario, every move
// through the engine), so the clauses are those of the scenario the
// session ran; sc may be nil when the log records its scenario. A log without agreement gives the latest draft of the single
// negotiating text (Kind draft), or ErrNoAgreement when there is none.
//
// The decision record lists every assent, including those seen only by
// their author and the mediator: Text is the record of whoever holds the
// whole log. TextFor builds a party's view.
func Text(sc *scenario.Scenario, events []session.Event) (*Document, error) {
	return build(sc, events, "")
}

// TextFor is Text as viewer may see it: assents the viewer may not see
// (e.g. the other parties' votes under proximity talks) are left out of the
// decision record and only counted. An empty viewer sees everything.
func TextFor(sc *scenario.Scenario, events []session.Event, viewer string) (*Document, error) {
	return build(sc, events, viewer)
}

func build(sc *scenario.Scenario, events []session.Event, viewer string) (*Document, error) {
	if sc != nil && sc.Framework == nil {
		return nil, errors.New("agreement: a scenario without framework")
	}
	if len(events) == 0 {
		return nil, errors.New("agreement: empty log")
	}
	s, err := session.Replay(sc, events)
	if err != nil {
		return nil, fmt.Errorf("agreement: %w", err)
	}
	sc = s.Scenario
	cfg, st := s.Config, s.State
	rec := scan(cfg, events)
	var d *Document
	switch {
	case rec.agreed != nil:
		d = newDocument(sc, KindAgreement)
		d.Articles = articles(sc.Framework, session.SettledText(st.Agreement), KindAgreement, nil)
		d.Version = rec.agreedVersion
	case len(rec.versions) > 0:
		v := rec.versions[len(rec.versions)-1]
		d = newDocument(sc, KindDraft)
		d.Articles = articles(sc.Framework, v.Text, KindDraft, st.Provisional)
		d.Version = v.Number
		d.Drafted = &Moment{Seq: v.Seq, Round: v.Round, Time: v.Time}
		d.Author = v.Author
	default:
		why := "the session is still open"
		if st.Status != session.StatusOpen {
			why = "the session ended without one"
		}
		if st.Reason != "" {
			why += " (" + st.Reason + ")"
		}
		return nil, fmt.Errorf("agreement: %w: %s, and the log has no draft of a single negotiating text to show instead", ErrNoAgreement, why)
	}
	d.count()
	d.Status, d.Reason = st.Status, st.Reason
	d.Fingerprint, d.Events = events[len(events)-1].Hash, len(events)
	d.markParties(sc, cfg)
	dec := &Decision{
		Protocol: cfg.Protocol, Rule: sc.Decision.Rule, Quorum: sc.Decision.Quorum,
		Mode: sc.Decision.Agreement, Vetoes: slices.Clone(sc.Decision.Vetoes),
		Negotiating: slices.Clone(cfg.Parties), Mediator: cfg.Mediator, Format: cfg.Format,
		Rounds: cfg.Rounds, Opened: cfg.Start, Left: rec.left,
	}
	if dec.Rule == "" {
		dec.Rule = scenario.Unanimity
	}
	if dec.Mode == "" {
		dec.Mode = scenario.WholePackage
	}
	if rec.agreed != nil {
		dec.Agreed, dec.Hash, dec.Version = rec.agreed, rec.agreedHash, rec.agreedVersion
		for _, a := range rec.assents {
			if viewer != "" && !a.visibleTo(viewer) {
				dec.Confidential++
				continue
			}
			a.Name = d.PartyName(a.Party)
			dec.Assents = append(dec.Assents, a.Assent)
		}
		d.Ratification = rec.steps(sc, d)
		d.InForce, d.Failed = rec.inForce, rec.failed
	}
	d.Decision = dec
	return d, nil
}

// Draft renders one version of the single negotiating text: per point the
// options still open (one: the point reads that way; several: bracketed
// alternatives; none: the point is open). Options are given by index, as
// in session.Move.Text; their order and repetitions do not matter.
func Draft(sc *scenario.Scenario, text session.Text) (*Document, error) {
	if sc == nil || sc.Framework == nil {
		return nil, errors.New("agreement: no scenario")
	}
	pts := sc.Framework.Points
	if len(text) != len(pts) {
		return nil, fmt.Errorf("agreement: the text has %d points, framework %q has %d", len(text), sc.Framework.Name, len(pts))
	}
	for k, alts := range text {
		for _, l := range alts {
			if l < 0 || l >= pts[k].Levels() {
				return nil, fmt.Errorf("agreement: point %q: option %d out of range 0..%d", pts[k].ID, l, pts[k].Levels()-1)
			}
		}
	}
	d := newDocument(sc, KindDraft)
	d.Articles = articles(sc.Framework, text, KindDraft, nil)
	d.count()
	d.markParties(sc, session.Config{})
	return d, nil
}

func newDocument(sc *scenario.Scenario, kind string) *Document {
	d := &Document{Kind: kind, Scenario: sc.Name, Title: sc.Title, Notice: oneLine(sc.Notice)}
	if d.Title == "" {
		d.Title = sc.Name
	}
	d.Preamble = paragraphs(sc.Description)
	for _, p := range sc.Parties {
		name := p.Name
		if name == "" {
			name = p.ID
		}
		d.Parties = append(d.Parties, Party{ID: p.ID, Name: name, Role: string(p.Role), Veto: slices.Contains(sc.Decision.Vetoes, p.ID)})
	}
	return d
}

// markParties says who negotiated and how each party signs. Without a
// session every principal signs.
func (d *Document) markParties(sc *scenario.Scenario, cfg session.Config) {
	for i := range d.Parties {
		p := &d.Parties[i]
		p.Negotiating = slices.Contains(cfg.Parties, p.ID)
		switch {
		case p.Role == string(scenario.Principal) && (p.Negotiating || len(cfg.Parties) == 0):
			p.Signs = SignsAsParty
		case p.Role == string(scenario.Guarantor):
			p.Signs = SignsAsGuarantor
		case p.Role == string(scenario.Mediator) && (cfg.Mediator == p.ID || cfg.Mediator == "" && len(cfg.Parties) == 0):
			p.Signs = SignsAsWitness
		}
	}
}

func (d *Document) count() {
	d.Open, d.Bracketed = 0, 0
	for _, a := range d.Articles {
		switch a.Status {
		case OpenPoint:
			d.Open++
		case Bracketed:
			d.Bracketed++
		}
	}
}

// Signatories returns the parties that sign as sign (party, guarantor, witness).
func (d *Document) Signatories(sign string) []Party {
	var out []Party
	for _, p := range d.Parties {
		if p.Signs == sign {
			out = append(out, p)
		}
	}
	return out
}

// articles builds one article per point of f from a text.
func articles(f *framework.Framework, text session.Text, kind string, provisional framework.Package) []Article {
	out := make([]Article, len(f.Points))
	for k := range f.Points {
		p := &f.Points[k]
		a := Article{Number: k + 1, Point: p.ID, Title: articleTitle(p, k+1)}
		var alts []int
		if k < len(text) {
			alts = normalise(text[k])
		}
		switch {
		case len(alts) == 0:
			a.Status = OpenPoint
		case len(alts) == 1:
			w := wording(p, alts[0])
			a.Wording = &w
			a.Status = Agreed
			if kind == KindDraft {
				a.Status = Settled
				if k < len(provisional) && provisional[k] == alts[0] {
					a.Status = Provisional
				}
			}
		default:
			a.Status = Bracketed
			for _, l := range alts {
				a.Alternatives = append(a.Alternatives, wording(p, l))
			}
		}
		out[k] = a
	}
	return out
}

// normalise returns a sorted copy of alts without repetitions.
func normalise(alts []int) []int {
	out := slices.Clone(alts)
	slices.Sort(out)
	return slices.Compact(out)
}

var (
	leadingNumber = regexp.MustCompile(`^\s*(\d+)[.)]\s+`)
	blankLine     = regexp.MustCompile(`\n[ \t]*\n`)
)

// articleTitle is the point's title without a leading "n. " when n is the
// article's own number (the article heading numbers it already).
func articleTitle(p *framework.Point, n int) string {
	t := strings.TrimSpace(p.Name())
	if m := leadingNumber.FindStringSubmatch(t); m != nil && m[1] == fmt.Sprint(n) {
		if rest := strings.TrimSpace(t[len(m[0]):]); rest != "" {
			return rest
		}
	}
	return oneLine(t)
}

// wording returns the text a level of a point contributes: the option's
// clause, its label when it has none, "title: value" for a numeric point.
func wording(p *framework.Point, l int) Wording {
	w := Wording{Option: l, ID: p.LevelID(l), Label: oneLine(p.LevelName(l))}
	switch {
	case l < 0 || l >= p.Levels():
		w.ID, w.Label = "?", fmt.Sprintf("option %d (not in the framework)", l)
		w.Clause, w.Fallback = w.Label, true
	case p.Kind == framework.Options:
		o := p.Options[l]
		w.Clause = strings.Join(paragraphs(o.Clause), "\n\n")
		if w.Clause == "" {
			w.Clause, w.Fallback = w.Label, true
		}
	default:
		w.Clause, w.Numeric = oneLine(p.Name())+": "+w.Label+".", true
	}
	return w
}

// paragraphs splits text at blank lines and joins the lines of each
// paragraph (scenario files wrap their text).
func paragraphs(s string) []string {
	var out []string
	for _, para := range blankLine.Split(strings.ReplaceAll(s, "\r\n", "\n"), -1) {
		if p := oneLine(para); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// oneLine collapses white space, new lines included.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
