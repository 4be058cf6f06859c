// Package server is the HTTP shell around package room: a JSON API under
// /api/, a realtime event stream (server-sent events) per negotiation, and
// the embedded web UI for parties, mediators and instructors.
//
// Every handler resolves who is asking (a mediator's login cookie or
// bearer token, or a party's invitation), asks the room service, and
// writes JSON; errors are JSON objects {"error":{"code","message"}} whose
// code maps to a status in one table (errors.go). Cross-origin unsafe
// requests are refused (net/http's CrossOriginProtection), request bodies
// are bounded, and sign-in and invitation attempts are rate limited per
// client address.
//
// # Layout
//
// server.go holds the route table, the one list of every API route
// (Server.Routes; docs/openapi.yaml documents each), and what every
// request goes through; adapt.go adapts handlers and writes their
// answers, auth.go resolves credentials, errors.go maps error codes to
// statuses, ratelimit.go limits failed attempts. The handlers live one
// file per resource, each with its request and response types:
// sessions.go (login, logout, me, join), negotiations.go, invites.go
// (seats and invitations), events.go (moves, events, the stream),
// profiles.go (profile, evaluate), analysis.go (the mediator's analysis
// and dance plot), agreement.go (agreement, versions, diff), plan.go,
// classes.go (classes and their debrief), records.go (the viewer's log,
// the server's keys), scenarios.go with upload.go (built-in scenarios,
// scenario sources, GENIUS uploads read from memory), protocols.go (the
// protocols and their facts), stats.go (health, stats); ui.go serves the
// embedded web UI.
package server
