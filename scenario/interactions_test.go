package scenario

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// TestInteractionsModel checks the interactions of testdata/interactions.yaml
// load as the terms they say: options by id, integer and real ranges as
// their levels, unless as Outside.
func TestInteractionsModel(t *testing.T) {
	s, err := Load("testdata/interactions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ua := s.Party("ukraine").Profile
	price := &s.Framework.Points[5]
	// price 12..20 on 31 steps over [10, 40]: levels 2..10.
	want := []profile.Interaction{
		{Terms: []profile.Term{{Point: 0, Levels: []int{0}}, {Point: 1, Levels: []int{0}}}, Value: 0.08, Label: "Article-5-like guarantees are worth more with a frozen line"},
		{Terms: []profile.Term{{Point: 4, Levels: seq(0, 100)}, {Point: 0, Levels: []int{1, 2}}}, Value: -0.1, Label: "A small army without a binding guarantee"},
		{Terms: []profile.Term{{Point: 5, Levels: seq(price.NearestLevel(12), price.NearestLevel(20))}}, Value: -0.02, Outside: true},
		{Terms: []profile.Term{{Point: 4, Levels: []int{200, 300}}, {Point: 5, Levels: []int{30}}}, Value: 0.01},
	}
	if got := ua.Interactions[2].Terms[0].Levels; len(got) != 9 || got[0] != 2 {
		t.Errorf("price range levels %v, want 2..10", got)
	}
	if !reflect.DeepEqual(ua.Interactions, want) {
		t.Errorf("interactions\n got %+v\nwant %+v", ua.Interactions, want)
	}
	ru := s.Party("russia").Profile
	if len(ru.Interactions) != 1 || ru.Interactions[0].Value != -1.5 {
		t.Errorf("russia interactions %+v (a value beyond 1 is fine with weights_total: any)", ru.Interactions)
	}
	// The values reach the utility: article-5 with freeze-line adds 0.08.
	tb, err := ua.Compile(s.Framework)
	if err != nil {
		t.Fatal(err)
	}
	pkg := framework.Package{0, 0, 2, 1, 250, price.NearestLevel(15)}
	plain := *ua
	plain.Interactions = nil
	tp, err := plain.Compile(s.Framework)
	if err != nil {
		t.Fatal(err)
	}
	if d := tb.Utility(pkg) - tp.Utility(pkg); d < 0.0799 || d > 0.0801 {
		t.Errorf("interaction adds %v, want 0.08", d)
	}
}

func seq(lo, hi int) []int {
	var out []int
	for l := lo; l <= hi; l++ {
		out = append(out, l)
	}
	return out
}

// TestInteractionsMarshal checks how interactions are written: unless for
// Outside, a range for three or more consecutive levels of a numeric
// point, a list otherwise, and that the file reads back equal.
func TestInteractionsMarshal(t *testing.T) {
	s, err := Load("testdata/interactions.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out, err := Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"      interactions:\n        - when: {guarantees: article-5, territory: freeze-line}\n          value: 0.08\n          label: Article-5-like guarantees are worth more with a frozen line\n",
		"        - when: {army: {from: 600, to: 700}, guarantees: [political, none]}\n          value: -0.1\n",
		"        - unless: {price: {from: 12, to: 20}}\n          value: -0.02\n",
		"        - when: {army: [800, 900], price: 40}\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks\n%s\nin\n%s", want, out)
		}
	}
	roundTrip(t, s)

	// Two consecutive levels stay a list; levels out of order stay a list.
	s.Party("ukraine").Profile.Interactions = []profile.Interaction{
		{Terms: []profile.Term{{Point: 4, Levels: []int{3, 4}}}, Value: 0.1},
		{Terms: []profile.Term{{Point: 4, Levels: []int{7, 5, 6}}}, Value: 0.1, Outside: true},
	}
	out, err = Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "- when: {army: [603, 604]}") || !strings.Contains(string(out), "- unless: {army: [607, 605, 606]}") {
		t.Errorf("lists not kept:\n%s", out)
	}
	roundTrip(t, s)

	// A value beyond 1 needs weights_total: any, which Marshal then writes.
	s.Party("ukraine").Profile.Interactions[0].Value = 1.25
	out, err = Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "weights_total: any") {
		t.Errorf("no weights_total: any for an interaction worth 1.25:\n%s", out)
	}
	roundTrip(t, s)

	// An interaction without terms is refused, not written.
	s.Party("ukraine").Profile.Interactions[0].Terms = nil
	if _, err := Marshal(s); err == nil {
		t.Error("Marshal wrote an interaction without terms")
	}
}

// TestInteractionErrorsAtTheirNode checks the problems a fixture cannot
// hold beside the others: a point given twice (the YAML parser's own
// message, at the second key), a range on a point that does not exist, and
// too many levels listed.
func TestInteractionErrorsAtTheirNode(t *testing.T) {
	head := "parley: 1\nname: x\npoints:\n  - {id: a, options: [{id: x}, {id: y}]}\n  - {id: n, integer: {min: 0, max: 9}}\nparties:\n  - id: p\n    role: principal\n    profile:\n      weights: {a: 0.5, n: 0.5}\n      scores: {a: {x: 1, y: 0}}\n      functions: {n: {constant: 1}}\n      interactions:\n"
	for _, tt := range []struct{ body, want string }{
		{"        - {when: {a: x, n: 2, a: y}, value: 0.1}\n", `14:31: YAML syntax: mapping key "a" already defined`},
		{"        - {when: {m: {from: 1, to: 2}}, value: 0.1}\n", `14:19: interaction: no point "m" (points: a, n)`},
		{"        - {when: {n: {from: 1, to: 2, step: 1}}, value: 0.1}\n", `14:39: interaction: point "n": range: unknown key "step"`},
		{"        - {unless: {n: {from: 4, to: 2}}, value: 0.1}\n", `14:24: interaction: point "n": range from 4 to 2 is empty`},
	} {
		_, err := Parse("x.yaml", []byte(head+tt.body))
		if err == nil || !strings.Contains(err.Error(), "x.yaml:"+tt.want) {
			t.Errorf("%q: got %v, want x.yaml:%s", tt.body, err, tt.want)
		}
	}

	// Bounds: levels listed in all, interactions per profile.
	big := strings.Replace(head, "max: 9", "max: 1048575", 1)
	body := "        - {when: {n: {from: 0, to: 1048575}}, value: 0.1}\n        - {when: {n: {from: 0, to: 1}}, value: 0.1}\n"
	_, err := Parse("x.yaml", []byte(big+body))
	if err == nil || !strings.Contains(err.Error(), "x.yaml:15:22: interactions: more than 1048576 levels listed in all") {
		t.Errorf("too many levels: got %v", err)
	}
	body = strings.Repeat("        - {when: {a: x}, value: 0}\n", profile.MaxInteractions+1)
	_, err = Parse("x.yaml", []byte(head+body))
	if want := fmt.Sprintf("x.yaml:%d:11: interactions: %d interactions (at most %d per profile)", 14+profile.MaxInteractions, profile.MaxInteractions+1, profile.MaxInteractions); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("too many interactions: got %v, want %s", err, want)
	}
}

// TestFormatDocInteractions keeps the interactions example of
// docs/scenario-format.md true: put in place of the main example's
// interactions, it loads.
func TestFormatDocInteractions(t *testing.T) {
	doc, err := os.ReadFile("../docs/scenario-format.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(doc), "```yaml\n")
	example, _, _ := strings.Cut(rest, "```\n")
	_, rest, ok := strings.Cut(rest, "## Interactions")
	if !ok {
		t.Fatal("no Interactions section")
	}
	_, rest, ok = strings.Cut(rest, "```yaml\n")
	if !ok {
		t.Fatal("no example in the Interactions section")
	}
	fragment, _, _ := strings.Cut(rest, "```\n")
	start := strings.Index(example, "      interactions:")
	end := strings.Index(example, "      discount:")
	if start < 0 || end < start {
		t.Fatal("the main example has no interactions before discount")
	}
	s, err := Parse("scenario-format.md", []byte(example[:start]+fragment+example[end:]))
	if err != nil {
		t.Fatalf("the interactions example does not load:\n%v", err)
	}
	if got := len(s.Party("ukraine").Profile.Interactions); got != 4 {
		t.Errorf("%d interactions, want 4", got)
	}
	roundTrip(t, s)
}
