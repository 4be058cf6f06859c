package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// multidealArgs is a small multi-deal tournament: the built-in
// miami-shuttle and a scenario file, three anl2025 agents and the Planner.
func multidealArgs(t *testing.T, dir string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "multideal", "testdata", "dinners.yml"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "dinners.yml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"multideal", "tournament", "--scenario", "miami-shuttle", "--scenario", path,
		"--agents", "boulware2025,linear2025,conceder2025,planner", "--steps", "50", "--repetitions", "5", "--seed", "3", "--json", "--sessions"}
}

// parleyOutput runs parley ARGS and returns its stdout.
func parleyOutput(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("parley", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("parley %v: %v\n%s", args, err, stderr.String())
	}
	return out
}

var sessionsDone = regexp.MustCompile(`tournament: (\d+)/(\d+) sessions`)

// lastDone is the last progress count in a coordinator's stderr.
func lastDone(stderr string) (done, total int) {
	m := sessionsDone.FindAllStringSubmatch(stderr, -1)
	if len(m) == 0 {
		return 0, -1
	}
	done, _ = strconv.Atoi(m[len(m)-1][1])
	total, _ = strconv.Atoi(m[len(m)-1][2])
	return done, total
}

// TestMultidealTournamentCluster: parley multideal tournament over NATS
// prints exactly the local run's sessions and scores, with workers in its
// process (--listen, --workers 2) and with parley worker processes that
// have none of its files, one of them killed (SIGKILL) mid-batch.
func TestMultidealTournamentCluster(t *testing.T) {
	if _, err := exec.LookPath("parley"); err != nil {
		t.Skip("the parley command is not on PATH (TestMain puts it there)")
	}
	dir := t.TempDir()
	args := multidealArgs(t, dir)
	want := parleyOutput(t, append(args, "-q")...)
	if !bytes.Contains(want, []byte(`"center_utility"`)) {
		t.Fatalf("no sessions in the local output:\n%s", want)
	}

	t.Setenv("PARLEY_NATS_TOKEN", "multideal-cluster-test-secret")
	if got := parleyOutput(t, append(args, "-q", "--listen", "127.0.0.1:0", "--workers", "2")...); !bytes.Equal(got, want) {
		t.Errorf("with 2 workers over NATS the output differs from the local run:\n%s", got)
	}

	if testing.Short() {
		t.Skip("the kill test starts three processes; skipped with -short")
	}
	addr := freeAddr(t)
	var stdout bytes.Buffer
	stderr := &syncBuffer{}
	coord := exec.Command("parley", append(args, "--listen", addr, "--workers", "0", "--ack-wait", "2s", "--progress=20ms")...)
	coord.Stdout, coord.Stderr = &stdout, stderr
	if err := coord.Start(); err != nil {
		t.Fatal(err)
	}
	coordDone := make(chan struct{})
	var coordErr error
	go func() { coordErr = coord.Wait(); close(coordDone) }()
	t.Cleanup(func() {
		select {
		case <-coordDone:
		default:
			_ = coord.Process.Kill()
			<-coordDone
		}
		if t.Failed() {
			t.Logf("--- coordinator:\n%s", tail(stderr.String(), 30))
		}
	})
	waitFor(t, 20*time.Second, "the coordinator's NATS server", func() bool { return bytes.Contains([]byte(stderr.String()), []byte("NATS JetStream on")) })
	// The workers run in folders of their own: the scenario file reaches
	// them through NATS only.
	wdir := func(name string) string {
		d := filepath.Join(dir, name)
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	first := startParleyIn(t, wdir("w1"), "worker 1", "worker", "--nats", "nats://"+addr, "--workers", "1")
	waitFor(t, 30*time.Second, "sessions done by worker 1", func() bool { d, _ := lastDone(stderr.String()); return d >= 3 })
	first.kill()
	killedAt, total := lastDone(stderr.String())
	t.Logf("killed worker 1 with %d of %d sessions done", killedAt, total)
	startParleyIn(t, wdir("w2"), "worker 2", "worker", "--nats", "nats://"+addr, "--workers", "2")
	select {
	case <-coordDone:
		if coordErr != nil {
			t.Fatalf("coordinator: %v", coordErr)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the coordinator did not finish within 2 minutes of the kill")
	}
	if killedAt >= total {
		t.Fatal("the batch was over before the kill; make it longer")
	}
	if got := stdout.Bytes(); !bytes.Equal(got, want) {
		t.Errorf("with a worker killed mid-batch the output differs from the local run:\n%s", got)
	}
}
