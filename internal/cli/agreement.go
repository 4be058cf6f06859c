package cli

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/agreement"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

type agreementFlags struct {
	profiles string
	format   string
	json     bool
	out      string
	version  int
	as       string
	from, to int
}

func newAgreement(e *env) *cobra.Command {
	var fl agreementFlags
	c := &cobra.Command{
		Use:   "agreement LOG [SCENARIO]",
		Short: "Render a session's agreement text (Markdown, HTML, print, JSON)",
		Long: `Agreement renders the text of the agreement a session reached: one article
per point with the clause of the option agreed, the parties, a preamble from
the scenario's description, the decision record (protocol, rule, veto
holders, who voted or accepted and when) and the ratification record, and
the hash of the log's last event as the document's fingerprint. The log is
verified and replayed first, as parley replay does.

Without an agreement, the latest draft of the single negotiating text is
rendered, marked as a draft (bracketed points as [A / B]); without either,
the command says there is no agreement and fails.

Formats: md (Markdown), html (one self-contained page), print (HTML for
printing to PDF: A4, running headers, numbered articles, signature blocks),
json (the document model; --json is the same). The scenario is the one the
log records; a log written before engine version 3 needs SCENARIO (default:
the built-in scenario named in the log).`,
		Example: `  parley run --protocol single-text --mediator-strategy nash \
      --mediator-access profiles --log m.jsonl
  parley agreement m.jsonl
  parley agreement m.jsonl --json > m.json
  parley agreement m.jsonl --version 1 --format html -o v1.html
  parley agreement diff m.jsonl --from 1 --to 2

  # a PDF: print-ready HTML, printed by Chromium (as root, Chromium runs only
  # with --no-sandbox: add it after --headless)
  parley agreement m.jsonl --format print -o m.html
  chromium --headless --print-to-pdf=m.pdf m.html`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := fl.resolveFormat(cmd); err != nil {
				return err
			}
			lf, err := loadLog(args, fl.profiles)
			if err != nil {
				return err
			}
			sc, events := lf.sc, lf.events()
			if fl.as != "" && sc.Party(fl.as) == nil {
				return usagef("--as %q: scenario %q has no such party (parties: %s)", fl.as, sc.Name, strings.Join(partyIDs(sc), ", "))
			}
			if fl.version != 0 {
				// Version N is the log up to its draft.
				v, err := findVersion(sc, events, args[0], fl.version)
				if err != nil {
					return err
				}
				events = events[:v.Seq]
			}
			d, err := agreement.TextFor(lf.replayScenario(), events, fl.as)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if d.Kind == agreement.KindDraft && fl.version == 0 {
				fmt.Fprintf(e.stderr, "%s: no agreement (%s); rendering the latest draft, version %d\n", args[0], d.Status, d.Version)
			}
			var b bytes.Buffer
			switch fl.format {
			case "md", "markdown":
				err = agreement.Markdown(&b, d)
			case "html":
				err = agreement.HTML(&b, d)
			case "print":
				err = agreement.PrintHTML(&b, d)
			case "json":
				err = writeJSON(&b, d)
			default:
				return usagef("--format %q: want md, html, print or json", fl.format)
			}
			if err != nil {
				return err
			}
			return writeOut(e, fl.out, b.Bytes())
		},
	}
	f := c.PersistentFlags()
	f.StringVar(&fl.profiles, "profiles", "", "GENIUS folder: profile files, in the order used by the run")
	f.StringVar(&fl.format, "format", "md", "md, html, print (HTML ready to print to PDF) or json")
	f.BoolVar(&fl.json, "json", false, "print JSON (--format json)")
	f.StringVarP(&fl.out, "output", "o", "", "write to this file (default: standard output)")
	c.Flags().IntVar(&fl.version, "version", 0, "render version N of the single negotiating text instead of the agreement")
	c.Flags().StringVar(&fl.as, "as", "", "render the record as this party may see it (others' private votes left out)")
	c.AddCommand(newAgreementDiff(e, &fl), newAgreementVersions(e, &fl))
	return c
}

func newAgreementDiff(e *env, fl *agreementFlags) *cobra.Command {
	c := &cobra.Command{
		Use:   "diff LOG [SCENARIO]",
		Short: "Compare two versions of the single negotiating text",
		Long: `Diff compares two drafts of a session's single negotiating text point by
point: settled, reopened, changed wording, brackets changed, with the old and
the new wording (removed options struck through, added ones highlighted).
--to defaults to the latest version and --from to the one before it.
Formats: md, html, json (--json).`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := fl.resolveFormat(cmd); err != nil {
				return err
			}
			lf, err := loadLog(args, fl.profiles)
			if err != nil {
				return err
			}
			if _, err := lf.replay(); err != nil {
				return err
			}
			sc, events := lf.sc, lf.events()
			vs := agreement.Versions(sc, events)
			if len(vs) == 0 {
				return fmt.Errorf("%s: the log has no draft of the single negotiating text (protocol %s)", args[0], events[0].Note.Config.Protocol)
			}
			to, from := fl.to, fl.from
			if to == 0 {
				to = vs[len(vs)-1].Number
			}
			if from == 0 {
				from = to - 1
			}
			a, err := findVersion(sc, events, args[0], from)
			if err != nil {
				return err
			}
			b, err := findVersion(sc, events, args[0], to)
			if err != nil {
				return err
			}
			c := agreement.Compare(sc, a, b)
			var buf bytes.Buffer
			switch fl.format {
			case "md", "markdown":
				err = agreement.DiffMarkdown(&buf, c)
			case "html", "print":
				err = agreement.DiffHTML(&buf, c)
			case "json":
				err = writeJSON(&buf, c)
			default:
				return usagef("--format %q: want md, html or json", fl.format)
			}
			if err != nil {
				return err
			}
			return writeOut(e, fl.out, buf.Bytes())
		},
	}
	c.Flags().IntVar(&fl.from, "from", 0, "the older version (default: the one before --to)")
	c.Flags().IntVar(&fl.to, "to", 0, "the newer version (default: the latest)")
	return c
}

func newAgreementVersions(e *env, fl *agreementFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "versions LOG [SCENARIO]",
		Short: "List the versions of the single negotiating text",
		Long: `Versions lists the drafts of a session's single negotiating text: number,
round, time, author, event, bracketed points and what became of it; --json
(or --format json) lists them as JSON.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := fl.resolveFormat(cmd); err != nil {
				return err
			}
			lf, err := loadLog(args, fl.profiles)
			if err != nil {
				return err
			}
			if _, err := lf.replay(); err != nil {
				return err
			}
			sc, events := lf.sc, lf.events()
			vs := agreement.Versions(sc, events)
			if fl.format == "json" {
				if vs == nil {
					vs = []agreement.Version{}
				}
				return writeJSON(e.stdout, vs)
			}
			if len(vs) == 0 {
				fmt.Fprintf(e.stdout, "%s: no draft of the single negotiating text\n", args[0])
				return nil
			}
			for _, v := range vs {
				bracketed := 0
				for _, alts := range v.Text {
					if len(alts) > 1 {
						bracketed++
					}
				}
				fmt.Fprintf(e.stdout, "version %d  round %d  %s  by %s  event %d  %d bracketed  %s\n",
					v.Number, v.Round, v.Time.UTC().Format("2006-01-02 15:04:05Z"), v.Author, v.Seq, bracketed, v.Outcome)
			}
			return nil
		},
	}
}

// resolveFormat applies --json (the same as --format json; with another
// --format, a usage error).
func (fl *agreementFlags) resolveFormat(cmd *cobra.Command) error {
	if !fl.json {
		return nil
	}
	if cmd.Flags().Changed("format") && fl.format != "json" {
		return usagef("--json and --format %s exclude each other", fl.format)
	}
	fl.format = "json"
	return nil
}

// loadLog reads and checks the log args[0] and resolves its scenario:
// args[1] when given, else the one the log records, else the built-in
// scenario the log names. The hash chain is verified; the caller replays
// the log.
func loadLog(args []string, profiles string) (*logFile, error) {
	path, scArg := args12(args)
	lf, err := readLogFile(path, scArg, splitList(profiles))
	if err != nil {
		return nil, err
	}
	if lf.partial() {
		return nil, usagef("%s is a viewer's partial log: the agreement is rendered from a whole log", path)
	}
	return lf, nil
}

func findVersion(sc *scenario.Scenario, events []session.Event, log string, n int) (agreement.Version, error) {
	vs := agreement.Versions(sc, events)
	if v, ok := agreement.Find(vs, n); ok {
		return v, nil
	}
	if len(vs) == 0 {
		return agreement.Version{}, fmt.Errorf("%s: the log has no draft of the single negotiating text", log)
	}
	return agreement.Version{}, usagef("%s: no version %d of the text (versions 1 to %d)", log, n, vs[len(vs)-1].Number)
}

// writeOut writes b to path, or to standard output when path is "".
func writeOut(e *env, path string, b []byte) error {
	if path == "" || path == "-" {
		_, err := e.stdout.Write(b)
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// partyIDs lists the ids of a scenario's parties.
func partyIDs(sc *scenario.Scenario) []string {
	ids := make([]string, 0, len(sc.Parties))
	for _, p := range sc.Parties {
		ids = append(ids, p.ID)
	}
	return ids
}
