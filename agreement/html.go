package agreement

import (
	"embed"
	"html/template"
	"io"
	"strings"
	"sync"
)

//go:embed templates/*.html.tmpl
var templateFS embed.FS

// templates are parsed on first use, not at package init, which every
// parley command would pay for (issue 14); the package's tests render
// every template.
var templates = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("").Funcs(template.FuncMap{
		"kindLine":        (*Document).kindLine,
		"closing":         (*Document).closing,
		"sessionLine":     (*Document).sessionLine,
		"ruleLine":        (*Document).ruleLine,
		"agreedLine":      (*Document).agreedLine,
		"outcomeLine":     (*Document).outcomeLine,
		"fingerprintLine": (*Document).fingerprintLine,
		"names":           (*Document).names,
		"signatories":     (*Document).Signatories,
		"notes":           Party.notes,
		"statusPhrase":    statusPhrase,
		"modePhrase":      modePhrase,
		"assentPhrase":    assentPhrase,
		"stepPhrase":      stepPhrase,
		"changePhrase":    changePhrase,
		"versionLine":     (*Comparison).versionLine,
		"fmtTime":         fmtTime,
		"letter":          letter,
		"plural":          plural,
		"joinInts":        joinInts,
		"marked":          marked,
		"tagged": func(status string) bool {
			return status == Bracketed || status == OpenPoint || status == Provisional
		},
		"last": func(i int, ws []Wording) bool { return i == len(ws)-1 },
		"shortFingerprint": func(d *Document) string {
			if len(d.Fingerprint) <= 16 {
				return d.Fingerprint
			}
			return "Fingerprint " + d.Fingerprint[:16] + "…"
		},
	}).ParseFS(templateFS, "templates/*.html.tmpl"))
})

type page struct {
	D     *Document
	Print bool
}

// HTML writes the document as one self-contained HTML page (styles inline,
// no script, no external resource). Every text is escaped by html/template.
func HTML(w io.Writer, d *Document) error {
	return templates().ExecuteTemplate(w, "document", page{D: d})
}

// PrintHTML writes the document as HTML for printing to PDF (a browser's
// "print to PDF", or chromium --headless --print-to-pdf): A4 pages with
// margins, running headers (title, status) and footers (fingerprint, page
// n of m), articles numbered by CSS counters and kept whole on a page,
// signature blocks for every negotiating principal, guarantor and the
// mediator on a page of their own, the records as annexes, and a
// watermark on drafts.
func PrintHTML(w io.Writer, d *Document) error {
	return templates().ExecuteTemplate(w, "document", page{D: d, Print: true})
}

// DiffHTML writes a comparison of two versions as one self-contained HTML
// page: removed wording struck through in red, added wording in green.
func DiffHTML(w io.Writer, c *Comparison) error {
	return templates().ExecuteTemplate(w, "diff", c)
}

// markedWording is one wording of a diff side, for the template.
type markedWording struct {
	W      Wording
	Text   string
	Letter string
	Open   string
	Close  bool
	Marked bool
}

type markedSide struct {
	Items []markedWording
	Tag   string
}

func marked(ws []Wording, mark []int, tag string) markedSide {
	s := markedSide{Tag: tag}
	for i, w := range ws {
		m := markedWording{W: w, Text: strings.ReplaceAll(w.Clause, "\n\n", " "), Marked: containsInt(mark, w.Option)}
		if len(ws) > 1 {
			m.Letter, m.Open, m.Close = letter(i), "/", i == len(ws)-1
			if i == 0 {
				m.Open = "["
			}
		}
		s.Items = append(s.Items, m)
	}
	return s
}
