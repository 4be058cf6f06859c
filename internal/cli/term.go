package cli

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Terminal safety. What parley prints comes in part from files it did not
// write — scenario titles and clauses, GENIUS names, the reasons and
// messages in a log — and a control sequence in one of them could rewrite
// what the terminal shows (an escape sequence that clears a line and
// prints "log verified"). Every byte parley writes to standard output and
// standard error goes through a safeWriter, which shows control characters
// instead of sending them; error messages go through clean.

// safeWriter writes text with every control character except line feed
// and tab (and, when cr is set, carriage return, which progress bars use)
// shown as an escape (\x1b, \u009b); bytes that are not UTF-8 are shown
// as \xNN. A rune split across writes is held until its end arrives.
type safeWriter struct {
	w       io.Writer
	cr      bool
	pending []byte
}

func (s *safeWriter) Write(p []byte) (int, error) {
	n := len(p)
	buf := append(s.pending, p...)
	s.pending = s.pending[:0:0]
	var out strings.Builder
	for len(buf) > 0 {
		r, size := utf8.DecodeRune(buf)
		if r == utf8.RuneError && size <= 1 {
			if !utf8.FullRune(buf) {
				s.pending = append(s.pending, buf...)
				break
			}
			fmt.Fprintf(&out, `\x%02x`, buf[0])
			buf = buf[1:]
			continue
		}
		out.WriteString(escapeRune(r, s.cr))
		buf = buf[size:]
	}
	if _, err := io.WriteString(s.w, out.String()); err != nil {
		return 0, err
	}
	return n, nil
}

// escapeRune returns r as it may reach a terminal.
func escapeRune(r rune, cr bool) string {
	switch {
	case r == '\n' || r == '\t' || (cr && r == '\r'):
		return string(r)
	case r < 0x20 || r == 0x7f:
		return fmt.Sprintf(`\x%02x`, r)
	case r >= 0x80 && r < 0xa0, r == 0x2028, r == 0x2029, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		// C1 controls, line separators and bidirectional overrides.
		return fmt.Sprintf(`\u%04x`, r)
	}
	return string(r)
}

// clean returns s with every control character shown as an escape,
// line breaks included: for one-line messages made of untrusted text.
func clean(s string) string {
	ok := true
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) || r == 0x2028 || r == 0x2029 || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == utf8.RuneError {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i])
			i++
			continue
		}
		if r == '\n' || r == '\t' || r == '\r' {
			fmt.Fprintf(&b, `\x%02x`, r)
		} else {
			b.WriteString(escapeRune(r, false))
		}
		i += size
	}
	return b.String()
}

// cleanLines is clean for messages of several lines: line feeds stay.
func cleanLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = clean(l)
	}
	return strings.Join(lines, "\n")
}
