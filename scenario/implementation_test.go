package scenario

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/plan"
)

// implBase is a scenario whose implementation section starts on line 12.
const implBase = `parley: 1
name: t
points:
  - id: truce
    options: [{id: full}, {id: partial}]
  - id: troops
    integer: {min: 0, max: 10}
parties:
  - {id: north, role: principal}
  - {id: south, role: principal}
implementation:
`

func TestImplementationFixture(t *testing.T) {
	s, err := Load("testdata/implementation.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := s.Plan
	if p == nil || len(p.Verifiers) != 2 || len(p.Phases) != 2 || len(p.Commitments) != 6 {
		t.Fatalf("plan %+v", p)
	}
	want := plan.Commitment{ID: "vote", Point: "truce", Owners: []string{"south"}, Phase: "later", Kind: plan.Once, From: plan.FromAgreement,
		After:    []plan.Precondition{{Commitment: "ceasefire", Held: 60 * plan.Day, Severity: plan.Major}},
		Deadline: &plan.Deadline{Within: 2 * plan.Week}, Verifier: "committee"}
	if got := *p.Commitment("vote"); !reflect.DeepEqual(got, want) {
		t.Errorf("vote: %+v\nwant %+v", got, want)
	}
	pb := p.Commitment("pullback")
	if len(pb.After) != 2 || !pb.After[1].Fulfilled || pb.Deadline == nil || !pb.Deadline.Day || !pb.Deadline.Date.Equal(time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("pullback: %+v %+v", pb, pb.Deadline)
	}
	if cf := p.Commitment("ceasefire"); cf.Text != "No fire across the line.\n" || len(cf.OnViolation) != 2 || cf.OnViolation[0] != (plan.Consequence{Trigger: "snapback", Severity: plan.Grave, Party: "north"}) {
		t.Errorf("ceasefire: %+v", cf)
	}
	roundTrip(t, s)
	// The miami plan, too.
	m, err := Builtin("miami-2025")
	if err != nil {
		t.Fatal(err)
	}
	if m.Plan == nil || m.Plan.Commitment("referendum") == nil || m.Plan.Commitment("referendum").After[0].Held != 60*plan.Day {
		t.Fatal("the Miami scenario has no referendum after 60 days of ceasefire")
	}
	roundTrip(t, m)
}

// TestImplementationErrors: every problem of the section is reported at
// its line and column, with a suggestion where a typo is likely.
func TestImplementationErrors(t *testing.T) {
	for _, tt := range []struct {
		name, section string
		want          []string
	}{
		{"typos", `  verifiers: [{id: mission}]
  commitments:
    - id: cf
      point: truce
      owners: [north]
      kind: continous
      verifier: misson
      dedline: 30d
`, []string{
			`17:13: commitment "cf": kind: expected once or continuous, found string "continous"; did you mean "continuous"?`,
			`18:17: commitment "cf": verifier: no verifier "misson" (verifiers: mission); did you mean "mission"?`,
			`19:7: commitment "cf": unknown key "dedline" (expected id, title, text, point, options, owners, phase, kind, from, after, deadline, verifier, evidence or on_violation); did you mean "deadline"?`,
		}},
		{"durations", `  verifiers: [{id: mission}]
  commitments:
    - id: cf
      point: truce
      owners: [north, south]
      kind: continuous
      verifier: mission
    - id: vote
      point: truce
      owners: [south]
      kind: once
      after: {commitment: cf, held: 60 days}
      deadline: 2 weeks
      verifier: mission
    - id: x
      point: truce
      owners: [south]
      kind: once
      after: {commitment: cf, held: 60}
      deadline: 36hours
      verifier: mission
    - id: y
      point: truce
      owners: [south]
      kind: once
      after: {commitment: cf, held: 0d}
      deadline: 30 June 2026
      verifier: mission
`, []string{
			`23:37: commitment "vote": after: held: "60 days" is not a duration (expected whole numbers with units w, d, h, m or s, largest first, e.g. 60d, 2w, 36h, 1d12h); did you mean "60d"?`,
			`24:17: commitment "vote": deadline: "2 weeks" is not a duration (expected whole numbers with units w, d, h, m or s, largest first, e.g. 60d, 2w, 36h, 1d12h); did you mean "2w"?`,
			`30:37: commitment "x": after: held: expected a duration such as 60d, 2w or 36h, found number 60; did you mean "60d"?`,
			`31:17: commitment "x": deadline: "36hours" is not a duration (expected whole numbers with units w, d, h, m or s, largest first, e.g. 60d, 2w, 36h, 1d12h); did you mean "36h"?`,
			`37:37: commitment "y": after: held: expected a positive duration, found 0d`,
			`38:17: commitment "y": deadline: "30 June 2026" is neither a duration (e.g. 30d, 2w, 36h) nor a date (2026-06-30) or time (2026-06-30T12:00:00Z)`,
		}},
		{"references", `  verifiers: [{id: mission}, {id: north}]
  phases: [{id: one}]
  commitments:
    - id: cf
      point: truse
      options: [ful]
      owners: [nort]
      phase: two
      kind: continuous
      verifier: mission
      deadline: 30d
      after: {commitment: cff, held: 1d}
      on_violation: [{trigger: snap}]
    - id: t
      point: troops
      options: [full]
      owners: [south]
      kind: once
      verifier: mission
    - id: u
      point: truce
      options: [ful, full, full]
      owners: [south, south]
      kind: once
      verifier: mission
      on_violation: [{trigger: u}, {trigger: t, party: north}, {trigger: t, severity: awful}]
      after: [{commitment: u, held: 1d}, {commitment: t, fulfilled: false}, {commitment: t, held: 1d, fulfilled: true}]
`, []string{
			`12:35: verifier "north" has the id of a party`,
			`16:14: commitment "cf": no point "truse" (points: truce, troops); did you mean "truce"?`,
			`18:16: commitment "cf": owners: no party "nort" (parties: north, south); did you mean "north"?`,
			`19:14: commitment "cf": phase: no phase "two" (phases: one)`,
			`22:7: commitment "cf": deadline: a continuous commitment holds from its start and has no deadline`,
			`23:27: commitment "cf": after: no commitment "cff" (commitments: cf, t, u); did you mean "cf"?`,
			`24:32: commitment "cf": on_violation: trigger: no commitment "snap" (commitments: cf, t, u)`,
			`27:7: commitment "t": options: point "troops" is an integer point`,
			`33:17: commitment "u": options: point "truce" has no option "ful" (options: full, partial); did you mean "full"?`,
			`33:28: commitment "u": options: option "full" listed twice`,
			`34:23: commitment "u": owners: party "south" listed twice`,
			`37:32: commitment "u": on_violation: a commitment cannot trigger itself`,
			`37:56: commitment "u": on_violation: party "north" does not own the commitment (owners: south)`,
			`37:87: commitment "u": on_violation: severity: expected minor, major or grave, found string "awful"`,
			`38:28: commitment "u": after: a commitment cannot wait for itself`,
			`38:69: commitment "u": after: fulfilled: expected true, found boolean false`,
			`38:103: commitment "u": after "t": both held and fulfilled given`,
		}},
		{"links", `  verifiers: [{id: mission}]
  commitments:
    - id: a
      point: truce
      owners: [north]
      kind: once
      verifier: mission
      after: {commitment: b, fulfilled: true}
    - id: b
      point: truce
      owners: [north]
      kind: once
      verifier: mission
      after: [{commitment: c, held: 2d}]
    - id: c
      point: truce
      owners: [north]
      kind: once
      verifier: mission
      after: {commitment: a, fulfilled: true}
      on_violation: [{trigger: d}]
    - id: d
      point: truce
      owners: [south]
      kind: once
      verifier: mission
    - id: e
      point: truce
      owners: [south]
      kind: once
      from: triggered
      verifier: mission
`, []string{
			`19:14: commitment "a": after: preconditions form a cycle: a → b → c → a`,
			`25:15: commitment "b": after "c": held applies to continuous commitments, and "c" is once (use fulfilled: true)`,
			`33:7: commitment "d": is triggered by a violation of c, so it is owed from its trigger (expected from: triggered)`,
			`42:7: commitment "e": from: triggered, but no on_violation of another commitment triggers it`,
		}},
		{"shape", `  verifiers: []
  phases: [{id: p}, {id: p}]
  commitments: []
  monitors: x
`, []string{
			`12:14: implementation: verifiers: expected at least one verifier, found an empty list`,
			`13:26: phase "p" is defined twice (first at line 13`,
			`14:16: implementation: commitments: expected at least one commitment, found an empty list`,
			`15:3: implementation: unknown key "monitors"`,
		}},
		{"missing", `  commitments:
    - id: a
      point: truce
    - id: a
      point: truce
      owners: [north]
      kind: once
      verifier: v
    - {point: truce}
`, []string{
			`12:3: implementation: missing key "verifiers"`,
			`13:7: commitment "a": missing key "owners"`,
			`13:7: commitment "a": missing key "kind"`,
			`13:7: commitment "a": missing key "verifier"`,
			`15:11: commitment "a" is defined twice (first at line 13`,
			`20:7: commitment: missing key "id"`,
			`20:7: commitment: missing key "owners"`,
			`20:7: commitment: missing key "kind"`,
			`20:7: commitment: missing key "verifier"`,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(implBase+tt.section))
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %v is not an ErrorList", err)
			}
			lines := strings.Split(err.Error(), "\n")
			for _, w := range tt.want {
				found := false
				for _, l := range lines {
					found = found || strings.HasPrefix(l, "x.yaml:"+w)
				}
				if !found {
					t.Errorf("missing %q in:\n%v", w, err)
				}
			}
			// Every line reported is expected (duplicates of a prefix count once).
			for _, l := range lines {
				ok := false
				for _, w := range tt.want {
					ok = ok || strings.HasPrefix(l, "x.yaml:"+w)
				}
				if !ok {
					t.Errorf("unexpected problem %q", l)
				}
			}
		})
	}
}

// FuzzImplementation puts fuzzed text as the implementation section of a
// fixed scenario: Parse never panics, reports problems at positions, never
// lets Validate find what it missed, and round-trips what it accepts.
//
//	go test ./scenario -run '^$' -fuzz FuzzImplementation -fuzztime 5m -fuzzminimizetime 2s
func FuzzImplementation(f *testing.F) {
	full, err := readSection("testdata/implementation.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(full)
	for _, s := range []string{
		"  verifiers: [{id: v}]\n  commitments: [{id: c, point: truce, owners: [north], kind: once, verifier: v, deadline: 30d}]\n",
		"  verifiers: [{id: v}]\n  commitments:\n    - {id: a, point: truce, owners: [north], kind: continuous, verifier: v, on_violation: [{trigger: b, severity: grave}]}\n    - {id: b, point: troops, owners: [south], kind: once, from: triggered, deadline: 2w, verifier: v, after: {commitment: a, held: 60d}}\n",
		"  verifiers: [{id: v}]\n  commitments: [{id: c, point: truce, owners: [north], kind: once, verifier: v, deadline: \"2026-06-30T12:00:00+02:00\"}]\n",
		"  verifiers: [{id: north}]\n  commitments: [{id: c, point: truce, owners: [north], kind: once, verifier: north, after: {commitment: c, fulfilled: true}}]\n",
		"  verifiers: [{id: v}]\n  commitments: [{id: c, point: truce, options: [full], owners: [north], kind: once, verifier: v, deadline: 60 days}]\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, section string) {
		data := []byte(implBase + section)
		s, err := Parse("fuzz.yaml", data)
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error is not a non-empty ErrorList: %T %v", err, err)
			}
			for _, e := range list {
				if strings.HasPrefix(e.Msg, validateFailed) {
					t.Fatalf("the loader's checks missed a problem: %v", e)
				}
			}
			return
		}
		if s.Plan != nil {
			if err := s.Plan.Validate(s.Framework, []string{"north", "south"}); err != nil {
				t.Fatalf("accepted plan fails Validate: %v", err)
			}
		}
		roundTrip(t, s)
	})
}

// readSection returns a fixture's implementation section with the lines
// of implBase's parties (north, south) in place of the fixture's.
func readSection(path string) (string, error) {
	s, err := Load(path)
	if err != nil {
		return "", err
	}
	out, err := Marshal(s)
	if err != nil {
		return "", err
	}
	_, sec, ok := strings.Cut(string(out), "implementation:\n")
	if !ok {
		return "", fmt.Errorf("%s: no implementation section", path)
	}
	return strings.ReplaceAll(sec, "guarantor", "south"), nil
}
