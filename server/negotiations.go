package server

import (
	"net/http"

	"github.com/parley-negotiation/parley/room"
)

// Negotiations: a mediator creates and lists them (POST and GET
// /api/negotiations) and starts the session (POST .../start); anyone with
// a seat reads the negotiation as that seat may see it (GET .../{id}).

// NegotiationRequest creates a negotiation.
type NegotiationRequest struct {
	Title    string         `json:"title"`
	Scenario ScenarioSource `json:"scenario"`
	Settings room.Settings  `json:"settings"`
}

func (s *Server) createNegotiation(r *http.Request, user string) (any, error) {
	var req NegotiationRequest
	if err := decode(r, MaxUpload, &req); err != nil {
		return nil, err
	}
	sc, err := req.Scenario.load()
	if err != nil {
		return nil, err
	}
	return s.svc.CreateNegotiation(r.Context(), user, req.Title, sc, req.Settings, "")
}

func (s *Server) listNegotiations(r *http.Request, user string) (any, error) {
	ns, err := s.svc.Negotiations(r.Context(), user)
	return orEmpty(ns), err
}

func (s *Server) view(r *http.Request, v room.Viewer) (any, error) {
	return s.svc.View(r.Context(), v, r.PathValue("id"))
}

func (s *Server) start(r *http.Request, user string) (any, error) {
	return map[string]bool{"started": true}, s.svc.Start(r.Context(), user, r.PathValue("id"))
}
