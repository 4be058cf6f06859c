package server

import (
	"net/http"
	"net/url"
	"time"

	"github.com/parley-negotiation/parley/room"
)

// Teaching classes: creating one with its rooms and seats, listing,
// reading and starting them (/api/classes…), and the debrief of their
// outcomes as JSON, CSV and a plot.

// ClassRequest creates a teaching class.
type ClassRequest struct {
	Title    string         `json:"title"`
	Scenario ScenarioSource `json:"scenario"`
	Rooms    int            `json:"rooms"`
	Settings room.Settings  `json:"settings"`
	Deadline time.Time      `json:"deadline,omitempty"`
	Seats    []room.Seat    `json:"seats"`
}

// ClassResponse carries the class and its invitations (shown once).
type ClassResponse struct {
	Class room.Class        `json:"class"`
	Seats []room.IssuedSeat `json:"seats"`
}

func (s *Server) createClass(r *http.Request, user string) (any, error) {
	var req ClassRequest
	if err := decode(r, MaxUpload, &req); err != nil {
		return nil, err
	}
	sc, err := req.Scenario.load()
	if err != nil {
		return nil, err
	}
	c, seats, err := s.svc.CreateClass(r.Context(), user, sc, room.ClassSetup{Title: req.Title, Rooms: req.Rooms, Settings: req.Settings, Deadline: req.Deadline, Seats: req.Seats})
	return ClassResponse{Class: c, Seats: orEmpty(seats)}, err
}

func (s *Server) listClasses(r *http.Request, user string) (any, error) {
	archived, err := archivedQuery(r, "classes")
	if err != nil {
		return nil, err
	}
	cs, err := s.svc.ClassesOf(r.Context(), user, archived)
	return orEmpty(cs), err
}

// archiveClass archives a class with its rooms (ArchiveRequest; an empty
// body archives) or restores it.
func (s *Server) archiveClass(r *http.Request, user string) (any, error) {
	on, err := archiveWanted(r)
	if err != nil {
		return nil, err
	}
	return s.svc.ArchiveClass(r.Context(), user, r.PathValue("id"), on)
}

// deleteClass deletes a class with its rooms; the body's Confirm repeats
// its id (DeleteRequest).
func (s *Server) deleteClass(r *http.Request, user string) (any, error) {
	var req DeleteRequest
	if err := decode(r, MaxBody, &req); err != nil {
		return nil, err
	}
	if err := s.svc.DeleteClass(r.Context(), user, r.PathValue("id"), req.Confirm); err != nil {
		return nil, err
	}
	return map[string]bool{"deleted": true}, nil
}

// CloneRequest names the copy of a class ("": the title with "(copy)").
type CloneRequest struct {
	Title string `json:"title"`
}

// cloneClass creates a class like another (its scenario as created,
// settings, rooms and people) with new invitations (shown once).
func (s *Server) cloneClass(r *http.Request, user string) (any, error) {
	var req CloneRequest
	if r.ContentLength != 0 {
		if err := decode(r, MaxBody, &req); err != nil {
			return nil, err
		}
	}
	c, seats, err := s.svc.CloneClass(r.Context(), user, r.PathValue("id"), req.Title)
	return ClassResponse{Class: c, Seats: orEmpty(seats)}, err
}

func (s *Server) getClass(r *http.Request, user string) (any, error) {
	return s.svc.Class(r.Context(), user, r.PathValue("id"))
}

func (s *Server) startClass(r *http.Request, user string) (any, error) {
	return map[string]bool{"started": true}, s.svc.StartClass(r.Context(), user, r.PathValue("id"))
}

// DebriefResponse is a class's debrief and the stream that tells when a
// room of the class moves (GET /api/classes/{id}/stream).
type DebriefResponse struct {
	*room.Debrief
	Stream string `json:"stream"`
}

func (s *Server) debrief(r *http.Request, user string) (any, error) {
	d, err := s.svc.Debrief(r.Context(), user, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return DebriefResponse{Debrief: d, Stream: "/api/classes/" + url.PathEscape(d.Class.ID) + "/stream"}, nil
}

func (s *Server) debriefCSV(r *http.Request, user string) (any, error) {
	d, err := s.svc.Debrief(r.Context(), user, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return file{contentType: "text/csv; charset=utf-8", name: "debrief-" + d.Class.ID + ".csv", body: d.CSV()}, nil
}

func (s *Server) debriefSVG(r *http.Request, user string) (any, error) {
	q := r.URL.Query()
	b, err := s.svc.DebriefPlot(r.Context(), user, r.PathValue("id"), q.Get("x"), q.Get("y"))
	return svgFile(b), err
}
