package genius

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
)

const tol = 1e-12

func near(a, b, eps float64) bool { return math.Abs(a-b) <= eps }

func hasWarning(ws []string, subs ...string) bool {
	for _, w := range ws {
		ok := true
		for _, s := range subs {
			if !strings.Contains(w, s) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func compile(t *testing.T, f *framework.Framework, p *profile.Profile) *profile.Table {
	t.Helper()
	tb, err := p.Compile(f)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func utilityOf(t *testing.T, f *framework.Framework, tb *profile.Table, ids map[string]string) float64 {
	t.Helper()
	pkg, err := f.PackageByID(ids)
	if err != nil {
		t.Fatal(err)
	}
	if !pkg.Complete() {
		t.Fatalf("partial package %v", ids)
	}
	return tb.Utility(pkg)
}

func party(t *testing.T, s *scenario.Scenario, id string) *profile.Profile {
	t.Helper()
	p := s.Party(id)
	if p == nil || p.Profile == nil {
		t.Fatalf("no party %q with a profile", id)
	}
	return p.Profile
}

func TestOrchardFixture(t *testing.T) {
	s, err := LoadDir("testdata/Orchard", nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "orchard" || s.Version != 1 || s.Decision.Rule != scenario.Unanimity ||
		s.Decision.Agreement != scenario.WholePackage || s.Format.Default != scenario.Plenary {
		t.Errorf("scenario header %+v", s)
	}
	var ids []string
	for _, p := range s.Parties {
		ids = append(ids, p.ID)
		if p.Role != scenario.Principal {
			t.Errorf("party %s role %s", p.ID, p.Role)
		}
	}
	if !reflect.DeepEqual(ids, []string{"buyer", "grower"}) {
		t.Errorf("parties %v, want the two LINEAR profiles sorted by file name", ids)
	}
	f := s.Framework
	if f.Name != "Orchard" || f.Description != "Sale of a season's apples" {
		t.Errorf("framework %q %q", f.Name, f.Description)
	}
	v := f.Points[0]
	if v.ID != "Variety" || len(v.Options) != 3 {
		t.Fatalf("Variety: %+v (duplicate Jonagold must be dropped)", v)
	}
	if o := v.Options[0]; o.ID != "Boskoop" || o.Label != "Boskoop" || o.Clause != "Tart, for baking – “Schöner von Boskoop”" {
		t.Errorf("option %+v", o)
	}
	if got := f.Points[2].Options[2].ID; got != "Shop & café" {
		t.Errorf("entity/non-ASCII value %q", got)
	}
	for _, w := range [][]string{
		{"orchard_domain.xml", "duplicate item", "Jonagold"},
		{"buyer_u10.xml", "skipped UNCERTAIN"},
		{"pareto.xml", "not readable as XML"},
		{"grower.xml", "discount factor", "unparsable"},
		{"grower.xml", "weights sum to 1.05"},
		{"buyer.xml", "Granny Smith", "not in the domain"},
		{"buyer.xml", "scale absolute"},
	} {
		if !hasWarning(s.Warnings, w...) {
			t.Errorf("no warning with %q in %q", w, s.Warnings)
		}
	}

	// grower: evaluations 4,2,8 / 1,3 / 5,3,0; weights .5,.3,.25 (sum 1.05, kept);
	// reservation inside <objective>; discount "s" → none.
	g := party(t, s, "grower")
	if g.Reservation == nil || *g.Reservation != 0.35 {
		t.Errorf("grower reservation %v", g.Reservation)
	}
	if g.DiscountFactor() != 1 || g.Scale != profile.ScaleMax {
		t.Errorf("grower discount %v scale %v", g.Discount, g.Scale)
	}
	tg := compile(t, f, g)
	if u := utilityOf(t, f, tg, map[string]string{"Variety": "Boskoop", "Crates": "200", "Delivery": "Warehouse"}); !near(u, 0.7, tol) {
		t.Errorf("grower u = %v, want 0.7", u)
	}
	if mx, _ := tg.Max(); !near(mx, 1.05, tol) {
		t.Errorf("grower max %v, want 1.05 (weights not renormalised)", mx)
	}
	if mn := tg.Min(); !near(mn, 0.225, tol) {
		t.Errorf("grower min %v, want 0.225", mn)
	}

	// buyer: "Granny Smith" (not in the domain) has the largest evaluation, 4,
	// which GENIUS divides by: Boskoop 1/4, Elstar 2/4, Jonagold 1/4.
	b := party(t, s, "buyer")
	if b.Reservation != nil || b.DiscountFactor() != 0.8 {
		t.Errorf("buyer reservation %v discount %v", b.Reservation, b.Discount)
	}
	tb := compile(t, f, b)
	if u := utilityOf(t, f, tb, map[string]string{"Variety": "Boskoop", "Crates": "200", "Delivery": "Warehouse"}); !near(u, 0.35, tol) {
		t.Errorf("buyer u = %v, want 0.35", u)
	}
	if mx, _ := tb.Max(); !near(mx, 0.6*0.5+0.1+0.3, tol) {
		t.Errorf("buyer max %v", mx)
	}
}

func TestOrchardNamedProfiles(t *testing.T) {
	s, err := LoadDir("testdata/Orchard", []string{"grower.xml", "buyer_u10"})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Parties) != 2 || s.Parties[0].ID != "grower" || s.Parties[1].ID != "buyer_u10" {
		t.Fatalf("parties %+v", s.Parties)
	}
	u := s.Parties[1].Profile
	if u.Reservation == nil || *u.Reservation != 0.4 || u.DiscountFactor() != 1 {
		t.Errorf("uncertain profile reservation/discount %v %v", u.Reservation, u.Discount)
	}
	if !hasWarning(s.Warnings, "buyer_u10.xml", "UNCERTAIN") {
		t.Errorf("no UNCERTAIN warning in %q", s.Warnings)
	}
	// Direct read gives the uncertainty parameters.
	fh, err := os.Open("testdata/Orchard/buyer_u10.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	_, info, err := ReadProfile(fh, s.Framework, "buyer_u10.xml")
	if err != nil {
		t.Fatal(err)
	}
	want := UncertainInfo{Comparisons: 10, Errors: 0, FixedSeed: true, Experimental: false}
	if info.Kind != Uncertain || info.Uncertain == nil || *info.Uncertain != want || info.Discount != "1.0" || info.Reservation != "0.4" {
		t.Errorf("info %+v %+v", info, info.Uncertain)
	}
	if _, err := LoadDir("testdata/Orchard", []string{"nosuch.xml"}); err == nil || !strings.Contains(err.Error(), "nosuch.xml") {
		t.Errorf("missing profile: %v", err)
	}
}

func TestHarbourNumeric(t *testing.T) {
	s, err := LoadDir("testdata/Harbour", nil)
	if err != nil {
		t.Fatal(err)
	}
	f := s.Framework
	if f.Name != "harbour_domain" {
		t.Errorf("framework name %q (objective named root → file name)", f.Name)
	}
	want := []framework.Point{
		{ID: "Berth", Kind: framework.Options, Options: []framework.Option{{ID: "North", Label: "North"}, {ID: "South", Label: "South"}}},
		{ID: "Days", Kind: framework.Integer, Min: 2, Max: 12},
		{ID: "Fee", Kind: framework.Real, Min: 100, Max: 400},
		{ID: "Draft", Kind: framework.Real, Min: 5, Max: 15},
	}
	if !reflect.DeepEqual(f.Points, want) {
		t.Errorf("points\n got %+v\nwant %+v", f.Points, want)
	}
	port := party(t, s, "port")
	wantFns := []*profile.ValueFunc{nil,
		{Kind: profile.Linear, Slope: 0.1, Offset: 0.2, Origin: 2},
		{Kind: profile.Linear, Slope: -0.005, Offset: 1.5},
		{Kind: profile.Constant, Value: 0.4},
	}
	if !reflect.DeepEqual(port.Funcs, wantFns) {
		t.Errorf("port funcs %+v", port.Funcs)
	}
	ev := func(fn *profile.ValueFunc, x, want float64) {
		t.Helper()
		if got := fn.Eval(x); !near(got, want, tol) {
			t.Errorf("%v(%v) = %v, want %v", fn.Kind, x, got, want)
		}
	}
	ev(port.Funcs[1], 7, 0.7)
	ev(port.Funcs[1], 12, 1) // 1.2 clamped
	ev(port.Funcs[2], 250, 0.25)
	ev(port.Funcs[2], 400, 0) // -0.5 clamped
	carrier := party(t, s, "carrier")
	if carrier.Funcs[1].Origin != 0 {
		t.Errorf("carrier integer origin %v: the profile's own lowerbound", carrier.Funcs[1].Origin)
	}
	ev(carrier.Funcs[1], 2, 0.9)
	ev(carrier.Funcs[1], 12, 0.4)
	ev(carrier.Funcs[2], 175, 0.5)
	ev(carrier.Funcs[2], 250, 1)
	ev(carrier.Funcs[2], 325, 0.5)
	ev(carrier.Funcs[2], 400, 0)
	ev(carrier.Funcs[3], 10, 0.5)
	if carrier.DiscountFactor() != 1 || carrier.Reservation != nil {
		t.Errorf("carrier discount %v reservation %v", carrier.Discount, carrier.Reservation)
	}
	if !hasWarning(s.Warnings, "carrier.xml", "profile range 0..10 differs") || !hasWarning(s.Warnings, "carrier.xml", "1.5", "no discounting") {
		t.Errorf("warnings %q", s.Warnings)
	}
	tb := compile(t, f, port)
	// Days 2..12 (11 levels); Fee and Draft at the default 11 steps.
	pkg := framework.Package{0, 5, 5, 0} // North, 7 days, fee 250, draft 5
	if u := tb.Utility(pkg); !near(u, 0.25*(1+0.7+0.25+0.4), tol) {
		t.Errorf("port u = %v", u)
	}
}

// readFixtureDomain parses an inline domain with three discrete issues.
const miniDomain = `<negotiation_template><utility_space><objective index="0" name="mini">
<issue index="1" name="a" type="discrete"><item value="a1"/><item value="a2"/></issue>
<issue index="2" name="b" type="discrete"><item value="b1"/><item value="b2"/></issue>
</objective></utility_space></negotiation_template>`

func miniFramework(t *testing.T) *framework.Framework {
	t.Helper()
	f, _, err := ReadDomain(strings.NewReader(miniDomain), "mini.xml")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestProfileQuirks(t *testing.T) {
	f := miniFramework(t)
	read := func(body string) (*profile.Profile, *ProfileInfo, error) {
		return ReadProfile(strings.NewReader(body), f, "p.xml")
	}
	// Reservation and discount at any depth; the last visited wins (GENIUS pre-order).
	p, info, err := read(`<utility_space><discount_factor value="0.5"/><objective index="0">
<issue index="1" name="a" type="discrete"><item value="a1" evaluation="1"/><item value="a2" evaluation="2"/></issue>
<issue index="2" name="b" type="discrete"><item value="b1" evaluation="0"/><item value="b2" evaluation="0"/></issue>
<weight index="1" value="0.7"/><weight index="2" value="0.3"/><reservation value=" 0.25 "/>
<discount_factor value="0.9"/></objective></utility_space>`)
	if err != nil {
		t.Fatal(err)
	}
	if p.Discount != 0.9 || info.Discount != "0.9" || p.Reservation == nil || *p.Reservation != 0.25 {
		t.Errorf("discount %v (%q) reservation %v", p.Discount, info.Discount, p.Reservation)
	}
	tb := compile(t, f, p)
	// b's evaluations are all 0 (max < 1e-5): contributes 0.
	if got := tb.Contrib; !near(got[0][0], 0.35, tol) || got[0][1] != 0.7 || got[1][0] != 0 || got[1][1] != 0 {
		t.Errorf("contrib %v", got)
	}

	for _, c := range []struct{ body, want string }{
		{`<utility_space><objective><issue index="1" name="a"><item value="a1" evaluation="1"/></issue><issue index="2" name="b"><item value="b1" evaluation="1"/><item value="b2" evaluation="1"/></issue><weight index="1" value="1"/><weight index="2" value="1"/></objective></utility_space>`, `value "a2" has no evaluation`},
		{`<utility_space><objective><issue index="1" name="a"><item value="a1" evaluation="1"/><item value="a2" evaluation="1"/></issue><issue index="2" name="b"><item value="b1" evaluation="1"/><item value="b2" evaluation="1"/></issue><weight index="1" value="1"/></objective></utility_space>`, `issue "b" has no weight`},
		{`<utility_space><objective><issue index="1" name="zz"><item value="a1" evaluation="1"/></issue><weight index="1" value="1"/></objective></utility_space>`, `issue "zz" (index 1) is not in the domain`},
		{`<utility_space><objective><weight index="1" value="x"/></objective></utility_space>`, `not a number`},
		{`<utility_space><objective><issue index="1" name="a" type="integer" lowerbound="0" upperbound="1"/><weight index="1" value="1"/></objective></utility_space>`, `is integer in the profile but discrete in the domain`},
		{`<utility_space type="constraint"/>`, `constraint utility spaces are not supported`},
		{`<utility_space type="NonLinear"/>`, `non-linear <utility_space> is empty`},
		{`<negotiation_template/>`, `is a domain, not a profile`},
		{`<utility_space><objective>`, `p.xml:1: XML syntax error`},
		{`<utility_space><objective>
<issue index="1" name="a"><item value="a1" evaluation="-1"/></issue><weight index="1" value="1"/></objective></utility_space>`, `p.xml:2: issue "a" value "a1": negative evaluation`},
	} {
		_, _, err := read(c.body)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s\n err = %v, want %q", c.body, err, c.want)
		}
	}
}

func TestDomainQuirks(t *testing.T) {
	// Nested objective, conflicting types, unknown type, CRLF, BOM, Latin-1.
	f, warns, err := ReadDomain(strings.NewReader("\xef\xbb\xbf<negotiation_template>\r\n<utility_space><objective index=\"0\" name=\"root\">"+
		"<objective index=\"5\" name=\"sub\"><issue index=\"2\" name=\"inner\" type=\"integer\" vtype=\"discrete\" lowerbound=\"1\" upperbound=\"3\"/></objective>"+
		"<issue index=\"1\" name=\"outer\" type=\"weird\"><item value=\"x\"/></issue>"+
		"</objective></utility_space></negotiation_template>"), "dir/quirky.xml")
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "quirky" || len(f.Points) != 2 || f.Points[0].ID != "inner" || f.Points[0].Kind != framework.Integer || f.Points[1].ID != "outer" {
		t.Errorf("framework %+v", f)
	}
	for _, w := range []string{"nested objective", "conflict", `unknown type "weird"`} {
		if !hasWarning(warns, w) {
			t.Errorf("no %q warning in %q", w, warns)
		}
	}
	f, warns, err = ReadDomain(bytes.NewReader([]byte("<negotiation_template><utility_space><objective><issue index=\"1\" name=\"caf\xe9\"><item value=\"\x80uro\"/></issue></objective></utility_space></negotiation_template>")), "latin.xml")
	if err != nil {
		t.Fatal(err)
	}
	if f.Points[0].ID != "café" || f.Points[0].Options[0].ID != "€uro" || !hasWarning(warns, "Windows-1252") {
		t.Errorf("latin-1 %+v %q", f.Points, warns)
	}
	f, _, err = ReadDomain(strings.NewReader(`<?xml version="1.0" encoding="ISO-8859-1"?><utility_space><objective><issue index="1" name="r" type="real"><range lowerbound="1.5d" upperbound="2"/></issue></objective></utility_space>`), "iso.xml")
	if err != nil || f.Points[0].Min != 1.5 {
		t.Errorf("ISO-8859-1 domain / Java double: %v %+v", err, f)
	}
	for _, c := range []struct{ body, want string }{
		{`<foo/>`, `root element <foo>`},
		{`<negotiation_template><utility_space><objective><issue index="1" name="a"/></objective></utility_space></negotiation_template>`, `discrete issue "a" has no items`},
		{`<negotiation_template><utility_space><objective><issue index="1" name="a" type="integer" lowerbound="0" upperbound="99999999"/></objective></utility_space></negotiation_template>`, `at most`},
		{`<negotiation_template><utility_space><objective><issue index="1" name="a"><item value="x"/></issue><issue index="1" name="b"><item value="x"/></issue></objective></utility_space></negotiation_template>`, `index 1, already used`},
		{`<negotiation_template><utility_space><objective><issue index="1" name="a"><item value="x"/></issue><issue index="2" name="a"><item value="x"/></issue></objective></utility_space></negotiation_template>`, `two issues are named "a"`},
		{`<negotiation_template><utility_space><objective><issue index="1" name="r" type="real"/></objective></utility_space></negotiation_template>`, `has no <range>`},
		{"<negotiation_template>\n<utility_space>\n<objective>\n<issue index=\"x\" name=\"a\"/>", `d.xml:4: XML syntax error`},
		{"<negotiation_template>\n<utility_space>\n<objective>\n<issue index=\"x\" name=\"a\"/></objective></utility_space></negotiation_template>", `d.xml:4: issue "a": index "x" is not an integer`},
		{``, `no XML element`},
	} {
		_, _, err := ReadDomain(strings.NewReader(c.body), "d.xml")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s\n err = %v, want %q", c.body, err, c.want)
		}
	}
}

func TestInputBound(t *testing.T) {
	big := io_repeat('x', MaxInput+10)
	if _, _, err := ReadDomain(bytes.NewReader(big), "big.xml"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("domain: %v", err)
	}
	if _, _, _, err := ReadGeniusWebProfile(bytes.NewReader(big), nil); !errors.Is(err, ErrTooLarge) {
		t.Errorf("geniusweb: %v", err)
	}
	deep := strings.Repeat("<a>", maxDepth+5)
	if _, _, err := ReadDomain(strings.NewReader(deep), "deep.xml"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("deep xml: %v", err)
	}
	if _, err := ReadGeniusWebDomain(strings.NewReader(strings.Repeat("[", 1000))); !errors.Is(err, ErrTooLarge) {
		t.Errorf("deep json: %v", err)
	}
}

func io_repeat(c byte, n int) []byte { return bytes.Repeat([]byte{c}, n) }

// roundTripXML writes a framework and profiles and reads them back.
func roundTripXML(t *testing.T, f *framework.Framework, ps map[string]*profile.Profile) {
	t.Helper()
	var db bytes.Buffer
	if err := WriteDomain(&db, f); err != nil {
		t.Fatal(err)
	}
	g, _, err := ReadDomain(bytes.NewReader(db.Bytes()), "written.xml")
	if err != nil {
		t.Fatalf("%v\n%s", err, db.String())
	}
	if !reflect.DeepEqual(f, g) {
		t.Errorf("framework round trip\n got %+v\nwant %+v", g, f)
	}
	for id, p := range ps {
		var pb bytes.Buffer
		if err := WriteProfile(&pb, f, p); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		q, _, err := ReadProfile(bytes.NewReader(pb.Bytes()), g, id+".xml")
		if err != nil {
			t.Fatalf("%s: %v\n%s", id, err, pb.String())
		}
		sameProfile(t, id, f, p, q)
	}
}

// sameProfile checks two profiles give the same numbers: exactly for
// options points of profiles of the same scale (written pre-divided by
// their maximum, 1 under ScaleMax), within tol otherwise (an integer
// function's origin moves to 0).
func sameProfile(t *testing.T, id string, f *framework.Framework, p, q *profile.Profile) {
	t.Helper()
	if p.DiscountFactor() != q.DiscountFactor() {
		t.Errorf("%s: discount %v vs %v", id, p.DiscountFactor(), q.DiscountFactor())
	}
	tp, tq := compile(t, f, p), compile(t, f, q)
	if tp.HasReservation != tq.HasReservation || !near(tp.Reservation, tq.Reservation, tol) {
		t.Errorf("%s: reservation %v/%v vs %v/%v", id, tp.HasReservation, tp.Reservation, tq.HasReservation, tq.Reservation)
	}
	exact := p.Scale == q.Scale
	for i := range tp.Contrib {
		for l := range tp.Contrib[i] {
			a, b := tp.Contrib[i][l], tq.Contrib[i][l]
			if exact && f.Points[i].Kind == framework.Options && a != b || !near(a, b, tol) {
				t.Errorf("%s: point %d level %d: %v vs %v", id, i, l, a, b)
				return
			}
		}
	}
	if exact && p.Scale == profile.ScaleMax && !reflect.DeepEqual(p.Weights, q.Weights) {
		t.Errorf("%s: weights differ\n%v\n%v", id, p.Weights, q.Weights)
	}
}

func TestFixtureRoundTrip(t *testing.T) {
	for _, dir := range []string{"testdata/Orchard", "testdata/Harbour"} {
		s, err := LoadDir(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		ps := map[string]*profile.Profile{}
		for _, p := range s.Parties {
			ps[p.ID] = p.Profile
		}
		t.Run(filepath.Base(dir), func(t *testing.T) { roundTripXML(t, s.Framework, ps) })
	}
}

func TestWriteProfileConversions(t *testing.T) {
	f := &framework.Framework{Name: "conv", Points: []framework.Point{
		{ID: "o", Kind: framework.Options, Options: []framework.Option{{ID: "x", Label: "x"}, {ID: "y<\">'&", Label: "y<\">'&", Clause: "line\nbreak\ttab"}}},
		{ID: "i", Kind: framework.Integer, Min: -3, Max: 3},
		{ID: "r", Kind: framework.Real, Min: 0, Max: 10},
	}}
	r := 0.2
	p := &profile.Profile{
		Weights: []float64{0.5, 0.3, 0.2},
		Scores:  [][]float64{{0.25, 0.75}, nil, nil},
		Funcs: []*profile.ValueFunc{nil,
			{Kind: profile.Linear, Slope: 0.1, Offset: 0.5, Origin: 0.5}, // non-integer origin: moved to Min
			{Kind: profile.Linear, Slope: 0.05, Offset: 0.1, Origin: 2},  // origin folded into parameter0
		},
		Scale:       profile.ScaleAbsolute,
		Reservation: &r,
		Fallback:    framework.Package{1, 6, 10},
		RedLines:    []profile.RedLine{{Terms: []profile.Term{{Point: 0, Levels: []int{0}}}}},
	}
	var b bytes.Buffer
	if err := WriteProfile(&b, f, p); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "<?xml") || !strings.Contains(b.String(), "<!-- Exported by Parley. Not representable in GENIUS and left out: red lines") {
		t.Errorf("header:\n%s", b.String())
	}
	roundTripXML(t, f, map[string]*profile.Profile{"conv": p})

	bad := *p
	bad.Funcs = []*profile.ValueFunc{nil, {Kind: profile.Triangular, Low: -3, High: 3, Top: 0, TopValue: 1}, p.Funcs[2]}
	if err := WriteProfile(&b, f, &bad); err == nil || !strings.Contains(err.Error(), "not representable") {
		t.Errorf("triangular on integer: %v", err)
	}
	// A top value other than 1 goes into the weight; a constant above 1 of
	// an integer point too.
	scaled := *p
	scaled.Funcs = []*profile.ValueFunc{nil, {Kind: profile.Constant, Value: 2.5}, {Kind: profile.Triangular, Low: 0, High: 10, Top: 5, TopValue: 0.5}}
	roundTripXML(t, f, map[string]*profile.Profile{"scaled": &scaled})
	g := *f
	g.Points = append([]framework.Point(nil), f.Points...)
	g.Points[0].Options = []framework.Option{{ID: "x"}, {ID: "bad\x01"}}
	if err := WriteDomain(&b, &g); err == nil || !strings.Contains(err.Error(), "XML cannot hold") {
		t.Errorf("control character: %v", err)
	}
}

func TestKioskGeniusWeb(t *testing.T) {
	files, _ := filepath.Glob("testdata/geniusweb/Kiosk/*.json")
	f, ps := readWebDir(t, files)
	want := []framework.Point{
		{ID: "snack", Kind: framework.Options, Options: []framework.Option{{ID: "crisps", Label: "crisps"}, {ID: "fruit", Label: "fruit"}, {ID: "nuts", Label: "nuts"}}},
		{ID: "drink", Kind: framework.Options, Options: []framework.Option{{ID: "tea", Label: "tea"}, {ID: "coffee", Label: "coffee"}}},
		{ID: "minutes", Kind: framework.Integer, Min: 5, Max: 20},
		{ID: "temp", Kind: framework.Real, Min: 0.5, Max: 2.5, Steps: 5},
	}
	if f.Name != "kiosk" || !reflect.DeepEqual(f.Points, want) {
		t.Errorf("kiosk domain %q %+v", f.Name, f.Points)
	}
	k1 := ps["kiosk1"]
	if !reflect.DeepEqual(k1.Weights, []float64{0.4, 0.2, 0.3, 0.1}) || !reflect.DeepEqual(k1.Scores[0], []float64{0.2, 1, 0.6}) ||
		!reflect.DeepEqual(k1.Scores[1], []float64{1, 0.5}) {
		t.Errorf("kiosk1 %+v (issue order of the file must not matter)", k1)
	}
	tb := compile(t, f, k1)
	// Reservation bid crisps, coffee, 20, 0.5: .4·.2 + .2·.5 + .3·.25 + .1·0.
	if !near(tb.Reservation, 0.255, tol) || !sameFallback(k1.Fallback, framework.Package{0, 1, 15, 0}) {
		t.Errorf("kiosk1 reservation %v fallback %v", tb.Reservation, k1.Fallback)
	}
	// fruit, tea, 10 min (1 − .75·5/15 = .75), temp 1.5 (.5).
	if u := tb.Utility(framework.Package{1, 0, 5, 2}); !near(u, 0.4+0.2+0.3*0.75+0.1*0.5, tol) {
		t.Errorf("kiosk1 u = %v", u)
	}
	if ps["kiosk2"].Fallback != nil {
		t.Errorf("kiosk2 has no reservationBid")
	}
	webRoundTrip(t, "kiosk", f, ps)

	// GeniusWeb → GENIUS XML → back.
	roundTripXML(t, &framework.Framework{Name: f.Name, Points: []framework.Point{want[0], want[1], want[2], {ID: "temp", Kind: framework.Real, Min: 0.5, Max: 2.5}}},
		map[string]*profile.Profile{"kiosk2": ps["kiosk2"]})

	for _, c := range []struct{ body, want string }{
		{`{"name":"d","issuesValues":{"a":{"values":["x","x"]}}}`, `duplicate value "x"`},
		{`{"name":"d","issuesValues":{"a":{"values":[1]}}}`, `expected a string`},
		{`{"name":"d","issuesValues":{"a":{"range":{"low":1,"high":0,"step":1}}}}`, `want step > 0`},
		{`{"name":"d","issuesValues":{"a":{"values":["x"]},"a":{"values":["y"]}}}`, `duplicate key "a"`},
		{"{\"name\":\"d\",\n\"issuesValues\":{\"a\":{\"values\":[\"x\"]}}} x", `GeniusWeb domain:2: content after`},
		{"{\"name\":\"d\",\n\"issuesValues\":{\"a\":{\"values\":[\"x\",]}}}", `GeniusWeb domain:2: JSON syntax error`},
		{`{"name":"d"}`, `no issuesValues`},
	} {
		_, err := ReadGeniusWebDomain(strings.NewReader(c.body))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s\n err = %v, want %q", c.body, err, c.want)
		}
	}
	dom := `"domain":{"name":"d","issuesValues":{"a":{"values":["x","y"]},"n":{"range":{"low":0,"high":4,"step":1}}}}`
	for _, c := range []struct{ body, want string }{
		{`{"LinearAdditiveUtilitySpace":{` + dom + `,"issueWeights":{"a":0.5,"n":0.5},"issueUtilities":{"a":{"discreteutils":{"valueUtilities":{"x":1}}},"n":{"numberutils":{"lowValue":0,"lowUtility":0,"highValue":4,"highUtility":1}}}}}`, `value "y" has no utility`},
		{`{"LinearAdditiveUtilitySpace":{` + dom + `,"issueWeights":{"a":0.5,"n":0.5},"issueUtilities":{"a":{"discreteutils":{"valueUtilities":{"x":1,"y":2}}},"n":{"numberutils":{"lowValue":0,"lowUtility":0,"highValue":4,"highUtility":1}}}}}`, `must be in [0,1]`},
		{`{"LinearAdditiveUtilitySpace":{` + dom + `,"issueWeights":{"a":0.5,"n":0.5},"issueUtilities":{"a":{"discreteutils":{"valueUtilities":{"x":1,"y":0}}},"n":{"numberutils":{"lowValue":1,"lowUtility":0,"highValue":4,"highUtility":1}}}}}`, `do not span the range`},
		{`{"LinearAdditiveUtilitySpace":{` + dom + `,"issueWeights":{"a":0.5},"issueUtilities":{"a":{"discreteutils":{"valueUtilities":{"x":1,"y":0}}},"n":{"numberutils":{"lowValue":0,"lowUtility":0,"highValue":4,"highUtility":1}}}}}`, `issue "n" has no numeric weight`},
		{`{"LinearAdditiveUtilitySpace":{` + dom + `,"issueWeights":{"a":0.5,"n":0.5},"issueUtilities":{"a":{"discreteutils":{"valueUtilities":{"x":1,"y":0}}},"n":{"numberutils":{"lowValue":0,"lowUtility":0,"highValue":4,"highUtility":1}}},"reservationBid":{"issuevalues":{"a":"x"}}}}`, `reservationBid is partial`},
		{`{"LinearAdditiveUtilitySpace":{` + dom + `,"issueWeights":{"a":0.5,"n":0.5},"issueUtilities":{"a":{"discreteutils":{"valueUtilities":{"x":1,"y":0}}},"n":{"numberutils":{"lowValue":0,"lowUtility":0,"highValue":4,"highUtility":1}}},"reservationBid":{"issuevalues":{"a":"x","n":2.5}}}}`, `issue "n" has no value 2.5`},
		{`{"DiscountedUtilitySpace":{}}`, `not supported`},
		{`{"LinearAdditiveUtilitySpace":{"issueWeights":{},"issueUtilities":{}}}`, `no framework given and no embedded domain`},
	} {
		_, _, _, err := ReadGeniusWebProfile(strings.NewReader(c.body), nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s\n err = %v, want %q", c.body, err, c.want)
		}
	}
}

func TestGeniusWebOffGridRange(t *testing.T) {
	// GeniusWeb range 0..1 step 0.3 has the values 0, 0.3, 0.6, 0.9; utilities
	// given over [0, 1] apply to them linearly.
	body := `{"LinearAdditiveUtilitySpace":{"name":"g","domain":{"name":"d","issuesValues":{"r":{"range":{"low":0,"high":1,"step":0.3}}}},
"issueUtilities":{"r":{"numberutils":{"lowValue":0,"lowUtility":0.2,"highValue":1,"highUtility":1}}},"issueWeights":{"r":1},
"reservationBid":{"issuevalues":{"r":0.6}}}}`
	p, f, name, err := ReadGeniusWebProfile(strings.NewReader(body), nil)
	if err != nil {
		t.Fatal(err)
	}
	pt := f.Points[0]
	if name != "g" || pt.Kind != framework.Real || pt.Min != 0 || !near(pt.Max, 0.9, tol) || pt.Levels() != 4 {
		t.Fatalf("point %+v", pt)
	}
	tb := compile(t, f, p)
	for l, want := range []float64{0.2, 0.44, 0.68, 0.92} {
		if !near(tb.Contrib[0][l], want, tol) {
			t.Errorf("level %d: %v, want %v", l, tb.Contrib[0][l], want)
		}
	}
	if !near(tb.Reservation, 0.68, tol) {
		t.Errorf("reservation %v", tb.Reservation)
	}
	var b bytes.Buffer
	if err := WriteGeniusWebProfile(&b, f, p, name); err != nil {
		t.Fatal(err)
	}
	q, g, _, err := ReadGeniusWebProfile(&b, nil)
	if err != nil {
		t.Fatal(err)
	}
	sameProfile(t, "off-grid", g, p, q)
}

// Large inputs are read in linear time (a quadratic lookup would time out).
func TestLargeInputs(t *testing.T) {
	const n = 100000
	var d, p, w strings.Builder
	d.WriteString(`<negotiation_template><utility_space><objective index="0" name="big"><issue index="1" name="v" type="discrete">`)
	p.WriteString(`<utility_space><objective index="0"><issue index="1" name="v" type="discrete">`)
	w.WriteString(`{"LinearAdditiveUtilitySpace":{"name":"big","issueWeights":{"v":1},"issueUtilities":{"v":{"discreteutils":{"valueUtilities":{`)
	var vals []string
	for i := 0; i < n; i++ {
		v := "o" + strconv.Itoa(i)
		fmt.Fprintf(&d, `<item value="%s"/>`, v)
		fmt.Fprintf(&p, `<item value="%s" evaluation="%d"/>`, v, i%7)
		if i > 0 {
			w.WriteString(",")
		}
		fmt.Fprintf(&w, `"%s":%g`, v, float64(i%7)/6)
		vals = append(vals, strconv.Quote(v))
	}
	d.WriteString(`</issue></objective></utility_space></negotiation_template>`)
	p.WriteString(`</issue><weight index="1" value="1"/></objective></utility_space>`)
	fmt.Fprintf(&w, `}}}},"domain":{"name":"big","issuesValues":{"v":{"values":[%s]}}}}}`, strings.Join(vals, ","))
	f, _, err := ReadDomain(strings.NewReader(d.String()), "big.xml")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadProfile(strings.NewReader(p.String()), f, "big-p.xml"); err != nil {
		t.Fatal(err)
	}
	q, g, _, err := ReadGeniusWebProfile(strings.NewReader(w.String()), nil)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteGeniusWebProfile(&b, g, q, "big"); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := ReadGeniusWebProfile(&b, f); err != nil {
		t.Fatal(err)
	}
}
