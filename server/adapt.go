package server

import (
	"net/http"
	"strings"

	"github.com/parley-negotiation/parley/room"
)

// file is a non-JSON answer (CSV, SVG).
type file struct {
	contentType string
	name        string // for Content-Disposition; "" to show inline
	body        []byte
}

func svgFile(b []byte) file { return file{contentType: "image/svg+xml", body: b} }

// htmlFile is a self-contained page (inline styles, no script), shown inline.
func htmlFile(b []byte) file { return file{contentType: "text/html; charset=utf-8", body: b} }

// markdownFile is a Markdown document, downloaded as name.
func markdownFile(name string, b []byte) file {
	return file{contentType: "text/markdown; charset=utf-8", name: name, body: b}
}

// orEmpty makes a nil list encode as [] rather than null.
func orEmpty[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// answer writes a handler's result: a file as is, anything else as JSON
// with the status.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, status int, out any, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if f, ok := out.(file); ok {
		w.Header().Set("Content-Type", f.contentType)
		w.Header().Set("Cache-Control", "no-store")
		if f.contentType == "image/svg+xml" || strings.HasPrefix(f.contentType, "text/html") {
			// Images and documents from the server run no script and load nothing.
			w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		}
		if f.name != "" {
			w.Header().Set("Content-Disposition", `attachment; filename="`+f.name+`"`)
		}
		_, _ = w.Write(f.body)
		return
	}
	writeJSON(w, status, out)
}

// asUser adapts a handler for signed-in users (mediators, instructors).
func (s *Server) asUser(status int, h func(r *http.Request, user string) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		user, err := s.mustUser(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out, err := h(r, user)
		s.answer(w, r, status, out, err)
	}
}

// asViewer adapts a handler for anyone with credentials: a user or the
// holder of an invitation.
func (s *Server) asViewer(h func(r *http.Request, v room.Viewer) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := s.mustViewer(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out, err := h(r, v)
		s.answer(w, r, http.StatusOK, out, err)
	}
}
