package server

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed ui
var uiFiles embed.FS

// mountUI serves the web UI: static files under /ui/ and the single page
// for every screen path.
func (s *Server) mountUI() {
	sub, err := fs.Sub(uiFiles, "ui")
	if err != nil {
		panic(err) // the embedded tree is part of the binary
	}
	static := http.StripPrefix("/ui/", http.FileServerFS(sub))
	s.mux.Handle("GET /ui/", static)
	page := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
		w.Header().Set("Cache-Control", "no-store")
		http.ServeFileFS(w, r, sub, "index.html")
	}
	for _, p := range []string{"GET /{$}", "GET /join", "GET /login", "GET /n/{id}", "GET /n/{id}/compliance", "GET /classes/{id}", "GET /new"} {
		s.mux.HandleFunc(p, page)
	}
}
