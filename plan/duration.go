package plan

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a length of time written with whole numbers of weeks, days,
// hours, minutes and seconds, largest unit first: "60d", "2w", "36h",
// "1d12h", "0d". A day is 24 hours (the plan's clock is UTC).
type Duration time.Duration

// Day and Week as durations.
const (
	Day  = Duration(24 * time.Hour)
	Week = 7 * Day
)

// MaxDuration bounds a plan's durations: 100 years of 366 days.
const MaxDuration = 100 * 366 * Day

// units in the order they must appear.
var units = []struct {
	c byte
	d Duration
}{{'w', Week}, {'d', Day}, {'h', Duration(time.Hour)}, {'m', Duration(time.Minute)}, {'s', Duration(time.Second)}}

// ParseDuration reads a duration: one or more whole numbers, each followed
// by a unit (w, d, h, m or s), units from the largest to the smallest and
// each at most once, at most MaxDuration in all.
func ParseDuration(s string) (Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("empty duration (expected a whole number and a unit: w, d, h, m or s, e.g. 60d, 2w, 36h)")
	}
	d, ok, long := parseDuration(s)
	switch {
	case long:
		return 0, fmt.Errorf("duration %q is longer than %s", s, MaxDuration)
	case !ok:
		return 0, badDuration(s)
	}
	return d, nil
}

// parseDuration is ParseDuration without the messages: ok when s is a
// duration, long when it is one longer than MaxDuration.
func parseDuration(s string) (total Duration, ok, long bool) {
	if s == "" {
		return 0, false, false
	}
	next := 0 // index into units of the largest unit still allowed
	for rest := s; rest != ""; {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) {
			return 0, false, false
		}
		u := -1
		for k := next; k < len(units); k++ {
			if units[k].c == rest[i] {
				u = k
				break
			}
		}
		if u < 0 {
			return 0, false, false
		}
		if i > 12 {
			return 0, false, true
		}
		n, err := strconv.ParseInt(rest[:i], 10, 64)
		if err != nil {
			return 0, false, false
		}
		if n > int64(MaxDuration/units[u].d) {
			return 0, false, true
		}
		total += Duration(n) * units[u].d
		if total > MaxDuration {
			return 0, false, true
		}
		next = u + 1
		rest = rest[i+1:]
	}
	return total, true, false
}

func badDuration(s string) error {
	msg := fmt.Sprintf("%q is not a duration (expected whole numbers with units w, d, h, m or s, largest first, e.g. 60d, 2w, 36h, 1d12h)", s)
	if sg := SuggestDuration(s); sg != "" {
		msg += fmt.Sprintf("; did you mean %q?", sg)
	}
	return fmt.Errorf("%s", msg)
}

// unitWords maps spelled-out units to their letters.
var unitWords = map[string]byte{
	"w": 'w', "wk": 'w', "wks": 'w', "week": 'w', "weeks": 'w',
	"d": 'd', "day": 'd', "days": 'd',
	"h": 'h', "hr": 'h', "hrs": 'h', "hour": 'h', "hours": 'h',
	"m": 'm', "min": 'm', "mins": 'm', "minute": 'm', "minutes": 'm',
	"s": 's', "sec": 's', "secs": 's', "second": 's', "seconds": 's',
}

// SuggestDuration returns the duration the text most likely means, or ""
// when it cannot tell: "60 days" → "60d", "2 Weeks" → "2w", "1.5d" → "1d12h",
// "60" → "60d", "P60D" → "60d".
func SuggestDuration(s string) string {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimPrefix(t, "+")
	t = strings.TrimPrefix(t, "p") // ISO 8601: P60D, PT36H
	t = strings.TrimPrefix(t, "t")
	if t == "" || len(t) > 40 {
		return ""
	}
	// A bare whole number: days.
	if n, err := strconv.ParseUint(t, 10, 32); err == nil {
		if n > uint64(MaxDuration/Day) {
			return ""
		}
		return fmt.Sprintf("%dd", n)
	}
	var total float64          // in seconds
	var direct strings.Builder // the same units, when the numbers are whole
	for rest := t; rest != ""; {
		rest = strings.TrimLeft(rest, " ,")
		if strings.HasPrefix(rest, "and ") {
			rest = rest[4:]
		}
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		if i == 0 {
			return ""
		}
		n, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil {
			return ""
		}
		rest = strings.TrimLeft(rest[i:], " ")
		j := 0
		for j < len(rest) && rest[j] >= 'a' && rest[j] <= 'z' {
			j++
		}
		c, ok := unitWords[rest[:j]]
		if !ok {
			return ""
		}
		for _, u := range units {
			if u.c == c {
				total += n * time.Duration(u.d).Seconds()
			}
		}
		if n == float64(int64(n)) && n < 1e12 {
			direct.WriteString(strconv.FormatInt(int64(n), 10))
			direct.WriteByte(c)
		}
		rest = rest[j:]
	}
	if _, ok, _ := parseDuration(direct.String()); ok && direct.String() != s {
		return direct.String()
	}
	if total <= 0 || total != float64(int64(total)) || total > time.Duration(MaxDuration).Seconds() {
		return ""
	}
	return Duration(time.Duration(total) * time.Second).String()
}

// String writes d in the form ParseDuration reads, in days, hours, minutes
// and seconds ("14d", "1d12h", "0d"); ParseDuration(d.String()) == d for
// every d in [0, MaxDuration] that is a whole number of seconds.
func (d Duration) String() string {
	if d == 0 {
		return "0d"
	}
	if d < 0 {
		return "-" + (-d).String()
	}
	var b strings.Builder
	rest := d
	for _, u := range units[1:] {
		if n := rest / u.d; n > 0 {
			b.WriteString(strconv.FormatInt(int64(n), 10))
			b.WriteByte(u.c)
			rest -= n * u.d
		}
	}
	if rest != 0 {
		// Below a second: not writable; show Go's form.
		if b.Len() > 0 {
			b.WriteByte('+')
		}
		b.WriteString(time.Duration(rest).String())
	}
	return b.String()
}

// Valid reports whether d can be written in the file form: a whole number
// of seconds in [0, MaxDuration].
func (d Duration) Valid() bool {
	return d >= 0 && d <= MaxDuration && d%Duration(time.Second) == 0
}

// MarshalText writes d as String does.
func (d Duration) MarshalText() ([]byte, error) {
	if !d.Valid() {
		return nil, fmt.Errorf("plan: duration %v cannot be written", time.Duration(d))
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads d with ParseDuration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
