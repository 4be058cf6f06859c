package agreement

import (
	"fmt"
	"slices"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// What became of a version of the single negotiating text.
const (
	OutcomeCurrent    = "current"     // the latest version, still on the table
	OutcomeRedrafted  = "redrafted"   // a later version replaced it
	OutcomeVoteFailed = "vote-failed" // it was put to the vote and the rule was not met
	OutcomeAgreed     = "agreed"      // it was put to the vote and agreed
)

// Version is one draft of the single negotiating text.
type Version struct {
	// Number is the version (1, 2, …; State.Version after the draft).
	Number int       `json:"version"`
	Seq    int       `json:"seq"`
	Round  int       `json:"round"`
	Time   time.Time `json:"time"`
	// Author is the party that drafted it (the mediator).
	Author string `json:"author"`
	// Text gives per point the options still open, as session.Move.Text.
	Text session.Text `json:"text"`
	// Hash is the hash of the draft event.
	Hash    string `json:"hash,omitempty"`
	Outcome string `json:"outcome,omitempty"`
}

// Versions returns every draft of the single negotiating text in the log,
// in order. The log is taken as it is (Text replays it; a caller that has
// not verified it should).
func Versions(sc *scenario.Scenario, events []session.Event) []Version {
	var cfg session.Config
	if len(events) > 0 && events[0].Note != nil && events[0].Note.Config != nil {
		cfg = *events[0].Note.Config
	}
	return scan(cfg, events).versions
}

// Find returns the version numbered n of vs.
func Find(vs []Version, n int) (Version, bool) {
	for _, v := range vs {
		if v.Number == n {
			return v, true
		}
	}
	return Version{}, false
}

// Kinds of change of a point between two versions.
const (
	Unchanged = "unchanged" // the same options
	// SettledNow: the point now reads one way; it was bracketed or open.
	SettledNow = "settled"
	// Changed: the point read one way and now reads another.
	Changed = "changed"
	// Reopened: the point read one way and is now bracketed or open.
	Reopened = "reopened"
	// Rebracketed: the point was bracketed or open and is still, with
	// other alternatives.
	Rebracketed = "bracketed"
)

// PointChange is what became of one point between two versions.
type PointChange struct {
	// Point is the point's index in the framework; Number its article number.
	Point  int    `json:"point"`
	Number int    `json:"number"`
	ID     string `json:"id"`
	Title  string `json:"title"`
	Change string `json:"change"`
	// Old and New are the point's wording in each version (one option:
	// settled; several: bracketed; none: open).
	Old []Wording `json:"old"`
	New []Wording `json:"new"`
	// Added and Removed are the options (indices) in New and not in Old,
	// and in Old and not in New.
	Added   []int `json:"added,omitempty"`
	Removed []int `json:"removed,omitempty"`
}

// Diff compares two versions point by point, in framework order. It
// accepts any texts: points or options the framework does not have are
// shown as such.
func Diff(sc *scenario.Scenario, a, b Version) []PointChange {
	var pts []framework.Point
	if sc != nil && sc.Framework != nil {
		pts = sc.Framework.Points
	}
	n := max(len(pts), len(a.Text), len(b.Text))
	out := make([]PointChange, n)
	for k := range n {
		var p *framework.Point
		if k < len(pts) {
			p = &pts[k]
		} else {
			p = &framework.Point{ID: fmt.Sprintf("point-%d", k+1), Title: fmt.Sprintf("Point %d (not in the framework)", k+1)}
		}
		old, now := at(a.Text, k), at(b.Text, k)
		c := PointChange{Point: k, Number: k + 1, ID: p.ID, Title: articleTitle(p, k+1),
			Old: wordings(p, old), New: wordings(p, now), Change: change(old, now)}
		for _, l := range now {
			if !slices.Contains(old, l) {
				c.Added = append(c.Added, l)
			}
		}
		for _, l := range old {
			if !slices.Contains(now, l) {
				c.Removed = append(c.Removed, l)
			}
		}
		out[k] = c
	}
	return out
}

func at(t session.Text, k int) []int {
	if k < len(t) {
		return normalise(t[k])
	}
	return nil
}

func wordings(p *framework.Point, alts []int) []Wording {
	out := make([]Wording, 0, len(alts))
	for _, l := range alts {
		out = append(out, wording(p, l))
	}
	return out
}

func change(old, now []int) string {
	switch {
	case slices.Equal(old, now):
		return Unchanged
	case len(now) == 1 && len(old) == 1:
		return Changed
	case len(now) == 1:
		return SettledNow
	case len(old) == 1:
		return Reopened
	}
	return Rebracketed
}

// Comparison is two versions and their differences, ready to render.
type Comparison struct {
	Scenario string        `json:"scenario"`
	Title    string        `json:"title"`
	From     Version       `json:"from"`
	To       Version       `json:"to"`
	Changes  []PointChange `json:"changes"`
	// Parties names the parties (id → name) for the renderers.
	Parties map[string]string `json:"parties,omitempty"`
}

// Compare returns the comparison of versions a and b.
func Compare(sc *scenario.Scenario, a, b Version) *Comparison {
	c := &Comparison{From: a, To: b, Changes: Diff(sc, a, b), Parties: map[string]string{}}
	if sc != nil {
		c.Scenario, c.Title = sc.Name, sc.Title
		if c.Title == "" {
			c.Title = sc.Name
		}
		for _, p := range sc.Parties {
			if p.Name != "" {
				c.Parties[p.ID] = p.Name
			}
		}
	}
	return c
}

// Changed returns the changes other than Unchanged.
func (c *Comparison) Changed() []PointChange {
	var out []PointChange
	for _, ch := range c.Changes {
		if ch.Change != Unchanged {
			out = append(out, ch)
		}
	}
	return out
}

// UnchangedNumbers returns the article numbers of the unchanged points.
func (c *Comparison) UnchangedNumbers() []int {
	var out []int
	for _, ch := range c.Changes {
		if ch.Change == Unchanged {
			out = append(out, ch.Number)
		}
	}
	return out
}

func (c *Comparison) partyName(id string) string {
	if n, ok := c.Parties[id]; ok {
		return n
	}
	return id
}
