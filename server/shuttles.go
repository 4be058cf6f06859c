package server

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/parley-negotiation/parley/multideal"
	"github.com/parley-negotiation/parley/room"
)

// Shuttle talks over a multi-deal scenario (/api/shuttles…): creating them
// with one table per thread and their seats, listing, the owner's combined
// view, starting and deleting them, and the stream that tells when a table
// moves. Moves at a table go through /api/negotiations/{id}/….

// ShuttleRequest opens shuttle talks: exactly one of Scenario (a built-in
// multi-deal scenario's name) and YAML (a multi-deal file's text, YAML or
// JSON; FileName names it in errors).
type ShuttleRequest struct {
	Scenario string        `json:"scenario,omitempty"`
	YAML     string        `json:"yaml,omitempty"`
	FileName string        `json:"file_name,omitempty"`
	Title    string        `json:"title"`
	Settings room.Settings `json:"settings"`
	Seats    []room.Seat   `json:"seats"`
}

// ShuttleResponse carries the shuttle and its invitations (shown once).
type ShuttleResponse struct {
	Shuttle room.Shuttle      `json:"shuttle"`
	Seats   []room.IssuedSeat `json:"seats"`
}

// load returns the multi-deal scenario the request names.
func (req *ShuttleRequest) load() (*multideal.Scenario, error) {
	switch {
	case (req.Scenario == "") == (req.YAML == ""):
		return nil, room.Errorf(room.EINVALID, "give exactly one of scenario (a built-in multi-deal scenario: %s) or yaml (a multi-deal file's text)", strings.Join(multideal.BuiltinNames(), ", "))
	case req.Scenario != "":
		md, err := multideal.Builtin(req.Scenario)
		if err != nil {
			return nil, room.Errorf(room.EINVALID, "scenario: %v", err)
		}
		return md, nil
	}
	name := req.FileName
	if name == "" {
		name = "shuttle.yaml"
	}
	md, err := multideal.Parse(filepath.Base(name), []byte(req.YAML))
	if err != nil {
		return nil, room.Errorf(room.EINVALID, "%v", err)
	}
	return md, nil
}

func (s *Server) createShuttle(r *http.Request, user string) (any, error) {
	var req ShuttleRequest
	if err := decode(r, MaxUpload, &req); err != nil {
		return nil, err
	}
	md, err := req.load()
	if err != nil {
		return nil, err
	}
	sh, seats, err := s.svc.CreateShuttle(r.Context(), user, md, room.ShuttleSetup{Title: req.Title, Settings: req.Settings, Seats: req.Seats})
	return ShuttleResponse{Shuttle: sh, Seats: orEmpty(seats)}, err
}

// shuttleScenarios lists the built-in multi-deal scenarios.
// ShuttleScenario is a built-in multi-deal scenario as the shuttle form
// lists it: its name, its center and its edges in table order (public
// facts of the built-in file; no profile).
type ShuttleScenario struct {
	Name   string   `json:"name"`
	Center string   `json:"center"`
	Edges  []string `json:"edges"`
}

func (s *Server) shuttleScenarios(r *http.Request, user string) (any, error) {
	out := []ShuttleScenario{}
	for _, name := range multideal.BuiltinNames() {
		md, err := multideal.Builtin(name)
		if err != nil {
			return nil, fmt.Errorf("built-in multi-deal scenario %s: %w", name, err)
		}
		e := ShuttleScenario{Name: name, Center: md.Center.Name, Edges: []string{}}
		for _, th := range md.Threads {
			e.Edges = append(e.Edges, th.Edge)
		}
		out = append(out, e)
	}
	return out, nil
}

func (s *Server) listShuttles(r *http.Request, user string) (any, error) {
	list, err := s.svc.Shuttles(r.Context(), user)
	return orEmpty(list), err
}

// The routes of one shuttle take any credentials and answer 404 to all but
// the owner: an invitation to one of its tables does not confirm it.

func (s *Server) getShuttle(r *http.Request, v room.Viewer) (any, error) {
	return s.svc.ShuttleView(r.Context(), v.User, r.PathValue("id"))
}

func (s *Server) startShuttle(r *http.Request, v room.Viewer) (any, error) {
	return map[string]bool{"started": true}, s.svc.StartShuttle(r.Context(), v.User, r.PathValue("id"))
}

// deleteShuttle deletes shuttle talks with their tables; the body's
// Confirm repeats their title (or id).
func (s *Server) deleteShuttle(r *http.Request, v room.Viewer) (any, error) {
	var req DeleteRequest
	if err := decode(r, MaxBody, &req); err != nil {
		return nil, err
	}
	if err := s.svc.DeleteShuttle(r.Context(), v.User, r.PathValue("id"), req.Confirm); err != nil {
		return nil, err
	}
	return map[string]bool{"deleted": true}, nil
}

// shuttleStream is one event stream for every table of a shuttle, for its
// owner: "event: changed" with {"negotiation", "seq"} whenever a table
// moves.
func (s *Server) shuttleStream(w http.ResponseWriter, r *http.Request) {
	v, err := s.mustViewer(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.roomsStream(w, r, v.User, "changed", s.svc.SubscribeShuttle)
}
