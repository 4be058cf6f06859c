package tournament

import (
	"fmt"

	"github.com/parley-negotiation/parley/agent"
)

// builtin returns the built-in negotiator named by spec (agent.ByName's
// syntax, with "hard-headed" for "hardheaded"), searching the prebuilt bid
// space bs (nil: it builds its own), so that sessions do not each sort the
// outcome space. agent.ByName passes the space to every negotiator it
// knows (TestBuiltinMatchesByName checks that sharing it changes nothing).
func builtin(spec string, seed uint64, bs *agent.BidSpace) (agent.Negotiator, error) {
	var opts []agent.Option
	if bs != nil {
		opts = append(opts, agent.WithBidSpace(bs))
	}
	return agent.ByName(normaliseStrategy(spec), seed, opts...)
}

// ErrNoExternal is wrapped by the error for a job with an external agent
// (url) when the Engine has no External constructor.
var ErrNoExternal = fmt.Errorf("tournament: external agents (url) need an External constructor (package extagent), and this runner has none")
