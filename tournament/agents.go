package tournament

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/parley-negotiation/parley/agent"
)

// builtin returns the built-in negotiator named by spec (agent.ByName's
// syntax), sharing the prebuilt bid space bs. agent.ByName checks the spec
// and supplies its messages; the negotiator is then built with the same
// parameters plus agent.WithBidSpace, so that sessions do not each sort the
// outcome space (TestBuiltinMatchesByName checks that both agree).
func builtin(spec string, seed uint64, bs *agent.BidSpace) (agent.Negotiator, error) {
	spec = normaliseStrategy(spec)
	if _, err := agent.ByName(spec, seed); err != nil {
		return nil, err
	}
	name, rest, _ := strings.Cut(spec, ":")
	name = strings.ToLower(strings.TrimSpace(name))
	opts := []agent.Option{}
	if bs != nil {
		opts = append(opts, agent.WithBidSpace(bs))
	}
	e := 0.0
	pmin, pmax, hasRange := 0.0, 1.0, false
	if rest != "" {
		for _, p := range strings.Split(rest, ",") {
			k, v, _ := strings.Cut(p, "=")
			k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
			x, _ := strconv.ParseFloat(v, 64)
			switch k {
			case "seed":
				seed, _ = strconv.ParseUint(v, 10, 64)
			case "floor":
				opts = append(opts, agent.WithFloor())
			case "e":
				e = x
			case "k":
				opts = append(opts, agent.WithStart(x))
			case "min":
				pmin, hasRange = x, true
			case "max":
				pmax, hasRange = x, true
			case "kindness":
				opts = append(opts, agent.WithKindness(x))
			case "level":
				opts = append(opts, agent.WithLevel(x))
			}
		}
	}
	if hasRange {
		opts = append(opts, agent.WithRange(pmin, pmax))
	}
	switch name {
	case "boulware":
		return agent.Boulware(opts...), nil
	case "conceder":
		return agent.Conceder(opts...), nil
	case "linear":
		return agent.Linear(opts...), nil
	case "timedep":
		return agent.NewTimeDependent(e, opts...), nil
	case "tft":
		return agent.NewTitForTat(opts...), nil
	case "nice-tft":
		return agent.NewNiceTitForTat(opts...), nil
	case "hardheaded":
		return agent.NewHardHeaded(opts...), nil
	case "random":
		return agent.NewRandom(seed, opts...), nil
	}
	// agent.ByName knows a strategy this function does not: build it
	// without a shared bid space rather than fail.
	return agent.ByName(spec, seed)
}

// ErrNoExternal is wrapped by the error for a job with an external agent
// (url) when the Engine has no External constructor.
var ErrNoExternal = fmt.Errorf("tournament: external agents (url) need an External constructor (package extagent), and this runner has none")
