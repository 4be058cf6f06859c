package cli

import (
	"crypto/ed25519"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/plan"
	"github.com/parley-negotiation/parley/session"
)

func newPlan(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "plan",
		Short: "Follow an agreement's implementation: commitments, violations",
		Long: `The plan commands read a session log whose agreement has an implementation
plan (the scenario's implementation section, docs/implementation.md) and the
verifiers' reports and parties' responses recorded in it after the agreement.
Each log is verified (as parley verify does) before anything is derived.`,
	}
	c.AddCommand(newPlanStatus(e), newPlanReport(e), newPlanExport(e), newPlanKeygen(e), newPlanFileReport(e), newPlanRespond(e))
	return c
}

// parseAt reads --at: an RFC 3339 time or a date (midnight UTC); "" is now.
func parseAt(s string) (time.Time, error) {
	if s == "" {
		return time.Now().UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("--at %q: want a date (2026-06-30) or an RFC 3339 time (2026-06-30T12:00:00Z)", s)
}

// planSession verifies a log and checks its session has a plan and an
// agreement.
func planSession(path, scArg string) (*session.Session, []byte, []session.Event, error) {
	data, err := readInput(path)
	if err != nil {
		return nil, nil, nil, err
	}
	s, events, err := verifiedSession(path, data, scArg)
	if err != nil {
		return nil, nil, nil, err
	}
	if s.Scenario.Plan == nil {
		return nil, nil, nil, usagef("scenario %q has no implementation plan", s.Scenario.Name)
	}
	if s.State.Agreement == nil {
		return nil, nil, nil, usagef("%s: the session reached no agreement (status %s): there is nothing to implement", path, s.State.Status)
	}
	return s, data, events, nil
}

func args12(args []string) (string, string) {
	if len(args) == 2 {
		return args[0], args[1]
	}
	return args[0], ""
}

// fmtDate writes an instant: the date alone at midnight UTC.
func fmtDate(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	t = t.UTC()
	if t.Equal(t.Truncate(24 * time.Hour)) {
		return t.Format(time.DateOnly)
	}
	return fmtInstant(t)
}

// fmtInstant writes an instant with its time of day, as deadlines are
// shown: due by 2026-08-20 00:00Z is due before that day begins.
func fmtInstant(t time.Time) string {
	t = t.UTC()
	if t.Second() == 0 && t.Nanosecond() == 0 {
		return t.Format("2006-01-02 15:04Z")
	}
	return t.Format("2006-01-02 15:04:05Z")
}

func fmtDatePtr(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return fmtDate(*t)
}

func fmtDue(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return fmtInstant(*t)
}

func newPlanStatus(e *env) *cobra.Command {
	var at string
	var jsonOut bool
	c := &cobra.Command{
		Use:   "status LOG [SCENARIO]",
		Short: "Every commitment's status, per party and per phase",
		Long: `Status derives, from the log's agreement and the reports and responses in it,
the status of every commitment of the implementation plan at a time (--at,
default now; entries recorded later are ignored): its owners, its deadline,
since when it has had its status and why; then the counts per party and per
phase, the triggers that fired and when the status next changes by the clock.`,
		Example: `  parley plan status session.jsonl --at 2026-08-20
  parley plan status session.jsonl --json`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			when, err := parseAt(at)
			if err != nil {
				return err
			}
			path, scArg := args12(args)
			s, _, _, err := planSession(path, scArg)
			if err != nil {
				return err
			}
			st, err := s.PlanStatus(when)
			if err != nil {
				return err
			}
			if jsonOut {
				return writeJSON(e.stdout, st)
			}
			printStatus(e.stdout, s, st)
			return nil
		},
	}
	c.Flags().StringVar(&at, "at", "", "the time to derive the status at: a date or an RFC 3339 time (default now)")
	c.Flags().BoolVar(&jsonOut, "json", false, "print the status as JSON")
	return c
}

func statusLabel(cs *plan.CommitmentStatus) string {
	if cs.Late && cs.Status != plan.StatusLate {
		return cs.Status + " (late)"
	}
	return cs.Status
}

func printStatus(w io.Writer, s *session.Session, st *plan.Status) {
	sc := s.Scenario
	fmt.Fprintf(w, "Implementation of %s at %s\n", sc.Name, fmtDate(st.At))
	m := st.Milestones
	fmt.Fprintf(w, "agreement %s; ", fmtDate(m.Agreement))
	if m.EntryIntoForce.IsZero() {
		fmt.Fprint(w, "not in force yet\n\n")
	} else {
		fmt.Fprintf(w, "in force since %s\n\n", fmtDate(m.EntryIntoForce))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "COMMITMENT\tSTATUS\tOWNERS\tDUE BY\tSINCE\tREASON")
	for i := range st.Commitments {
		cs := &st.Commitments[i]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", cs.ID, statusLabel(cs), strings.Join(cs.Owners, ","), fmtDue(cs.Due), fmtDate(cs.Since), cs.Reason)
	}
	tw.Flush()
	if len(st.NotApplicable) > 0 {
		fmt.Fprintln(w, "\nNot applicable under the agreement:")
		for _, n := range st.NotApplicable {
			fmt.Fprintf(w, "  %s: %s\n", n.ID, n.Reason)
		}
	}
	if len(st.Triggers) > 0 {
		fmt.Fprintln(w, "\nTriggers:")
		for _, t := range st.Triggers {
			fmt.Fprintf(w, "  %s owed from %s: %s violation of %s", t.Commitment, fmtDate(t.At), t.Severity, t.Source)
			if t.Party != "" {
				fmt.Fprintf(w, " by %s", t.Party)
			}
			fmt.Fprintf(w, " (report %d)", t.Report)
			if t.Due != nil {
				fmt.Fprintf(w, ", due by %s", fmtInstant(*t.Due))
			}
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintln(w, "\nBy party:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  PARTY\tPENDING\tDUE\tFULFILLED\tLATE\tVIOLATED\tDISPUTED\tVIOLATIONS")
	for _, r := range st.Parties {
		c := r.Counts
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", r.ID, c.Pending, c.Due, c.Fulfilled, c.Late, c.Violated, c.Disputed, r.Violations)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nBy phase:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  PHASE\tFROM\tTO\tPENDING\tDUE\tFULFILLED\tLATE\tVIOLATED\tDISPUTED\tTITLE")
	for _, ph := range st.Phases {
		c := ph.Counts
		id := ph.ID
		if id == "" {
			id = "-"
		}
		title := ph.Title
		if ph.Complete {
			title += " (complete)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", id, fmtDatePtr(ph.Start), fmtDatePtr(ph.End), c.Pending, c.Due, c.Fulfilled, c.Late, c.Violated, c.Disputed, title)
	}
	tw.Flush()
	if st.Next != nil {
		fmt.Fprintf(w, "\nNext change by the clock: %s\n", fmtDate(*st.Next))
	}
}

// planReport is what plan report prints.
type planReport struct {
	Scenario   string              `json:"scenario"`
	At         time.Time           `json:"at"`
	Milestones plan.Milestones     `json:"milestones"`
	Phases     []plan.PhaseRollup  `json:"phases"`
	Violations []plan.ReportRecord `json:"violations"`
	Filters    map[string]string   `json:"filters,omitempty"`
}

func newPlanReport(e *env) *cobra.Command {
	var at, party, severity, commitment, format string
	var md, jsonOut bool
	c := &cobra.Command{
		Use:   "report LOG [SCENARIO]",
		Short: "The phases' timeline and the reported violations, with filters",
		Long: `Report prints the timeline of the plan's phases (first start, last deadline,
commitments per status) and every violation reported by the time given (--at,
default now): when and where it happened, who violated what and how severely,
the evidence, the parties' responses, and whether it stands, was replaced by
a review or triggered a consequence. Filter by the party that violated
(--party), by minimum severity (--severity) or by commitment (--commitment).

Formats (--format): text (the default), md (a Markdown document) or json
(--json is the same).`,
		Example: `  parley plan report session.jsonl --format md > report.md
  parley plan report session.jsonl --party russia --severity major
  parley plan report session.jsonl --json`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if md && jsonOut {
				return usagef("--md and --json exclude each other")
			}
			switch {
			case md:
				format = "md"
			case jsonOut:
				if cmd.Flags().Changed("format") && format != "json" {
					return usagef("--json and --format %s exclude each other", format)
				}
				format = "json"
			}
			switch format {
			case "text", "md", "markdown", "json":
			default:
				return usagef("--format %q: want text, md or json", format)
			}
			when, err := parseAt(at)
			if err != nil {
				return err
			}
			if severity != "" && plan.Severity(severity).Rank() < 1 {
				return usagef("--severity %q: want minor, major or grave", severity)
			}
			path, scArg := args12(args)
			s, _, _, err := planSession(path, scArg)
			if err != nil {
				return err
			}
			p := s.Scenario.Plan
			if party != "" && s.Scenario.Party(party) == nil {
				return usagef("--party %q: scenario %q has no such party", party, s.Scenario.Name)
			}
			if commitment != "" && p.Commitment(commitment) == nil {
				var ids []string
				for _, c := range p.Commitments {
					ids = append(ids, c.ID)
				}
				return usagef("--commitment %q: the plan has no such commitment (commitments: %s)", commitment, strings.Join(ids, ", "))
			}
			st, err := s.PlanStatus(when)
			if err != nil {
				return err
			}
			recs, err := s.PlanReports(when)
			if err != nil {
				return err
			}
			out := planReport{Scenario: s.Scenario.Name, At: when, Milestones: st.Milestones, Phases: st.Phases, Violations: []plan.ReportRecord{}}
			for _, r := range recs {
				if r.Finding != plan.FindingViolation || party != "" && r.Party != party ||
					severity != "" && r.Severity.Rank() < plan.Severity(severity).Rank() || commitment != "" && r.Commitment != commitment {
					continue
				}
				out.Violations = append(out.Violations, r)
			}
			for k, v := range map[string]string{"party": party, "severity": severity, "commitment": commitment} {
				if v != "" {
					if out.Filters == nil {
						out.Filters = map[string]string{}
					}
					out.Filters[k] = v
				}
			}
			switch format {
			case "json":
				return writeJSON(e.stdout, out)
			case "md", "markdown":
				printReportMarkdown(e.stdout, s, &out, recs)
			default:
				printReportText(e.stdout, s, &out, recs)
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&at, "at", "", "the time of the report: a date or an RFC 3339 time (default now)")
	f.StringVar(&party, "party", "", "only violations by this party")
	f.StringVar(&severity, "severity", "", "only violations at least this severe: minor, major or grave")
	f.StringVar(&commitment, "commitment", "", "only violations of this commitment")
	f.StringVar(&format, "format", "text", "text, md (Markdown) or json")
	f.BoolVar(&jsonOut, "json", false, "print the report as JSON (--format json)")
	f.BoolVar(&md, "md", false, "print Markdown (deprecated: --format md)")
	_ = f.MarkDeprecated("md", "use --format md")
	return c
}

// violationState says what became of a violation report.
func violationState(r *plan.ReportRecord, all []plan.ReportRecord) string {
	var parts []string
	if r.ReplacedBy != 0 {
		verb := "withdrawn"
		for _, q := range all {
			if q.Seq == r.ReplacedBy && q.Finding == plan.FindingViolation {
				verb = "reviewed"
			}
		}
		parts = append(parts, fmt.Sprintf("%s by report %d", verb, r.ReplacedBy))
	} else {
		parts = append(parts, "stands")
	}
	if r.Replaces != 0 {
		parts = append(parts, fmt.Sprintf("review of report %d", r.Replaces))
	}
	if r.Disputed {
		var by []string
		for _, x := range r.Responses {
			if x.Answer == plan.Dispute {
				by = append(by, x.Party)
			}
		}
		parts = append(parts, "disputed by "+strings.Join(by, ", "))
	}
	if len(r.Triggered) > 0 {
		parts = append(parts, "triggered "+strings.Join(r.Triggered, ", "))
	}
	return strings.Join(parts, "; ")
}

func responsesText(r *plan.ReportRecord) string {
	var out []string
	for _, x := range r.Responses {
		s := fmt.Sprintf("%s %ss (%s)", x.Party, x.Answer, fmtDate(x.Time))
		if x.Text != "" {
			s += ": " + x.Text
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
}

func filtersText(f map[string]string) string {
	if len(f) == 0 {
		return ""
	}
	var parts []string
	for _, k := range []string{"party", "severity", "commitment"} {
		if v, ok := f[k]; ok {
			if k == "severity" {
				v += " or worse"
			}
			parts = append(parts, k+" "+v)
		}
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func printReportText(w io.Writer, s *session.Session, r *planReport, all []plan.ReportRecord) {
	fmt.Fprintf(w, "Implementation report: %s at %s\n", s.Scenario.Name, fmtDate(r.At))
	fmt.Fprintf(w, "agreement %s, in force %s\n", fmtDate(r.Milestones.Agreement), fmtDate(r.Milestones.EntryIntoForce))
	fmt.Fprintln(w, "\nTimeline of the phases:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  PHASE\tFROM\tTO\tCOMMITMENTS\tSTATE\tTITLE")
	for _, ph := range r.Phases {
		id := ph.ID
		if id == "" {
			id = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%s\t%s\n", id, fmtDatePtr(ph.Start), fmtDatePtr(ph.End), len(ph.Commitments), phaseState(&ph), ph.Title)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nViolations%s: %d\n", filtersText(r.Filters), len(r.Violations))
	for _, v := range r.Violations {
		fmt.Fprintf(w, "\n  report %d: %s violation of %s by %s on %s", v.Seq, v.Severity, v.Commitment, v.Party, fmtDate(v.When))
		if v.Place != "" {
			fmt.Fprintf(w, " at %s", v.Place)
		}
		fmt.Fprintf(w, "\n    reported %s by %s; %s\n", fmtDate(v.Filed), v.Verifier, violationState(&v, all))
		if v.Text != "" {
			fmt.Fprintf(w, "    %s\n", v.Text)
		}
		for _, l := range v.Evidence {
			fmt.Fprintf(w, "    evidence: %s\n", l)
		}
		if rs := responsesText(&v); rs != "" {
			fmt.Fprintf(w, "    responses: %s\n", rs)
		}
	}
}

// phaseState summarises a phase's counts: "3 fulfilled, 1 late".
func phaseState(ph *plan.PhaseRollup) string {
	if len(ph.Commitments) == 0 {
		return "nothing applies"
	}
	var parts []string
	for _, st := range plan.Statuses {
		if n := ph.Counts.Get(st); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	if ph.Complete {
		parts = append(parts, "complete")
	}
	return strings.Join(parts, ", ")
}

// mdCell escapes text for a Markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "\\", "\\\\")
	s = strings.ReplaceAll(s, "|", "\\|")
	s = strings.ReplaceAll(s, "\r", " ")
	return strings.ReplaceAll(s, "\n", " ")
}

func printReportMarkdown(w io.Writer, s *session.Session, r *planReport, all []plan.ReportRecord) {
	title := s.Scenario.Title
	if title == "" {
		title = s.Scenario.Name
	}
	fmt.Fprintf(w, "# Implementation report: %s\n\n", mdCell(title))
	fmt.Fprintf(w, "As of %s. Agreement %s, in force %s.\n\n", fmtDate(r.At), fmtDate(r.Milestones.Agreement), fmtDate(r.Milestones.EntryIntoForce))
	fmt.Fprintln(w, "## Timeline of the phases")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| Phase | From | To | Commitments | State |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, ph := range r.Phases {
		name := ph.Title
		if name == "" {
			name = ph.ID
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", mdCell(name), fmtDatePtr(ph.Start), fmtDatePtr(ph.End), mdCell(strings.Join(ph.Commitments, ", ")), phaseState(&ph))
	}
	fmt.Fprintf(w, "\n## Violations%s\n\n", filtersText(r.Filters))
	if len(r.Violations) == 0 {
		fmt.Fprintln(w, "None reported.")
		return
	}
	fmt.Fprintln(w, "| Report | Happened | Commitment | By | Severity | Place | Reported | State | Evidence | Responses |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
	for _, v := range r.Violations {
		var ev []string
		for k, l := range v.Evidence {
			ev = append(ev, fmt.Sprintf("[%d](%s)", k+1, strings.ReplaceAll(strings.ReplaceAll(l, "(", "%28"), ")", "%29")))
		}
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s by %s | %s | %s | %s |\n", v.Seq, fmtDate(v.When), mdCell(v.Commitment), mdCell(v.Party), v.Severity,
			mdCell(v.Place), fmtDate(v.Filed), mdCell(v.Verifier), mdCell(violationState(&v, all)), strings.Join(ev, " "), mdCell(responsesText(&v)))
	}
	var notes []plan.ReportRecord
	for _, v := range r.Violations {
		if v.Text != "" {
			notes = append(notes, v)
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
		for _, v := range notes {
			fmt.Fprintf(w, "- Report %d: %s\n", v.Seq, mdCell(v.Text))
		}
	}
}

func newPlanExport(e *env) *cobra.Command {
	var keyPath, out, at string
	var jsonOut bool
	c := &cobra.Command{
		Use:   "export LOG [SCENARIO] --key KEY.pem",
		Short: "Write a signed bundle of a log and its implementation status",
		Long: `Export verifies the log, derives the implementation status at the export time
(--at, default now; not before the last event) and writes a JSON bundle: the
log's lines exactly as written, the scenario's digest, the last event's hash,
the derived status, and an ed25519 signature over the compact JSON of all of
it, made with a private key from parley plan keygen. Anyone with the public
key checks it with parley verify BUNDLE --pub KEY.pub.pem.`,
		Example: `  parley plan keygen council.pem
  parley plan export session.jsonl --key council.pem -o bundle.json
  parley verify bundle.json --pub council.pub.pem`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if keyPath == "" {
				return usagef("--key KEY.pem is required (make one with parley plan keygen)")
			}
			if jsonOut && (out == "" || out == "-") {
				return usagef("--json reports the file written: give it with -o (without -o the bundle, JSON already, goes to standard output)")
			}
			priv, err := readPrivateKey(keyPath)
			if err != nil {
				return err
			}
			when, err := parseAt(at)
			if err != nil {
				return err
			}
			path, scArg := args12(args)
			s, data, events, err := planSession(path, scArg)
			if err != nil {
				return err
			}
			if last := events[len(events)-1].Time; when.Before(last) {
				return usagef("--at %s is before the log's last event (%s): an export covers the whole log", when.Format(time.RFC3339), last.UTC().Format(time.RFC3339))
			}
			b, err := exportBundle(s, data, events, when, priv)
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err = e.stdout.Write(b)
				return err
			}
			if err := os.WriteFile(out, b, 0o644); err != nil {
				return err
			}
			kid := keyID(priv.Public().(ed25519.PublicKey))
			if jsonOut {
				return writeJSON(e.stdout, written{Output: out, Events: len(events), At: &when, KeyID: kid})
			}
			fmt.Fprintf(e.stderr, "wrote %s: %d events, status at %s, signed with key %s\n", clean(out), len(events), fmtDate(when), kid)
			return nil
		},
	}
	c.Flags().StringVar(&keyPath, "key", "", "the private key (PEM, PKCS#8) to sign with")
	c.Flags().StringVarP(&out, "output", "o", "", "write the bundle to this file (default: standard output)")
	c.Flags().StringVar(&at, "at", "", "the export time: a date or an RFC 3339 time (default now)")
	c.Flags().BoolVar(&jsonOut, "json", false, "with -o: print what was written as JSON (file, events, time, key)")
	return c
}

func newPlanKeygen(e *env) *cobra.Command {
	var pubPath string
	var jsonOut bool
	c := &cobra.Command{
		Use:   "keygen KEY.pem",
		Short: "Make an ed25519 key pair (the same as parley keygen)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			keyPath := args[0]
			if pubPath == "" {
				pubPath = strings.TrimSuffix(keyPath, ".pem") + ".pub.pem"
			}
			if pubPath == keyPath {
				return usagef("the public key's file must differ from the private key's")
			}
			for _, p := range []string{keyPath, pubPath} {
				if _, err := os.Lstat(p); err == nil {
					return usagef("%s exists (parley plan keygen does not overwrite keys)", p)
				}
			}
			pub, err := writeKeyPair(keyPath, pubPath)
			if err != nil {
				return err
			}
			return printKeys(e, keyPath, pubPath, pub, jsonOut)
		},
	}
	c.Flags().StringVar(&pubPath, "pub", "", "where to write the public key (default: KEY.pub.pem)")
	c.Flags().BoolVar(&jsonOut, "json", false, "print the files written and the key's id as JSON")
	return c
}
