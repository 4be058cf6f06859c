package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/parley-negotiation/parley/room"
)

// Seats and invitations: issuing one (POST .../invites), listing the
// seats (GET .../invites), following them live (GET .../invites/stream,
// the owner's readiness board) and revoking one (POST
// .../invites/{invite}/revoke).

// DefaultInviteTTL is how long an invitation lasts unless the request
// says (hours): long enough for talks whose ratification waits for two
// months of ceasefire (Miami's referendum) — a seat's holder must be able
// to come back — and short of a year. A lost link is revoked by
// re-issuing the seat.
const DefaultInviteTTL = 120 * 24 * time.Hour

// InviteRequest invites a person to a seat: a party's, an observer's, or
// (Verifier set, Party empty) one of the plan's verifiers'. The mediator
// issues the seats of the parties and the verifiers and invites public
// observers; a party's delegation invites the observers of its own seat.
type InviteRequest struct {
	Party    string  `json:"party"`
	Person   string  `json:"person"`
	Observer bool    `json:"observer,omitempty"`
	Verifier string  `json:"verifier,omitempty"`
	Hours    float64 `json:"hours,omitempty"` // lifetime (default 7 days)
	// Reissue revokes the seat's active invitation and issues a new one;
	// Reason tells the seat why.
	Reissue bool   `json:"reissue,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// RevokeRequest revokes an invitation; the body may be empty.
type RevokeRequest struct {
	Reason string `json:"reason,omitempty"`
}

// InviteResponse carries the secret token, shown once.
type InviteResponse struct {
	Invite room.Invite `json:"invite"`
	Token  string      `json:"token"`
	// Link is the path that opens the invitation in a browser.
	Link string `json:"link"`
}

// createInvite issues an invitation (201) for the mediator or a party's
// delegation.
func (s *Server) createInvite(w http.ResponseWriter, r *http.Request) {
	v, err := s.mustViewer(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.issueInvite(r, v)
	s.answer(w, r, http.StatusCreated, out, err)
}

func (s *Server) issueInvite(r *http.Request, v room.Viewer) (any, error) {
	var req InviteRequest
	if err := decode(r, MaxBody, &req); err != nil {
		return nil, err
	}
	ttl := DefaultInviteTTL
	if req.Hours != 0 {
		if req.Hours < 0 || req.Hours > room.MaxInviteTTL.Hours() {
			return nil, room.Errorf(room.EINVALID, "hours %v: want more than 0 and at most %v", req.Hours, room.MaxInviteTTL.Hours())
		}
		ttl = time.Duration(req.Hours * float64(time.Hour))
	}
	tok, inv, err := s.svc.Issue(r.Context(), v, r.PathValue("id"), room.SeatRequest{Party: req.Party, Verifier: req.Verifier,
		Observer: req.Observer, Person: req.Person, TTL: ttl, Reissue: req.Reissue, Reason: req.Reason})
	if err != nil {
		return nil, err
	}
	return InviteResponse{Invite: inv, Token: tok, Link: "/join#" + tok}, nil
}

func (s *Server) listInvites(r *http.Request, v room.Viewer) (any, error) {
	return s.svc.Seats(r.Context(), v, r.PathValue("id"))
}

func (s *Server) revokeInvite(r *http.Request, v room.Viewer) (any, error) {
	var req RevokeRequest
	if r.ContentLength != 0 {
		if err := decode(r, MaxBody, &req); err != nil {
			return nil, err
		}
	}
	return s.svc.Revoke(r.Context(), v, r.PathValue("id"), r.PathValue("invite"), req.Reason)
}

// seatsStream answers GET /api/negotiations/{id}/invites/stream: for the
// negotiation's owner, server-sent events whose messages (`event: seats`)
// each carry the seats as GET .../invites answers them — at once, then
// whenever a seat changes (issued, revoked, joined, a profile saved, its
// holder active again). It holds only as long as the owner's sign-in, as
// every stream, and ends (an "end" event) when the negotiation is
// deleted.
func (s *Server) seatsStream(w http.ResponseWriter, r *http.Request) {
	user, err := s.mustUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := r.PathValue("id")
	c, cancel, err := s.svc.WatchSeats(r.Context(), user, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer cancel()
	v := room.Viewer{User: user}
	rc, holds, ok := s.openStream(w, r, v)
	if !ok {
		return
	}
	send := func() bool {
		seats, err := s.svc.Seats(r.Context(), v, id)
		if err != nil {
			if r.Context().Err() == nil {
				s.endStream(w, r, err)
				_ = rc.Flush()
			}
			return false
		}
		b, err := json.Marshal(seats)
		if err != nil {
			return false
		}
		_, err = fmt.Fprintf(w, "event: seats\ndata: %s\n\n", b)
		return err == nil
	}
	if !send() || rc.Flush() != nil {
		return
	}
	pump(s, w, r, rc, holds, c, func(struct{}) bool { return holds(s.fresh) && send() })
}
