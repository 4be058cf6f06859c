package agreement

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Markdown writes the document as CommonMark (with GFM tables). Every text
// that comes from the scenario or the log is escaped, so a clause cannot
// turn into a link, raw HTML or a heading.
func Markdown(w io.Writer, d *Document) error {
	b := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	p("# %s\n\n", md(d.Title))
	p("**%s**\n\n", md(d.kindLine()))
	if d.Notice != "" {
		p("> %s\n\n", md(d.Notice))
	}

	p("## Parties\n\n| Party | Role | |\n|---|---|---|\n")
	for _, pt := range d.Parties {
		p("| %s | %s | %s |\n", md(pt.Name), md(pt.Role), md(pt.notes()))
	}
	p("\n## Preamble\n\n")
	for _, para := range d.Preamble {
		p("%s\n\n", mdPara(para))
	}
	p("%s\n\n", md(d.closing()))

	p("## Articles\n\n")
	for _, a := range d.Articles {
		p("### Article %d — %s\n\n", a.Number, md(a.Title))
		switch a.Status {
		case OpenPoint:
			if d.Kind == KindAgreement {
				p("**Left open.** *The Parties have not agreed on this point.*\n\n")
			} else {
				p("**Open.** *The text says nothing on this point yet.*\n\n")
			}
		case Bracketed:
			p("*Bracketed: %d alternatives.*\n\n", len(a.Alternatives))
			for i, alt := range a.Alternatives {
				open, close := "**/**", ""
				if i == 0 {
					open = "**\\[**"
				}
				if i == len(a.Alternatives)-1 {
					close = " **\\]**"
				}
				name := letter(i)
				if alt.ShowLabel() {
					name += " — " + md(alt.Label)
				}
				p("%s *%s:* %s%s\n\n", open, name, md(strings.ReplaceAll(alt.Clause, "\n\n", " ")), close)
			}
		default:
			if a.Status == Provisional {
				p("*Agreed provisionally.*\n\n")
			}
			for _, para := range a.Wording.Paragraphs() {
				if a.Wording.Fallback {
					p("*%s*\n\n", md(para))
				} else {
					p("%s\n\n", mdPara(para))
				}
			}
		}
	}

	if dec := d.Decision; dec != nil {
		p("## Decision record\n\n")
		p("- **Session:** %s\n", md(d.sessionLine()))
		p("- **Negotiating parties:** %s\n", md(d.names(dec.Negotiating)))
		p("- **Decision rule:** %s\n", md(d.ruleLine()))
		p("- **Agreement mode:** %s\n", md(modePhrase(dec.Mode)))
		if len(dec.Left) > 0 {
			p("- **Left the table:** %s\n", md(d.names(dec.Left)))
		}
		if dec.Agreed != nil {
			p("- **Agreed:** %s\n", md(d.agreedLine()))
		} else {
			line := statusPhrase(d.Status)
			if d.Reason != "" {
				line += " (" + d.Reason + ")"
			}
			p("- **Status:** %s\n", md(line))
		}
		p("\n")
		if len(dec.Assents) > 0 {
			p("| Party | Move | Round | Time | Event |\n|---|---|---|---|---|\n")
			for _, a := range dec.Assents {
				p("| %s | %s | %d | %s | %d |\n", md(a.Name), md(assentPhrase(a)), a.Round, fmtTime(a.Time), a.Seq)
			}
			p("\n")
		}
		if dec.Confidential > 0 {
			p("*%d further %s confidential to %s and the mediator.*\n\n", dec.Confidential, plural(dec.Confidential, "move is", "moves are"), plural(dec.Confidential, "its author", "their authors"))
		}
	}

	if d.Decision != nil && d.Decision.Agreed != nil {
		p("## Ratification\n\n")
		if len(d.Ratification) > 0 {
			p("| Step | Party | Body | Kind | Condition | Status |\n|---|---|---|---|---|---|\n")
			for _, s := range d.Ratification {
				p("| %d | %s | %s | %s | %s | %s |\n", s.Number, md(s.Name), md(s.Body), md(s.Kind), md(s.Condition), md(stepPhrase(s)))
			}
			p("\n")
		}
		if l := d.outcomeLine(); l != "" {
			p("**%s**\n\n", md(l))
		}
	}

	if l := d.fingerprintLine(); l != "" {
		p("---\n\n%s\n", md(l))
	}
	return b.Flush()
}

// DiffMarkdown writes a comparison of two versions: every changed point
// with its old and new wording, removed options struck through and added
// options in bold, then the unchanged points.
func DiffMarkdown(w io.Writer, c *Comparison) error {
	b := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	p("# %s\n\n", md(c.Title))
	p("**Changes from version %d to version %d of the single negotiating text**\n\n", c.From.Number, c.To.Number)
	for _, v := range []Version{c.From, c.To} {
		p("- Version %d: %s\n", v.Number, md(c.versionLine(v)))
	}
	changed := c.Changed()
	p("\n%d of %d points changed.\n\n", len(changed), len(c.Changes))
	for _, ch := range changed {
		p("## Article %d — %s: %s\n\n", ch.Number, md(ch.Title), md(changePhrase(ch.Change)))
		p("- **Was:** %s\n", mdWordings(ch.Old, ch.Removed, "~~"))
		p("- **Now:** %s\n\n", mdWordings(ch.New, ch.Added, "**"))
	}
	if u := c.UnchangedNumbers(); len(u) > 0 {
		p("Unchanged: %s %s.\n", plural(len(u), "article", "articles"), joinInts(u))
	}
	return b.Flush()
}

func (c *Comparison) versionLine(v Version) string {
	s := fmt.Sprintf("round %d, %s, drafted by %s (event %d)", v.Round, fmtTime(v.Time), c.partyName(v.Author), v.Seq)
	if v.Outcome != "" {
		s += "; " + outcomePhrase(v.Outcome)
	}
	return s
}

// mdWordings renders a point's wording in a diff, marking the options in
// mark (removed or added) with the delimiter em.
func mdWordings(ws []Wording, mark []int, em string) string {
	if len(ws) == 0 {
		return "*open*"
	}
	parts := make([]string, len(ws))
	for i, wd := range ws {
		s := md(strings.ReplaceAll(wd.Clause, "\n\n", " "))
		if wd.ShowLabel() {
			s = "*" + md(wd.Label) + ":* " + s
		}
		if len(ws) > 1 {
			s = letter(i) + " — " + s
		}
		if containsInt(mark, wd.Option) {
			s = em + s + em
		}
		parts[i] = s
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "\\[ " + strings.Join(parts, " / ") + " \\]"
}

var (
	mdSpecial  = regexp.MustCompile("[\\\\`*_\\[\\]<>|~#!]")
	mdListLike = regexp.MustCompile(`^(\s*)([-+=]|\d+[.)])(\s|$)`)
)

// md escapes text for Markdown, inline.
func md(s string) string {
	return mdSpecial.ReplaceAllStringFunc(oneLine(s), func(c string) string { return `\` + c })
}

// mdPara escapes a paragraph: inline escapes, and nothing at its start
// that would make it a list or a heading underline.
func mdPara(s string) string {
	s = md(s)
	if m := mdListLike.FindStringSubmatchIndex(s); m != nil {
		end := m[5]
		return s[:end-1] + `\` + s[end-1:]
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
