package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Heartbeat is how often an idle event stream sends a comment, so that
// proxies and browsers keep it open.
const Heartbeat = 15 * time.Second

// stream sends the caller's events of a negotiation as server-sent events:
// each message is a JSON array of events with the last one's sequence
// number as its id, so a reconnecting EventSource resumes (Last-Event-ID).
// When the stream falls too far behind it ends; the client reconnects.
func (s *Server) stream(w http.ResponseWriter, r *http.Request) {
	v, err := s.mustViewer(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := after(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sub, err := s.svc.Subscribe(r.Context(), v, r.PathValue("id"), n)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer sub.Cancel()
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 2000\n\n")
	if err := rc.Flush(); err != nil {
		return
	}
	tick := time.NewTicker(Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
		case batch, ok := <-sub.C:
			if !ok {
				return
			}
			b, err := json.Marshal(batch)
			if err != nil {
				return
			}
			if _, err := fmt.Fprintf(w, "id: %d\nevent: events\ndata: %s\n\n", batch[len(batch)-1].Seq, b); err != nil {
				return
			}
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
