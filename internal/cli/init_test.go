package cli

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestPackageInitIsCheap runs this test binary (which links every package
// the parley command does) with GODEBUG=inittrace=1 and checks that no
// package of the module does expensive work at init: every parley
// invocation pays for it before doing anything (issue 14: the room's dummy
// password hash, an argon2 computation of 19 MiB, cost ~110 ms of every
// command). Time is too noisy on a shared machine to test; the bytes
// allocated are not.
func TestPackageInitIsCheap(t *testing.T) {
	const maxBytes = 64 << 10
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	seen := 0
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		// init github.com/parley-negotiation/parley/room @42 ms, 121 ms clock, 19927032 bytes, 49 allocs
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[0] != "init" || !strings.HasPrefix(f[1], "github.com/parley-negotiation/parley") {
			continue
		}
		seen++
		bytes, err := strconv.Atoi(f[7])
		if err != nil || f[8] != "bytes," {
			t.Fatalf("unexpected inittrace line %q", sc.Text())
		}
		if bytes > maxBytes {
			t.Errorf("package %s allocates %d bytes at init (%s ms clock): make that work lazy", f[1], bytes, f[4])
		}
	}
	if seen == 0 {
		t.Fatalf("no init traced for the module's packages:\n%s", stderr.String())
	}
}
