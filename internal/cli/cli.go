package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"
)

// Exit statuses: one meaning per class of error, the same for every
// command (docs/cli.md).
const (
	ExitOK = 0
	// ExitFail: the thing checked is bad — an invalid input file, a
	// tampered log, a failed run, an agent's fault, a move the engine
	// refuses — or the work itself failed.
	ExitFail = 1
	// ExitUsage: the command line is wrong — an unknown command, an
	// unknown or bad flag, wrong arguments (a file or name that is not
	// there).
	ExitUsage = 2
	// ExitUnproven: parley verify found the log consistent but could not
	// prove it (unsigned, signed by no trusted key, or not up to its end).
	ExitUnproven = 3
)

// exitStatusHelp is the table of exit statuses, as the root help gives it.
const exitStatusHelp = `Exit status: 0 ok; 1 the thing checked is bad (an invalid input file, a
tampered log, a failed run, an agent's fault, a move the engine refuses);
2 a usage error (an unknown command, an unknown or bad flag, wrong
arguments); 3 verified but not proven (parley verify).`

// usageError marks errors of the command line: an unknown command, an
// unknown or bad flag, wrong arguments (exit status ExitUsage). Every
// other error is ExitFail.
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
	var version, jsonOut bool
	root := &cobra.Command{
		Use:   "parley",
		Short: "Mediated multi-party, multi-issue negotiation: analysis, sessions, agreements",
		Long: `Parley models a negotiation framework (points and options), the parties'
confidential profiles and the rules of the talks, and analyses where agreement
is possible: the Pareto frontier, the Nash and Kalai–Smorodinsky points, the
agreement zone and which options of each point survive in it.

Scenarios are YAML/JSON files (docs/scenario-format.md), GENIUS domain folders,
or built-in names (try: parley scenarios).

Every command that prints a result prints it as JSON with --json; commands
that render documents choose md, html, print or json with --format; files are
written with -o/--output; long work takes -q/--quiet and --progress.

` + exitStatusHelp + `

See docs/cli.md.`,
		Example: `  parley analyze
  parley run tiny-2p --log talks.jsonl && parley verify talks.jsonl
  parley --version --json`,
		Args: unknownCommand,
		RunE: func(cmd *cobra.Command, args []string) error {
			if version {
				return printVersion(e.stdout, jsonOut)
			}
			if jsonOut {
				return usagef("--json: give a command (parley COMMAND --json), or --version --json")
			}
			return cmd.Help()
		},
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SuggestionsMinimumDistance = 2
	root.Flags().BoolVar(&version, "version", false, "print the version (as parley version does)")
	root.Flags().BoolVar(&jsonOut, "json", false, "with --version: print the versions as JSON")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{flagError(err)} })
	root.AddCommand(newAnalyze(e), newValidate(e), newScenarios(e), newConvert(e), newRun(e), newReplay(e), newServe(e), newLoadtest(e), newTournament(e), newAgreement(e))
	root.AddCommand(newVerify(e), newPlan(e), newWorker(e), newBroker(e), newRatify(e), newKeygen(e), newExport(e), newVersion(e))
	root.AddCommand(newUser(e), newBackup(e), newRestore(e), newPurge(e))
	root.AddCommand(newMultideal(e))
	root.SetHelpCommand(newHelp(root))
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	conventions(root, e)
	return root
}

// unknownCommand is the root's argument check: its arguments name
// commands, so any left over is an unknown one (a usage error).
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "\n\nDid you mean this?\n    " + strings.Join(s, "\n    ")
	}
	return usageError{fmt.Errorf("%s\n\nRun '%s --help' for the commands.", msg, cmd.CommandPath())}
}

// flagError words a flag's parse error in terms of the flag, not of the Go
// function that parsed it: pflag's `invalid argument "many" for "--rounds"
// flag: strconv.ParseInt: parsing "many": invalid syntax` becomes
// `invalid argument "many" for "--rounds" flag: want a whole number`.
func flagError(err error) error {
	msg := err.Error()
	i := strings.Index(msg, "strconv.Parse")
	if i < 0 {
		return err
	}
	kind, _, _ := strings.Cut(msg[i+len("strconv.Parse"):], ":")
	var want string
	switch kind {
	case "Bool":
		want = "want true or false"
	case "Int":
		want = "want a whole number"
	case "Uint":
		want = "want a whole number, 0 or more"
	case "Float":
		want = "want a number"
	default:
		return err
	}
	if strings.HasSuffix(msg, "value out of range") {
		want += " in range"
	}
	return errors.New(msg[:i] + want)
}

// newHelp is parley help [COMMAND]...: the help of a command, and a usage
// error for a command that does not exist.
func newHelp(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND]...",
		Short: "Help about any command",
		Long: `Help prints the help of a command: parley help plan status is
parley plan status --help.`,
		RunE: func(c *cobra.Command, args []string) error {
			target, rest, err := root.Find(args)
			if err != nil {
				return usageError{err}
			}
			if len(rest) > 0 {
				return usagef("unknown help topic %q (parley help lists the commands)", strings.Join(args, " "))
			}
			return target.Help()
		},
	}
}

// helpWidth is the width help texts are wrapped to (flag lists) or
// written for (everything else: a test checks).
const helpWidth = 80

// conventions applies the command line's conventions to every command
// (docs/cli.md): an argument error is a usage error; flag usages are
// wrapped to the help width; a deprecated flag's warning goes to standard
// error, never to standard output, which scripts read.
func conventions(root *cobra.Command, e *env) {
	root.SetUsageTemplate(strings.ReplaceAll(root.UsageTemplate(), ".FlagUsages", fmt.Sprintf(".FlagUsagesWrapped %d", helpWidth)))
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.HasSubCommands() && !c.Runnable() {
			// A group of commands (parley plan): its arguments name one,
			// and alone it prints its help.
			c.Args = unknownCommand
			c.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
		}
		if check := c.Args; check != nil {
			c.Args = func(cmd *cobra.Command, args []string) error {
				if err := check(cmd, args); err != nil {
					var ue usageError
					if errors.As(err, &ue) {
						return err
					}
					// cobra's "accepts 1 arg(s), received 3": say what
					// the command takes.
					name := strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
					return usagef("%s: %v (usage: %s)", name, err, strings.TrimSuffix(cmd.UseLine(), " [flags]"))
				}
				return nil
			}
		}
		if e.stderr != nil {
			c.Flags().SetOutput(e.stderr)
		}
		if c.Name() == "completion" || c.HasParent() && c.Parent().Name() == "completion" {
			// cobra's texts: lines wider than the help are broken.
			c.Long = breakLongLines(c.Long, helpWidth)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// wrap fills text (words separated by white space) into lines of at most
// width columns, each starting with indent.
func wrap(text string, width int, indent string) string {
	var b strings.Builder
	b.WriteString(indent)
	start := utf8.RuneCountInString(indent)
	col := start
	for _, w := range strings.Fields(text) {
		n := utf8.RuneCountInString(w)
		switch {
		case col == start:
		case col+1+n > width:
			b.WriteString("\n" + indent)
			col = start
		default:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(w)
		col += n
	}
	return b.String()
}

// breakLongLines wraps each line of text wider than width, keeping its
// indentation; other lines are left as they are.
func breakLongLines(text string, width int) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if utf8.RuneCountInString(l) > width {
			lines[i] = wrap(l, width, l[:len(l)-len(strings.TrimLeft(l, " "))])
		}
	}
	return strings.Join(lines, "\n")
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
