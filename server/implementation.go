package server

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"github.com/parley-negotiation/parley/agreement"
	"github.com/parley-negotiation/parley/room"
)

// Handlers of what follows the talks: the implementation plan's status,
// the agreement document and the versions of the single text.

func (s *Server) planStatus(r *http.Request, v room.Viewer) (any, error) {
	var at time.Time
	if q := r.URL.Query().Get("at"); q != "" {
		t, err := time.Parse(time.RFC3339Nano, q)
		if err != nil {
			return nil, room.Errorf(room.EINVALID, "at %q: want an RFC 3339 time such as 2026-05-01T12:00:00Z", q)
		}
		at = t
	}
	return s.svc.PlanStatus(r.Context(), v, r.PathValue("id"), at)
}

// intParam reads a query parameter that is a positive number (0 when absent).
func intParam(r *http.Request, name string) (int, error) {
	q := r.URL.Query().Get(name)
	if q == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(q)
	if err != nil || n < 1 {
		return 0, room.Errorf(room.EINVALID, "%s %q: want a version number (1, 2, …)", name, q)
	}
	return n, nil
}

// document returns the agreement document the request asks for.
func (s *Server) document(r *http.Request, v room.Viewer) (*agreement.Document, error) {
	n, err := intParam(r, "version")
	if err != nil {
		return nil, err
	}
	return s.svc.AgreementText(r.Context(), v, r.PathValue("id"), n)
}

func (s *Server) agreementJSON(r *http.Request, v room.Viewer) (any, error) {
	return s.document(r, v)
}

func (s *Server) agreementMarkdown(r *http.Request, v room.Viewer) (any, error) {
	d, err := s.document(r, v)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := agreement.Markdown(&b, d); err != nil {
		return nil, err
	}
	return markdownFile("agreement-"+r.PathValue("id")+".md", b.Bytes()), nil
}

func (s *Server) agreementHTML(r *http.Request, v room.Viewer) (any, error) {
	d, err := s.document(r, v)
	if err != nil {
		return nil, err
	}
	render := agreement.HTML
	if p := r.URL.Query().Get("print"); p == "1" || p == "true" {
		render = agreement.PrintHTML
	}
	var b bytes.Buffer
	if err := render(&b, d); err != nil {
		return nil, err
	}
	return htmlFile(b.Bytes()), nil
}

func (s *Server) textVersions(r *http.Request, v room.Viewer) (any, error) {
	return s.svc.TextVersions(r.Context(), v, r.PathValue("id"))
}

// comparison returns the comparison of two versions the request asks for.
func (s *Server) comparison(r *http.Request, v room.Viewer) (*agreement.Comparison, error) {
	from, err := intParam(r, "from")
	if err != nil {
		return nil, err
	}
	to, err := intParam(r, "to")
	if err != nil {
		return nil, err
	}
	return s.svc.TextDiff(r.Context(), v, r.PathValue("id"), from, to)
}

func (s *Server) diffJSON(r *http.Request, v room.Viewer) (any, error) {
	return s.comparison(r, v)
}

func (s *Server) diffMarkdown(r *http.Request, v room.Viewer) (any, error) {
	c, err := s.comparison(r, v)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := agreement.DiffMarkdown(&b, c); err != nil {
		return nil, err
	}
	return markdownFile("diff-"+r.PathValue("id")+".md", b.Bytes()), nil
}

func (s *Server) diffHTML(r *http.Request, v room.Viewer) (any, error) {
	c, err := s.comparison(r, v)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := agreement.DiffHTML(&b, c); err != nil {
		return nil, err
	}
	return htmlFile(b.Bytes()), nil
}
