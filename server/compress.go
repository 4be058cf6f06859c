package server

import (
	"compress/gzip"
	"net/http"
	"strings"
)

// gzipAPI gzips the answers of GET /api/ requests whose body is JSON, SVG,
// CSV, Markdown or HTML and at least minGzip bytes long, when the client
// takes gzip. Event streams, and the answers of other methods (which may
// carry newly issued secrets next to text the request chose), pass as they
// are. Cache headers are the handlers' (no-store for the API).
func gzipAPI(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, "/api/") || !acceptsGzip(r) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Add("Vary", "Accept-Encoding")
		gw := &gzipWriter{ResponseWriter: w}
		defer gw.close()
		next.ServeHTTP(gw, r)
	})
}

// gzipWriter decides at the first write whether to compress: the content
// type must be compressible and the first write at least minGzip bytes
// (handlers write a JSON answer in one piece).
type gzipWriter struct {
	http.ResponseWriter
	status  int
	decided bool
	zw      *gzip.Writer
}

func (g *gzipWriter) WriteHeader(status int) {
	if g.status == 0 {
		g.status = status
	}
	if status < 200 || status == http.StatusNoContent || status == http.StatusNotModified {
		g.decide(nil)
	}
}

func (g *gzipWriter) decide(first []byte) {
	if g.decided {
		return
	}
	g.decided = true
	if g.status == 0 {
		g.status = http.StatusOK
	}
	hd := g.Header()
	if first != nil && len(first) >= minGzip && hd.Get("Content-Encoding") == "" && compressible(hd.Get("Content-Type")) &&
		g.status != http.StatusNoContent && g.status != http.StatusNotModified {
		hd.Del("Content-Length")
		hd.Set("Content-Encoding", "gzip")
		g.zw, _ = gzip.NewWriterLevel(g.ResponseWriter, gzip.DefaultCompression)
	}
	g.ResponseWriter.WriteHeader(g.status)
}

func (g *gzipWriter) Write(p []byte) (int, error) {
	g.decide(p)
	if g.zw != nil {
		return g.zw.Write(p)
	}
	return g.ResponseWriter.Write(p)
}

// Flush flushes the compressor too (event streams are not compressed, but
// a handler may flush).
func (g *gzipWriter) Flush() {
	g.decide(nil)
	if g.zw != nil {
		_ = g.zw.Flush()
	}
	if f, ok := g.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection (deadlines,
// flushing of streams, which pass uncompressed).
func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

func (g *gzipWriter) close() {
	if !g.decided && g.status != 0 {
		g.decide(nil)
	}
	if g.zw != nil {
		_ = g.zw.Close()
	}
}
