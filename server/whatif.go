package server

import (
	"net/http"

	"github.com/parley-negotiation/parley/room"
)

// WhatIfRequest is the body of POST .../analysis/what-if: the changed
// assumptions, applied in order (at most room.MaxWhatIfChanges).
type WhatIfRequest struct {
	Changes []room.WhatIfChange `json:"changes"`
}

// maxWhatIfBody bounds a what-if request's body (room.MaxWhatIfChanges
// changes of a party, a point and a number fit many times over).
const maxWhatIfBody = 16 << 10

// whatIf answers the mediator's what-if (POST .../analysis/what-if): the
// analysis as if the changes were made, in the shape of GET .../analysis,
// only where the negotiation lets the mediator see the parties' numbers
// (room.Service.WhatIfAs).
func (s *Server) whatIf(r *http.Request, v room.Viewer) (any, error) {
	var req WhatIfRequest
	if err := decode(r, maxWhatIfBody, &req); err != nil {
		return nil, err
	}
	return s.svc.WhatIfAs(r.Context(), v, r.PathValue("id"), req.Changes)
}
