// Package loadtest is the engine of `parley loadtest`: a load benchmark of
// the negotiation room (`parley serve`) over real HTTP.
//
// Run starts an in-process server on a loopback port (over a SQLite file in
// a temporary directory, or the store Config.DB names) or targets a running
// one (Config.URL). Through the JSON API it signs in as a mediator, opens
// Config.Sessions negotiations of a built-in scenario, invites every party
// and starts them. Then, for Config.Duration, every seat of every session
// (the parties with their invitation tokens, the mediator with its login)
// makes valid moves back to back, each as soon as the previous one is
// acknowledged, while realtime subscribers hold server-sent event streams
// open and count the events they receive.
//
// The move mix stays valid without reading the server's state: each
// session's actors share what they know of it (the current draft and who
// still owes a response, or whose turn it is) and update it only from
// acknowledgements, which the server gives after storing the move. Under
// the single-text protocol the mediator drafts a bracketed text, each party
// responds to it once, and the mediator drafts again when every response is
// acknowledged; under sao the party whose turn it is makes an offer. In
// between, everyone sends messages to the mediator (parties, as proximity
// talks require) or to another party (bilateral talks, sao). A failed turn
// move makes the session resynchronise from the mediator's view.
//
// The Report gives acknowledged moves per second, per-move latency
// quantiles, errors by HTTP status and error code, the subscribers held at
// the end (counted by the clients and by the server's /api/stats, which
// the mediator account reads as the server's operator), events
// delivered per second and how late, and the process's peak RSS,
// goroutines and CPU time. With an in-process server the process is the
// server and its clients together.
package loadtest
