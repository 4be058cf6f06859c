package server_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/server"
)

// get fetches path with the given request headers, without the client's
// transparent decompression.
func (ts *testServer) get(t *testing.T, path string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", ts.http.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := ts.http.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(string(b)))
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	return out
}

// TestUITransport: the page is revalidated on every load and names the
// static files under a hashed prefix; those are immutable, gzipped for a
// client that takes gzip, plain for one that does not, and every module a
// module imports resolves under the same prefix. An unknown prefix is a
// 404. GET API answers are gzipped and never cached; event streams and
// small answers pass plain.
func TestUITransport(t *testing.T) {
	ts := newTestServer(t, server.Config{})
	gz := map[string]string{"Accept-Encoding": "gzip"}
	resp, page := ts.get(t, "/", gz)
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-cache" || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("page: %d, Cache-Control %q, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Cache-Control"), resp.Header.Get("Content-Encoding"))
	}
	page = gunzip(t, page)
	m := regexp.MustCompile(`src="/ui/([0-9a-f]{12})/app\.js"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("the page names no hashed app.js:\n%s", page)
	}
	prefix := "/ui/" + string(m[1]) + "/"
	if strings.Contains(strings.ReplaceAll(string(page), prefix, ""), `"/ui/`) {
		t.Errorf("the page names an unhashed /ui/ file:\n%s", page)
	}
	// Every module reachable from app.js, through relative imports.
	importRe := regexp.MustCompile(`(?:from|import)\s*\(?\s*"(\./[^"]+|\.\./[^"]+)"`)
	seen := map[string]bool{}
	queue := []string{"app.js", "style.css", "favicon.svg"}
	total, totalGz := 0, 0
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		resp, zb := ts.get(t, prefix+p, gz)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", p, resp.StatusCode)
			continue
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", p, cc)
		}
		plainResp, plain := ts.get(t, prefix+p, map[string]string{"Accept-Encoding": "identity"})
		if plainResp.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: encoded %q for a client that takes no gzip", p, plainResp.Header.Get("Content-Encoding"))
		}
		body := zb
		if resp.Header.Get("Content-Encoding") == "gzip" {
			body = gunzip(t, zb)
		} else if len(plain) > 1024 {
			t.Errorf("%s: %d bytes not gzipped", p, len(plain))
		}
		if string(body) != string(plain) {
			t.Errorf("%s: the gzipped and plain bodies differ", p)
		}
		total, totalGz = total+len(plain), totalGz+len(zb)
		if strings.HasSuffix(p, ".js") {
			dir := p[:strings.LastIndex(p, "/")+1]
			for _, im := range importRe.FindAllSubmatch(plain, -1) {
				queue = append(queue, cleanJoin(dir, string(im[1])))
			}
		}
	}
	if len(seen) < 10 {
		t.Errorf("only %d files reached from app.js: %v", len(seen), seen)
	}
	t.Logf("static UI reached from the page: %d files, %d bytes, %d gzipped", len(seen), total, totalGz)
	// Revalidation: the ETag answers 304.
	resp, _ = ts.get(t, prefix+"app.js", gz)
	if r2, _ := ts.get(t, prefix+"app.js", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": resp.Header.Get("ETag")}); r2.StatusCode != 304 {
		t.Errorf("If-None-Match: %d, want 304", r2.StatusCode)
	}
	// The unhashed path still serves, revalidated; an unknown hash is a 404.
	if r, _ := ts.get(t, "/ui/app.js", nil); r.StatusCode != 200 || r.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("/ui/app.js: %d %q", r.StatusCode, r.Header.Get("Cache-Control"))
	}
	if r, _ := ts.get(t, "/ui/0123456789ab/app.js", nil); r.StatusCode != 404 || strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("an unknown hash: %d %q", r.StatusCode, r.Header.Get("Cache-Control"))
	}
	if r, _ := ts.get(t, prefix+"nosuch.js", nil); r.StatusCode != 404 {
		t.Errorf("no such file: %d", r.StatusCode)
	}

	// The API: a negotiation's view (several KB) is gzipped, never cached.
	var n struct{ ID string }
	ts.mustDo("POST", "/api/negotiations", ts.mediator(), `{"scenario":{"builtin":"miami-2025"}}`, 201, &n)
	auth := map[string]string{"Accept-Encoding": "gzip", "Authorization": "Bearer " + ts.login}
	resp, zb := ts.get(t, "/api/negotiations/"+n.ID, auth)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("view: %d, Content-Encoding %q, Cache-Control %q", resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Cache-Control"))
	}
	plain := gunzip(t, zb)
	t.Logf("the Miami view: %d bytes, %d gzipped", len(plain), len(zb))
	if !strings.HasPrefix(string(plain), "{") {
		t.Errorf("view: %.100s", plain)
	}
	// Small answers and errors pass plain; so does the answer of a POST.
	if r, _ := ts.get(t, "/api/health", auth); r.Header.Get("Content-Encoding") != "" {
		t.Errorf("health: Content-Encoding %q", r.Header.Get("Content-Encoding"))
	}
	if r, b := ts.get(t, "/api/negotiations/nosuch", auth); r.StatusCode != 404 || r.Header.Get("Cache-Control") != "no-store" || !strings.Contains(string(b), "error") {
		t.Errorf("a 404: %d %q %s", r.StatusCode, r.Header.Get("Cache-Control"), b)
	}
}

// cleanJoin resolves a relative import against the importing module's folder.
func cleanJoin(dir, rel string) string {
	parts := strings.Split(strings.TrimSuffix(dir, "/"), "/")
	if dir == "" {
		parts = nil
	}
	for _, s := range strings.Split(rel, "/") {
		switch s {
		case ".":
		case "..":
			if len(parts) > 0 {
				parts = parts[:len(parts)-1]
			}
		default:
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "/")
}
