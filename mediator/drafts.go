package mediator

import (
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/session"
)

// settle returns the draft that settles every point as p reads.
func settle(p framework.Package) session.Move {
	return session.Move{Kind: session.KindDraft, Text: session.SettledText(p)}
}

// bracket returns the draft that brackets, on every point where they
// differ, the options of the packages, and settles the points where they
// agree.
func bracket(ps ...framework.Package) session.Move {
	return session.Move{Kind: session.KindDraft, Text: session.BracketText(len(ps[0]), ps)}
}
