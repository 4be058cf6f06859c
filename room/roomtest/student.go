package roomtest

import (
	"slices"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/session"
)

// StudentMove is the move of a scripted single-text student of party
// given the room's view st of its negotiation: it accepts every point of
// the text (a bracketed point's first alternative), and votes and
// ratifies its ready step yes when agree, no otherwise. ok is false when
// the room waits for nothing from it.
func StudentMove(st *room.StateView, party string, agree bool) (m session.Move, ok bool) {
	if st == nil {
		return m, false
	}
	yes := agree
	switch {
	case st.Status == session.StatusOpen && slices.Contains(st.Waiting, party) && st.VoteOpen:
		m = session.Move{Kind: session.KindVote, Yes: &yes}
	case st.Status == session.StatusOpen && slices.Contains(st.Waiting, party):
		m = session.Move{Kind: session.KindRespond}
		for i, alts := range st.Text {
			r := session.PointResponse{Point: i, Stance: session.StanceAccept}
			if len(alts) > 1 {
				r.Option = alts[0]
			}
			m.Responses = append(m.Responses, r)
		}
	case st.Status == session.StatusPending:
		for _, step := range st.Steps {
			if step.Party == party && step.Ready && !step.Done {
				m = session.Move{Kind: session.KindRatify, Ref: step.Step, Yes: &yes}
			}
		}
	}
	return m, m.Kind != ""
}
