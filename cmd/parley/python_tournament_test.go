package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/internal/cli"
)

// TestPythonAgentTournament: the dependency-free Python example agent
// (examples/python) plays a full tournament against the built-in agents
// through `parley tournament`, over the parley-agent/1 protocol.
func TestPythonAgentTournament(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed (.ci/run installs Debian's)")
	}
	addr := freeAddr(t)
	port := addr[strings.LastIndex(addr, ":")+1:]
	cmd := exec.Command(py, "../../examples/python/parley_agent.py", "--port", port)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if ok, err := httpGet("http://" + addr + "/"); err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the Python agent did not come up")
		}
		time.Sleep(50 * time.Millisecond)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "t.yaml")
	os.WriteFile(cfg, []byte(`name: python against the built-ins
agents:
  - boulware
  - conceder
  - hard-headed
  - name: python
    url: http://`+addr+`
scenarios: [tiny-2p]
protocol: sao
deadline: {rounds: 100}
scoring: zero
repetitions: 2
time_budget: 5s
seed: 1
`), 0o644)
	out := filepath.Join(dir, "out")
	var stdout, stderr strings.Builder
	if code := cli.Main([]string{"tournament", cfg, "-o", out, "--workers", "2", "-q"}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("parley tournament: exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	f, err := os.Open(filepath.Join(out, "results.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n, withPython := 0, 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r map[string]any
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		n++
		line := sc.Text()
		if strings.Contains(line, `"python"`) {
			withPython++
			if st, _ := r["status"].(string); st == "error" || st == "agent-error" || st == "timeout" {
				t.Fatalf("a negotiation with the Python agent failed: %s", line)
			}
		}
	}
	// 4 agents on 2 roles: 4·3 = 12 assignments, 6 with python, × 2 repetitions.
	if n != 24 || withPython != 12 {
		t.Fatalf("%d results, %d with the Python agent; want 24 and 12", n, withPython)
	}
}

// httpGet reports whether url answers 200.
func httpGet(url string) (bool, error) {
	resp, err := http.Get(url)
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	return resp.StatusCode == 200, nil
}
