package server

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

	"github.com/parley-negotiation/parley/agreement"
	"github.com/parley-negotiation/parley/room"
)

// The agreement document (GET .../agreement, .md, .html) and the single
// text's versions (GET .../versions) and their differences (GET .../diff,
// .md, .html).

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

// renderWith returns a function that renders what a handler built (or
// passes on its error) with one of package agreement's renderers.
func renderWith[T any](write func(io.Writer, T) error) func(T, error) ([]byte, error) {
	return func(v T, err error) ([]byte, error) {
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		if err := write(&b, v); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
}

func (s *Server) agreementMarkdown(r *http.Request, v room.Viewer) (any, error) {
	b, err := renderWith(agreement.Markdown)(s.document(r, v))
	return markdownFile("agreement-"+r.PathValue("id")+".md", b), err
}

func (s *Server) agreementHTML(r *http.Request, v room.Viewer) (any, error) {
	write := agreement.HTML
	if p := r.URL.Query().Get("print"); p == "1" || p == "true" {
		write = agreement.PrintHTML
	}
	b, err := renderWith(write)(s.document(r, v))
	return htmlFile(b), err
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
	b, err := renderWith(agreement.DiffMarkdown)(s.comparison(r, v))
	return markdownFile("diff-"+r.PathValue("id")+".md", b), err
}

func (s *Server) diffHTML(r *http.Request, v room.Viewer) (any, error) {
	b, err := renderWith(agreement.DiffHTML)(s.comparison(r, v))
	return htmlFile(b), err
}
