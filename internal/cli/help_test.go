package cli

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/spf13/cobra"
)

// maxHelpWidth is the widest line a help text may have (issue 14: the
// Agents paragraph of run --help was one line of 330 characters).
const maxHelpWidth = 80

// TestHelpWidth prints the help of every command and checks that no line
// is wider than maxHelpWidth columns, and that the help goes to standard
// output with exit status 0.
func TestHelpWidth(t *testing.T) {
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		paths = append(paths, path)
		for _, sub := range c.Commands() {
			if sub.Hidden {
				continue
			}
			walk(sub, append(append([]string(nil), path...), sub.Name()))
		}
	}
	walk(newRoot(&env{}), nil)
	if len(paths) < 20 {
		t.Fatalf("only %d commands found", len(paths))
	}
	for _, path := range paths {
		var out, errOut bytes.Buffer
		args := append(append([]string(nil), path...), "--help")
		if code := Main(args, strings.NewReader(""), &out, &errOut); code != ExitOK {
			t.Errorf("parley %s: exit %d: %s", strings.Join(args, " "), code, errOut.String())
			continue
		}
		if errOut.Len() > 0 {
			t.Errorf("parley %s wrote to stderr: %s", strings.Join(args, " "), errOut.String())
		}
		for i, line := range strings.Split(out.String(), "\n") {
			if n := utf8.RuneCountInString(line); n > maxHelpWidth {
				t.Errorf("parley %s: line %d has %d columns (at most %d):\n%s", strings.Join(args, " "), i+1, n, maxHelpWidth, line)
			}
		}
	}
}
