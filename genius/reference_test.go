package genius

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/refdata"
	"github.com/parley-negotiation/parley/profile"
)

// indexEntry is one profile row of domains/INDEX.md.
type indexEntry struct {
	domainDir, domainFile, file, kind, rv, df string
	wsum                                      float64
}

var (
	reSection = regexp.MustCompile("^### (\\S+)")
	reDomain  = regexp.MustCompile("^- Domain file: `([^`]+)`")
	reRow     = regexp.MustCompile("^\\s*\\| `([^`]+)` \\| (LINEAR|UNCERTAIN|NONLINEAR) \\| ([^|]*) \\| ([^|]*) \\| ([^|]*) \\|")
)

// readIndex parses the per-domain profile tables of INDEX.md.
func readIndex(t *testing.T, root string) ([]indexEntry, map[string]string) {
	t.Helper()
	fh, err := os.Open(filepath.Join(root, "INDEX.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []indexEntry
	domainFiles := map[string]string{}
	section := ""
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := sc.Text()
		if m := reSection.FindStringSubmatch(line); m != nil {
			section = m[1]
		} else if m := reDomain.FindStringSubmatch(line); m != nil {
			domainFiles[section] = m[1]
		} else if m := reRow.FindStringSubmatch(line); m != nil {
			e := indexEntry{domainDir: section, domainFile: domainFiles[section], file: m[1], kind: m[2],
				rv: strings.TrimSpace(m[3]), df: strings.TrimSpace(m[4])}
			if ws := strings.TrimSpace(m[5]); ws != "-" {
				if e.wsum, err = strconv.ParseFloat(ws, 64); err != nil {
					t.Fatalf("INDEX.md: wsum %q", ws)
				}
			}
			out = append(out, e)
		}
	}
	return out, domainFiles
}

func openDomain(t *testing.T, path string) *domain {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	d, err := readDomain(fh, filepath.Base(path))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Test 1: every folder loads (NonLinear10issues too, since issue 17), and
// every LINEAR and UNCERTAIN profile reads with the kind, reservation,
// discount and weight sum INDEX.md lists; the NONLINEAR ones as 20
// interactions each, with no reservation or discount.
func TestReferenceDomainsLoad(t *testing.T) {
	root := refdata.Dir(t, "genius", "domains")
	ents, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	dirs := 0
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		dirs++
		s, err := LoadDir(filepath.Join(root, e.Name()), nil)
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		if s.Name != machineName(e.Name()) || len(s.Parties) < 2 {
			t.Errorf("%s: scenario %q with %d parties", e.Name(), s.Name, len(s.Parties))
		}
	}
	if dirs != 26 {
		t.Errorf("%d domain folders, want 26", dirs)
	}

	entries, domainFiles := readIndex(t, root)
	if len(domainFiles) != 26 {
		t.Errorf("INDEX.md: %d domain files parsed", len(domainFiles))
	}
	counts := map[string]int{}
	for _, e := range entries {
		counts[e.kind]++
		dir := filepath.Join(root, e.domainDir)
		d := openDomain(t, filepath.Join(dir, e.domainFile))
		fh, err := os.Open(filepath.Join(dir, e.file))
		if err != nil {
			t.Error(err)
			continue
		}
		p, info, err := ReadProfile(fh, d.f, e.file)
		fh.Close()
		if err != nil {
			t.Errorf("%s/%s: %v", e.domainDir, e.file, err)
			continue
		}
		if e.kind == "NONLINEAR" {
			// Issue 17: read as interactions over a zero additive part.
			if info.Kind != NonLinear || p.Reservation != nil || info.Discount != "" || p.WeightSum() != 0 || len(p.Interactions) != 20 {
				t.Errorf("%s/%s: kind %s, reservation %v, discount %q, weight sum %v, %d interactions", e.domainDir, e.file, info.Kind, p.Reservation, info.Discount, p.WeightSum(), len(p.Interactions))
			}
			continue
		}
		if string(info.Kind) != e.kind {
			t.Errorf("%s: kind %s, INDEX.md %s", e.file, info.Kind, e.kind)
		}
		if e.rv == "-" {
			if p.Reservation != nil {
				t.Errorf("%s: reservation %v, INDEX.md none", e.file, *p.Reservation)
			}
		} else if rv, _ := strconv.ParseFloat(e.rv, 64); p.Reservation == nil || *p.Reservation != rv {
			t.Errorf("%s: reservation %v, INDEX.md %s", e.file, p.Reservation, e.rv)
		}
		raw, eff, _ := strings.Cut(e.df, " → ")
		if raw == "-" {
			raw = ""
		}
		if info.Discount != raw {
			t.Errorf("%s: raw discount %q, INDEX.md %q", e.file, info.Discount, raw)
		}
		wantDF := 1.0
		if eff != "" {
			wantDF, _ = strconv.ParseFloat(eff, 64)
		} else if d, err := strconv.ParseFloat(raw, 64); err == nil && d > 0 && d <= 1 {
			wantDF = d
		}
		if p.DiscountFactor() != wantDF {
			t.Errorf("%s: discount %v, want %v", e.file, p.DiscountFactor(), wantDF)
		}
		if eff != "" && !hasWarning(info.Warnings, "no discounting") {
			t.Errorf("%s: discarded discount without warning: %q", e.file, info.Warnings)
		}
		if ws := p.WeightSum(); math.Abs(ws-e.wsum) > 1e-5 {
			t.Errorf("%s: weight sum %v, INDEX.md %v", e.file, ws, e.wsum)
		}
		if math.Abs(p.WeightSum()-1) > 1e-6 && !hasWarning(info.Warnings, "weights sum to") {
			t.Errorf("%s: weight sum %v without warning", e.file, p.WeightSum())
		}
		if e.kind == "UNCERTAIN" && (info.Uncertain == nil || !hasWarning(info.Warnings, "UNCERTAIN")) {
			t.Errorf("%s: UNCERTAIN not marked: %+v", e.file, info)
		}
	}
	if counts["LINEAR"] != 68 || counts["UNCERTAIN"] != 36 || counts["NONLINEAR"] != 2 {
		t.Errorf("INDEX.md rows parsed: %v", counts)
	}
	t.Logf("profiles checked against INDEX.md: %v", counts)
}

type refPoint struct {
	RawOut    map[string]any `json:"outcome"`
	Utilities []float64      `json:"utilities"`
}

type refSet struct {
	Profiles    []string  `json:"profiles"`
	Reservation []float64 `json:"reservation"`
	Discount    []float64 `json:"discount"`
	NOutcomes   int       `json:"n_outcomes"`
	MaxUtility  []float64 `json:"max_utility"`
	MinUtility  []float64 `json:"min_utility"`
	Nash        *refPoint `json:"nash"`
	Kalai       *refPoint `json:"kalai"`
	MaxWelfare  *refPoint `json:"maxwelfare"`
}

type refDomain struct {
	Domain string   `json:"domain"`
	Sets   []refSet `json:"sets"`
}

// Test 2: utilities of the reference witnesses and per-profile extremes.
func TestReferenceUtilities(t *testing.T) {
	root := refdata.Dir(t, "genius", "domains")
	refFile := filepath.Join(refdata.Dir(t, "genius", "reference", "computed"), "genius-domains.reference.json")
	b, err := os.ReadFile(refFile)
	if err != nil {
		t.Fatal(err)
	}
	var ref map[string]refDomain
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&ref); err != nil {
		t.Fatal(err)
	}
	sets := 0
	for name, rd := range ref {
		for _, set := range rd.Sets {
			sets++
			s, err := LoadDir(filepath.Join(root, name), set.Profiles)
			if err != nil {
				t.Errorf("%s %v: %v", name, set.Profiles, err)
				continue
			}
			f := s.Framework
			tables := make([]*profile.Table, len(s.Parties))
			for i, p := range s.Parties {
				tables[i] = compile(t, f, p.Profile)
				if mx, _ := tables[i].Max(); math.Abs(mx-set.MaxUtility[i]) > 1e-9 {
					t.Errorf("%s %s: max %v, reference %v", name, p.ID, mx, set.MaxUtility[i])
				}
				if mn := tables[i].Min(); math.Abs(mn-set.MinUtility[i]) > 1e-9 {
					t.Errorf("%s %s: min %v, reference %v", name, p.ID, mn, set.MinUtility[i])
				}
				rv := 0.0
				if p.Profile.Reservation != nil {
					rv = *p.Profile.Reservation
				}
				if rv != set.Reservation[i] || p.Profile.DiscountFactor() != set.Discount[i] {
					t.Errorf("%s %s: reservation %v discount %v, reference %v %v", name, p.ID, rv, p.Profile.DiscountFactor(), set.Reservation[i], set.Discount[i])
				}
			}
			for label, pt := range map[string]*refPoint{"nash": set.Nash, "kalai": set.Kalai, "maxwelfare": set.MaxWelfare} {
				ids := map[string]string{}
				for k, v := range pt.RawOut {
					switch v := v.(type) {
					case string:
						ids[k] = v
					case json.Number:
						ids[k] = v.String()
					default:
						t.Fatalf("%s %s: outcome value %T", name, label, v)
					}
				}
				pkg, err := f.PackageByID(ids)
				if err != nil || !pkg.Complete() {
					t.Errorf("%s %s: outcome %v: %v", name, label, ids, err)
					continue
				}
				for i := range tables {
					if u := tables[i].Utility(pkg); math.Abs(u-pt.Utilities[i]) > 1e-9 {
						t.Errorf("%s %s %s: utility %v, reference %v", name, label, set.Profiles[i], u, pt.Utilities[i])
					}
				}
			}
			// GENIUS counts duplicate items (FlightBooking: 48 outcomes, 36 distinct).
			n, _ := f.SizeInt()
			if name == "FlightBooking" && (n != 36 || set.NOutcomes != 48) {
				t.Errorf("FlightBooking: %d distinct outcomes (want 36), reference counts %d (want 48)", n, set.NOutcomes)
			}
			if name != "FlightBooking" && n != int64(set.NOutcomes) {
				t.Errorf("%s: %d outcomes, reference %d", name, n, set.NOutcomes)
			}
		}
	}
	if sets < 30 {
		t.Errorf("only %d reference sets", sets)
	}
	t.Logf("%d reference sets checked", sets)
}

// Test 3: GENIUS write → read gives the same framework and numbers, for every
// LINEAR and UNCERTAIN profile; GENIUS → GeniusWeb → read gives the same
// compiled utilities whenever GeniusWeb can express the profile.
func TestReferenceRoundTrip(t *testing.T) {
	root := refdata.Dir(t, "genius", "domains")
	entries, _ := readIndex(t, root)
	byDir := map[string][]indexEntry{}
	for _, e := range entries {
		if e.kind != "NONLINEAR" {
			byDir[e.domainDir] = append(byDir[e.domainDir], e)
		}
	}
	if len(byDir) != 25 {
		t.Errorf("%d domains with linear profiles, want 25", len(byDir))
	}
	for dir, es := range byDir {
		t.Run(dir, func(t *testing.T) {
			d := openDomain(t, filepath.Join(root, dir, es[0].domainFile))
			ps := map[string]*profile.Profile{}
			for _, e := range es {
				fh, err := os.Open(filepath.Join(root, dir, e.file))
				if err != nil {
					t.Fatal(err)
				}
				p, _, err := ReadProfile(fh, d.f, e.file)
				fh.Close()
				if err != nil {
					t.Fatal(err)
				}
				ps[e.file] = p
			}
			roundTripXML(t, d.f, ps)

			if d.f.Points[0].Kind == framework.Real {
				return // GeniusWeb needs a finite value set: real points export as ranges; tested on fixtures
			}
			var db bytes.Buffer
			if err := WriteGeniusWebDomain(&db, d.f); err != nil {
				t.Fatal(err)
			}
			wf, err := ReadGeniusWebDomain(&db)
			if err != nil {
				t.Fatal(err)
			}
			if err := sameIssues(d.f, wf); err != nil {
				t.Fatal(err)
			}
			for id, p := range ps {
				var pb bytes.Buffer
				if err := WriteGeniusWebProfile(&pb, d.f, p, "p"); err != nil {
					if strings.Contains(err.Error(), "clamped inside the range") {
						continue // e.g. IntegerDomain: 0.3 + 0.08·10 > 1
					}
					t.Fatalf("%s: %v", id, err)
				}
				q, _, _, err := ReadGeniusWebProfile(&pb, wf)
				if err != nil {
					t.Fatalf("%s: %v", id, err)
				}
				q.Reservation, q.Discount = p.Reservation, p.Discount // not in GeniusWeb
				sameProfile(t, id+" via GeniusWeb", d.f, p, q)
			}
		})
	}
}

func webFiles(t *testing.T) map[string][]string {
	t.Helper()
	root := refdata.Dir(t, "genius", "reference", "geniusweb-json")
	out := map[string][]string{}
	for _, d := range []string{"Fitness", "FlightBooking", "JapnTrip", "Party"} {
		m, _ := filepath.Glob(filepath.Join(root, d, "*.json"))
		if len(m) != 3 {
			t.Fatalf("%s: %d JSON files", d, len(m))
		}
		out[d] = m
	}
	return out
}

func readWebDir(t *testing.T, files []string) (*framework.Framework, map[string]*profile.Profile) {
	t.Helper()
	var f *framework.Framework
	ps := map[string]*profile.Profile{}
	for _, fn := range files { // sorted: domain first (x.json < x1.json)
		b, err := os.ReadFile(fn)
		if err != nil {
			t.Fatal(err)
		}
		if f == nil {
			if f, err = ReadGeniusWebDomain(bytes.NewReader(b)); err != nil {
				t.Fatalf("%s: %v", fn, err)
			}
			continue
		}
		p, g, name, err := ReadGeniusWebProfile(bytes.NewReader(b), f)
		if err != nil {
			t.Fatalf("%s: %v", fn, err)
		}
		if g != f || name != strings.TrimSuffix(filepath.Base(fn), ".json") {
			t.Errorf("%s: name %q", fn, name)
		}
		// Reading without a framework builds the same one from the embedded domain.
		p2, g2, _, err := ReadGeniusWebProfile(bytes.NewReader(b), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := sameIssues(f, g2); err != nil || len(g2.Points) != len(f.Points) {
			t.Errorf("%s: embedded domain: %v", fn, err)
		}
		_ = p2
		ps[name] = p
	}
	return f, ps
}

// Test 4: the GeniusWeb reference files.
func TestGeniusWebReference(t *testing.T) {
	files := webFiles(t)
	for dir, fs := range files {
		f, ps := readWebDir(t, fs)
		if len(ps) != 2 {
			t.Errorf("%s: %d profiles", dir, len(ps))
		}
		for name, p := range ps {
			if p.Scale != profile.ScaleAbsolute || p.Fallback == nil {
				t.Errorf("%s %s: scale %v fallback %v", dir, name, p.Scale, p.Fallback)
			}
		}
		webRoundTrip(t, dir, f, ps)
	}

	// Fitness: 5 issues, cardinalities 5, 4, 4, 4, 4 in file order.
	f, ps := readWebDir(t, files["Fitness"])
	var got []string
	for _, p := range f.Points {
		got = append(got, p.ID+":"+strconv.Itoa(p.Levels()))
	}
	if strings.Join(got, " ") != "type:5 duration:4 distance:4 intensity:4 price:4" || f.Name != "fitness" {
		t.Errorf("fitness shape %q %v", f.Name, got)
	}
	if _, ok := ps["fitness1"]; !ok {
		t.Errorf("fitness profiles %v", ps)
	}

	// Party, by hand: party1 weights Food .19, Drinks .28, Location .19,
	// Invitations .05, Music .19, Cleanup .10.
	f, ps = readWebDir(t, files["Party"])
	tb := compile(t, f, ps["party1"])
	bid := map[string]string{"Food": "Catering", "Drinks": "Beer Only", "Location": "Party Room",
		"Invitations": "Photo", "Music": "DJ", "Cleanup": "Hired Help"}
	// .19·.25 + .28·.98 + .19·.99 + .05·.74 + .19·.99 + .10·.31
	if u := utilityOf(t, f, tb, bid); !near(u, 0.7661, 1e-12) {
		t.Errorf("party1 u = %v, want 0.7661", u)
	}
	// The reservation bid (Handmade Food, Handmade Cocktails, Party Tent,
	// "Custom, Printed", Band, Special Equiment):
	// .19·.51 + .28·.672 + .19·.52 + .05·.48 + .19·.35 + .10·.32 = 0.50636.
	if !tb.HasReservation || !near(tb.Reservation, 0.50636, 1e-12) {
		t.Errorf("party1 reservation %v %v, want 0.50636", tb.HasReservation, tb.Reservation)
	}
	tb2 := compile(t, f, ps["party2"])
	u2 := utilityOf(t, f, tb2, bid)
	want2 := 0.0
	for i := range f.Points {
		l := f.Points[i].Level(bid[f.Points[i].ID])
		want2 += ps["party2"].Weights[i] * ps["party2"].Scores[i][l]
	}
	if !near(u2, want2, 1e-12) {
		t.Errorf("party2 u = %v, want %v", u2, want2)
	}
}

// webRoundTrip writes a GeniusWeb domain and profiles and reads them back.
func webRoundTrip(t *testing.T, what string, f *framework.Framework, ps map[string]*profile.Profile) {
	t.Helper()
	var db bytes.Buffer
	if err := WriteGeniusWebDomain(&db, f); err != nil {
		t.Fatal(err)
	}
	g, err := ReadGeniusWebDomain(bytes.NewReader(db.Bytes()))
	if err != nil {
		t.Fatalf("%s: %v\n%s", what, err, db.String())
	}
	if !frameworksEqual(f, g) {
		t.Errorf("%s: domain round trip\n got %+v\nwant %+v", what, g, f)
	}
	for name, p := range ps {
		var pb bytes.Buffer
		if err := WriteGeniusWebProfile(&pb, f, p, name); err != nil {
			t.Fatalf("%s %s: %v", what, name, err)
		}
		q, h, n, err := ReadGeniusWebProfile(bytes.NewReader(pb.Bytes()), nil)
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", what, name, err, pb.String())
		}
		if n != name || !frameworksEqual(f, h) {
			t.Errorf("%s %s: name %q / embedded domain differs", what, name, n)
		}
		sameProfile(t, what+" "+name, f, p, q)
		if !sameFallback(p.Fallback, q.Fallback) {
			t.Errorf("%s %s: fallback %v vs %v", what, name, p.Fallback, q.Fallback)
		}
	}
}

func sameFallback(a, b framework.Package) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// frameworksEqual compares frameworks, real bounds up to rounding.
func frameworksEqual(f, g *framework.Framework) bool {
	if f.Name != g.Name || len(f.Points) != len(g.Points) {
		return false
	}
	for i := range f.Points {
		a, b := f.Points[i], g.Points[i]
		if a.ID != b.ID || a.Kind != b.Kind || a.Levels() != b.Levels() || a.Min != b.Min || !near(a.Max, b.Max, 1e-9*math.Max(1, math.Abs(a.Max))) {
			return false
		}
		for j := range a.Options {
			if a.Options[j].ID != b.Options[j].ID {
				return false
			}
		}
	}
	return true
}
