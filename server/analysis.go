package server

import (
	"net/http"

	"github.com/parley-negotiation/parley/room"
)

// The mediator's console: the analysis — heat-map, zone, suggested
// packages — (GET .../analysis) and the dance plot (GET .../dance.svg), as
// far as the negotiation lets the mediator see.

// analysis and dance answer the owner and the holder of the mediator's
// seat (a class's student mediator): room.Service.AnalysisAs.
func (s *Server) analysis(r *http.Request, v room.Viewer) (any, error) {
	return s.svc.AnalysisAs(r.Context(), v, r.PathValue("id"))
}

func (s *Server) dance(r *http.Request, v room.Viewer) (any, error) {
	q := r.URL.Query()
	b, err := s.svc.DancePlotAs(r.Context(), v, r.PathValue("id"), q.Get("x"), q.Get("y"))
	return svgFile(b), err
}
