package loadtest

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
)

const isDarwin = runtime.GOOS == "darwin"

// procStatus returns fields of /proc/self/status in bytes (kB values).
func procStatus(keys ...string) map[string]uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return nil
	}
	out := map[string]uint64{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		for _, want := range keys {
			if k == want {
				f := strings.Fields(v)
				if len(f) > 0 {
					n, _ := strconv.ParseUint(f[0], 10, 64)
					out[k] = n * 1024
				}
			}
		}
	}
	return out
}

// rss returns the resident set size now (0 where unknown).
func rss() uint64 { return procStatus("VmRSS")["VmRSS"] }

// peakRSS returns the peak resident set size of the process.
func peakRSS() uint64 {
	if n := procStatus("VmHWM")["VmHWM"]; n > 0 {
		return n
	}
	return maxRSSRusage()
}

// openFiles counts the process's open file descriptors and, of them, the
// sockets (-1 where unknown).
func openFiles() (all, sockets int) {
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1, -1
	}
	for _, e := range es {
		if l, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && strings.HasPrefix(l, "socket:") {
			sockets++
		}
	}
	return len(es), sockets
}

// Machine describes where the test ran.
type Machine struct {
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	CPU        string `json:"cpu,omitempty"`
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	GoVersion  string `json:"go_version"`
	// LoadBefore and LoadAfter are the 1-minute load averages before the
	// setup and at the end of the window: above the number of CPUs, other
	// processes shared the machine.
	LoadBefore float64 `json:"load_before,omitempty"`
	LoadAfter  float64 `json:"load_after,omitempty"`
}

// loadAvg returns the 1-minute load average (0 where unknown).
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

func machine() Machine {
	m := Machine{OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: runtime.Version(), LoadBefore: loadAvg()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}
