package scenario

import (
	"strings"
	"testing"
)

const briefFile = `parley: 1
name: briefs
points:
  - id: a
    options: [{id: x}, {id: y}]
parties:
  - id: p
    role: principal
    brief: |
      You speak for P.
      Line two: "quoted" # not a comment
    profile: {weights: {a: 1}, scores: {a: {x: 1, y: 0}}}
  - id: q
    role: principal
    profile: {weights: {a: 1}, scores: {a: {x: 0, y: 1}}}
  - id: m
    role: mediator
    brief: Chair the talks.
`

// A party's brief is read, kept through a marshal round trip in both
// formats, and left empty when the file has none.
func TestBriefRoundTrip(t *testing.T) {
	s, err := Parse("b.yaml", []byte(briefFile))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Party("p").Brief, "You speak for P.\nLine two: \"quoted\" # not a comment\n"; got != want {
		t.Fatalf("brief of p = %q, want %q", got, want)
	}
	if s.Party("q").Brief != "" || s.Party("m").Brief != "Chair the talks." {
		t.Fatalf("briefs of q and m: %q, %q", s.Party("q").Brief, s.Party("m").Brief)
	}
	roundTrip(t, s)
}

// Every role of the built-ins that a class seats has a short brief.
func TestBuiltinBriefs(t *testing.T) {
	for _, name := range []string{"miami-2025", "tiny-2p"} {
		s, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range s.Parties {
			if p.Role != Principal && p.Role != Mediator {
				continue
			}
			if n := len(p.Brief); n < 80 || n > 600 {
				t.Errorf("%s: party %s: brief of %d bytes, want a short one (80–600)", name, p.ID, n)
			}
		}
	}
}

// A brief that is not a string or is too long is refused at its position;
// Validate refuses a too-long brief built in code.
func TestBriefErrors(t *testing.T) {
	long := strings.Repeat("x", MaxBrief+1)
	tests := []struct{ name, src, want string }{
		{"too long", strings.Replace(briefFile, "brief: Chair the talks.", "brief: "+long, 1),
			"b.yaml:18:12: brief: 4001 bytes (at most 4000"},
		{"a list", strings.Replace(briefFile, "brief: Chair the talks.", "brief: [a, b]", 1),
			"b.yaml:18:12: brief"},
		{"misspelt", strings.Replace(briefFile, "brief: Chair the talks.", "breif: Chair the talks.", 1),
			"b.yaml:18:5: party \"m\": unknown key \"breif\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("b.yaml", []byte(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
	s, err := Parse("b.yaml", []byte(briefFile))
	if err != nil {
		t.Fatal(err)
	}
	s.Parties[0].Brief = long
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), `party "p": brief of 4001 bytes`) {
		t.Fatalf("Validate: %v", err)
	}
}
