package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// Exit statuses.
const (
	ExitOK    = 0
	ExitFail  = 1
	ExitUsage = 2
	// ExitUnproven: parley verify found the log consistent but could not
	// prove it (unsigned, signed by no trusted key, or not up to its end).
	ExitUnproven = 3
)

// usageError marks errors caused by the command line or the input files.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// env is what a command may touch: its streams. No globals.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// Main runs the command line and returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// Everything printed goes through a safeWriter (term.go): what comes
	// from files parley did not write cannot drive the terminal.
	stdout, stderr = &safeWriter{w: stdout}, &safeWriter{w: stderr, cr: true}
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRoot(e)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var un unproven
	if errors.As(err, &un) {
		fmt.Fprintf(stderr, "parley: %s\n", cleanLines(err.Error()))
		return ExitUnproven
	}
	fmt.Fprintf(stderr, "parley: %s\n", cleanLines(err.Error()))
	var ue usageError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	return ExitFail
}

// unproven marks a check that found nothing wrong but could not prove
// what it was asked to (parley verify of an unsigned log): exit status
// ExitUnproven.
type unproven struct{ err error }

func (e unproven) Error() string { return e.err.Error() }
func (e unproven) Unwrap() error { return e.err }

func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "parley",
		Short: "Mediated multi-party, multi-issue negotiation: analysis, sessions, agreements",
		Long: `Parley models a negotiation framework (points and options), the parties'
confidential profiles and the rules of the talks, and analyses where agreement
is possible: the Pareto frontier, the Nash and Kalai–Smorodinsky points, the
agreement zone and which options of each point survive in it.

Scenarios are YAML/JSON files (docs/scenario-format.md), GENIUS domain folders,
or built-in names (try: parley scenarios).`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newAnalyze(e), newValidate(e), newScenarios(e), newConvert(e), newRun(e), newReplay(e), newServe(e), newLoadtest(e), newTournament(e), newAgreement(e))
	root.AddCommand(newVerify(e), newPlan(e), newWorker(e), newBroker(e), newRatify(e), newKeygen(e), newExport(e))
	return root
}

// isTerminal reports whether w is a character device (progress goes there).
func isTerminal(w io.Writer) bool {
	if s, ok := w.(*safeWriter); ok {
		w = s.w
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
