package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/parley-negotiation/parley/room"
)

// The readiness probe (GET /api/ready): the server can answer because its
// store answers. Like GET /api/health it tells anyone only yes or no; why
// the store does not answer goes to the log.

// readyTimeout bounds the store's answer to the readiness probe.
const readyTimeout = 2 * time.Second

// pinger is a store that can say it is reachable more cheaply than a query.
type pinger interface {
	Ping(ctx context.Context) error
}

// ready answers 200 {"ok":true} when the store answers, 503 {"ok":false}
// otherwise.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if err := s.pingStore(ctx); err != nil {
		s.log.Warn("not ready: the store does not answer", slog.Any("err", err))
		writeJSON(w, http.StatusServiceUnavailable, map[string]bool{"ok": false})
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// pingStore asks the store for a user that does not exist: "not found" is
// an answer, any other error is not.
func (s *Server) pingStore(ctx context.Context) error {
	st := s.svc.Store()
	if p, ok := st.(pinger); ok {
		return p.Ping(ctx)
	}
	_, err := st.User(ctx, "parley-readiness-probe")
	if err == nil || room.ErrorCode(err) == room.ENOTFOUND {
		return nil
	}
	return err
}
