package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/parley-negotiation/parley/server"
)

// eventStart opens every event in a batch: the JSON of session.Event
// begins with its sequence number.
var eventStart = []byte(`{"seq":`)

// lagSample is how often (one batch in lagSample) a subscriber decodes a
// batch to measure how late its events arrive.
const lagSample = 8

// subscribe holds one event stream of s open as who until ctx ends,
// reconnecting (with Last-Event-ID) when the server ends it. ready is
// called once, after the first attempt to connect.
func (r *runner) subscribe(ctx context.Context, s *sess, who cred, ready func(error)) {
	last := s.seq
	first := true
	url := r.c.base + "/api/negotiations/" + s.id + "/stream"
	batches := 0
	for ctx.Err() == nil {
		req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
		if err != nil {
			ready(err)
			return
		}
		req.Header.Set("Accept", "text/event-stream")
		req.Header.Set("Last-Event-ID", strconv.Itoa(last))
		who.apply(req.Header)
		resp, err := r.c.sse.Do(req)
		if err == nil && resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
			resp.Body.Close()
			err = &apiError{status: resp.StatusCode, message: string(bytes.TrimSpace(b))}
		}
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			r.cnt.sseFailures.Add(1)
			r.cnt.fail("subscribe", err)
			if first {
				ready(err)
				first = false
			}
			pause(ctx, 500*time.Millisecond)
			continue
		}
		r.cnt.sseConnects.Add(1)
		if !first {
			r.cnt.sseReconnects.Add(1)
		}
		r.cnt.sseHeld.Add(1)
		if first {
			ready(nil)
			first = false
		}
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 0, 4<<10), 64<<20)
		kind := ""
		for sc.Scan() {
			line := sc.Bytes()
			switch {
			case len(line) == 0:
				kind = ""
			case bytes.HasPrefix(line, []byte("event: ")):
				kind = string(line[7:])
			case bytes.HasPrefix(line, []byte("data: ")) && kind == "end":
				// The server ended the stream: the credential no longer holds.
				var eb server.ErrorBody
				_ = json.Unmarshal(line[6:], &eb)
				r.cnt.fail("stream", &apiError{status: http.StatusOK, code: "end " + eb.Error.Code, message: eb.Error.Message})
			case bytes.HasPrefix(line, []byte("id: ")):
				if n, err := strconv.Atoi(string(line[4:])); err == nil {
					last = n
				}
			case bytes.HasPrefix(line, []byte("data: ")) && !r.cnt.over.Load():
				data := line[6:]
				r.cnt.sseEvents.Add(int64(bytes.Count(data, eventStart)))
				r.cnt.sseBatches.Add(1)
				batches++
				if batches%lagSample == 0 {
					var evs []struct {
						Time time.Time `json:"time"`
					}
					if json.Unmarshal(data, &evs) == nil && len(evs) > 0 {
						r.cnt.sseLag.add(time.Since(evs[len(evs)-1].Time))
					}
				}
			}
		}
		resp.Body.Close()
		r.cnt.sseHeld.Add(-1)
		if ctx.Err() != nil {
			break
		}
		// The server ended the stream: it fell behind (or the server stops).
		r.cnt.sseDrops.Add(1)
		if err := sc.Err(); err != nil {
			r.cnt.fail("stream", err)
		}
	}
	if first {
		ready(ctx.Err())
	}
}
