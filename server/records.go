package server

import (
	"bytes"
	"net/http"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/session"
)

// The viewer's own log, and the server's public keys that prove it.

// logFile is a session log in its file form (JSON lines), downloaded.
func logFile(name string, b []byte) file {
	return file{contentType: "application/x-ndjson", name: name, body: b}
}

// exportLog answers GET /api/negotiations/{id}/log: the viewer's log —
// the events it may see in full, the others as stubs — ending with a
// checkpoint signed by the server (parley verify LOG --pub KEY proves it).
func (s *Server) exportLog(r *http.Request, v room.Viewer) (any, error) {
	id := r.PathValue("id")
	events, cp, err := s.svc.Log(r.Context(), v, id)
	if err != nil {
		return nil, err
	}
	var cps []session.Checkpoint
	if cp != nil {
		cps = append(cps, *cp)
	}
	var b bytes.Buffer
	if err := session.WriteRecord(&b, events, cps); err != nil {
		return nil, err
	}
	return logFile("negotiation-"+id+".jsonl", b.Bytes()), nil
}

// keys answers GET /api/keys: the server's public keys, for anyone.
func (s *Server) keys(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"keys": orEmpty(s.svc.Keys())})
}
