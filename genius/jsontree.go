package genius

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// maxJSONDepth bounds nesting of GeniusWeb JSON (real files nest 6 deep).
const maxJSONDepth = 64

type jkind int

const (
	jNull jkind = iota
	jBool
	jNum
	jStr
	jArr
	jObj
)

func (k jkind) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "an array", "an object"}[k]
}

// jnode is a JSON value that keeps the order of object keys, which GeniusWeb
// files use for the order of issues and values.
type jnode struct {
	kind jkind
	num  json.Number
	str  string
	arr  []*jnode
	keys []string
	vals []*jnode
	idx  map[string]int // key → position, for objects
	line int
}

// get returns the member with key k of an object, or nil.
func (n *jnode) get(k string) *jnode {
	if n == nil || n.kind != jObj {
		return nil
	}
	if i, ok := n.idx[k]; ok {
		return n.vals[i]
	}
	return nil
}

// float returns a number's value.
func (n *jnode) float() (float64, error) {
	v, err := strconv.ParseFloat(string(n.num), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, err
	}
	if err != nil {
		return 0, fmt.Errorf("number %s out of range", n.num)
	}
	return v, nil
}

type jparser struct {
	d    *json.Decoder
	src  []byte
	name string
	// line cache: offsets only grow while parsing, so counting newlines
	// from the last position keeps line numbering linear.
	lastOff  int64
	lastLine int
}

func (p *jparser) line(off int64) int {
	if off > int64(len(p.src)) {
		off = int64(len(p.src))
	}
	if off < p.lastOff {
		return bytes.Count(p.src[:off], []byte{'\n'}) + 1
	}
	p.lastLine += bytes.Count(p.src[p.lastOff:off], []byte{'\n'})
	p.lastOff = off
	return p.lastLine + 1
}

func (p *jparser) errorf(off int64, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s", p.name, p.line(off), fmt.Sprintf(format, args...))
}

func (p *jparser) wrap(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return p.errorf(se.Offset, "JSON syntax error: %v", se)
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%s: unexpected end of JSON input", p.name)
	}
	return p.errorf(p.d.InputOffset(), "%v", err)
}

func (p *jparser) value(depth int) (*jnode, error) {
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("%s:%d: JSON nested deeper than %d: %w", p.name, p.line(p.d.InputOffset()), maxJSONDepth, ErrTooLarge)
	}
	line := p.line(p.d.InputOffset())
	tok, err := p.d.Token()
	if err != nil {
		return nil, p.wrap(err)
	}
	n := &jnode{line: line}
	switch t := tok.(type) {
	case nil:
		n.kind = jNull
	case bool:
		n.kind = jBool
	case json.Number:
		n.kind, n.num = jNum, t
	case string:
		n.kind, n.str = jStr, t
	case json.Delim:
		switch t {
		case '[':
			n.kind = jArr
			for p.d.More() {
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.arr = append(n.arr, v)
			}
		case '{':
			n.kind = jObj
			n.idx = map[string]int{}
			for p.d.More() {
				off := p.d.InputOffset()
				kt, err := p.d.Token()
				if err != nil {
					return nil, p.wrap(err)
				}
				k, ok := kt.(string)
				if !ok {
					return nil, p.errorf(off, "object key is not a string")
				}
				if _, dup := n.idx[k]; dup {
					return nil, p.errorf(off, "duplicate key %q", k)
				}
				n.idx[k] = len(n.keys)
				v, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k)
				n.vals = append(n.vals, v)
			}
		default:
			return nil, p.errorf(p.d.InputOffset(), "unexpected %v", t)
		}
		if _, err := p.d.Token(); err != nil { // the closing delimiter
			return nil, p.wrap(err)
		}
	}
	return n, nil
}

// parseJSON reads one JSON document (bounded by MaxInput) into an ordered tree.
func parseJSON(r io.Reader, name string) (*jnode, error) {
	b, err := readAll(r, name)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	p := &jparser{d: d, src: b, name: name}
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, p.errorf(d.InputOffset(), "content after the JSON value")
	}
	return n, nil
}
