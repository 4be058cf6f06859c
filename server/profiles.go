package server

import (
	"net/http"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/room"
)

// A party's own profile (GET and PUT .../profile) and the packages it
// rates with it (POST .../evaluate).

// EvaluateRequest asks for a package's utility under one's own profile.
type EvaluateRequest struct {
	Package framework.Package `json:"package"`
}

func (s *Server) getProfile(r *http.Request, v room.Viewer) (any, error) {
	out, err := s.svc.View(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if out.Profile == nil {
		return nil, room.Errorf(room.EFORBIDDEN, "only a party has a profile of its own here")
	}
	return out.Profile, nil
}

func (s *Server) putProfile(r *http.Request, v room.Viewer) (any, error) {
	var p profile.Profile
	if err := decode(r, MaxBody, &p); err != nil {
		return nil, err
	}
	return map[string]bool{"ok": true}, s.svc.SetProfile(r.Context(), v, r.PathValue("id"), &p)
}

func (s *Server) evaluate(r *http.Request, v room.Viewer) (any, error) {
	var req EvaluateRequest
	if err := decode(r, MaxBody, &req); err != nil {
		return nil, err
	}
	return s.svc.Evaluate(r.Context(), v, r.PathValue("id"), req.Package)
}
