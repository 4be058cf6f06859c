// Package extagent lets agents written in any language negotiate in
// Parley's sessions and tournaments, through a small JSON-over-HTTP protocol
// ("parley-agent/2", and "parley-agent/1" for agents that speak only it;
// docs/agent-protocol.md, JSON Schemas in docs/agent-protocol.schema.json).
//
// The agent is the HTTP server, so an agent needs nothing but an HTTP server
// and a JSON parser (examples/python/parley_agent.py uses Python's standard
// library only). Parley is the client:
//
//	GET  /      → {"name": "...", "version": "parley-agent/2"}   handshake
//	POST /init  a negotiation starts: its id, the party (index, id, name),
//	            every party and its agent's name where public, the
//	            framework, the party's own profile (never another's) and
//	            its compiled table, the deadline, the protocol, the scoring
//	POST /act   the party's turn: time in [0,1], round, the offer on the
//	            table and the moves (offers, acceptances, votes) made since
//	            the party's previous turn
//	            → {"action":"offer","package":[...]} | {"action":"accept"}
//	              | {"action":"end"}
//	POST /end   after every negotiation, failures included: the outcome
//	            (status, agreement, own utility, cause, reason)
//
// New returns an agent.Negotiator backed by such an agent, usable wherever
// a built-in negotiator is (session.NewRunner, tournaments):
//
//	n, err := extagent.New("", "http://127.0.0.1:9001", extagent.WithTimeout(2*time.Second))
//	...
//	r, _ := session.NewRunner(s, map[string]agent.Negotiator{"north": n, "south": agent.Boulware()})
//	_ = r.Run()
//	extagent.Finish(s, r.Agents)     // POST /end to every external agent
//	if err := extagent.Err(n); err != nil { ... }   // what the agent did wrong, if anything
//
// A broken agent cannot hang or crash a session: every call has a timeout
// (and optionally the negotiation a total time budget), answers are read up
// to a size limit and validated strictly (a complete package of in-range
// levels; accept only with an offer on the table); the first failure is
// recorded (Remote.Err, wrapping ErrTimeout, ErrMalformed, …) and the
// negotiator then ends the talks at its turn and calls the agent no more
// in that negotiation but for /end, which tells it its failure.
//
// A run greets each agent once when its Remotes share a Handshakes cache
// (WithHandshakes), as parley tournament's do.
//
// Package agentserver is the reference server side for Go: it serves any
// agent.Negotiator over this protocol.
package extagent
