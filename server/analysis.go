package server

import "net/http"

// The mediator's console: the analysis — heat-map, zone, suggested
// packages — (GET .../analysis) and the dance plot (GET .../dance.svg), as
// far as the negotiation lets the mediator see.

func (s *Server) analysis(r *http.Request, user string) (any, error) {
	return s.svc.Analysis(r.Context(), user, r.PathValue("id"))
}

func (s *Server) dance(r *http.Request, user string) (any, error) {
	q := r.URL.Query()
	b, err := s.svc.DancePlot(r.Context(), user, r.PathValue("id"), q.Get("x"), q.Get("y"))
	return svgFile(b), err
}
