//go:build !linux && !darwin

package loadtest

import (
	"errors"
	"time"
)

func raiseFileLimit(uint64) (uint64, error) {
	return 0, errors.New("this system has no RLIMIT_NOFILE to raise")
}

func cpuTime() time.Duration { return 0 }

func maxRSSRusage() uint64 { return 0 }
