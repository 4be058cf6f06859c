package room

import (
	"errors"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
)

// TestRedactPrivate: an error the mediator may get loses every
// interaction label and red-line reason of the scenario's profiles, keeps
// the rest of its message and its code; other errors pass unchanged.
func TestRedactPrivate(t *testing.T) {
	sc := &scenario.Scenario{Parties: []scenario.Party{
		{ID: "a", Profile: &profile.Profile{Interactions: []profile.Interaction{{Label: "SECRET-LABEL"}, {}}}},
		{ID: "b", Profile: &profile.Profile{RedLines: []profile.RedLine{{Reason: "SECRET-REASON"}}}},
		{ID: "m"},
	}}
	err := redactPrivate(sc, Errorf(ETOOLARGE, "analysis: interaction 1 (SECRET-LABEL) and SECRET-REASON: too many states"))
	if got := ErrorMessage(err); got != "analysis: interaction 1 ([private]) and [private]: too many states" || ErrorCode(err) != ETOOLARGE {
		t.Errorf("redacted: %q (%s)", got, ErrorCode(err))
	}
	plain := Errorf(EINVALID, "nothing private")
	if got := redactPrivate(sc, plain); got != plain {
		t.Errorf("an error with nothing private changed: %v", got)
	}
	internal := errors.New("internal SECRET-LABEL")
	if got := redactPrivate(sc, internal); got != internal || !strings.Contains(ErrorMessage(got), "internal error") {
		t.Errorf("an internal error: %v, says %q", got, ErrorMessage(got))
	}
}
