package genius

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxInput bounds what any reader of this package consumes.
const MaxInput = 64 << 20

// Limits of the XML tree builder: far above any real GENIUS file, low enough
// that a hostile file cannot exhaust memory or the stack.
const (
	maxDepth    = 256
	maxElements = 1 << 21
	maxText     = 4 << 10
)

// Errors returned by the readers.
var (
	// ErrNonLinear is returned for the parts of GENIUS non-linear
	// (hyper-rectangle) profiles, <utility_space type="nonlinear">, that
	// Parley cannot map exactly onto interactions (aggregations other than
	// sum, ufun types other than PlainUfun, bounds on issues that are not
	// integers), and by the writers for profiles with interactions that
	// GENIUS's non-linear format cannot hold.
	ErrNonLinear = errors.New("non-linear structure not supported")
	// ErrUnsupported is returned for other content this package cannot import
	// (constraint utility spaces, Faratin evaluators, ...).
	ErrUnsupported = errors.New("not supported")
	// ErrTooLarge is returned when an input exceeds MaxInput or the tree limits.
	ErrTooLarge = errors.New("input too large")
)

// elem is one XML element, attributes by local name.
type elem struct {
	name  string
	attrs []xml.Attr
	kids  []*elem
	text  []byte
	line  int
}

// attr returns the value of the first attribute with that local name.
func (e *elem) attr(name string) (string, bool) {
	for _, a := range e.attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// children returns the direct children with the given name.
func (e *elem) children(name string) []*elem {
	var out []*elem
	for _, k := range e.kids {
		if k.name == name {
			out = append(out, k)
		}
	}
	return out
}

// child returns the first direct child with the given name, or nil.
func (e *elem) child(name string) *elem {
	for _, k := range e.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

// readAll reads at most MaxInput bytes.
func readAll(r io.Reader, name string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxInput+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(b) > MaxInput {
		return nil, fmt.Errorf("%s: larger than %d MiB: %w", name, MaxInput>>20, ErrTooLarge)
	}
	return b, nil
}

// declaredEncoding returns the encoding named in a leading <?xml ... ?>
// declaration (which may follow comments), or "".
func declaredEncoding(b []byte) string {
	i := bytes.Index(b, []byte("<?xml"))
	if i < 0 || i > 4096 {
		return ""
	}
	j := bytes.Index(b[i:], []byte("?>"))
	if j < 0 {
		return ""
	}
	decl := string(b[i : i+j])
	k := strings.Index(decl, "encoding")
	if k < 0 {
		return ""
	}
	rest := strings.TrimLeft(decl[k+len("encoding"):], " \t\r\n")
	if !strings.HasPrefix(rest, "=") {
		return ""
	}
	rest = strings.TrimLeft(rest[1:], " \t\r\n")
	if rest == "" || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	q := rest[0]
	end := strings.IndexByte(rest[1:], q)
	if end < 0 {
		return ""
	}
	return rest[1 : 1+end]
}

// cp1252 maps bytes 0x80..0x9F of Windows-1252; the rest are Latin-1.
var cp1252 = [32]rune{
	0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
	0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
}

func fromSingleByte(b []byte, latin1 bool) []byte {
	var out bytes.Buffer
	out.Grow(len(b) + len(b)/8)
	for _, c := range b {
		switch {
		case c < 0x80:
			out.WriteByte(c)
		case c < 0xA0 && !latin1:
			out.WriteRune(cp1252[c-0x80])
		default:
			out.WriteRune(rune(c))
		}
	}
	return out.Bytes()
}

func fromUTF16(b []byte, bigEndian bool) []byte {
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	return []byte(string(utf16.Decode(u)))
}

// toUTF8 normalises the input to UTF-8 without a byte order mark, returning
// a warning when it had to guess. The encoding declaration is left in place;
// the decoder is told to accept it (see charsetPassThrough).
func toUTF8(b []byte) ([]byte, string, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		b = b[3:]
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return fromUTF16(b[2:], false), "", nil
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return fromUTF16(b[2:], true), "", nil
	}
	enc := strings.ToLower(declaredEncoding(b))
	switch enc {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		if utf8.Valid(b) {
			return b, "", nil
		}
		return fromSingleByte(b, false), "not valid UTF-8: read as Windows-1252 (GENIUS reads files in the platform charset)", nil
	case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1":
		return fromSingleByte(b, true), "", nil
	case "windows-1252", "cp1252":
		return fromSingleByte(b, false), "", nil
	}
	return nil, "", fmt.Errorf("encoding %q: %w (use UTF-8, ISO-8859-1 or Windows-1252)", enc, ErrUnsupported)
}

// charsetPassThrough accepts any declared encoding: toUTF8 has already
// converted the bytes.
func charsetPassThrough(_ string, r io.Reader) (io.Reader, error) { return r, nil }

// parseXML reads a whole XML document into a tree, GENIUS-style: prologs and
// comments before the root are skipped, the document ends with the root
// element, and content after it is ignored.
func parseXML(r io.Reader, name string) (*elem, []string, error) {
	raw, err := readAll(r, name)
	if err != nil {
		return nil, nil, err
	}
	b, warn, err := toUTF8(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	var warns []string
	if warn != "" {
		warns = append(warns, name+": "+warn)
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.CharsetReader = charsetPassThrough
	d.Entity = xml.HTMLEntity
	var (
		root  *elem
		stack []*elem
		count int
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if root != nil {
				return nil, nil, fmt.Errorf("%s: unexpected end of input inside <%s>", name, stack[len(stack)-1].name)
			}
			return nil, nil, fmt.Errorf("%s: no XML element found", name)
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, nil, fmt.Errorf("%s:%d: XML syntax error: %s", name, se.Line, se.Msg)
			}
			line, _ := d.InputPos()
			return nil, nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			count++
			if count > maxElements {
				return nil, nil, fmt.Errorf("%s: more than %d elements: %w", name, maxElements, ErrTooLarge)
			}
			if len(stack) >= maxDepth {
				line, _ := d.InputPos()
				return nil, nil, fmt.Errorf("%s:%d: elements nested deeper than %d: %w", name, line, maxDepth, ErrTooLarge)
			}
			line, _ := d.InputPos()
			e := &elem{name: t.Name.Local, attrs: t.Attr, line: line}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, e)
			} else {
				root = e
			}
			stack = append(stack, e)
		case xml.EndElement:
			if len(stack) == 0 {
				line, _ := d.InputPos()
				return nil, nil, fmt.Errorf("%s:%d: unexpected end tag </%s>", name, line, t.Name.Local)
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				// GENIUS stops reading at the end of the root element, and
				// so do we: whatever follows is ignored.
				return root, warns, nil
			}
		case xml.CharData:
			if len(stack) > 0 {
				e := stack[len(stack)-1]
				if n := maxText - len(e.text); n > 0 {
					if len(t) > n {
						t = t[:n]
					}
					e.text = append(e.text, t...)
				}
			}
		}
	}
}
