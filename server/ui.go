package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed ui
var uiFiles embed.FS

// The UI's static files are served under a prefix naming a hash of the
// whole tree, /ui/<hash>/app.js: the modules import each other by relative
// paths, so every import resolves under the same prefix, and a new build
// has a new prefix. Files under the hashed prefix are immutable for a
// year; the page (index.html, which names the prefix) is revalidated on
// every load (no-cache); the unhashed /ui/<file> paths still work and are
// revalidated too. Each file is gzipped once, at start-up.

const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

// asset is one static file, plain and gzipped.
type asset struct {
	body, gz    []byte
	contentType string
	etag        string
}

// uiAssets is the UI tree loaded at start-up.
type uiAssets struct {
	hash  string            // of the whole tree, 12 hex digits
	files map[string]*asset // by path under ui/, e.g. "protocols/sao.js"
	page  *asset            // index.html with the hashed prefix
}

// minGzip is the size under which compressing does not pay.
const minGzip = 512

func newAsset(name string, body []byte) (*asset, error) {
	a := &asset{body: body, contentType: mime.TypeByExtension(path.Ext(name))}
	if a.contentType == "" {
		a.contentType = http.DetectContentType(body)
	}
	sum := sha256.Sum256(body)
	a.etag = `"` + hex.EncodeToString(sum[:8]) + `"`
	if len(body) >= minGzip && compressible(a.contentType) {
		var buf bytes.Buffer
		zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if err != nil {
			return nil, fmt.Errorf("gzip %s: %w", name, err)
		}
		if _, err := zw.Write(body); err != nil {
			return nil, fmt.Errorf("gzip %s: %w", name, err)
		}
		if err := zw.Close(); err != nil {
			return nil, fmt.Errorf("gzip %s: %w", name, err)
		}
		if buf.Len() < len(body) {
			a.gz = buf.Bytes()
		}
	}
	return a, nil
}

// loadUI reads the UI tree of fsys, hashes it and compresses its files.
func loadUI(fsys fs.FS) (*uiAssets, error) {
	u := &uiAssets{files: map[string]*asset{}}
	h := sha256.New()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		// WalkDir visits in lexical order: the hash is stable.
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(b))
		h.Write(b)
		u.files[p], err = newAsset(p, b)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("ui: %w", err)
	}
	u.hash = hex.EncodeToString(h.Sum(nil))[:12]
	idx, ok := u.files["index.html"]
	if !ok {
		return nil, fmt.Errorf("ui: no index.html")
	}
	page := bytes.ReplaceAll(idx.body, []byte(`"/ui/`), []byte(`"/ui/`+u.hash+`/`))
	if u.page, err = newAsset("index.html", page); err != nil {
		return nil, err
	}
	return u, nil
}

// compressible says whether a content type is worth gzipping.
func compressible(ct string) bool {
	ct, _, _ = strings.Cut(ct, ";")
	ct = strings.TrimSpace(strings.ToLower(ct))
	switch {
	case strings.HasPrefix(ct, "text/event-stream"):
		return false
	case strings.HasPrefix(ct, "text/"), ct == "application/json", ct == "application/javascript", ct == "image/svg+xml":
		return true
	}
	return false
}

// acceptsGzip says whether the request accepts a gzipped answer.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// serve writes a, gzipped when the client takes it, with the cache policy.
func (a *asset) serve(w http.ResponseWriter, r *http.Request, cache string) {
	hd := w.Header()
	hd.Set("Content-Type", a.contentType)
	hd.Set("Cache-Control", cache)
	body, etag := a.body, a.etag
	if a.gz != nil {
		hd.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			body, etag = a.gz, strings.TrimSuffix(a.etag, `"`)+`-gz"`
			hd.Set("Content-Encoding", "gzip")
		}
	}
	hd.Set("ETag", etag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, etag) {
		hd.Del("Content-Type")
		hd.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// mountUI serves the web UI: static files under /ui/<hash>/ (and /ui/),
// and the single page for every screen path.
func (s *Server) mountUI() {
	sub, err := fs.Sub(uiFiles, "ui")
	if err != nil {
		panic(err) // the embedded tree is part of the binary
	}
	u, err := loadUI(sub)
	if err != nil {
		panic(err) // the embedded tree is part of the binary
	}
	s.mux.HandleFunc("GET /ui/", func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(r.URL.Path, "/ui/")
		cache := cacheRevalidate
		if first, rest, ok := strings.Cut(p, "/"); ok && first == u.hash {
			p, cache = rest, cacheImmutable
		}
		a, ok := u.files[p]
		if !ok || p == "index.html" {
			// An old page's hash, or no such file: not found, not cached.
			w.Header().Set("Cache-Control", "no-store")
			http.NotFound(w, r)
			return
		}
		a.serve(w, r, cache)
	})
	page := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
		u.page.serve(w, r, cacheRevalidate)
	}
	for _, p := range []string{"GET /{$}", "GET /join", "GET /login", "GET /n/{id}", "GET /n/{id}/compliance", "GET /classes/{id}", "GET /shuttles/{id}", "GET /new", "GET /account"} {
		s.mux.HandleFunc(p, page)
	}
}
