// Package archtest holds the tests of the module's architecture: the
// import graph is one-way — the engine packages import no shell (no
// server, store, command line or queue) — so that researchers can use
// them as libraries (docs/architecture.md).
package archtest
