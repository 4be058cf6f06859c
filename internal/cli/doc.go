// Package cli implements the parley command line as a thin shell over the
// engine packages: it parses flags, loads scenarios, calls the engine and
// formats results (text, --json, plots). Exit status: 0 success, 1 failure
// of the work itself, 2 bad usage or bad input.
package cli
