package mediator

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/parley-negotiation/parley/session"
)

// ErrUnknown is wrapped by ByName for names it does not know.
var ErrUnknown = errors.New("mediator: unknown strategy")

// strategies is the registry ByName reads, in the order Names lists them:
// a strategy's name, a summary for help texts and its constructor. A new
// strategy is one line here.
var strategies = []struct {
	name, summary string
	build         func(*parsed) (session.Mediator, error)
}{
	{"hill", "hill-climbing; sees no profile", hill},
	{"nash", "the zone's Nash package; needs the profiles", zone(Nash)},
	{"egalitarian", "the zone's max–min package; needs the profiles", zone(Egalitarian)},
	{"kalai-smorodinsky", "the zone's Kalai–Smorodinsky package; needs the profiles", zone(KalaiSmorodinsky)},
}

// ByName returns the mediator strategy spec names: "hill"
// (HillClimbing seeded with seed; "hill:seed=7" overrides it), "nash",
// "egalitarian" or "kalai-smorodinsky" (Zone aiming at that concept).
// Names are case-insensitive; parameters follow a colon, comma-separated.
// Every call returns a new strategy, ready for one session. The error
// wraps ErrUnknown and lists the valid names when the name is unknown, and
// names the parameter when one is unknown or malformed.
func ByName(spec string, seed uint64) (session.Mediator, error) {
	sp, err := parse(spec, seed)
	if err != nil {
		return nil, err
	}
	for _, s := range strategies {
		if s.name == sp.name {
			return s.build(sp)
		}
	}
	return nil, fmt.Errorf("%w %q: valid strategies are %s", ErrUnknown, sp.name, strings.Join(Names(), ", "))
}

// Names returns the names ByName accepts, in a fixed order (a new slice
// each call).
func Names() []string {
	out := make([]string, len(strategies))
	for i, s := range strategies {
		out[i] = s.name
	}
	return out
}

// Help returns the names ByName accepts with a summary of each, for help
// texts: "hill (hill-climbing; sees no profile), nash (…), …".
func Help() string {
	parts := make([]string, len(strategies))
	for i, s := range strategies {
		parts[i] = s.name + " (" + s.summary + ")"
	}
	return strings.Join(parts, ", ")
}

// parsed is a parsed strategy spec: what a constructor of the registry
// receives.
type parsed struct {
	given, name string // as given (for messages) and lower-cased
	seed        uint64
	params      [][2]string // key (lower-cased) and value, in order
}

// parse splits "name:k=v,flag" into the lower-cased name and its
// parameters.
func parse(given string, seed uint64) (*parsed, error) {
	name, rest, hasParams := strings.Cut(strings.TrimSpace(given), ":")
	sp := &parsed{given: given, name: strings.ToLower(strings.TrimSpace(name)), seed: seed}
	if sp.name == "" {
		return nil, fmt.Errorf("%w: empty name (strategies: %s)", ErrUnknown, strings.Join(Names(), ", "))
	}
	if hasParams {
		for _, p := range strings.Split(rest, ",") {
			k, v, _ := strings.Cut(p, "=")
			k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
			if k == "" {
				return nil, fmt.Errorf("mediator: %s: empty parameter", given)
			}
			sp.params = append(sp.params, [2]string{k, v})
		}
	}
	return sp, nil
}

// hill builds HillClimbing; it takes seed=.
func hill(sp *parsed) (session.Mediator, error) {
	h := &HillClimbing{Seed: sp.seed}
	for _, kv := range sp.params {
		if kv[0] != "seed" {
			return nil, fmt.Errorf("mediator: %s: hill takes no parameter %q (only seed=)", sp.given, kv[0])
		}
		s, err := strconv.ParseUint(kv[1], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("mediator: %s: seed=%q is not a non-negative integer", sp.given, kv[1])
		}
		h.Seed = s
	}
	return h, nil
}

// zone returns the constructor of a Zone aiming at concept c; it takes no
// parameters.
func zone(c func() Concept) func(*parsed) (session.Mediator, error) {
	return func(sp *parsed) (session.Mediator, error) {
		if len(sp.params) > 0 {
			return nil, fmt.Errorf("mediator: %s: %s takes no parameter %q", sp.given, sp.name, sp.params[0][0])
		}
		return &Zone{Concept: c()}, nil
	}
}
