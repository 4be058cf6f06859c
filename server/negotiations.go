package server

import (
	"net/http"

	"github.com/parley-negotiation/parley/room"
)

// Negotiations: a mediator creates and lists them (POST and GET
// /api/negotiations; ?archived=1 lists the archived ones), starts the
// session (POST .../start), archives or restores one (POST .../archive),
// deletes one (DELETE .../{id}; ?keep=record keeps its public record and
// signed agreement, room/retention.go) and previews a party's screen (GET
// .../preview/{party}); anyone with a seat reads the negotiation as that
// seat may see it (GET .../{id}).

// NegotiationRequest creates a negotiation.
type NegotiationRequest struct {
	Title    string         `json:"title"`
	Scenario ScenarioSource `json:"scenario"`
	Settings room.Settings  `json:"settings"`
}

func (s *Server) createNegotiation(r *http.Request, user string) (any, error) {
	var req NegotiationRequest
	if err := decode(r, MaxUpload, &req); err != nil {
		return nil, err
	}
	sc, err := req.Scenario.load()
	if err != nil {
		return nil, err
	}
	return s.svc.CreateNegotiation(r.Context(), user, req.Title, sc, req.Settings, "")
}

func (s *Server) listNegotiations(r *http.Request, user string) (any, error) {
	archived, err := archivedQuery(r, "negotiations")
	if err != nil {
		return nil, err
	}
	ns, err := s.svc.NegotiationsOf(r.Context(), user, archived)
	return orEmpty(ns), err
}

// archivedQuery reads a list's ?archived= (1 or true: the archived
// things, what names them; 0, false or absent: the others).
func archivedQuery(r *http.Request, what string) (bool, error) {
	switch a := r.URL.Query().Get("archived"); a {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	default:
		return false, room.Errorf(room.EINVALID, "archived %q: want 1 (the archived %s) or 0 (the others)", a, what)
	}
}

// ArchiveRequest archives a negotiation (Archived absent or true) or
// restores it (false); the body may be empty.
type ArchiveRequest struct {
	Archived *bool `json:"archived,omitempty"`
}

func (s *Server) archiveNegotiation(r *http.Request, user string) (any, error) {
	on, err := archiveWanted(r)
	if err != nil {
		return nil, err
	}
	return s.svc.Archive(r.Context(), user, r.PathValue("id"), on)
}

// archiveWanted reads an ArchiveRequest: whether to archive (an empty
// body archives) or restore.
func archiveWanted(r *http.Request) (bool, error) {
	var req ArchiveRequest
	if r.ContentLength != 0 {
		if err := decode(r, MaxBody, &req); err != nil {
			return false, err
		}
	}
	return req.Archived == nil || *req.Archived, nil
}

// DeleteRequest confirms the deletion of a negotiation: Confirm repeats
// its id.
type DeleteRequest struct {
	Confirm string `json:"confirm"`
}

func (s *Server) deleteNegotiation(r *http.Request, user string) (any, error) {
	var req DeleteRequest
	if err := decode(r, MaxBody, &req); err != nil {
		return nil, err
	}
	keep := false
	switch k := r.URL.Query().Get("keep"); k {
	case "":
	case "record":
		keep = true
	default:
		return nil, room.Errorf(room.EINVALID, "keep %q: want record (keep the public record and the signed agreement) or nothing", k)
	}
	kept, err := s.svc.Purge(r.Context(), user, r.PathValue("id"), req.Confirm, keep)
	if err != nil {
		return nil, err
	}
	if kept != nil {
		return DeleteResponse{Deleted: true, Kept: kept}, nil
	}
	return DeleteResponse{Deleted: true}, nil
}

// DeleteResponse answers a deletion; Kept describes the public record kept
// in its place (DELETE ...?keep=record), which parley export --kept reads.
type DeleteResponse struct {
	Deleted bool             `json:"deleted"`
	Kept    *room.KeptRecord `json:"kept,omitempty"`
}

func (s *Server) preview(r *http.Request, user string) (any, error) {
	return s.svc.Preview(r.Context(), user, r.PathValue("id"), r.PathValue("party"))
}

func (s *Server) view(r *http.Request, v room.Viewer) (any, error) {
	return s.svc.View(r.Context(), v, r.PathValue("id"))
}

func (s *Server) start(r *http.Request, user string) (any, error) {
	return map[string]bool{"started": true}, s.svc.Start(r.Context(), user, r.PathValue("id"))
}
