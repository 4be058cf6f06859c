package posyaml

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

var bom = []byte("\ufeff")

// Parse checks data against the Format's limits, parses it and returns the
// body of its single document, with its anchors resolved when the Format
// allows them. It returns nil, having recorded why, when nothing further can
// be checked: the file is too large, not UTF-8, nested too deeply, not YAML,
// or empty. A second document is reported, and the first is returned. A
// leading byte-order mark is ignored. Parse must be called once, before the
// accessors.
func (d *Decoder) Parse(data []byte) (body ast.Node) {
	if len(data) > d.format.MaxSize {
		d.ErrorAt(0, 0, "file is %d bytes, larger than the %s limit for %ss", len(data), sizeText(d.format.MaxSize), d.format.Name)
		return nil
	}
	data = bytes.TrimPrefix(data, bom)
	if !utf8.Valid(data) {
		line, col := invalidUTF8(data)
		d.ErrorAt(line, col, "invalid UTF-8 (%ss must be UTF-8 text)", d.format.Name)
		return nil
	}
	if line, col, msg := checkShape(data, d.format.MaxDepth, d.format.MaxKeys); msg != "" {
		d.ErrorAt(line, col, "%s", msg)
		return nil
	}
	f, err := safeParse(data)
	if err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) && ye.GetToken() != nil && ye.GetToken().Position != nil {
			p := ye.GetToken().Position
			d.ErrorAt(p.Line, p.Column, "YAML syntax: %s", ye.GetMessage())
		} else {
			d.ErrorAt(0, 0, "YAML syntax: %s", firstLine(err.Error()))
		}
		return nil
	}
	var docs []*ast.DocumentNode
	for _, doc := range f.Docs {
		if doc != nil && doc.Body != nil {
			docs = append(docs, doc)
		}
	}
	if len(docs) == 0 {
		d.ErrorAt(0, 0, "empty file: expected %s", d.format.Contents)
		return nil
	}
	if len(docs) > 1 {
		d.Errorf(docs[1].Body, "a second YAML document: a %s holds exactly one", d.format.Name)
	}
	if d.format.Anchors {
		d.collectAnchors(docs[0].Body)
	}
	return docs[0].Body
}

// sizeText formats a size limit in bytes for a message: "16 MiB".
func sizeText(n int) string {
	switch {
	case n > 0 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n > 0 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// safeParse runs the YAML parser, turning a panic inside it into an error so
// that no input can crash the caller.
func safeParse(data []byte) (f *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("YAML parser failed: %v", r)
		}
	}()
	return parser.ParseBytes(data, 0)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// invalidUTF8 returns the position of the first invalid UTF-8 byte.
func invalidUTF8(data []byte) (line, col int) {
	line, col = 1, 1
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if r == utf8.RuneError && n <= 1 {
			return line, col
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		data = data[n:]
	}
	return line, col
}

// checkShape estimates the nesting depth and the number of keys per block
// mapping from the raw text, without parsing it, and returns a message when
// either is over its limit. The estimate errs on the high side only for text
// with hundreds of unbalanced brackets or staircase indentation.
func checkShape(data []byte, maxDepth, maxKeys int) (line, col int, msg string) {
	type level struct{ indent, keys int }
	var stack []level
	flow := 0      // open [ and { outside quotes
	var quote byte // ' or " while inside a quoted scalar
	lineNo := 0
	for len(data) > 0 {
		lineNo++
		var ln []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			ln, data = data[:i], data[i+1:]
		} else {
			ln, data = data, nil
		}
		indent := 0
		for indent < len(ln) && ln[indent] == ' ' {
			indent++
		}
		content := bytes.TrimRight(ln[indent:], " \t\r")
		if quote == 0 && flow == 0 && (len(content) == 0 || content[0] == '#') {
			continue
		}
		if quote == 0 && flow == 0 {
			for len(stack) > 0 && stack[len(stack)-1].indent > indent {
				stack = stack[:len(stack)-1]
			}
			if len(stack) == 0 || stack[len(stack)-1].indent < indent {
				stack = append(stack, level{indent: indent})
			}
		}
		// Compact nested sequences ("- - - x") nest on one line.
		dashes := 0
		rest := content
		for len(rest) >= 2 && (rest[0] == '-' || rest[0] == '?') && rest[1] == ' ' {
			dashes++
			rest = bytes.TrimLeft(rest[2:], " ")
		}
		if len(rest) == 1 && rest[0] == '-' {
			dashes++
		}
		if quote == 0 && flow == 0 && dashes == 0 && len(stack) > 0 && isKeyLine(content) {
			top := &stack[len(stack)-1]
			top.keys++
			if top.keys > maxKeys {
				return lineNo, indent + 1, fmt.Sprintf("more than %d keys in one mapping", maxKeys)
			}
		}
		maxFlow := flow
		prev := byte(' ')
		for i := 0; i < len(content); i++ {
			c := content[i]
			switch {
			case quote == '"':
				if c == '\\' {
					i++
				} else if c == '"' {
					quote = 0
				}
			case quote == '\'':
				if c == '\'' {
					if i+1 < len(content) && content[i+1] == '\'' {
						i++
					} else {
						quote = 0
					}
				}
			case c == '#' && (prev == ' ' || prev == '\t'):
				i = len(content)
			case (c == '"' || c == '\'') && strings.IndexByte(" \t[{,:", prev) >= 0:
				quote = c
			case c == '[' || c == '{':
				flow++
				maxFlow = max(maxFlow, flow)
			case c == ']' || c == '}':
				flow = max(flow-1, 0)
			}
			prev = c
		}
		if depth := len(stack) + dashes + maxFlow; depth > maxDepth {
			return lineNo, indent + 1, fmt.Sprintf("collections nested more than %d deep", maxDepth)
		}
	}
	return 0, 0, ""
}

// isKeyLine reports whether a block line looks like "key: ..." or "key:".
func isKeyLine(content []byte) bool {
	i := bytes.Index(content, []byte(": "))
	if i < 0 && bytes.HasSuffix(content, []byte(":")) {
		i = len(content) - 1
	}
	return i > 0 && content[0] != '[' && content[0] != '{' && content[0] != '#'
}
