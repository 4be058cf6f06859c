//go:build linux || darwin

package loadtest

import (
	"fmt"
	"syscall"
	"time"
)

// raiseFileLimit makes sure the process may hold need open files, raising
// the soft limit of RLIMIT_NOFILE (and the hard one, which only a
// privileged process may). It returns the limit in force and, when that is
// below need, why it could not be raised.
func raiseFileLimit(need uint64) (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("getrlimit: %w", err)
	}
	if lim.Cur >= need {
		return lim.Cur, nil
	}
	want := lim
	want.Cur = need
	if want.Max < need {
		want.Max = need
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err == nil {
		return need, nil
	}
	// Not privileged: go as far as the hard limit.
	want = lim
	want.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
		return lim.Cur, fmt.Errorf("setrlimit to %d: %w", lim.Max, err)
	}
	return lim.Max, fmt.Errorf("the hard limit is %d and raising it needs privileges", lim.Max)
}

// cpuTime returns the CPU time (user and system) the process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// maxRSSRusage is the peak resident set by getrusage (kilobytes on Linux
// and the BSDs, bytes on macOS), as bytes; a fallback for peakRSS.
func maxRSSRusage() uint64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	if isDarwin {
		return uint64(ru.Maxrss)
	}
	return uint64(ru.Maxrss) * 1024
}
