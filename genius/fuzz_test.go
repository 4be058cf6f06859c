package genius

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// Fuzz targets: readers never panic or hang, and whatever they accept is
// written back and read again to the same framework and numbers.

func addFiles(f *testing.F, globs ...string) [][]byte {
	var out [][]byte
	for _, g := range globs {
		m, _ := filepath.Glob(g)
		for _, fn := range m {
			b, err := os.ReadFile(fn)
			if err != nil {
				f.Fatal(err)
			}
			out = append(out, b)
		}
	}
	return out
}

func FuzzReadDomain(f *testing.F) {
	for _, b := range addFiles(f, "testdata/*/*.xml") {
		f.Add(b)
	}
	f.Add([]byte(miniDomain))
	f.Fuzz(func(t *testing.T, data []byte) {
		fw, _, err := ReadDomain(bytes.NewReader(data), "fuzz.xml")
		if err != nil {
			return
		}
		if err := fw.Validate(); err != nil {
			t.Fatalf("accepted an invalid framework: %v", err)
		}
		var b bytes.Buffer
		if err := WriteDomain(&b, fw); err != nil {
			t.Fatalf("write: %v", err)
		}
		g, _, err := ReadDomain(bytes.NewReader(b.Bytes()), "fuzz.xml")
		if err != nil {
			t.Fatalf("read back: %v\n%s", err, b.String())
		}
		if !reflect.DeepEqual(fw, g) {
			t.Fatalf("round trip\n got %#v\nwant %#v", g, fw)
		}
	})
}

// totalLevels bounds the work of compiling a fuzzed framework.
func totalLevels(f *framework.Framework) int {
	n := 0
	for i := range f.Points {
		n += f.Points[i].Levels()
	}
	return n
}

func relNear(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-12*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// sameNumbers compares two profiles through their compiled tables: exactly
// for options points of the same scale (and for numeric points when
// exactNumeric), up to rounding otherwise.
func sameNumbers(t *testing.T, f *framework.Framework, p, q *profile.Profile, checkRes, exactNumeric bool) {
	if p.DiscountFactor() != q.DiscountFactor() && checkRes {
		t.Fatalf("discount %v vs %v", p.DiscountFactor(), q.DiscountFactor())
	}
	if totalLevels(f) > 1<<16 {
		return
	}
	tp, err1 := p.Compile(f)
	tq, err2 := q.Compile(f)
	if err1 != nil || err2 != nil {
		t.Fatalf("compile: %v %v", err1, err2)
	}
	if checkRes && (tp.HasReservation != tq.HasReservation || !relNear(tp.Reservation, tq.Reservation)) {
		t.Fatalf("reservation %v %v vs %v %v", tp.HasReservation, tp.Reservation, tq.HasReservation, tq.Reservation)
	}
	for i := range tp.Contrib {
		exact := p.Scale == q.Scale
		if f.Points[i].Kind != framework.Options {
			exact = exactNumeric
		}
		for l := range tp.Contrib[i] {
			a, b := tp.Contrib[i][l], tq.Contrib[i][l]
			if exact && a != b || !relNear(a, b) {
				t.Fatalf("point %d level %d: %v vs %v", i, l, a, b)
			}
		}
	}
}

// fuzzDomains are the frameworks FuzzReadProfile reads profiles against
// (FuzzReadDomain covers the domain reader).
var fuzzDomains = []string{
	"testdata/Orchard/orchard_domain.xml",
	"testdata/Harbour/harbour_domain.xml",
	"testdata/Lattice/lattice_domain.xml",
}

func FuzzReadProfile(f *testing.F) {
	var doms []*framework.Framework
	for _, fn := range fuzzDomains {
		b, err := os.ReadFile(fn)
		if err != nil {
			f.Fatal(err)
		}
		d, _, err := ReadDomain(bytes.NewReader(b), fn)
		if err != nil {
			f.Fatal(err)
		}
		doms = append(doms, d)
	}
	for _, src := range []string{miniDomain, mixedDomain} {
		d, _, err := ReadDomain(strings.NewReader(src), "inline.xml")
		if err != nil {
			f.Fatal(err)
		}
		doms = append(doms, d)
	}
	for i, fn := range fuzzDomains {
		for _, p := range addFiles(f, filepath.Join(filepath.Dir(fn), "*.xml")) {
			f.Add(uint8(i), p)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, prof []byte) {
		fw := doms[int(which)%len(doms)]
		p, info, err := ReadProfile(bytes.NewReader(prof), fw, "fuzz.xml")
		if err != nil {
			return
		}
		if info == nil || (info.Kind != Linear && info.Kind != Uncertain && info.Kind != NonLinear) {
			t.Fatalf("info %+v", info)
		}
		if err := p.Check(fw); err != nil {
			t.Fatalf("accepted a profile that does not fit: %v", err)
		}
		var b bytes.Buffer
		if err := WriteProfile(&b, fw, p); err != nil {
			t.Fatalf("write: %v", err)
		}
		q, _, err := ReadProfile(bytes.NewReader(b.Bytes()), fw, "fuzz.xml")
		if err != nil {
			t.Fatalf("read back: %v\n%s", err, b.String())
		}
		// Integer functions are written with their origin at 0: equal up
		// to rounding.
		sameNumbers(t, fw, p, q, true, false)
	})
}

// mixedDomain has one issue of each kind (and a duplicate item).
const mixedDomain = `<negotiation_template><utility_space><objective index="0" name="root">
<issue index="1" name="a" type="discrete"><item value="x" description="d"/><item value="x"/><item value="y"/></issue>
<issue index="2" name="n" type="integer" lowerbound="-3" upperbound="3"/>
<issue index="3" name="r" type="real"><range lowerbound="0" upperbound="1.5"/></issue>
</objective></utility_space></negotiation_template>`

func FuzzGeniusWebDomain(f *testing.F) {
	for _, b := range addFiles(f, "testdata/geniusweb/*/*.json") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fw, err := ReadGeniusWebDomain(bytes.NewReader(data))
		if err != nil {
			return
		}
		if err := fw.Validate(); err != nil {
			t.Fatalf("accepted an invalid framework: %v", err)
		}
		var b bytes.Buffer
		if err := WriteGeniusWebDomain(&b, fw); err != nil {
			t.Fatalf("write: %v", err)
		}
		g, err := ReadGeniusWebDomain(bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatalf("read back: %v\n%s", err, b.String())
		}
		if !frameworksEqual(fw, g) {
			t.Fatalf("round trip\n got %#v\nwant %#v", g, fw)
		}
	})
}

func FuzzGeniusWebProfile(f *testing.F) {
	for _, b := range addFiles(f, "testdata/geniusweb/*/*.json") {
		f.Add(b)
	}
	// NegMAS's reserved_value and discount_factor keys.
	f.Add([]byte(`{"LinearAdditiveUtilitySpace": {"name": "p", "issueUtilities": {"a": {"discreteutils": {"valueUtilities": {"x": 1, "y": 0.25}}}},
 "issueWeights": {"a": 1}, "reserved_value": 0.4, "discount_factor": 0.9,
 "domain": {"name": "d", "issuesValues": {"a": {"values": ["x", "y"]}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, fw, name, err := ReadGeniusWebProfile(bytes.NewReader(data), nil)
		if err != nil {
			return
		}
		if err := p.Check(fw); err != nil {
			t.Fatalf("accepted a profile that does not fit: %v", err)
		}
		var b bytes.Buffer
		if err := WriteGeniusWebProfile(&b, fw, p, name); err != nil {
			t.Fatalf("write: %v", err)
		}
		q, g, name2, err := ReadGeniusWebProfile(bytes.NewReader(b.Bytes()), nil)
		if err != nil {
			t.Fatalf("read back: %v\n%s", err, b.String())
		}
		if name2 != name || !frameworksEqual(fw, g) {
			t.Fatalf("name %q vs %q or framework differs", name2, name)
		}
		if !reflect.DeepEqual(p.Fallback, q.Fallback) {
			t.Fatalf("fallback %v vs %v", p.Fallback, q.Fallback)
		}
		// numberutils are rebuilt from the values at the range bounds:
		// equal up to rounding (found by the fuzzer: highValue beyond the range).
		sameNumbers(t, fw, p, q, true, false)
	})
}
