package cli

import (
	"crypto/ed25519"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/plan"
	"github.com/parley-negotiation/parley/session"
)

// The life cycle after a run, from the command line: the ratification
// steps and the implementation's reports and responses are recorded on a
// log as the room records them — moves through the engine, appended to the
// hash chain and signed — so that a script can reproduce the room's flow.

func newRatify(e *env) *cobra.Command {
	var fl appendFlags
	var yes, no bool
	var when string
	c := &cobra.Command{
		Use:   "ratify LOG STEP (--yes | --no)",
		Short: "Record a ratification step (approved or rejected) on a session log",
		Long: `Ratify records on the log that ratification step STEP (its number, or its id
in the scenario) was completed (--yes) or failed (--no), made by the step's
party, at --at (default now). The engine checks it as it checks the room's:
the agreement must be pending ratification, the steps this one waits for must
be complete, and a step that carries out a commitment of the implementation
plan (Miami's referendum) is refused until that commitment is owed at the time
the body voted (--when, default --at): the log is left as it was and the
command says why. After the last step the agreement is in force.

The log is rewritten with the new events and a checkpoint signed with your key
(--key); the scenario is the one it records.`,
		Example: `  parley ratify m.jsonl rada --yes --at 2026-01-10
  parley ratify m.jsonl referendum --yes --at 2026-03-20 --when 2026-03-15`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if yes == no {
				return usagef("say --yes (the body approved) or --no (it rejected the agreement)")
			}
			lf, err := readLogFile(args[0], fl.scenario, nil)
			if err != nil {
				return err
			}
			step, err := stepRef(lf, args[1])
			if err != nil {
				return err
			}
			m := session.Move{Kind: session.KindRatify, Party: lf.sc.Decision.Ratification[step-1].Party, Ref: step, Yes: &yes}
			if when != "" {
				w, err := parseTimeFlag("--when", when)
				if err != nil {
					return err
				}
				m.When = &w
			}
			s, added, err := appendMove(e, args[0], &fl, m)
			if err != nil {
				return err
			}
			return printAppended(e, args[0], s, added, fl.json)
		},
	}
	c.Flags().BoolVar(&yes, "yes", false, "the body approved the agreement")
	c.Flags().BoolVar(&no, "no", false, "the body rejected the agreement (the agreement fails)")
	c.Flags().StringVar(&when, "when", "", "when the body voted (a date or RFC 3339 time; at or before --at, not before the agreement)")
	fl.register(c)
	return c
}

// stepRef resolves a ratification step by number or id.
func stepRef(lf *logFile, ref string) (int, error) {
	steps := lf.sc.Decision.Ratification
	if len(steps) == 0 {
		return 0, usagef("scenario %s has no ratification steps", clean(lf.sc.Name))
	}
	if n, err := strconv.Atoi(ref); err == nil {
		if n < 1 || n > len(steps) {
			return 0, usagef("step %d: scenario %s has steps 1 to %d", n, clean(lf.sc.Name), len(steps))
		}
		return n, nil
	}
	var ids []string
	for i, st := range steps {
		if st.ID == ref {
			return i + 1, nil
		}
		if st.ID != "" {
			ids = append(ids, st.ID)
		}
	}
	return 0, usagef("step %q: scenario %s has no such step (steps 1 to %d; ids: %s)", clean(ref), clean(lf.sc.Name), len(steps), strings.Join(ids, ", "))
}

// parseTimeFlag reads a date (midnight UTC) or an RFC 3339 time.
func parseTimeFlag(flag, v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("%s %q: want a date (2026-06-30) or an RFC 3339 time (2026-06-30T12:00:00Z)", flag, v)
}

func newPlanFileReport(e *env) *cobra.Command {
	var fl appendFlags
	var r plan.Report
	var verifier, finding, severity, when string
	c := &cobra.Command{
		Use:   "file-report LOG --verifier V --commitment C --finding F",
		Short: "Record a verifier's report on a commitment of the plan",
		Long: `File-report records on the log a verifier's report, as the verifier's seat
files it in the room: its finding on a commitment (compliance, fulfilled, or
violation with the violating party and a severity), when the fact happened,
where, the evidence and a text. The engine checks it (the verifier verifies
that commitment, the commitment applies to the agreement, the times, the
severity) and draws its consequences: a grave violation may trigger a
commitment such as the sanctions snap-back (a trigger event). The log is
rewritten with the report, its consequences and a new signed checkpoint.`,
		Example: `  parley plan file-report m.jsonl --verifier monitoring-mission \
      --commitment ceasefire --finding violation --party russia \
      --severity grave --when 2026-03-01T05:00:00Z \
      --place "Zaporizhzhia front" --evidence https://monitoring.example/r/1 \
      --at 2026-03-02`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := required(map[string]string{"--verifier": verifier, "--commitment": r.Commitment, "--finding": finding, "--when": when}); err != nil {
				return err
			}
			switch plan.Finding(finding) {
			case plan.FindingCompliance, plan.FindingFulfilled, plan.FindingViolation:
			default:
				return usagef("--finding %q: want %s, %s or %s", finding, plan.FindingCompliance, plan.FindingFulfilled, plan.FindingViolation)
			}
			if severity != "" && !slices.Contains(plan.Severities, plan.Severity(severity)) {
				return usagef("--severity %q: want %s, %s or %s", severity, plan.Minor, plan.Major, plan.Grave)
			}
			w, err := parseTimeFlag("--when", when)
			if err != nil {
				return err
			}
			r.When, r.Finding, r.Severity = w, plan.Finding(finding), plan.Severity(severity)
			s, added, err := appendMove(e, args[0], &fl, session.Move{Kind: session.KindReport, Party: verifier, Report: &r})
			if err != nil {
				return err
			}
			return printAppended(e, args[0], s, added, fl.json)
		},
	}
	f := c.Flags()
	f.StringVar(&verifier, "verifier", "", "the verifier that files the report (one of the plan's)")
	f.StringVar(&r.Commitment, "commitment", "", "the commitment reported on")
	f.StringVar(&finding, "finding", "", "compliance, fulfilled (a once commitment delivered) or violation")
	f.StringVar(&r.Party, "party", "", "the party that violated the commitment (a violation of a commitment with several owners)")
	f.StringVar(&severity, "severity", "", "a violation's severity: minor, major or grave")
	f.StringVar(&when, "when", "", "when the reported fact happened (a date or RFC 3339 time)")
	f.StringVar(&r.Place, "place", "", "where")
	f.StringVar(&r.Text, "text", "", "the report's text")
	f.StringArrayVar(&r.Evidence, "evidence", nil, "a link (http or https URL) to the evidence (repeatable)")
	f.IntVar(&r.Replaces, "replaces", 0, "the event number of an earlier report on the same commitment this one replaces (a review)")
	fl.register(c)
	return c
}

func newPlanRespond(e *env) *cobra.Command {
	var fl appendFlags
	var party, answer string
	var resp plan.Response
	c := &cobra.Command{
		Use:   "respond LOG --party P --report N --answer accept|dispute",
		Short: "Record a party's response to a verifier's report",
		Long: `Respond records on the log a party's answer to a report (its event number):
accept it, or dispute it with a text. The engine checks that the report exists
and concerns the party. The log is rewritten with the response and a new
signed checkpoint.`,
		Example: `  parley plan respond m.jsonl --party russia --report 31 --answer dispute \
      --text "Our units returned fire." --at 2026-03-03`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			report := ""
			if resp.Report != 0 {
				report = strconv.Itoa(resp.Report)
			}
			if err := required(map[string]string{"--party": party, "--report": report, "--answer": answer}); err != nil {
				return err
			}
			if a := plan.Answer(answer); a != plan.Accept && a != plan.Dispute {
				return usagef("--answer %q: want %s or %s", answer, plan.Accept, plan.Dispute)
			}
			resp.Answer = plan.Answer(answer)
			s, added, err := appendMove(e, args[0], &fl, session.Move{Kind: session.KindResponse, Party: party, Response: &resp})
			if err != nil {
				return err
			}
			return printAppended(e, args[0], s, added, fl.json)
		},
	}
	f := c.Flags()
	f.StringVar(&party, "party", "", "the responding party")
	f.IntVar(&resp.Report, "report", 0, "the event number of the report answered")
	f.StringVar(&answer, "answer", "", "accept or dispute")
	f.StringVar(&resp.Text, "text", "", "the response's text")
	fl.register(c)
	return c
}

func newKeygen(e *env) *cobra.Command {
	var pub string
	var jsonOut bool
	c := &cobra.Command{
		Use:   "keygen KEY.pem",
		Short: "Make an ed25519 key pair that signs logs and exports",
		Long: `Keygen makes the key pair that signs the checkpoints of the logs you write
(parley run --key, parley ratify --key …) and the exports (parley plan export
--key). Keep KEY.pem private; give KEY.pub.pem to whoever checks your logs
(parley verify --pub). Without --key the commands use your default key,
$PARLEY_SIGNING_KEY or signing-key.pem in
` + defaultKeyHint + `, made on first use.

To rotate a key, make a new pair and sign with it from then on; keep the old
public key: it still proves the logs signed before (parley verify accepts
several --pub).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if pub == "" {
				pub = pubPath(args[0])
			}
			if pub == args[0] {
				return usagef("the public key's file must differ from the private key's")
			}
			k, err := writeKeyPair(args[0], pub)
			if err != nil {
				return err
			}
			return printKeys(e, args[0], pub, k, jsonOut)
		},
	}
	c.Flags().StringVar(&pub, "pub", "", "where to write the public key (default: KEY.pub.pem)")
	c.Flags().BoolVar(&jsonOut, "json", false, "print the files written and the key's id as JSON")
	return c
}

// keysWritten is what keygen reports.
type keysWritten struct {
	PrivateKey string `json:"private_key"`
	PublicKey  string `json:"public_key"`
	KeyID      string `json:"key_id"`
}

// printKeys reports a key pair written by keygen.
func printKeys(e *env, priv, pub string, k ed25519.PublicKey, jsonOut bool) error {
	if jsonOut {
		return writeJSON(e.stdout, keysWritten{PrivateKey: priv, PublicKey: pub, KeyID: session.KeyID(k)})
	}
	fmt.Fprintf(e.stdout, "wrote %s (private: keep it secret) and %s (public: for parley verify --pub)\nkey %s\n", clean(priv), clean(pub), session.KeyID(k))
	return nil
}

// written is what a command that writes a file reports with --json.
type written struct {
	Output string     `json:"output"`
	Events int        `json:"events"`
	At     *time.Time `json:"at,omitempty"`
	KeyID  string     `json:"key_id,omitempty"`
}

// required is the usage error naming the required flags not given (those
// whose value is ""), in the order of their names; nil when all are.
func required(flags map[string]string) error {
	var missing []string
	for name, v := range flags {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	if len(missing) == 1 {
		return usagef("%s is required", missing[0])
	}
	return usagef("%s and %s are required", strings.Join(missing[:len(missing)-1], ", "), missing[len(missing)-1])
}
