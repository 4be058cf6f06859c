package plan

import (
	"strings"
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Duration
	}{
		{"60d", 60 * Day},
		{"14d", 14 * Day},
		{"2w", 2 * Week},
		{"36h", Duration(36 * time.Hour)},
		{"1d12h", Day + Duration(12*time.Hour)},
		{"0d", 0},
		{"1w2d3h4m5s", Week + 2*Day + Duration(3*time.Hour+4*time.Minute+5*time.Second)},
		{"007d", 7 * Day},
		{"36600d", MaxDuration},
	} {
		got, err := ParseDuration(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, tt := range []struct{ in, msg string }{
		{"", "empty duration"},
		{"60", `did you mean "60d"?`},
		{"60 days", `did you mean "60d"?`},
		{"60days", `did you mean "60d"?`},
		{"2 Weeks", `did you mean "2w"?`},
		{"36hours", `did you mean "36h"?`},
		{"1.5d", `did you mean "1d12h"?`},
		{"P60D", `did you mean "60d"?`},
		{"60D", `did you mean "60d"?`},
		{"1 week and 2 days", `did you mean "1w2d"?`},
		{"-5d", "is not a duration"},
		{"d", "is not a duration"},
		{"5", `did you mean "5d"?`},
		{"12h1d", "largest first"},
		{"1d1d", "largest first"},
		{"5y", "is not a duration"},
		{"36601d", "longer than"},
		{"99999999999999999999d", "longer than"},
		{"5d ", "is not a duration"},
	} {
		_, err := ParseDuration(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("ParseDuration(%q): %v, want an error containing %q", tt.in, err, tt.msg)
		}
	}
}

func TestDurationString(t *testing.T) {
	for _, tt := range []struct {
		d    Duration
		want string
	}{
		{0, "0d"},
		{2 * Week, "14d"},
		{Duration(36 * time.Hour), "1d12h"},
		{Duration(90 * time.Minute), "1h30m"},
		{Duration(time.Second), "1s"},
	} {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("%v.String() = %q, want %q", time.Duration(tt.d), got, tt.want)
		}
	}
}

func TestParseDeadline(t *testing.T) {
	d, err := ParseDeadline("2026-06-30")
	if err != nil || !d.Day || !d.Date.Equal(time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("date: %+v %v", d, err)
	}
	if due := d.Due(time.Time{}); !due.Equal(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("a date is due by the end of its day, got %v", due)
	}
	d, err = ParseDeadline("2026-06-30T12:00:00+02:00")
	if err != nil || d.Day || !d.Date.Equal(time.Date(2026, 6, 30, 10, 0, 0, 0, time.UTC)) || d.Date.Location() != time.UTC {
		t.Fatalf("time: %+v %v", d, err)
	}
	d, err = ParseDeadline("30d")
	if err != nil || d.Within != 30*Day || !d.Date.IsZero() {
		t.Fatalf("duration: %+v %v", d, err)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if !d.Due(start).Equal(start.AddDate(0, 0, 30)) {
		t.Errorf("30d from %v: %v", start, d.Due(start))
	}
	for _, tt := range []struct{ in, msg string }{
		{"30 days", `did you mean "30d"?`},
		{"June 30", "neither a duration"},
		{"2026-13-01", "neither a duration"},
		{"1850-01-01", "outside the years"},
		{"thirty days", "neither a duration"},
	} {
		if _, err := ParseDeadline(tt.in); err == nil || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("ParseDeadline(%q): %v, want %q", tt.in, err, tt.msg)
		}
	}
	for _, s := range []string{"30d", "1d12h", "2026-06-30", "2026-06-30T10:00:00Z", "2026-06-30T10:00:00.5Z"} {
		d, err := ParseDeadline(s)
		if err != nil || d.String() != s {
			t.Errorf("%q reads back as %q (%v)", s, d.String(), err)
		}
	}
}

// FuzzDuration: ParseDuration never panics; what it accepts is valid,
// writes back to a text it reads as the same value; every suggestion
// parses.
func FuzzDuration(f *testing.F) {
	for _, s := range []string{"60d", "2w", "36h", "1d12h", "0d", "60 days", "1.5d", "P60D", "1w2d3h4m5s", "99999999999d", "-1d", "1e3d", "٣d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err == nil {
			if !d.Valid() {
				t.Fatalf("%q parsed to the invalid %v", s, time.Duration(d))
			}
			back, err := ParseDuration(d.String())
			if err != nil || back != d {
				t.Fatalf("%q → %v → %q → %v, %v", s, time.Duration(d), d.String(), time.Duration(back), err)
			}
		}
		if sg := SuggestDuration(s); sg != "" {
			if _, err := ParseDuration(sg); err != nil {
				t.Fatalf("suggestion %q for %q does not parse: %v", sg, s, err)
			}
		}
		if dl, err := ParseDeadline(s); err == nil {
			back, err := ParseDeadline(dl.String())
			if err != nil || *back != *dl {
				t.Fatalf("deadline %q → %q → %+v, %v", s, dl.String(), back, err)
			}
		}
	})
}
