package posyaml

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml/ast"
)

// FuzzDecode: no input makes Parse or an accessor panic or hang, whichever
// accessor a reader applies to whichever node; every problem is a
// well-formed Error positioned within the file, the list is sorted and
// bounded by MaxErrors (plus the entry saying so), and the alias budget
// holds.
//
//	go test ./internal/posyaml -run '^$' -fuzz FuzzDecode -fuzztime 5m
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"a: 1\nb: [x, 'y', \"z\", 1e3, .inf, ~, true]\n",
		"parley: 1\nname: x\npoints:\n  - id: p\n    options: [{id: a}, {id: b}]\n",
		"agents: [boulware, {name: x, url: 'http://a'}]\nscenarios: [tiny-2p]\n",
		"a: &x {k: [1, 2]}\nb: *x\nc: [*x, *x]\n",
		"a: !!str 1\n<<: {b: 2}\n",
		"{\"a\": [1, 2, {\"b\": null}]}",
		"a: |\n  text\nb: >-\n  folded\n",
		"- - - x\n- ? a\n  : b\n",
		"a: 1\n---\nb: 2\n",
	} {
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, anchors bool) {
		format := testFormat
		format.MaxSize, format.MaxDepth, format.MaxKeys, format.Anchors = 64<<10, 40, 500, anchors
		watchdog := time.AfterFunc(10*time.Second, func() {
			panic(fmt.Sprintf("decoding did not return within 10s on %q", data))
		})
		defer watchdog.Stop()
		d := NewDecoder("f.yaml", format)
		if body := d.Parse(data); body != nil {
			walk(d, body, 0)
		}
		err := d.Err()
		if err == nil {
			return
		}
		var el ErrorList
		if !errors.As(err, &el) || len(el) == 0 || len(el) > MaxErrors+1 {
			t.Fatalf("error %T %v is not an ErrorList of 1 to %d problems", err, err, MaxErrors+1)
		}
		lines := strings.Count(string(data), "\n") + strings.Count(string(data), "\r") + 2 // YAML breaks lines at CR too
		for _, e := range el {
			if e.File != "f.yaml" || e.Msg == "" || e.Line < 0 || e.Line > lines || (e.Line > 0 && e.Col < 1) {
				t.Fatalf("bad problem %#v (file has %d lines)", e, lines)
			}
		}
		body := el
		if len(el) == MaxErrors+1 {
			body = el[:MaxErrors]
		}
		if !sort.SliceIsSorted(body, func(i, j int) bool {
			return body[i].Line < body[j].Line || body[i].Line == body[j].Line && body[i].Col < body[j].Col
		}) {
			t.Fatalf("problems not sorted:\n%v", err)
		}
		if d.expanded > MaxExpansion && !d.overflow {
			t.Fatalf("aliases expanded to %d nodes without a problem", d.expanded)
		}
	})
}

// walk applies every accessor that could apply to n, and recurses.
func walk(d *Decoder, n ast.Node, depth int) {
	if depth > 64 || d.Full() {
		return
	}
	r := d.Resolve(n)
	switch r.(type) {
	case nil:
		return
	case *ast.MappingNode, *ast.MappingValueNode:
		entries, _ := d.Mapping(n, "m")
		known := make([]string, 0, len(entries))
		for i, e := range entries {
			if i%2 == 0 {
				known = append(known, e.Key)
			}
		}
		o, _ := d.Object(n, "o", known, []string{"id"})
		for _, k := range o.Keys() {
			walk(d, o.Value(k), depth+1)
			Position(o.Key(k))
		}
	case *ast.SequenceNode:
		items, _ := d.List(n, "l")
		for _, it := range items {
			walk(d, it, depth+1)
		}
	default:
		d.Str(n, "s")
		d.Name(n, "n")
		d.Text(n, "t")
		d.Number(n, "x")
		d.Int(n, "i")
		d.IntIn(n, "r", -5, 5)
		d.Bool(n, "b")
		d.OneOf(n, "c", []string{"zero", "reservation", ScalarText(r) + "x"})
		Describe(n)
	}
}
