package server_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/server"
)

// harbourUpload is a GENIUS upload of genius/testdata/Harbour.
func harbourUpload(t *testing.T) *server.GeniusUpload {
	t.Helper()
	g := &server.GeniusUpload{Name: "Harbour", Files: map[string]string{}}
	for _, f := range []string{"carrier.xml", "harbour_domain.xml", "port.xml"} {
		b, err := os.ReadFile(filepath.Join("..", "genius", "testdata", "Harbour", f))
		if err != nil {
			t.Fatal(err)
		}
		g.Files[f] = string(b)
	}
	return g
}

// upload posts a negotiation from g within a few seconds (a request that
// hangs is a failure, not a hung test).
func (ts *testServer) upload(t *testing.T, g *server.GeniusUpload) (int, []byte) {
	t.Helper()
	b, err := json.Marshal(server.NegotiationRequest{Scenario: server.ScenarioSource{Genius: g}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", ts.http.URL+"/api/negotiations", strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+ts.login)
	resp, err := ts.http.Client().Do(req)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	defer resp.Body.Close()
	var body json.RawMessage
	_ = json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body
}

// TestGeniusUploadStaysInTheUpload: an upload's file and profile names
// name files of the upload only. Traversal, absolute paths, symbolic
// links, FIFOs and NULs are each a 400 saying what is wrong, the same
// whether the file they point at exists or not, and nothing is loaded.
func TestGeniusUploadStaysInTheUpload(t *testing.T) {
	ts := newTestServer(t, server.Config{AuthBurst: 1000})
	if status, b := ts.upload(t, harbourUpload(t)); status != 201 {
		t.Fatalf("control: a valid upload gives %d %s", status, b)
	}
	// Outside the upload: a valid profile of the domain, a link to it, and
	// a FIFO.
	out := t.TempDir()
	port := harbourUpload(t).Files["port.xml"]
	if err := os.WriteFile(filepath.Join(out, "secret.xml"), []byte(port), 0o644); err != nil {
		t.Fatal(err)
	}
	haveLink := os.Symlink(filepath.Join(out, "secret.xml"), filepath.Join(out, "link.xml")) == nil
	haveFIFO := syscall.Mkfifo(filepath.Join(out, "pipe.xml"), 0o644) == nil
	if haveFIFO {
		// Should the server open the FIFO, the test fails; this releases
		// the handler so that the server can shut down.
		t.Cleanup(func() {
			if f, err := os.OpenFile(filepath.Join(out, "pipe.xml"), os.O_RDWR, 0); err == nil {
				f.Close()
			}
		})
	}
	// up climbs out of any temporary folder the server might use.
	up := strings.Repeat("../", 32)
	rel := func(name string) string { return up + strings.TrimPrefix(filepath.Join(out, name), "/") }

	const badProfile = "want the name of one of the uploaded files"
	const badFile = "want a plain name ending in .xml"
	cases := []struct {
		name     string
		profiles []string
		files    map[string]string
		says     string
		skip     bool
	}{
		{name: "traversal to a profile", profiles: []string{"carrier.xml", rel("secret.xml")}, says: badProfile},
		{name: "traversal to a system file", profiles: []string{up + "etc/passwd"}, says: badProfile},
		{name: "traversal to no file", profiles: []string{up + "etc/no-such-file-here"}, says: badProfile},
		{name: "absolute path", profiles: []string{filepath.Join(out, "secret.xml")}, says: badProfile},
		{name: "absolute system file", profiles: []string{"/etc/passwd"}, says: badProfile},
		{name: "symbolic link", profiles: []string{rel("link.xml")}, says: badProfile, skip: !haveLink},
		{name: "FIFO", profiles: []string{rel("pipe.xml")}, says: badProfile, skip: !haveFIFO},
		{name: "device", profiles: []string{up + "dev/zero"}, says: badProfile},
		{name: "NUL in a profile", profiles: []string{"port.xml\x00"}, says: badProfile},
		{name: "a profile not uploaded", profiles: []string{"nosuch.xml"}, says: badProfile},
		{name: "too many profiles", profiles: make([]string, server.MaxGeniusFiles+1), says: "profiles named"},
		{name: "NUL in a file name", files: map[string]string{"a\x00.xml": port}, says: badFile},
		{name: "folder in a file name", files: map[string]string{"sub/a.xml": port}, says: badFile},
		{name: "backslash in a file name", files: map[string]string{`..\a.xml`: port}, says: badFile},
		{name: "long file name", files: map[string]string{strings.Repeat("a", 300) + ".xml": port}, says: badFile},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.skip {
				t.Skip("not available on this system")
			}
			g := harbourUpload(t)
			g.Profiles = c.profiles
			for k, v := range c.files {
				g.Files[k] = v
			}
			status, b := ts.upload(t, g)
			if status != 400 || errorCode(b) != room.EINVALID || !strings.Contains(errorMessage(b), c.says) {
				t.Errorf("status %d %.300s; want 400 saying %q", status, b, c.says)
			}
			if strings.Contains(string(b), "parley-genius") {
				t.Errorf("the error shows a server path: %s", b)
			}
		})
	}
	// The answer does not tell whether a server file exists.
	said := map[string]string{}
	for _, f := range []string{"etc/passwd", "etc/no-such-file-here"} {
		g := harbourUpload(t)
		g.Profiles = []string{strings.Repeat("../", 6) + f}
		_, b := ts.upload(t, g)
		said[f] = strings.ReplaceAll(errorMessage(b), f, "FILE")
	}
	if said["etc/passwd"] != said["etc/no-such-file-here"] {
		t.Errorf("the answers tell which server files exist: %q", said)
	}
	ns, err := ts.svc.Negotiations(context.Background(), ts.user)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 1 {
		t.Errorf("%d negotiations, want only the control's", len(ns))
	}
}

// folderUpload reads the files of a testdata folder of the genius package.
func folderUpload(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	ents, err := os.ReadDir(filepath.Join("..", "genius", "testdata", dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("..", "genius", "testdata", dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(b)
	}
	return files
}

// zipOf zips files, each under prefix.
func zipOf(t *testing.T, prefix string, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(prefix + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestGeniusUploadFormats: a GENIUS folder as a zip (at its root or in a
// folder, with files to ignore), a GeniusWeb folder (JSON files, or
// zipped) each make a negotiation with the upload's parties; a zip that is
// not one, one of two domains' folders, a bomb, and XML pasted as a
// scenario file are each a 400 saying what to do.
func TestGeniusUploadFormats(t *testing.T) {
	ts := newTestServer(t, server.Config{AuthBurst: 1000})
	harbour := harbourUpload(t).Files
	withJunk := map[string]string{"readme.txt": "notes", ".hidden.xml": "<x/>"}
	for k, v := range harbour {
		withJunk[k] = v
	}
	kiosk := folderUpload(t, filepath.Join("geniusweb", "Kiosk"))
	good := []struct {
		name    string
		g       server.GeniusUpload
		parties int // with the mediator
	}{
		{"GENIUS zip at the root", server.GeniusUpload{Name: "Harbour", Zip: zipOf(t, "", harbour)}, 3},
		{"GENIUS zip of a folder, with other files", server.GeniusUpload{Name: "Harbour", Zip: zipOf(t, "Harbour/", withJunk)}, 3},
		{"GeniusWeb files", server.GeniusUpload{Name: "Kiosk", Files: kiosk}, 3},
		{"GeniusWeb zip", server.GeniusUpload{Name: "Kiosk", Zip: zipOf(t, "Kiosk/", kiosk)}, 3},
	}
	for _, c := range good {
		t.Run(c.name, func(t *testing.T) {
			status, b := ts.upload(t, &c.g)
			if status != 201 {
				t.Fatalf("status %d %.300s", status, b)
			}
			var n struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(b, &n); err != nil || n.ID == "" {
				t.Fatalf("answer %.300s: %v", b, err)
			}
			var v struct {
				Parties []struct {
					ID string `json:"id"`
				} `json:"parties"`
			}
			ts.mustDo("GET", "/api/negotiations/"+n.ID, ts.mediator(), "", 200, &v)
			if len(v.Parties) != c.parties {
				t.Errorf("parties %v, want %d", v.Parties, c.parties)
			}
		})
	}
	// A bomb: one file of zeros, well over the bound once inflated.
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, _ := zw.Create("big.xml")
	zero := make([]byte, 1<<20)
	for range server.MaxGeniusZip>>20 + 2 {
		_, _ = w.Write(zero)
	}
	_ = zw.Close()
	var twoDirs bytes.Buffer
	zw = zip.NewWriter(&twoDirs)
	for _, p := range []string{"a/", "b/"} {
		for name, body := range harbour {
			w, _ := zw.Create(p + name)
			_, _ = io.WriteString(w, body)
		}
	}
	_ = zw.Close()
	bad := []struct {
		name   string
		g      server.GeniusUpload
		status int
		says   string
	}{
		{"not a zip", server.GeniusUpload{Name: "X", Zip: []byte("this is no zip")}, 400, "want a zip archive"},
		{"an empty zip", server.GeniusUpload{Name: "X", Zip: zipOf(t, "", map[string]string{"a.txt": "x"})}, 400, "no .xml or .json file"},
		{"two folders", server.GeniusUpload{Name: "X", Zip: twoDirs.Bytes()}, 400, "want one domain's files"},
		{"files and a zip", server.GeniusUpload{Name: "X", Files: harbour, Zip: zipOf(t, "", harbour)}, 400, "not both"},
		{"a bomb", server.GeniusUpload{Name: "X", Zip: bomb.Bytes()}, 413, "uncompressed"},
		{"a text file", server.GeniusUpload{Name: "X", Files: map[string]string{"a.txt": "x"}}, 400, "ending in .xml (GENIUS) or .json (GeniusWeb)"},
		{"a profile without its domain", server.GeniusUpload{Name: "X", Files: map[string]string{"port.xml": harbour["port.xml"]}}, 400, "domain"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			status, b := ts.upload(t, &c.g)
			if status != c.status || !strings.Contains(errorMessage(b), c.says) {
				t.Errorf("status %d %.300s; want %d saying %q", status, b, c.status, c.says)
			}
		})
	}
	// GENIUS XML pasted as a scenario file.
	status, b, _ := ts.do("POST", "/api/negotiations", ts.mediator(), `{"scenario":{"file":"<negotiation_template>\n\t<utility_space/>","file_name":"x.xml"}}`)
	if status != 400 || !strings.Contains(errorMessage(b), "this is XML") {
		t.Errorf("XML as a scenario file: %d %s", status, b)
	}
}
