package server

import (
	"net/http"
	"time"

	"github.com/parley-negotiation/parley/room"
)

// The implementation plan's status after the agreement (GET .../plan).

func (s *Server) planStatus(r *http.Request, v room.Viewer) (any, error) {
	var at time.Time
	if q := r.URL.Query().Get("at"); q != "" {
		t, err := time.Parse(time.RFC3339Nano, q)
		if err != nil {
			return nil, room.Errorf(room.EINVALID, "at %q: want an RFC 3339 time such as 2026-05-01T12:00:00Z", q)
		}
		at = t
	}
	return s.svc.PlanStatus(r.Context(), v, r.PathValue("id"), at)
}
