package server

import (
	"net/http"

	"github.com/parley-negotiation/parley/room"
)

// The server's own state: whether it is up (GET /api/health, for anyone)
// and its operational counts (GET /api/stats, for its operators).

// health says that the server is up, and nothing more: operational
// counts are behind authentication (GET /api/stats).
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// Stats are the server's operational counts, for its operators.
type Stats struct {
	// Subscribers is the number of open event streams.
	Subscribers int `json:"subscribers"`
}

func operatorSet(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// stats answers the operational counts to an operator (Config.Operators);
// other users get 403, anyone else 401.
func (s *Server) stats(r *http.Request, user string) (any, error) {
	u, err := s.svc.Store().User(r.Context(), user)
	if err != nil {
		return nil, err
	}
	if !s.operators[u.Name] {
		return nil, room.Errorf(room.EFORBIDDEN, "the server's statistics are for its operators")
	}
	return Stats{Subscribers: s.svc.Subscribers()}, nil
}
