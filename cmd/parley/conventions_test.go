package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/internal/cli"
	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/room/sqlstore"
	"github.com/parley-negotiation/parley/scenario"
)

// The command line's conventions (issue 14, docs/cli.md), checked on every
// command parley registers: the commands are found as a user finds them,
// from the "Available Commands" of each help, so a new command is checked
// without being listed here.

// command is a command found in the help: its path (nil: parley itself)
// and its flags, with the type of their value ("" for a switch).
type command struct {
	path  []string
	flags map[string]string
}

func (c command) name() string { return strings.Join(append([]string{"parley"}, c.path...), " ") }

var (
	// "  plan        Follow an agreement's implementation…"
	subcommandLine = regexp.MustCompile(`^  ([a-z][a-z0-9-]*)\s`)
	// "  -o, --output string   …" and "      --json   …"
	flagLine = regexp.MustCompile(`^\s+(?:-[a-zA-Z], )?--([a-z][a-z0-9-]*)(?:[ =]([a-zA-Z0-9]+))?(?:\s|$)`)
)

// commands walks the help of parley and of each command it lists.
func commands(t *testing.T) []command {
	t.Helper()
	var out []command
	var walk func(path []string)
	walk = func(path []string) {
		code, help, errOut := runParley(append(append([]string(nil), path...), "--help")...)
		if code != cli.ExitOK || errOut != "" {
			t.Fatalf("parley %s --help: exit %d\n%s", strings.Join(path, " "), code, errOut)
		}
		c := command{path: path, flags: map[string]string{}}
		var subs []string
		section := ""
		for _, line := range strings.Split(help, "\n") {
			if line != "" && !strings.HasPrefix(line, " ") {
				section = line
				continue
			}
			switch section {
			case "Available Commands:":
				if m := subcommandLine.FindStringSubmatch(line); m != nil {
					subs = append(subs, m[1])
				}
			case "Flags:", "Global Flags:":
				if m := flagLine.FindStringSubmatch(line); m != nil {
					typ := m[2]
					if typ != "" && !strings.Contains(line, "--"+m[1]+" "+typ) {
						typ = ""
					}
					c.flags[m[1]] = typ
				}
			}
		}
		out = append(out, c)
		for _, s := range subs {
			walk(append(append([]string(nil), path...), s))
		}
	}
	walk(nil)
	if len(out) < 25 {
		t.Fatalf("only %d commands found in the help", len(out))
	}
	return out
}

// goInternals are signs of the Go code in a message meant for people.
var goInternals = regexp.MustCompile(`strconv\.|Go struct|Config\.|\*[a-z]+\.[A-Z]|panic|goroutine`)

// TestUsageErrorsEveryCommand: on every command, an unknown flag, a
// malformed flag value and too many arguments are usage errors (exit
// status 2), with a message naming what to change, and nothing on
// standard output.
func TestUsageErrorsEveryCommand(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	extra := []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"}
	bad := map[string]string{"int": "many", "int64": "many", "uint": "-1", "uint64": "-1", "float": "wide", "float64": "wide",
		"duration": "soon", "interval": "soon", "": "maybe"}
	// want is a regular expression the message must match.
	check := func(c command, want string, args ...string) {
		t.Helper()
		argv := append(append([]string(nil), c.path...), args...)
		code, out, errOut := runParley(argv...)
		what := "parley " + strings.Join(argv, " ")
		switch {
		case code != cli.ExitUsage:
			t.Errorf("%s: exit %d, want %d (a usage error)\n%s", what, code, cli.ExitUsage, errOut)
		case out != "":
			t.Errorf("%s: a usage error wrote to stdout:\n%s", what, out)
		case !strings.HasPrefix(errOut, "parley: ") || !regexp.MustCompile(want).MatchString(errOut):
			t.Errorf("%s: stderr does not name %q:\n%s", what, want, errOut)
		case goInternals.MatchString(errOut):
			t.Errorf("%s: the message names the Go code:\n%s", what, errOut)
		}
	}
	values := 0
	for _, c := range commands(t) {
		check(c, "unknown flag: --no-such-flag", "--no-such-flag")
		// The argument, or what the command takes.
		check(c, `"a1|a1,|usage: `+regexp.QuoteMeta(c.name()), extra...)
		for name, typ := range c.flags {
			v, ok := bad[typ]
			if !ok || name == "help" || name == "version" && c.path == nil {
				continue
			}
			check(c, `[" ]--`+name+`"`, "--"+name+"="+v)
			values++
		}
	}
	if values < 50 {
		t.Errorf("only %d flag values checked: are the helps' flags still found?", values)
	}
}

// jsonExempt are the commands that print no result, and why.
var jsonExempt = map[string]string{
	"parley serve":                 "serves the room until stopped; prints no result",
	"parley broker":                "serves NATS until stopped; prints no result",
	"parley worker":                "works for a coordinator until stopped; prints no result",
	"parley help":                  "prints help, text for people",
	"parley completion":            "a group: prints its help",
	"parley completion bash":       "prints a shell script",
	"parley completion fish":       "prints a shell script",
	"parley completion powershell": "prints a shell script",
	"parley completion zsh":        "prints a shell script",
	"parley plan":                  "a group: prints its help",
	"parley user":                  "a group: prints its help",
	"parley multideal":             "a group: prints its help",
}

// TestJSONEveryCommand: every command that prints a result has --json and,
// given it, prints one valid JSON document on standard output and nothing
// else there. A command is either run here or exempt with a reason.
func TestJSONEveryCommand(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("PARLEY_SIGNING_KEY", "")
	in := func(name string) string { return filepath.Join(dir, name) }
	write := func(name, text string) {
		if err := os.WriteFile(in(name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyFile := func(from, to string) {
		data, err := os.ReadFile(in(from))
		if err != nil {
			t.Fatal(err)
		}
		write(to, string(data))
	}
	write("ok.yaml", "parley: 1\nname: ok\npoints:\n  - id: a\n    options: [{id: x}, {id: y}]\nparties:\n"+
		"  - {id: p, role: principal}\n  - {id: q, role: principal}\n")
	// Two principals of three agree (run_votes.txtar); the mediator's
	// single text has versions.
	write("quorum.yaml", `parley: 1
name: quorum
points:
  - id: port
    options: [{id: open}, {id: closed}]
  - id: tolls
    options: [{id: none}, {id: low}, {id: high}]
parties:
  - id: harbour
    role: principal
    profile: {weights: {port: 0.7, tolls: 0.3}, scores: {port: {open: 10, closed: 0}, tolls: {none: 10, low: 6, high: 0}}, reservation: 0.5}
  - id: river
    role: principal
    profile: {weights: {port: 0.6, tolls: 0.4}, scores: {port: {open: 10, closed: 0}, tolls: {none: 4, low: 10, high: 2}}, reservation: 0.5}
  - id: hills
    role: principal
    profile: {weights: {port: 0.8, tolls: 0.2}, scores: {port: {open: 0, closed: 10}, tolls: {none: 0, low: 5, high: 10}}, reservation: 0.6}
  - id: envoy
    role: mediator
decision:
  rule: quorum
  quorum: 2
`)
	write("t.yaml", "name: t\nagents: [boulware, conceder]\nscenarios: [tiny-2p]\ndeadline: {rounds: 20}\n")
	write("md.yaml", "multideal: 1\nname: md\nspaces: {s: {points: [{id: x, options: [a, b]}]}}\ncenter: {utility: {kind: counts, point: x, rows: [{counts: {a: 1}, value: 1}]}}\n"+
		"threads:\n  - {edge: e, space: s, profile: {weights: {x: 1}, scores: {x: {a: 1, b: 0}}}}\n")
	if err := writeImplementation(in("impl.jsonl"), testKey()); err != nil {
		t.Fatal(err)
	}
	db, negotiation := roomWithNegotiation(t, dir)
	key, pub := in("k.pem"), in("k.pub.pem")

	// The commands in an order where each finds what it reads: the keys
	// before the logs they sign, the logs before what reads them.
	type run struct {
		cmd  string // the command's path
		args []string
		// then reads the result (the report a response answers).
		then func(out []byte)
	}
	var reportSeq string
	runs := []run{
		{cmd: "parley", args: []string{"--version", "--json"}},
		{cmd: "parley version", args: []string{"version", "--json"}},
		{cmd: "parley scenarios", args: []string{"scenarios", "--json"}},
		{cmd: "parley validate", args: []string{"validate", in("ok.yaml"), "--json"}},
		{cmd: "parley analyze", args: []string{"analyze", "tiny-2p", "--json"}},
		{cmd: "parley convert", args: []string{"convert", "tiny-2p", "--to", "yaml", "-o", in("tiny.yaml"), "--json"}},
		{cmd: "parley keygen", args: []string{"keygen", key, "--json"}},
		{cmd: "parley plan keygen", args: []string{"plan", "keygen", in("council.pem"), "--json"}},
		{cmd: "parley run", args: []string{"run", "tiny-2p", "--agent", "north=boulware", "--agent", "south=conceder", "--rounds", "20",
			"--log", in("run.jsonl"), "--key", key, "--at", "2026-01-05", "--json"}},
		{cmd: "parley replay", args: []string{"replay", in("run.jsonl"), "--json"}},
		{cmd: "parley verify", args: []string{"verify", in("run.jsonl"), "--pub", pub, "--json"}},
		{cmd: "parley agreement", args: []string{"agreement", in("run.jsonl"), "--json"}},
		{cmd: "parley ratify", args: []string{"ratify", in("ratified.jsonl"), "1", "--yes", "--at", "2026-01-06", "--key", key, "--json"}},
		{cmd: "parley run", args: []string{"run", in("quorum.yaml"), "--protocol", "single-text", "--format", "plenary", "--rounds", "20",
			"--log", in("st.jsonl"), "--key", key, "--json"}},
		{cmd: "parley agreement versions", args: []string{"agreement", "versions", in("st.jsonl"), "--json"}},
		{cmd: "parley agreement diff", args: []string{"agreement", "diff", in("st.jsonl"), "--from", "1", "--to", "2", "--json"}},
		{cmd: "parley plan status", args: []string{"plan", "status", in("impl.jsonl"), "--at", "2026-08-20", "--json"}},
		{cmd: "parley plan report", args: []string{"plan", "report", in("impl.jsonl"), "--at", "2026-08-20", "--json"}},
		{cmd: "parley plan export", args: []string{"plan", "export", in("impl.jsonl"), "--key", in("council.pem"), "--at", "2026-09-01",
			"-o", in("bundle.json"), "--json"}},
		{cmd: "parley plan file-report", args: []string{"plan", "file-report", in("impl2.jsonl"), "--verifier", "monitoring-mission",
			"--commitment", "ceasefire", "--finding", "violation", "--party", "russia", "--severity", "minor",
			"--when", "2026-09-01", "--at", "2026-09-02", "--no-sign", "--json"},
			then: func(out []byte) {
				var r struct {
					Events []struct {
						Seq  json.Number `json:"seq"`
						Kind string      `json:"kind"`
					} `json:"events"`
				}
				if err := json.Unmarshal(out, &r); err != nil || len(r.Events) == 0 || r.Events[0].Kind != "report" {
					t.Fatalf("plan file-report --json: no report event (%v):\n%s", err, out)
				}
				reportSeq = r.Events[0].Seq.String()
			}},
		{cmd: "parley plan respond", args: []string{"plan", "respond", in("impl2.jsonl"), "--party", "russia", "--report", "REPORT",
			"--answer", "dispute", "--at", "2026-09-03", "--no-sign", "--json"}},
		{cmd: "parley export", args: []string{"export", negotiation, "--db", db, "-o", in("export.jsonl"), "--json"}},
		{cmd: "parley user add", args: []string{"user", "add", "alice", "--db", db, "--role", "instructor", "--json"}},
		{cmd: "parley user list", args: []string{"user", "list", "--db", db, "--json"}},
		{cmd: "parley user passwd", args: []string{"user", "passwd", "alice", "--db", db, "--json"}},
		{cmd: "parley user sessions", args: []string{"user", "sessions", "alice", "--db", db, "--json"}},
		{cmd: "parley user revoke", args: []string{"user", "revoke", "alice", "--all", "--db", db, "--json"}},
		{cmd: "parley user remove", args: []string{"user", "remove", "alice", "--db", db, "--json"}},
		{cmd: "parley backup", args: []string{"backup", "--db", db, "-o", in("backup.db"), "--json"}},
		{cmd: "parley restore", args: []string{"restore", in("backup.db"), "--db", in("restored.db"), "--json"}},
		{cmd: "parley purge", args: []string{"purge", negotiation, "--db", in("restored.db"), "--keep-record", "--yes", "--json"}},
		{cmd: "parley tournament", args: []string{"tournament", in("t.yaml"), "-o", in("tournament"), "-q", "--json"}},
		{cmd: "parley multideal run", args: []string{"multideal", "run", in("md.yaml"), "--json"}},
		{cmd: "parley multideal analyze", args: []string{"multideal", "analyze", in("md.yaml"), "--json"}},
		{cmd: "parley multideal tournament", args: []string{"multideal", "tournament", "--scenario", in("md.yaml"), "--steps", "5", "-q", "--json"}},
		{cmd: "parley loadtest", args: []string{"loadtest", "--sessions", "1", "--duration", "1s", "-q", "--json"}},
	}

	found := map[string]command{}
	for _, c := range commands(t) {
		found[c.name()] = c
	}
	tested := map[string]bool{}
	for _, r := range runs {
		tested[r.cmd] = true
		if _, ok := found[r.cmd]; !ok {
			t.Errorf("%s is tested here but not in the help", r.cmd)
		}
	}
	for name := range jsonExempt {
		if _, ok := found[name]; !ok {
			t.Errorf("%s is exempt from --json here but not in the help", name)
		}
	}
	for name, c := range found {
		switch _, exempt := jsonExempt[name]; {
		case exempt:
		case !tested[name]:
			t.Errorf("%s prints a result? Test its --json here, or exempt it with a reason", name)
		default:
			if _, ok := c.flags["json"]; !ok {
				t.Errorf("%s: no --json in its help", name)
			}
		}
	}
	if t.Failed() {
		return
	}

	copyFile("impl.jsonl", "impl2.jsonl")
	for _, r := range runs {
		if r.cmd == "parley ratify" {
			copyFile("run.jsonl", "ratified.jsonl")
		}
		args := append([]string(nil), r.args...)
		for i, a := range args {
			if a == "REPORT" {
				args[i] = reportSeq
			}
		}
		code, out, errOut := runParley(args...)
		what := "parley " + strings.Join(args, " ")
		if code != cli.ExitOK {
			t.Errorf("%s: exit %d\n%s", what, code, errOut)
			continue
		}
		if err := oneJSON([]byte(out)); err != nil {
			t.Errorf("%s: standard output is not one JSON document: %v\n%s", what, err, out)
			continue
		}
		if r.then != nil {
			r.then([]byte(out))
		}
	}
	// The order above left none out.
	if _, err := os.Stat(in("export.jsonl")); err != nil {
		t.Error(err)
	}
}

// oneJSON checks that data is one JSON document and nothing else.
func oneJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("more after the document")
	}
	if v == nil {
		return errors.New("null")
	}
	return nil
}

// roomWithNegotiation makes a room database in dir with one started
// negotiation of tiny-2p: what parley export reads.
func roomWithNegotiation(t *testing.T, dir string) (db, id string) {
	t.Helper()
	ctx := context.Background()
	db = filepath.Join(dir, "room.db")
	st, err := sqlstore.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := room.New(st, nil)
	u, _, err := svc.EnsureUser(ctx, "mediator", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Builtin("tiny-2p")
	if err != nil {
		t.Fatal(err)
	}
	n, err := svc.CreateNegotiation(ctx, u.ID, "", sc, room.Settings{Protocol: "sao", Rounds: 10}, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(ctx, u.ID, n.ID); err != nil {
		t.Fatal(err)
	}
	return db, n.ID
}
