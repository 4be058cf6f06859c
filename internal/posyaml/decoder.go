package posyaml

import (
	"fmt"
	"sort"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// MaxExpansion bounds the number of nodes aliases may expand to in one file,
// so that a few bytes of *alias references cannot make a reader build a
// huge model.
const MaxExpansion = 1 << 20

// Format describes a kind of file: what messages call it, and the limits
// Parse checks before the YAML parser runs.
type Format struct {
	// Name is the kind of file in the singular, as messages use it after
	// "a" and, with an s, in the plural: "scenario file".
	Name string
	// Contents says what a file holds, for "empty file: expected …":
	// "a mapping with keys agents and scenarios".
	Contents string
	// MaxSize is the largest file accepted, in bytes.
	MaxSize int
	// MaxDepth bounds how deeply collections may nest.
	MaxDepth int
	// MaxKeys bounds the number of keys of one block mapping.
	MaxKeys int
	// Anchors allows anchors (&a) and aliases (*a), expanded within
	// MaxExpansion nodes; without it each one is reported as unsupported.
	Anchors bool
}

// Decoder reads one file, recording every problem with its position. Its
// accessors never panic, whatever the AST; after a problem they return the
// zero value and false. A Decoder is not safe for concurrent use.
type Decoder struct {
	file   string
	format Format
	errs   ErrorList // at most MaxErrors+1

	aliases  map[*ast.AliasNode]ast.Node // alias → the anchored value it names
	sizes    map[ast.Node]int            // expanded size of anchored values
	expanded int                         // nodes reached through aliases so far
	overflow bool                        // expansion budget exhausted (reported once)
}

// NewDecoder returns a Decoder for the file named file (used only in
// messages) of kind f.
func NewDecoder(file string, f Format) *Decoder {
	return &Decoder{file: file, format: f}
}

// Full reports whether no more problems are being recorded: one more than
// MaxErrors has been, to know that some are not shown. Readers of long lists
// stop early when it is true.
func (d *Decoder) Full() bool { return len(d.errs) > MaxErrors }

// Problems returns the number of problems recorded so far (at most
// MaxErrors+1).
func (d *Decoder) Problems() int { return len(d.errs) }

// ErrorAt records a problem at a position (line 0 = the whole file). The
// message says what was found and what was expected.
func (d *Decoder) ErrorAt(line, col int, format string, args ...any) {
	if d.Full() {
		return
	}
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

// Errorf records a problem at node n (the whole file when n is nil).
func (d *Decoder) Errorf(n ast.Node, format string, args ...any) {
	line, col := Position(n)
	d.ErrorAt(line, col, format, args...)
}

// Err returns the recorded problems as an ErrorList sorted by position
// (problems of the whole file first, then in the order recorded), or nil
// when there are none. When recording stopped early, a last entry says so.
func (d *Decoder) Err() error {
	if len(d.errs) == 0 {
		return nil
	}
	out := append(ErrorList(nil), d.errs[:min(len(d.errs), MaxErrors)]...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Col < out[j].Col
	})
	if len(d.errs) > MaxErrors {
		out = append(out, &Error{File: d.file, Msg: fmt.Sprintf("too many problems: checking stopped after the first %d", MaxErrors)})
	}
	return out
}

// Position returns the 1-based line and column where node n starts, or 0, 0
// when it has none (a nil node).
func Position(n ast.Node) (line, col int) {
	if n == nil {
		return 0, 0
	}
	var tk *token.Token
	switch v := n.(type) {
	case *ast.MappingNode:
		// A block mapping's token is the first colon; point at its first key.
		if len(v.Values) > 0 && !v.IsFlowStyle {
			return Position(v.Values[0].Key)
		}
		tk = v.Start
	case *ast.MappingValueNode:
		return Position(v.Key)
	case *ast.LiteralNode:
		tk = v.Start
	default:
		tk = n.GetToken()
	}
	if tk == nil || tk.Position == nil {
		return 0, 0
	}
	return tk.Position.Line, tk.Position.Column
}
