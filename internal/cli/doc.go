// Package cli implements the parley command line as a thin shell over the
// engine packages: it parses flags, loads scenarios, calls the engine and
// formats results (text, --json, --format, plots). The conventions every
// command follows are documented in docs/cli.md. Exit status: 0 ok; 1 the
// thing checked is bad (an invalid input file, a tampered log, a failed
// run, a move the engine refuses); 2 a usage error (an unknown command, an
// unknown or bad flag, wrong arguments); 3 verified but not proven.
package cli
