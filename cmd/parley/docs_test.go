package main

// TestDocs runs the shell examples of README.md, docs/*.md and
// examples/*/README.md as a reader
// would type them, so that a documented command that breaks fails the tests.
//
// Every ```sh and ```console block runs. Each page runs in its own work
// folder laid out like the repository (its top-level files and folders are
// symbolic links to the repository's, ../shared/data beside it when the shared
// data is there), in one bash shell kept for the whole page, as in one
// terminal: variables, the current folder and background jobs carry over
// from block to block. `parley` is this test binary (TestMain), HOME is a
// folder of the page whose ~/.config/parley holds the test signing key, and
// $PORT is a free port of the page.
//
//   - ```sh: each command (a line, with its `\` continuations) must exit 0;
//     its output is not checked. Comment lines are not commands.
//   - ```console: the lines starting with `$ ` are commands, the lines after
//     them their output (standard output and error), which must match: `…`
//     alone on a line stands for any lines, `…` in a line for any text.
//     A command the doc shows with no output must print nothing.
//
// An HTML comment just before a block changes how it runs, one directive a
// line, each starting with `doctest:`. STRING is a Go string literal ("…" or
// `…`); PREFIX selects the commands of the block that start with it (it must
// select one); REASON, after an em dash, says why the doc cannot run as
// written and is required where shown:
//
//	file NAME from PATH               the repository's PATH copied as NAME into the work folder
//	file NAME                         (before a block of any language) the block's text is NAME
//	needs PROG|PATH...                the block runs only when these programs are on PATH and
//	                                  these paths (relative to the work folder) exist
//	needs PROG|PATH... for PREFIX     the same, for the commands starting with PREFIX only
//	skip — REASON                     the block does not run
//	skip PREFIX — REASON              those commands do not run
//	replace OLD NEW — REASON          OLD (which must occur) becomes NEW in the block's commands
//	replace OLD NEW in FILE — REASON  ... in the work folder's FILE (a copy, never the repository's)
//	start CMD...                      CMD (shell text) runs in the background until the page ends
//	wait URL                          wait until URL answers 200 (after the start directives)
//	wait URL after PREFIX             ... after the command starting with PREFIX
//
// $PORT in a directive is the page's port. A malformed marker, an unknown
// directive or a marker that selects nothing fails the test.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/internal/refdata"
)

// docBlock is a fenced code block of a doc page and the directives before it.
type docBlock struct {
	line  int    // the opening fence's line (1-based)
	lang  string // the info string: sh, console, yaml, ...
	text  []string
	dirs  []directive
	dline int // the marker comment's first line, 0 when there is none
}

// directive is one `doctest:` line of a marker comment.
type directive struct {
	line   int
	kind   string   // file, needs, skip, replace, start, wait
	name   string   // file: the file written
	from   string   // file: the repository file copied, "" for the block's text
	needs  []string // needs: programs, or paths when they contain a slash
	prefix string   // needs, skip, wait: the commands selected ("" for all)
	old    string   // replace
	new    string   // replace
	in     string   // replace: the work folder's file, "" for the commands
	cmd    string   // start: shell text
	url    string   // wait
	reason string
	used   bool // a command was selected by prefix
}

// docCommand is one command of a block: its text as the doc shows it (with
// continuation lines), its line, and for console blocks the output shown.
type docCommand struct {
	line   int
	text   string
	output []string
}

var directiveKinds = map[string]bool{"file": true, "needs": true, "skip": true, "replace": true, "start": true, "wait": true}

// parseDoc returns the code blocks of a Markdown page and their directives.
func parseDoc(src string) ([]docBlock, error) {
	lines := strings.Split(src, "\n")
	var (
		blocks  []docBlock
		pending []directive
		pline   int // the pending marker's line
	)
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		switch {
		case strings.HasPrefix(l, "```"):
			b := docBlock{line: i + 1, lang: strings.TrimSpace(strings.TrimPrefix(l, "```")), dirs: pending, dline: pline}
			indent := len(lines[i]) - len(strings.TrimLeft(lines[i], " "))
			i++
			for ; i < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[i]), "```"); i++ {
				t := lines[i]
				if len(t)-len(strings.TrimLeft(t, " ")) >= indent {
					t = t[indent:]
				}
				b.text = append(b.text, t)
			}
			if i == len(lines) {
				return nil, fmt.Errorf("line %d: a code block that does not end", b.line)
			}
			pending, pline = nil, 0
			blocks = append(blocks, b)
		case strings.HasPrefix(l, "<!--") && strings.Contains(l, "doctest") || strings.HasPrefix(l, "doctest:"):
			if !strings.HasPrefix(l, "<!-- doctest:") && !strings.HasPrefix(l, "doctest:") {
				return nil, fmt.Errorf("line %d: a doctest marker is an HTML comment starting <!-- doctest:, one directive a line starting doctest:", i+1)
			}
			if !strings.HasPrefix(l, "<!--") {
				return nil, fmt.Errorf("line %d: a doctest directive outside a <!-- doctest: comment", i+1)
			}
			if pending != nil {
				return nil, fmt.Errorf("line %d: the doctest marker of line %d is not before a code block", i+1, pline)
			}
			pline = i + 1
			l = strings.TrimSpace(strings.TrimPrefix(l, "<!--"))
			for {
				end := strings.HasSuffix(l, "-->")
				l = strings.TrimSpace(strings.TrimSuffix(l, "-->"))
				d, err := parseDirective(l)
				if err != nil {
					return nil, fmt.Errorf("line %d: %w", i+1, err)
				}
				d.line = i + 1
				pending = append(pending, d)
				if end {
					break
				}
				i++
				if i == len(lines) {
					return nil, fmt.Errorf("line %d: a doctest marker that does not end (-->)", pline)
				}
				l = strings.TrimSpace(lines[i])
			}
		case l == "":
		default:
			if pending != nil {
				return nil, fmt.Errorf("line %d: the doctest marker of line %d is not before a code block", i+1, pline)
			}
		}
	}
	if pending != nil {
		return nil, fmt.Errorf("line %d: the doctest marker is not before a code block", pline)
	}
	return blocks, nil
}

// parseDirective parses the text of one directive line ("doctest: ...").
func parseDirective(l string) (directive, error) {
	rest, ok := strings.CutPrefix(l, "doctest:")
	if !ok {
		return directive{}, fmt.Errorf("%q: a directive starts with doctest:", l)
	}
	rest = strings.TrimSpace(rest)
	kind, rest, _ := strings.Cut(rest, " ")
	d := directive{kind: kind}
	if !directiveKinds[kind] {
		return d, fmt.Errorf("unknown doctest directive %q (want file, needs, skip, replace, start or wait)", kind)
	}
	if kind == "start" {
		d.cmd = strings.TrimSpace(rest)
		if d.cmd == "" {
			return d, errors.New("doctest: start: no command")
		}
		return d, nil
	}
	args, reason, err := splitDirective(rest)
	if err != nil {
		return d, fmt.Errorf("doctest: %s: %w", kind, err)
	}
	d.reason = reason
	bad := func(usage string) (directive, error) {
		return d, fmt.Errorf("doctest: %s: want %s", kind, usage)
	}
	// quoted reports whether args[i] was written as a string literal, and its value.
	arg := func(i int) (string, bool) {
		if i >= len(args) {
			return "", false
		}
		return args[i].s, args[i].quoted
	}
	switch kind {
	case "file":
		switch {
		case len(args) == 1 && !args[0].quoted:
			d.name = args[0].s
		case len(args) == 3 && args[1].s == "from" && !args[1].quoted:
			d.name, d.from = args[0].s, args[2].s
		default:
			return bad("file NAME [from PATH]")
		}
	case "needs":
		for i := 0; i < len(args); i++ {
			if args[i].s == "for" && !args[i].quoted {
				p, q := arg(i + 1)
				if !q || i+2 != len(args) {
					return bad(`needs PROG|PATH... [for "PREFIX"]`)
				}
				d.prefix = p
				break
			}
			d.needs = append(d.needs, args[i].s)
		}
		if len(d.needs) == 0 {
			return bad(`needs PROG|PATH... [for "PREFIX"]`)
		}
	case "skip":
		switch p, q := arg(0); {
		case len(args) == 0:
		case len(args) == 1 && q:
			d.prefix = p
		default:
			return bad(`skip ["PREFIX"] — REASON`)
		}
		if reason == "" {
			return bad(`skip ["PREFIX"] — REASON (the reason is required)`)
		}
	case "replace":
		o, q1 := arg(0)
		n, q2 := arg(1)
		if !q1 || !q2 || o == "" || !(len(args) == 2 || len(args) == 4 && args[2].s == "in" && !args[2].quoted) {
			return bad(`replace "OLD" "NEW" [in FILE] — REASON`)
		}
		d.old, d.new = o, n
		if len(args) == 4 {
			d.in = args[3].s
		}
		if reason == "" {
			return bad(`replace "OLD" "NEW" [in FILE] — REASON (the reason is required)`)
		}
	case "wait":
		switch {
		case len(args) == 1 && !args[0].quoted:
		case len(args) == 3 && args[1].s == "after" && args[2].quoted:
			d.prefix = args[2].s
		default:
			return bad(`wait URL [after "PREFIX"]`)
		}
		d.url = args[0].s
	}
	return d, nil
}

type directiveArg struct {
	s      string
	quoted bool
}

// splitDirective splits a directive's arguments: words, or Go string
// literals, up to an em dash that starts the reason.
func splitDirective(s string) ([]directiveArg, string, error) {
	var args []directiveArg
	for {
		s = strings.TrimSpace(s)
		switch {
		case s == "":
			return args, "", nil
		case strings.HasPrefix(s, "—"):
			return args, strings.TrimSpace(strings.TrimPrefix(s, "—")), nil
		case s[0] == '"' || s[0] == '`':
			q, err := strconv.QuotedPrefix(s)
			if err != nil {
				return nil, "", fmt.Errorf("%s: not a Go string literal (write quotes inside as \\\" or use `…`)", s)
			}
			v, _ := strconv.Unquote(q)
			args = append(args, directiveArg{v, true})
			s = s[len(q):]
			if s != "" && s[0] != ' ' {
				return nil, "", fmt.Errorf("%q: text right after a string literal", s)
			}
		default:
			w, r, _ := strings.Cut(s, " ")
			args = append(args, directiveArg{w, false})
			s = r
		}
	}
}

// commands splits a runnable block into its commands.
func (b docBlock) commands() []docCommand {
	var cmds []docCommand
	console := b.lang == "console"
	for i := 0; i < len(b.text); i++ {
		l := b.text[i]
		if console {
			t, ok := strings.CutPrefix(l, "$ ")
			if !ok {
				if len(cmds) > 0 {
					cmds[len(cmds)-1].output = append(cmds[len(cmds)-1].output, l)
				}
				continue
			}
			l = t
		} else if t := strings.TrimSpace(l); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		c := docCommand{line: b.line + 1 + i, text: l}
		for strings.HasSuffix(c.text, `\`) && i+1 < len(b.text) {
			i++
			c.text += "\n" + b.text[i]
		}
		cmds = append(cmds, c)
	}
	return cmds
}

// docOutputRE returns the regular expression of the output a console block
// shows: "…" alone on a line is any lines, "…" in a line any text.
func docOutputRE(lines []string) *regexp.Regexp {
	var re strings.Builder
	re.WriteString(`^`)
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "…" {
			re.WriteString(`(?:[^\n]*\n)*?`)
			continue
		}
		parts := strings.Split(l, "…")
		for j, p := range parts {
			if j > 0 {
				re.WriteString(`[^\n]*`)
			}
			re.WriteString(regexp.QuoteMeta(p))
		}
		re.WriteString(`\n`)
	}
	re.WriteString(`$`)
	return regexp.MustCompile(re.String())
}

// normalizeOutput trims the lines' trailing blanks and the trailing empty
// lines, and ends the output with a newline unless it is empty.
func normalizeOutput(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines) == 0 {
		return ""
	}
	return strings.Join(lines, "\n") + "\n"
}

func docPages(t *testing.T, root string) []string {
	pages := []string{filepath.Join(root, "README.md")}
	for _, pattern := range []string{"docs/*.md", "examples/*/README.md"} {
		m, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, m...)
	}
	return pages
}

// TestDocs runs the shell blocks of README.md, docs/*.md and
// examples/*/README.md (see the top of this file).
func TestDocs(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the docs' commands take a while")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not found: the docs' commands run in bash")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	parley, err := exec.LookPath("parley")
	if err != nil || !strings.HasPrefix(parley, os.TempDir()) {
		t.Fatalf("parley on PATH is %q (%v), want this test binary (TestMain puts it first on PATH)", parley, err)
	}
	env := docEnv(t, filepath.Dir(parley))
	for _, page := range docPages(t, root) {
		rel, _ := filepath.Rel(root, page)
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(page)
			if err != nil {
				t.Fatal(err)
			}
			blocks, err := parseDoc(string(src))
			if err != nil {
				t.Fatalf("%s:%v", rel, err)
			}
			runnable := false
			for _, b := range blocks {
				if b.lang == "sh" || b.lang == "console" || len(b.dirs) > 0 {
					runnable = true
				}
			}
			if !runnable {
				return
			}
			p := newDocPage(t, rel, root, env)
			for _, b := range blocks {
				if !p.runBlock(b) {
					return
				}
			}
		})
	}
}

// docEnv returns the environment of the pages' shells, without the variables
// a page sets itself: bindir first on PATH, and the Go caches of this test so
// that the go commands of the docs do not start cold under the page's HOME.
func docEnv(t *testing.T, bindir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "HOME" || k == "XDG_CONFIG_HOME" || k == "PORT" || k == "PATH" || k == "PWD" || k == "OLDPWD" ||
			k == "CDPATH" || k == "BASH_ENV" || k == "ENV" || strings.HasPrefix(k, "PARLEY_"):
		default:
			env = append(env, kv)
		}
	}
	env = append(env, "PATH="+bindir+string(os.PathListSeparator)+os.Getenv("PATH"))
	// The Go settings as this test sees them (go env reads GOENV too); the
	// later value of a variable wins.
	if out, err := exec.Command("go", "env", "-json", "GOCACHE", "GOMODCACHE", "GOPATH", "GOFLAGS", "GOTOOLCHAIN", "GOPROXY", "GONOSUMDB", "GOPRIVATE", "GOINSECURE").Output(); err == nil {
		var goenv map[string]string
		if err := json.Unmarshal(out, &goenv); err != nil {
			t.Fatalf("go env: %v", err)
		}
		for k, v := range goenv {
			if v != "" {
				env = append(env, k+"="+v)
			}
		}
	}
	return env
}

// docPage is the state of one page's run: its work folder, shell and
// background processes.
type docPage struct {
	t        *testing.T
	rel      string // the page, relative to the repository
	root     string // the repository
	work     string // the work folder: the page's current folder
	port     string
	env      []string
	shell    *exec.Cmd
	stdin    io.WriteCloser
	lines    chan string // the shell's output, line by line; closed at its end
	sentinel string
	nstart   int
	started  []*exec.Cmd
	startLog []string
	deadline time.Time
}

func newDocPage(t *testing.T, rel, root string, env []string) *docPage {
	dir := t.TempDir()
	p := &docPage{t: t, rel: rel, root: root, work: filepath.Join(dir, "repo")}
	if err := os.Mkdir(p.work, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if err := os.Symlink(filepath.Join(root, e.Name()), filepath.Join(p.work, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	if data := refdata.Root(); data != "" {
		if abs, err := filepath.Abs(data); err == nil {
			data = abs
		}
		if err := os.Mkdir(filepath.Join(dir, "shared"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(data, filepath.Join(dir, "shared", "data")); err != nil {
			t.Fatal(err)
		}
	}
	home := filepath.Join(dir, "home")
	if err := writeTestKey(filepath.Join(home, ".config", "parley", "signing-key.pem")); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.port = strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	p.env = append(append([]string(nil), env...), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "PORT="+p.port)
	p.deadline = time.Now().Add(3 * time.Minute)
	if d, ok := t.Deadline(); ok && d.Add(-10*time.Second).Before(p.deadline) {
		p.deadline = d.Add(-10 * time.Second)
	}
	var nonce [8]byte
	rand.Read(nonce[:])
	p.sentinel = "__doctest_" + hex.EncodeToString(nonce[:])
	t.Cleanup(p.close)
	return p
}

// startShell starts the page's bash, on first use.
func (p *docPage) startShell() error {
	if p.shell != nil {
		return nil
	}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	sh := exec.Command("bash", "--noprofile", "--norc")
	sh.Dir, sh.Env = p.work, p.env
	sh.Stdout, sh.Stderr = w, w
	sh.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	in, err := sh.StdinPipe()
	if err != nil {
		return err
	}
	if err := sh.Start(); err != nil {
		return fmt.Errorf("bash: %w", err)
	}
	w.Close()
	p.shell, p.stdin = sh, in
	p.lines = make(chan string, 64)
	go func() {
		defer close(p.lines)
		br := bufio.NewReader(r)
		for {
			l, err := br.ReadString('\n')
			if l != "" {
				p.lines <- l
			}
			if err != nil {
				r.Close()
				return
			}
		}
	}()
	_, err = fmt.Fprintf(in, "set -o pipefail\n")
	return err
}

// run runs one command in the page's shell and returns its output (standard
// output and error) and exit status.
func (p *docPage) run(cmd string) (string, int, error) {
	if err := p.startShell(); err != nil {
		return "", 0, err
	}
	p.nstart++
	script := filepath.Join(filepath.Dir(p.work), fmt.Sprintf("cmd%d.sh", p.nstart))
	if err := os.WriteFile(script, []byte(cmd+"\n"), 0o644); err != nil {
		return "", 0, err
	}
	if _, err := fmt.Fprintf(p.stdin, "source %s </dev/null; printf '\\n%s %%d\\n' \"$?\"\n", script, p.sentinel); err != nil {
		return "", 0, fmt.Errorf("the shell: %w", err)
	}
	var out strings.Builder
	timeout := time.NewTimer(time.Until(p.deadline))
	defer timeout.Stop()
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				return out.String(), 0, errors.New("the shell ended")
			}
			if rest, ok := strings.CutPrefix(l, p.sentinel+" "); ok {
				rc, err := strconv.Atoi(strings.TrimSpace(rest))
				return strings.TrimSuffix(out.String(), "\n"), rc, err
			}
			out.WriteString(l)
		case <-timeout.C:
			return out.String(), 0, fmt.Errorf("still running at %s (the page's time is up)", p.deadline.Format(time.TimeOnly))
		}
	}
}

// close ends the page's shell, its background jobs and the started processes.
func (p *docPage) close() {
	if p.shell != nil {
		p.stdin.Close()
		syscall.Kill(-p.shell.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { p.shell.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			syscall.Kill(-p.shell.Process.Pid, syscall.SIGKILL)
			<-done
		}
		// A background job may still hold the output open.
		syscall.Kill(-p.shell.Process.Pid, syscall.SIGKILL)
		go func() {
			for range p.lines { // until the reader ends
			}
		}()
	}
	for _, c := range p.started {
		stopGroup(c)
	}
}

// stopGroup stops a started process and its children: SIGTERM, then SIGKILL
// after 5 s.
func stopGroup(c *exec.Cmd) {
	syscall.Kill(-c.Process.Pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { c.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

// expand replaces $PORT in a directive's text.
func (p *docPage) expand(s string) string { return strings.ReplaceAll(s, "$PORT", p.port) }

// where names a line of the page.
func (p *docPage) where(line int) string { return fmt.Sprintf("%s:%d", p.rel, line) }

// have reports whether a needs directive's programs and paths are there, and
// which one is missing.
func (p *docPage) have(needs []string) (bool, string) {
	for _, n := range needs {
		if strings.Contains(n, "/") {
			if _, err := os.Stat(filepath.Join(p.work, n)); err != nil {
				return false, n
			}
		} else if _, err := exec.LookPath(n); err != nil {
			return false, n
		}
	}
	return true, ""
}

// runBlock runs one block of the page; false when the page cannot go on.
func (p *docPage) runBlock(b docBlock) bool {
	t := p.t
	runnable := b.lang == "sh" || b.lang == "console"
	// Block-wide directives first: files, needs, skip.
	for i := range b.dirs {
		d := &b.dirs[i]
		switch {
		case d.kind == "file" && d.from == "":
			if runnable {
				t.Errorf("%s: doctest: file %s without from: only before a block whose text is the file (this one is %s)", p.where(d.line), d.name, b.lang)
				return false
			}
			if err := os.WriteFile(filepath.Join(p.work, d.name), []byte(strings.Join(b.text, "\n")+"\n"), 0o644); err != nil {
				t.Error(err)
				return false
			}
			t.Logf("%s: the block is %s", p.where(b.line), d.name)
		case !runnable:
			t.Errorf("%s: doctest: %s before a %q block (only file NAME goes before a block that is not sh or console)", p.where(d.line), d.kind, b.lang)
			return false
		case d.kind == "file":
			src, err := os.ReadFile(filepath.Join(p.root, d.from))
			if err == nil {
				err = os.WriteFile(filepath.Join(p.work, d.name), src, 0o644)
			}
			if err != nil {
				t.Errorf("%s: doctest: file %s from %s: %v", p.where(d.line), d.name, d.from, err)
				return false
			}
		}
	}
	if !runnable {
		return true
	}
	for _, d := range b.dirs {
		if d.kind == "skip" && d.prefix == "" {
			t.Logf("%s: skipped: %s", p.where(b.line), d.reason)
			return true
		}
		if d.kind == "needs" && d.prefix == "" {
			if ok, miss := p.have(d.needs); !ok {
				t.Logf("%s: skipped: needs %s", p.where(b.line), miss)
				return true
			}
		}
	}
	for i := range b.dirs {
		d := &b.dirs[i]
		if d.kind != "replace" || d.in == "" {
			continue
		}
		if err := p.replaceInFile(d.in, d.old, p.expand(d.new)); err != nil {
			t.Errorf("%s: doctest: replace in %s: %v", p.where(d.line), d.in, err)
			return false
		}
		t.Logf("%s: %s: %q → %q (%s)", p.where(b.line), d.in, d.old, p.expand(d.new), d.reason)
	}
	// Background processes, then the waits that go with them.
	for _, d := range b.dirs {
		if d.kind == "start" && !p.start(b, d) {
			return false
		}
	}
	for _, d := range b.dirs {
		if d.kind == "wait" && d.prefix == "" && !p.wait(d) {
			return false
		}
	}
	cmds := b.commands()
	if len(cmds) == 0 {
		t.Errorf("%s: a %s block without commands", p.where(b.line), b.lang)
		return false
	}
	// The replacements of the commands must each replace something.
	for i := range b.dirs {
		d := &b.dirs[i]
		if d.kind == "replace" && d.in == "" {
			for _, c := range cmds {
				if strings.Contains(c.text, d.old) {
					d.used = true
				}
			}
		}
	}
	for _, c := range cmds {
		if !p.runCommand(b, c) {
			return false
		}
	}
	for _, d := range b.dirs {
		if (d.prefix != "" || d.kind == "replace" && d.in == "") && !d.used {
			t.Errorf("%s: doctest: %s: %q selects no command of the block at line %d", p.where(d.line), d.kind, d.prefix+d.old, b.line)
			return false
		}
	}
	return true
}

// runCommand runs one command of a block; false when the page cannot go on.
func (p *docPage) runCommand(b docBlock, c docCommand) bool {
	t := p.t
	text := c.text
	for i := range b.dirs {
		d := &b.dirs[i]
		if d.prefix == "" || !strings.HasPrefix(c.text, d.prefix) {
			continue
		}
		d.used = true
		switch d.kind {
		case "skip":
			t.Logf("%s: skipped %q: %s", p.where(c.line), firstLine(c.text), d.reason)
			return true
		case "needs":
			if ok, miss := p.have(d.needs); !ok {
				t.Logf("%s: skipped %q: needs %s", p.where(c.line), firstLine(c.text), miss)
				return true
			}
		}
	}
	for _, d := range b.dirs {
		if d.kind == "replace" && d.in == "" {
			text = strings.ReplaceAll(text, d.old, p.expand(d.new))
		}
	}
	start := time.Now()
	out, rc, err := p.run(text)
	took := time.Since(start).Round(10 * time.Millisecond)
	if err != nil {
		t.Errorf("%s: %s\n%s\n%v", p.where(c.line), text, out, err)
		return false
	}
	if rc != 0 {
		t.Errorf("%s: %s\nexit status %d after %v; output:\n%s", p.where(c.line), text, rc, took, out)
		return false
	}
	t.Logf("%s: ran %q (%v)", p.where(c.line), firstLine(text), took)
	if b.lang == "console" {
		got := normalizeOutput(out)
		if !docOutputRE(trimEmptyTail(c.output)).MatchString(got) {
			t.Errorf("%s: %s\noutput:\n%s\nthe doc shows:\n%s", p.where(c.line), text, got, strings.Join(c.output, "\n"))
			return false
		}
	}
	for _, d := range b.dirs {
		if d.kind == "wait" && d.prefix != "" && strings.HasPrefix(c.text, d.prefix) && !p.wait(d) {
			return false
		}
	}
	return true
}

func trimEmptyTail(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return strings.TrimSuffix(strings.TrimSpace(l), `\`)
}

// start runs a start directive's command in the background, until the page ends.
func (p *docPage) start(b docBlock, d directive) bool {
	cmdline := p.expand(d.cmd)
	log := filepath.Join(filepath.Dir(p.work), fmt.Sprintf("start%d.log", len(p.started)+1))
	f, err := os.Create(log)
	if err != nil {
		p.t.Error(err)
		return false
	}
	defer f.Close()
	c := exec.Command("bash", "--noprofile", "--norc", "-c", "exec "+cmdline)
	c.Dir, c.Env, c.Stdout, c.Stderr = p.work, p.env, f, f
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := c.Start(); err != nil {
		p.t.Errorf("%s: doctest: start %s: %v", p.where(d.line), cmdline, err)
		return false
	}
	p.started = append(p.started, c)
	p.startLog = append(p.startLog, log)
	p.t.Logf("%s: started %s", p.where(d.line), cmdline)
	return true
}

// wait polls a wait directive's URL until it answers 200 (30 s at most).
func (p *docPage) wait(d directive) bool {
	url := p.expand(d.url)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var last error
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		last = err
		for i, c := range p.started {
			if c.ProcessState != nil || syscall.Kill(c.Process.Pid, 0) != nil {
				log, _ := os.ReadFile(p.startLog[i])
				p.t.Errorf("%s: doctest: wait %s: %s ended:\n%s", p.where(d.line), url, c.Args[len(c.Args)-1], log)
				return false
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	var logs bytes.Buffer
	for _, l := range p.startLog {
		b, _ := os.ReadFile(l)
		logs.Write(b)
	}
	p.t.Errorf("%s: doctest: wait %s: no answer in 30 s (%v)\n%s", p.where(d.line), url, last, logs.String())
	return false
}

// replaceInFile replaces every old in the work folder's file rel by new,
// after making the file (and the folders on its way) a copy of the
// repository's rather than a link to it.
func (p *docPage) replaceInFile(rel, old, new string) error {
	if filepath.IsAbs(rel) || strings.HasPrefix(filepath.Clean(rel), "..") {
		return errors.New("the file must be inside the work folder")
	}
	parts := strings.Split(filepath.Clean(rel), string(filepath.Separator))
	cur := p.work
	for i, part := range parts {
		cur = filepath.Join(cur, part)
		fi, err := os.Lstat(cur)
		if err != nil {
			return err
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			continue
		}
		target, err := filepath.EvalSymlinks(cur)
		if err != nil {
			return err
		}
		if err := os.Remove(cur); err != nil {
			return err
		}
		if i == len(parts)-1 {
			b, err := os.ReadFile(target)
			if err == nil {
				err = os.WriteFile(cur, b, 0o644)
			}
			if err != nil {
				return err
			}
			break
		}
		// A folder: a real one, of links to the target's entries.
		entries, err := os.ReadDir(target)
		if err != nil {
			return err
		}
		if err := os.Mkdir(cur, 0o755); err != nil {
			return err
		}
		for _, e := range entries {
			if err := os.Symlink(filepath.Join(target, e.Name()), filepath.Join(cur, e.Name())); err != nil {
				return err
			}
		}
	}
	b, err := os.ReadFile(cur)
	if err != nil {
		return err
	}
	if !bytes.Contains(b, []byte(old)) {
		return fmt.Errorf("%q is not in it", old)
	}
	return os.WriteFile(cur, bytes.ReplaceAll(b, []byte(old), []byte(new)), 0o644)
}

// TestDocsMarkers checks that the marker grammar refuses what it does not know.
func TestDocsMarkers(t *testing.T) {
	bad := map[string]string{
		"unknown directive":   "<!-- doctest: skipp — typo -->\n```sh\ntrue\n```\n",
		"no reason":           "<!-- doctest: skip -->\n```sh\ntrue\n```\n",
		"replace no reason":   "<!-- doctest: replace \"a\" \"b\" -->\n```sh\ntrue\n```\n",
		"not before a block":  "<!-- doctest: skip — why -->\ntext\n```sh\ntrue\n```\n",
		"at the end":          "text\n<!-- doctest: skip — why -->\n",
		"directive prefix":    "<!-- doctest: skip — why\nskip — again -->\n```sh\ntrue\n```\n",
		"bad literal":         "<!-- doctest: replace \"\"a\"\" \"b\" — why -->\n```sh\ntrue\n```\n",
		"unterminated marker": "<!-- doctest: skip — why\n```sh\ntrue\n```\n",
		"other comment":       "<!--doctest: skip — why -->\n```sh\ntrue\n```\n",
	}
	for name, src := range bad {
		if _, err := parseDoc(src); err == nil {
			t.Errorf("%s: parsed %q", name, src)
		}
	}
	blocks, err := parseDoc("<!-- doctest: replace `\"password\":\"…\"` \"x\" in a/b.yaml — its password\n" +
		"doctest: needs curl ../shared for \"parley analyze\"\n" +
		"doctest: wait http://127.0.0.1:$PORT/ after \"python3\" -->\n\n```console\n$ echo a \\\n  b\na b\n$ true\n```\n")
	if err != nil {
		t.Fatal(err)
	}
	d := blocks[0].dirs
	if len(blocks) != 1 || len(d) != 3 || d[0].old != `"password":"…"` || d[0].new != "x" || d[0].in != "a/b.yaml" ||
		strings.Join(d[1].needs, ",") != "curl,../shared" || d[1].prefix != "parley analyze" || d[2].prefix != "python3" {
		t.Fatalf("parsed %+v", blocks)
	}
	cmds := blocks[0].commands()
	if len(cmds) != 2 || cmds[0].text != "echo a \\\n  b" || strings.Join(cmds[0].output, "|") != "a b" || cmds[1].line != 9 {
		t.Fatalf("commands %+v", cmds)
	}
	re := docOutputRE([]string{"x …", "…", "end"})
	for s, want := range map[string]bool{"x 1\nend\n": true, "x 1\na\nb\nend\n": true, "y\nend\n": false, "x\nend\n": false} {
		if re.MatchString(s) != want {
			t.Errorf("%q matched %v", s, !want)
		}
	}
}
