package session

import (
	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// BestAllowed returns the party's best package that crosses none of its
// red lines, whatever its reservation value, or its best package when
// there is none to find (agent.BestAllowed). It is the package an agent
// that neither offers nor ends the talks is taken to offer, and the web
// UI's "Load my best package" computes the same (ui/profile.js
// bestAllowedPackage).
func BestAllowed(t *profile.Table, pr *profile.Profile) framework.Package {
	return agent.BestAllowed(t, pr)
}
