package posyaml

import (
	"errors"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"
)

// testFormat is a small kind of file for the tests.
var testFormat = Format{
	Name:     "test file",
	Contents: "a mapping with keys a and b",
	MaxSize:  4 << 10,
	MaxDepth: 8,
	MaxKeys:  20,
	Anchors:  true,
}

// parse parses data as a test file; it fails the test when Parse does.
func parse(t *testing.T, f Format, data string) (*Decoder, ast.Node) {
	t.Helper()
	d := NewDecoder("t.yaml", f)
	body := d.Parse([]byte(data))
	if body == nil {
		t.Fatalf("Parse(%q) failed: %v", data, d.Err())
	}
	return d, body
}

// errText returns what d recorded, one problem per line, or "".
func errText(d *Decoder) string {
	if err := d.Err(); err != nil {
		return err.Error()
	}
	return ""
}

// TestParse pins the problems Parse reports before and while parsing.
func TestParse(t *testing.T) {
	noAnchors := testFormat
	noAnchors.Anchors = false
	for _, tc := range []struct {
		name string
		f    Format
		in   string
		want string
	}{
		{"size", testFormat, strings.Repeat("#", 4<<10+1), "t.yaml: file is 4097 bytes, larger than the 4 KiB limit for test files"},
		{"utf8", testFormat, "a: 1\nb: x\xff\n", "t.yaml:2:5: invalid UTF-8 (test files must be UTF-8 text)"},
		{"flow depth", testFormat, "a: " + strings.Repeat("[", 9), "t.yaml:1:1: collections nested more than 8 deep"},
		{"block depth", testFormat, strings.Repeat("- ", 9) + "x", "t.yaml:1:1: collections nested more than 8 deep"},
		{"keys", testFormat, strings.Repeat("k: v\n", 21), "t.yaml:21:1: more than 20 keys in one mapping"},
		{"syntax", testFormat, "a: [1\nb: 2\n", "t.yaml:2:1: YAML syntax: ',' or ']' must be specified"},
		{"empty", testFormat, "# nothing\n", "t.yaml: empty file: expected a mapping with keys a and b"},
		{"second document", testFormat, "a: 1\n---\nb: 2\n", "t.yaml:3:1: a second YAML document: a test file holds exactly one"},
		{"bom", testFormat, "\ufeffa: 1\n", ""},
		{"quoted brackets", testFormat, "a: '" + strings.Repeat("[", 20) + "'\n", ""},
		{"anchors", noAnchors, "a: &x 1\nb: *x\n", ""}, // reported by Resolve, not Parse
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder("t.yaml", tc.f)
			body := d.Parse([]byte(tc.in))
			if got := errText(d); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			// A second document is reported, and the first is still read.
			if wantBody := tc.want == "" || tc.name == "second document"; (body != nil) != wantBody {
				t.Errorf("body %v, want one: %v", body, wantBody)
			}
		})
	}
	if got := sizeText(1 << 20); got != "1 MiB" {
		t.Errorf("sizeText(1 MiB) = %q", got)
	}
	if got := sizeText(1000); got != "1000 bytes" {
		t.Errorf("sizeText(1000) = %q", got)
	}
}

// TestResolve covers anchors, aliases and their budget, tags and formats
// without anchors.
func TestResolve(t *testing.T) {
	d, body := parse(t, testFormat, "a: &x {k: 1}\nb: *x\n")
	o, ok := d.Object(body, "top", []string{"a", "b"}, nil)
	if !ok {
		t.Fatal(d.Err())
	}
	inner, ok := d.Object(o.Value("b"), "b", []string{"k"}, []string{"k"})
	if v, _ := d.Int(inner.Value("k"), "k"); !ok || v != 1 {
		t.Errorf("alias: got %d, %v; %v", v, ok, d.Err())
	}

	noAnchors := testFormat
	noAnchors.Anchors = false
	for _, tc := range []struct {
		f        Format
		in, want string
	}{
		{noAnchors, "a: [&x 1, *x]\n", "t.yaml:1:5: anchors (&) are not supported in test files\nt.yaml:1:11: aliases (*) are not supported in test files"},
		{testFormat, "a: [*x, &x 1]\n", "t.yaml:1:5: alias *x refers to no anchor defined before it"},
		{testFormat, "a: [!!str 1]\n", "t.yaml:1:5: YAML tag !!str: tags are not supported in test files"},
		{testFormat, "a: [&x 1, *x]\n", ""},
	} {
		d, body := parse(t, tc.f, tc.in)
		o, _ := d.Object(body, "top", []string{"a"}, nil)
		items, _ := d.List(o.Value("a"), "a")
		for _, it := range items {
			d.Int(it, "item")
		}
		if got := errText(d); got != tc.want {
			t.Errorf("%q:\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}

	// A billion laughs stops at the budget, reported once.
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 7; i++ {
		prev := "*a" + string(rune('0'+i-1))
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" + strings.TrimSuffix(strings.Repeat(prev+", ", 10), ", ") + "]\n")
	}
	b.WriteString("b: [*a6, *a6]\n")
	big := testFormat
	big.MaxSize, big.MaxKeys = 1<<20, 1000
	d, body = parse(t, big, b.String())
	o, _ = d.Object(body, "top", []string{"a0", "a1", "a2", "a3", "a4", "a5", "a6", "b"}, nil)
	items, _ := d.List(o.Value("b"), "b")
	for _, it := range items {
		d.List(it, "item")
	}
	if got, want := errText(d), "t.yaml:8:5: aliases expand to more than 1048576 nodes"; got != want {
		t.Errorf("alias bomb: got %q, want %q", got, want)
	}
}

// TestScalars pins each accessor's value and messages.
func TestScalars(t *testing.T) {
	type result struct {
		val any
		ok  bool
	}
	accessors := map[string]func(d *Decoder, n ast.Node) result{
		"Str":   func(d *Decoder, n ast.Node) result { v, ok := d.Str(n, "v"); return result{v, ok} },
		"Name":  func(d *Decoder, n ast.Node) result { v, ok := d.Name(n, "v"); return result{v, ok} },
		"Text":  func(d *Decoder, n ast.Node) result { v, ok := d.Text(n, "v"); return result{v, ok} },
		"Num":   func(d *Decoder, n ast.Node) result { v, ok := d.Number(n, "v"); return result{v, ok} },
		"Int":   func(d *Decoder, n ast.Node) result { v, ok := d.Int(n, "v"); return result{v, ok} },
		"IntIn": func(d *Decoder, n ast.Node) result { v, ok := d.IntIn(n, "v", 1, 10); return result{v, ok} },
		"Bool":  func(d *Decoder, n ast.Node) result { v, ok := d.Bool(n, "v"); return result{v, ok} },
		"OneOf": func(d *Decoder, n ast.Node) result {
			v, ok := d.OneOf(n, "v", []string{"zero", "reservation"})
			return result{v, ok}
		},
	}
	for _, tc := range []struct {
		acc, in string
		want    any    // the value when ok
		msg     string // the problem otherwise
	}{
		{"Str", `"1"`, "1", ""},
		{"Str", "|\n  block\n", "block\n", ""},
		{"Str", "1", nil, `v: expected a string, found number 1 (quote it: "1")`},
		{"Str", "[a]", nil, "v: expected a string, found a list"},
		{"Str", "", nil, "v: expected a string, found no value"},
		{"Name", "true", "true", ""},
		{"Name", "null", nil, "v: expected a name, found null"},
		{"Name", "{a: 1}", nil, "v: expected a name, found a mapping"},
		{"Text", "2", "2", ""},
		{"Text", "' '", nil, "v: expected a non-empty string"},
		{"Text", "~", nil, "v: expected a string, found null"},
		{"Num", "1e3", 1000.0, ""},
		{"Num", "0x10", 16.0, ""},
		{"Num", "-2.5", -2.5, ""},
		{"Num", ".inf", nil, "v: expected a finite number, found .inf"},
		{"Num", "'1'", nil, `v: expected a number, found string "1"`},
		{"Int", "3.0", int64(3), ""},
		{"Int", "1.5", nil, "v: expected a whole number, found 1.5"},
		{"Int", "1e16", nil, "v: expected a whole number, found 1e16"},
		{"IntIn", "10", int64(10), ""},
		{"IntIn", "0", nil, "v: expected a whole number from 1 to 10, found 0"},
		{"Bool", "false", false, ""},
		{"Bool", "yes", nil, `v: expected true or false, found string "yes"`},
		{"OneOf", "zero", "zero", ""},
		{"OneOf", "zer0", nil, `v: expected zero or reservation, found string "zer0"; did you mean "zero"?`},
		{"OneOf", "[zero]", nil, "v: expected zero or reservation, found a list"},
	} {
		d, body := parse(t, testFormat, "v: "+tc.in)
		o, _ := d.Object(body, "top", []string{"v"}, nil)
		got := accessors[tc.acc](d, o.Value("v"))
		msg := errText(d)
		if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "t.yaml:") {
			msg = msg[i+2:]
		}
		if tc.msg == "" {
			if !got.ok || got.val != tc.want || msg != "" {
				t.Errorf("%s(%q) = %#v, %v (%s); want %#v", tc.acc, tc.in, got.val, got.ok, msg, tc.want)
			}
			continue
		}
		if got.ok || msg != tc.msg {
			t.Errorf("%s(%q): ok %v, problem %q; want %q", tc.acc, tc.in, got.ok, msg, tc.msg)
		}
	}
}

// TestObject covers keys: known, required, unknown with a suggestion,
// duplicates, merge keys, non-scalar keys, and the order of Keys.
func TestObject(t *testing.T) {
	d, body := parse(t, testFormat, "seed: 1\nrankng: x\nname: y\n")
	o, ok := d.Object(body, "top", []string{"name", "seed", "ranking"}, []string{"name", "agents"})
	want := "t.yaml:1:1: top: missing key \"agents\"\n" +
		"t.yaml:2:1: top: unknown key \"rankng\" (expected name, seed or ranking); did you mean \"ranking\"?"
	if ok || errText(d) != want {
		t.Errorf("got ok %v and\n%s\nwant\n%s", ok, errText(d), want)
	}
	if !o.IsMapping() || !o.Has("seed") || o.Has("rankng") || o.Len() != 2 || strings.Join(o.Keys(), ",") != "seed,name" {
		t.Errorf("object %+v", o)
	}
	if l, c := Position(o.Key("name")); l != 3 || c != 1 {
		t.Errorf("key name at %d:%d", l, c)
	}
	if o.Key("absent") != o.Node || o.Value("absent") != nil {
		t.Errorf("absent key: %v, %v", o.Key("absent"), o.Value("absent"))
	}

	for _, tc := range []struct{ in, want string }{
		{"- 1\n", "t.yaml:1:1: top: expected a mapping, found a list"},
		{"<<: {a: 1}\n", "t.yaml:1:1: top: merge keys (<<) are not supported in test files"},
		{"a: &l [x]\n*l : 2\n", "t.yaml:2:1: top: expected a plain key, found a list"},
		{"1: &k a\na: 1\n*k : 2\n", `t.yaml:3:1: top: key "a" given twice (first at line 2)`},
	} {
		d, body := parse(t, testFormat, tc.in)
		o, _ := d.Object(body, "top", []string{"1", "a"}, nil)
		if got := errText(d); got != tc.want {
			t.Errorf("%q:\n got %q\nwant %q", tc.in, got, tc.want)
		}
		if strings.HasPrefix(tc.in, "-") == o.IsMapping() {
			t.Errorf("%q: IsMapping %v", tc.in, o.IsMapping())
		}
	}
}

// TestErrLimit: recording stops after MaxErrors, and a last entry says so;
// problems come out sorted by position, those of the whole file first.
func TestErrLimit(t *testing.T) {
	d := NewDecoder("t.yaml", testFormat)
	for i := 2*MaxErrors + 1; i > 1; i-- {
		d.ErrorAt(i, 1, "problem %d", i)
	}
	d.ErrorAt(0, 0, "not recorded")
	if !d.Full() || d.Problems() != MaxErrors+1 {
		t.Fatalf("full %v, %d problems", d.Full(), d.Problems())
	}
	var l ErrorList
	if !errors.As(d.Err(), &l) || len(l) != MaxErrors+1 {
		t.Fatalf("got %v", d.Err())
	}
	if l[0].Line != 2*MaxErrors+1-MaxErrors+1 || l[MaxErrors-1].Line != 2*MaxErrors+1 {
		t.Errorf("not sorted: first %v, last %v", l[0], l[MaxErrors-1])
	}
	if got := l[MaxErrors].Error(); got != "t.yaml: too many problems: checking stopped after the first 50" {
		t.Errorf("last entry %q", got)
	}
	var e *Error
	if !errors.As(d.Err(), &e) || e != l[0] {
		t.Errorf("errors.As(*Error) = %v", e)
	}
	if NewDecoder("t.yaml", testFormat).Err() != nil {
		t.Error("a decoder without problems returns a non-nil error")
	}
}

// TestSuggest: at most one edit per five characters (a swap is one edit),
// nothing for an exact match or a distant word.
func TestSuggest(t *testing.T) {
	cands := []string{"seed", "ranking", "scenarios", "sao"}
	for _, tc := range []struct{ in, want string }{
		{"sede", `; did you mean "seed"?`},
		{"rnaking", `; did you mean "ranking"?`},
		{"scenaros", `; did you mean "scenarios"?`},
		{"seed", ""},
		{"SAO", ""},
		{"welfare", ""},
		{"", ""},
	} {
		if got := Suggest(tc.in, cands); got != tc.want {
			t.Errorf("Suggest(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := OrList([]string{"a", "b", "c"}); got != "a, b or c" {
		t.Errorf("OrList = %q", got)
	}
	if got := ListNames(strings.Split("a b c d e f g h i", " ")); got != "a, b, c, d, e, f, g, h, ..." {
		t.Errorf("ListNames = %q", got)
	}
	if got := Quote(strings.Repeat("x", 30) + strings.Repeat("y", 20)); got != `"`+strings.Repeat("x", 30)+"…yyyyyy"+`"` {
		t.Errorf("Quote = %s", got)
	}
}
