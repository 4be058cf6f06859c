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
package server
