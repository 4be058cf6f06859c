package server

import (
	"net/http"

	"github.com/parley-negotiation/parley/session"
)

// protocols answers GET /api/protocols: every session protocol with its
// facts (session.ProtocolInfos: name, title, description, whether it is
// mediated or turn-based, whether a mediator is optional, whether it needs
// a deadline, its moves and who makes them), sorted by name. It is public
// and takes no credentials: the rules of a protocol are no one's secret,
// and the web UI offers and explains protocols from them.
func (s *Server) protocols(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, session.ProtocolInfos())
}
