package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/room/roomtest"
	"github.com/parley-negotiation/parley/room/sqlstore"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// TestCrashSQLite kills `parley serve` with SIGKILL again and again while a
// mediator and three parties make moves, restarts it, and checks that every
// acknowledged move is in the stored log and that the log replays to the
// state the server shows.
func TestCrashSQLite(t *testing.T) {
	crashTest(t, filepath.Join(t.TempDir(), "crash.db"))
}

// TestCrashPostgres is the same against PostgreSQL ($PARLEY_TEST_POSTGRES).
func TestCrashPostgres(t *testing.T) {
	crashTest(t, roomtest.PostgresDSN(t))
}

// ack is an acknowledged move.
type ack struct {
	seq   int
	party string
	kind  string
	text  string
}

type serveProc struct {
	cmd  *exec.Cmd
	done chan struct{}
}

func startServe(t *testing.T, dsn, addr string, out io.Writer) *serveProc {
	t.Helper()
	cmd := exec.Command("parley", "serve", "--db", dsn, "--addr", addr, "--password", "crash-test-pw")
	cmd.Stdout, cmd.Stderr = out, io.Discard
	// Run in a folder of the test's: with PostgreSQL the server's signing
	// key is made in the current folder.
	cmd.Dir = t.TempDir()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProc{cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); close(p.done) }()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + addr + "/api/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		select {
		case <-p.done:
			t.Fatalf("parley serve exited during start-up")
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("parley serve did not come up on %s", addr)
	return nil
}

func (p *serveProc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// syncBuffer is a goroutine-safe output buffer.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

var (
	openedRe = regexp.MustCompile(`/n/([A-Za-z0-9_-]+) `)
	inviteRe = regexp.MustCompile(`invitation for (\w+):\s+\S+/join#(\S+)`)
)

func crashTest(t *testing.T, dsn string) {
	if _, err := exec.LookPath("parley"); err != nil {
		t.Skip("the parley command is not on PATH (TestMain puts it there)")
	}
	addr := freeAddr(t)
	base := "http://" + addr
	var out syncBuffer
	proc := startServe(t, dsn, addr, &out)
	defer func() { proc.kill() }()
	// The output arrives through a pipe: wait for the whole banner.
	for i := 0; i < 500 && !strings.Contains(out.String(), "Parley is serving"); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	m := openedRe.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no demo negotiation in the output:\n%s", out.String())
	}
	neg := m[1]
	creds := map[string]string{}
	for _, im := range inviteRe.FindAllStringSubmatch(out.String(), -1) {
		creds[im[1]] = "invite " + im[2]
	}
	if len(creds) != 3 {
		t.Fatalf("want three invitations in the output:\n%s", out.String())
	}
	c := &client{base: base, http: &http.Client{Timeout: 5 * time.Second}}
	var login struct{ Token string }
	if code, err := c.call("", "POST", "/api/login", `{"name":"mediator","password":"crash-test-pw"}`, &login); err != nil || code != 200 {
		t.Fatalf("login: %d %v", code, err)
	}
	creds["us"] = "bearer " + login.Token
	if code, err := c.call(creds["us"], "POST", "/api/negotiations/"+neg+"/start", "", nil); err != nil || code != 200 {
		t.Fatalf("start: %d %v", code, err)
	}

	var mu sync.Mutex
	var acks []ack
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, who := range []string{"us", "russia", "ukraine", "europe"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				mv, kind, text := c.nextMove(creds[who], neg, who, n)
				var res struct{ Seq int }
				code, err := c.call(creds[who], "POST", "/api/negotiations/"+neg+"/moves", mv, &res)
				if err != nil {
					time.Sleep(10 * time.Millisecond) // the server is down: not acknowledged
					continue
				}
				if code == 200 {
					mu.Lock()
					acks = append(acks, ack{seq: res.Seq, party: who, kind: kind, text: text})
					mu.Unlock()
				}
			}
		}()
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	kills := 6
	for k := 0; k < kills; k++ {
		time.Sleep(time.Duration(150+rnd.IntN(400)) * time.Millisecond)
		proc.kill()
		proc = startServe(t, dsn, addr, io.Discard)
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	var view struct {
		Seq   int
		State struct {
			Status  string
			Round   int
			Version int
		}
	}
	if code, err := c.call(creds["us"], "GET", "/api/negotiations/"+neg, "", &view); err != nil || code != 200 {
		t.Fatalf("view after the last restart: %d %v", code, err)
	}
	proc.kill()

	st, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	events, err := st.Events(context.Background(), neg)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, a := range acks {
		kinds[a.kind]++
		if a.seq < 1 || a.seq > len(events) {
			t.Fatalf("acknowledged %s by %s (seq %d) is not in the stored log of %d events", a.kind, a.party, a.seq, len(events))
		}
		e := events[a.seq-1]
		if e.Party != a.party || e.Kind != a.kind || (a.text != "" && (e.Move == nil || e.Move.Message != a.text)) {
			t.Fatalf("acknowledged %s by %s %q at seq %d, the log has %s by %s", a.kind, a.party, a.text, a.seq, e.Kind, e.Party)
		}
	}
	if kinds["message"] < 20 || kinds["draft"] < 2 || kinds["respond"] < 3 {
		t.Fatalf("too little happened to test anything: %v", kinds)
	}
	n, err := st.Negotiation(context.Background(), neg)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse("stored.json", n.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	s, err := session.Replay(sc, events)
	if err != nil {
		t.Fatalf("the stored log does not replay: %v", err)
	}
	if s.Len() != view.Seq || s.State.Status != view.State.Status || s.State.Round != view.State.Round || s.State.Version != view.State.Version {
		t.Fatalf("replay gives %d events, %s, round %d, version %d; the server showed %d, %s, round %d, version %d",
			s.Len(), s.State.Status, s.State.Round, s.State.Version, view.Seq, view.State.Status, view.State.Round, view.State.Version)
	}
	t.Logf("%d kills; %d acknowledged moves (%v), all in the log of %d events; replay equals state", kills, len(acks), kinds, len(events))
}

type client struct {
	base string
	http *http.Client
}

// call makes an API request; err is set only when no answer came back.
func (c *client) call(cred, method, path, body string, out any) (int, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if kind, tok, ok := strings.Cut(cred, " "); ok {
		if kind == "bearer" {
			req.Header.Set("Authorization", "Bearer "+tok)
		} else {
			req.Header.Set("X-Parley-Invite", tok)
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if out != nil && resp.StatusCode == 200 {
		if err := json.Unmarshal(b, out); err != nil {
			return 0, err
		}
	}
	return resp.StatusCode, nil
}

// nextMove picks a move for who: a protocol move when it is due (the
// mediator drafts when no reply is awaited; a party responds when awaited),
// otherwise a message with a unique text.
func (c *client) nextMove(cred, neg, who string, n int) (body, kind, text string) {
	if n%3 == 0 {
		var v struct {
			State struct {
				Waiting []string
				Version int
				Text    [][]int
			}
		}
		if code, err := c.call(cred, "GET", "/api/negotiations/"+neg, "", &v); err == nil && code == 200 {
			waiting := strings.Join(v.State.Waiting, ",")
			switch {
			case who == "us" && waiting == "":
				text := make([][]int, 20)
				for i := range text {
					text[i] = []int{0, 1}
				}
				text[n%20] = []int{n % 2}
				b, _ := json.Marshal(text)
				return `{"kind":"draft","text":` + string(b) + `}`, "draft", ""
			case who != "us" && strings.Contains(waiting, who) && len(v.State.Text) > 0:
				return fmt.Sprintf(`{"kind":"respond","responses":[{"point":%d,"stance":"accept","option":%d}]}`, n%20, v.State.Text[n%20][0]), "respond", ""
			}
		} else if err != nil && !errors.Is(err, io.EOF) {
			time.Sleep(10 * time.Millisecond)
		}
	}
	text = fmt.Sprintf("%s says %d", who, n)
	to := `["us"]`
	if who == "us" {
		to = `["russia","ukraine","europe"]`
	}
	return `{"kind":"message","message":"` + text + `","to":` + to + `}`, "message", text
}
