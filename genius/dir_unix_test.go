//go:build unix

package genius

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/scenario"
)

// TestLoadDirSkipsFIFOs: a FIFO in the folder does not hang LoadDir (it
// is not opened): skipped with a warning, refused when named.
func TestLoadDirSkipsFIFOs(t *testing.T) {
	dir, _ := harbourCopy(t)
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.xml"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	type result struct {
		s   *scenario.Scenario
		err error
	}
	within := func(profiles []string) result {
		t.Helper()
		c := make(chan result, 1)
		go func() {
			s, err := LoadDir(dir, profiles)
			c <- result{s, err}
		}()
		select {
		case r := <-c:
			return r
		case <-time.After(3 * time.Second):
			t.Fatalf("LoadDir(%v) hangs on a FIFO", profiles)
			return result{}
		}
	}
	r := within(nil)
	if r.err != nil {
		t.Fatal(r.err)
	}
	if len(r.s.Parties) != 2 || !strings.Contains(strings.Join(r.s.Warnings, "\n"), "pipe.xml: skipped: not a regular file") {
		t.Errorf("parties %d, warnings %q; want carrier and port, and pipe.xml skipped", len(r.s.Parties), r.s.Warnings)
	}
	for _, p := range []string{"pipe.xml", "pipe"} {
		r = within([]string{p})
		if r.err == nil || !strings.Contains(r.err.Error(), "not a regular file") {
			t.Errorf("profile %s: error %v, want not a regular file", p, r.err)
		}
	}
}
