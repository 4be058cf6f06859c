package server

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/session"
)

// What happens at the table: a seat's moves (POST .../moves), the events
// it may see (GET .../events) and their live stream (GET .../stream,
// server-sent events).

// MoveResponse acknowledges a stored move.
type MoveResponse struct {
	Seq int `json:"seq"`
}

func (s *Server) move(r *http.Request, v room.Viewer) (any, error) {
	var m session.Move
	if err := decode(r, MaxBody, &m); err != nil {
		return nil, err
	}
	seq, err := s.svc.Submit(r.Context(), v, r.PathValue("id"), m)
	return MoveResponse{Seq: seq}, err
}

// after reads the "after" query parameter (or Last-Event-ID): a sequence number.
func after(r *http.Request) (int, error) {
	// A reconnecting event stream sends Last-Event-ID: it is later than
	// the position the stream was first opened at.
	a := r.Header.Get("Last-Event-ID")
	if a == "" {
		a = r.URL.Query().Get("after")
	}
	if a == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(a)
	if err != nil || n < 0 {
		return 0, room.Errorf(room.EINVALID, "after %q: want a sequence number", a)
	}
	return n, nil
}

func (s *Server) events(r *http.Request, v room.Viewer) (any, error) {
	n, err := after(r)
	if err != nil {
		return nil, err
	}
	return s.svc.Events(r.Context(), v, r.PathValue("id"), n)
}

// Heartbeat is how often an idle event stream sends a comment, so that
// proxies and browsers keep it open.
const Heartbeat = 15 * time.Second

// DefaultStreamRecheck is how often an idle event stream checks its
// credentials again (Config.StreamRecheck).
const DefaultStreamRecheck = 5 * time.Second

// StreamFresh is how long a stream trusts its last successful check of
// its credentials before a delivery: a busy stream checks at most this
// often (each check reads the store), so a revoked or logged-out
// credential may receive at most this much more.
const StreamFresh = time.Second

// stream sends the caller's events of a negotiation as server-sent events:
// each message is a JSON array of events with the last one's sequence
// number as its id, so a reconnecting EventSource resumes (Last-Event-ID).
// When the stream falls too far behind it ends; the client reconnects.
//
// The stream holds only as long as its credentials: they are resolved
// again, as every request resolves them, before a delivery (when the last
// check is older than StreamFresh) and every Config.StreamRecheck. Once the login is logged out or expires, or the
// invitation expires or is revoked, the stream sends a last "end" event
// whose data is the error (as the API's error bodies) and ends.
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
	rc, holds, ok := s.openStream(w, r, v)
	if !ok {
		return
	}
	pump(s, w, r, rc, holds, sub.C, func(batch []session.Event) bool {
		// Take what else is waiting, then check once for all.
		batches := [][]session.Event{batch}
	more:
		for len(batches) < room.SubscriptionBuffer {
			select {
			case b, ok := <-sub.C:
				if !ok {
					break more
				}
				batches = append(batches, b)
			default:
				break more
			}
		}
		if !holds(s.fresh) {
			return false
		}
		for _, batch := range batches {
			b, err := json.Marshal(batch)
			if err != nil {
				return false
			}
			if _, err := fmt.Fprintf(w, "id: %d\nevent: events\ndata: %s\n\n", batch[len(batch)-1].Seq, b); err != nil {
				return false
			}
		}
		return true
	})
}

// openStream starts an event stream's answer for viewer v and returns its
// flusher and the check of its credentials: holds(fresh) resolves them
// again as every request does (unless the last success is younger than
// fresh) and, when they no longer give v, sends the final "end" event and
// reports false.
func (s *Server) openStream(w http.ResponseWriter, r *http.Request, v room.Viewer) (*http.ResponseController, func(fresh time.Duration) bool, bool) {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 2000\n\n")
	if err := rc.Flush(); err != nil {
		return nil, nil, false
	}
	var checked time.Time
	holds := func(fresh time.Duration) bool {
		if fresh > 0 && time.Since(checked) < fresh {
			return true
		}
		now, err := s.resolve(r)
		if err == nil && now == v {
			checked = time.Now()
			return true
		}
		if r.Context().Err() != nil {
			return false
		}
		if err == nil {
			err = room.Errorf(room.EUNAUTHORIZED, "your access to this negotiation changed; open it again")
		}
		s.endStream(w, r, err)
		_ = rc.Flush()
		return false
	}
	return rc, holds, true
}

// classStream answers GET /api/classes/{id}/stream: for the class's owner,
// one event stream that says when a room of the class has new events —
// each message `event: events` with data {"negotiation","seq"} — so that
// the instructor's monitor follows every room on one connection. It holds
// only as long as the owner's sign-in, as every stream.
func (s *Server) classStream(w http.ResponseWriter, r *http.Request) {
	user, err := s.mustUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.roomsStream(w, r, user, "events", s.svc.SubscribeClass)
}

// roomsStream streams, to the owner user of a class or of shuttle talks
// (subscribe: Service.SubscribeClass or SubscribeShuttle), one message
// `event: NAME` with data {"negotiation","seq"} whenever one of its rooms
// moves, as long as the owner's sign-in holds.
func (s *Server) roomsStream(w http.ResponseWriter, r *http.Request, user, name string, subscribe func(context.Context, string, string) (*room.ClassSubscription, error)) {
	sub, err := subscribe(r.Context(), user, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer sub.Cancel()
	rc, holds, ok := s.openStream(w, r, room.Viewer{User: user})
	if !ok {
		return
	}
	pump(s, w, r, rc, holds, sub.C, func(note room.ClassNote) bool {
		if !holds(s.fresh) {
			return false
		}
		b, err := json.Marshal(note)
		if err != nil {
			return false
		}
		_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", name, b)
		return err == nil
	})
}

// pump runs an open stream until it ends: a heartbeat when idle, the
// periodic check of its credentials (holds), and deliver for every value
// received on c (deliver writes it, after holding its credentials, and
// reports whether the stream goes on). It ends when the client leaves, the
// server shuts down, c is closed or the credentials no longer hold.
func pump[T any](s *Server, w http.ResponseWriter, r *http.Request, rc *http.ResponseController, holds func(time.Duration) bool, c <-chan T, deliver func(T) bool) {
	beat := time.NewTicker(Heartbeat)
	defer beat.Stop()
	recheck := time.NewTicker(s.recheck)
	defer recheck.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case <-recheck.C:
			if !holds(0) {
				return
			}
			continue
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
		case v, ok := <-c:
			if !ok || !deliver(v) {
				return
			}
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}

// endStream writes the final "end" event of a stream: err as an error
// body. Internal details go to the log only.
func (s *Server) endStream(w http.ResponseWriter, r *http.Request, err error) {
	var body ErrorBody
	body.Error.Code = room.ErrorCode(err)
	body.Error.Message = room.ErrorMessage(err)
	if body.Error.Code == room.EINTERNAL || statusOf[body.Error.Code] == 0 {
		s.log.Error("event stream ended", slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	b, merr := json.Marshal(body)
	if merr != nil {
		return
	}
	fmt.Fprintf(w, "event: end\ndata: %s\n\n", b)
}
