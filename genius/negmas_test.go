package genius

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/refdata"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/scenario"
)

// negmasTol is how close Parley's and NegMAS's utilities must be.
const negmasTol = 1e-12

// negmasOutcomes is the number of random outcomes compared per domain.
const negmasOutcomes = 1000

// negmasPython returns the python3 command and the environment that runs
// the shared NegMAS copy (refdata.NegMAS), or skips the test.
func negmasPython(t *testing.T) (string, []string) {
	t.Helper()
	py, path := refdata.NegMAS(t)
	return py, append(os.Environ(), "PYTHONPATH="+path, "PYTHONDONTWRITEBYTECODE=1")
}

type negmasReadCase struct {
	Name     string   `json:"name"`
	Format   string   `json:"format"`
	Domain   string   `json:"domain"`
	Profiles []string `json:"profiles"`
	Outcomes [][]any  `json:"outcomes"`
}

type negmasWriteCase struct {
	Name   string `json:"name"`
	Source string `json:"source"`
	Out    string `json:"out"`
	N      int    `json:"n"`
	Seed   int    `json:"seed"`
}

type negmasResult struct {
	Name      string       `json:"name"`
	Error     string       `json:"error"`
	Trace     string       `json:"trace"`
	Profiles  []string     `json:"profiles"`
	Outcomes  [][]any      `json:"outcomes"`
	Utilities [][]*float64 `json:"utilities"`
	Reserved  []*float64   `json:"reserved"`
	Skipped   []string     `json:"skipped"`
}

// runNegmas runs testdata/negmas_roundtrip.py once on the job.
func runNegmas(t *testing.T, read []negmasReadCase, write []negmasWriteCase) (rd, wr []negmasResult) {
	t.Helper()
	py, env := negmasPython(t)
	job := filepath.Join(t.TempDir(), "job.json")
	b, err := json.Marshal(map[string]any{"read": read, "write": write})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(job, b, 0o644); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "negmas_roundtrip.py"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, script, job)
	cmd.Env = env
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		if strings.Contains(stderr.String(), "ModuleNotFoundError") {
			t.Skipf("NegMAS cannot be imported here (%s); skipping", lastLine(stderr.String()))
		}
		t.Fatalf("negmas_roundtrip.py: %v\n%s", err, stderr.String())
	}
	var res struct {
		Read  []negmasResult `json:"read"`
		Write []negmasResult `json:"write"`
	}
	dec := json.NewDecoder(&out)
	dec.UseNumber()
	if err := dec.Decode(&res); err != nil {
		t.Fatalf("negmas_roundtrip.py output: %v", err)
	}
	if len(res.Read) != len(read) || len(res.Write) != len(write) {
		t.Fatalf("negmas_roundtrip.py: %d/%d results for %d/%d cases", len(res.Read), len(res.Write), len(read), len(write))
	}
	return res.Read, res.Write
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// sharedDomains lists the folders of the shared GENIUS domains.
func sharedDomains(t *testing.T) []string {
	root := refdata.Dir(t, "genius", "domains")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join(root, e.Name()))
		}
	}
	sort.Strings(dirs)
	return dirs
}

// outcomeValues gives package pkg of framework g (the framework of an
// exported folder read back) as the values NegMAS sees: option ids as
// strings, integers as numbers.
func outcomeValues(g *framework.Framework, pkg framework.Package) []any {
	vals := make([]any, len(pkg))
	for i, l := range pkg {
		pt := &g.Points[i]
		switch pt.Kind {
		case framework.Options:
			vals[i] = pt.Options[l].ID
		case framework.Integer:
			vals[i] = int64(pt.Value(l))
		default:
			vals[i] = pt.Value(l)
		}
	}
	return vals
}

// utilityAt evaluates profile p of framework f at the given point values
// (NegMAS's outcome): option ids (an integer as its decimal form) and
// numbers. Real points are evaluated at the value itself, not at a level.
func utilityAt(f *framework.Framework, p *profile.Profile, vals []any) (float64, error) {
	if len(vals) != len(f.Points) {
		return 0, fmt.Errorf("%d values for %d points", len(vals), len(f.Points))
	}
	u := 0.0
	for i, v := range vals {
		pt := &f.Points[i]
		var e float64
		switch pt.Kind {
		case framework.Options:
			id := fmt.Sprint(v)
			l, ok := optionIndex(pt)[id]
			if !ok {
				// LoadDir trims ids padded with spaces (RepairIDs).
				if l, ok = optionIndex(pt)[strings.TrimSpace(id)]; !ok {
					return 0, fmt.Errorf("point %q has no option %q", pt.ID, id)
				}
			}
			e = p.Eval(f, i, l)
		default:
			var x float64
			switch n := v.(type) {
			case json.Number:
				var err error
				if x, err = n.Float64(); err != nil {
					return 0, err
				}
			case float64:
				x = n
			case int64:
				x = float64(n)
			default:
				return 0, fmt.Errorf("point %q: value %v is not a number", pt.ID, v)
			}
			e = p.Funcs[i].Eval(x)
		}
		u += p.Weights[i] * e
	}
	return u, nil
}

// parleyToNegmas exports every loadable shared domain (and the edge
// scenario) to each format, has NegMAS read all the files in one run, and
// returns, per "format/domain", the largest difference between Parley's and
// NegMAS's utilities over negmasOutcomes random packages (the reservation
// values are checked too), or the reason it was not compared.
func parleyToNegmas(t *testing.T, formats []string) (diffs map[string]float64, failed map[string]string) {
	tmp := t.TempDir()
	type prep struct {
		format string
		s      *scenario.Scenario
		pkgs   []framework.Package
		tables []*profile.Table
		ids    []string
	}
	var cases []negmasReadCase
	var preps []prep
	failed = map[string]string{}
	type input struct {
		name string
		s    *scenario.Scenario
		err  error
	}
	inputs := []input{{"synthetic", negmasEdgeScenario(t), nil}}
	for _, dir := range sharedDomains(t) {
		s, err := LoadDir(dir, nil)
		inputs = append(inputs, input{filepath.Base(dir), s, err})
	}
	for _, format := range formats {
		for _, in := range inputs {
			name, s, err := format+"/"+in.name, in.s, in.err
			if err != nil {
				failed[name] = "Parley: " + err.Error()
				continue
			}
			if len(s.Profiled()) == 0 {
				continue
			}
			if nonLinearScenario(s) {
				// Issue 17: GeniusWeb has no hyper-rectangle space, and
				// NegMAS reads GENIUS's closed bounds as open intervals
				// (TestNegmasReadsNonLinearExport checks exactly how).
				failed[name] = "non-linear profiles: not compared here"
				continue
			}
			x, err := ExportScenario(s, format)
			if err != nil {
				failed[name] = "export: " + err.Error()
				continue
			}
			out := filepath.Join(tmp, name)
			if err := x.WriteDir(out, false); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			back, err := LoadDir(out, nil)
			if err != nil {
				t.Fatalf("%s: reading the export back: %v", name, err)
			}
			f := s.Framework
			rng := rand.New(rand.NewPCG(16, uint64(len(in.name))))
			pr := prep{format: format, s: s}
			c := negmasReadCase{Name: name, Format: format, Domain: filepath.Join(out, x.Files[0].Name)}
			for k := 0; k < negmasOutcomes; k++ {
				pkg := framework.NewPackage(len(f.Points))
				for i := range f.Points {
					pkg[i] = rng.IntN(f.Points[i].Levels())
				}
				pr.pkgs = append(pr.pkgs, pkg)
				c.Outcomes = append(c.Outcomes, outcomeValues(back.Framework, pkg))
			}
			for _, fl := range x.Files[1:] {
				c.Profiles = append(c.Profiles, filepath.Join(out, fl.Name))
			}
			for _, p := range s.Profiled() {
				pr.tables = append(pr.tables, compile(t, f, p.Profile))
				pr.ids = append(pr.ids, p.ID)
			}
			cases = append(cases, c)
			preps = append(preps, pr)
		}
	}
	res, _ := runNegmas(t, cases, nil)
	diffs = map[string]float64{}
	for k, r := range res {
		if r.Error != "" {
			failed[r.Name] = "NegMAS: " + r.Error
			continue
		}
		pr := preps[k]
		format := pr.format
		worst := 0.0
		for j, tb := range pr.tables {
			for o, pkg := range pr.pkgs {
				nu := r.Utilities[j][o]
				if nu == nil {
					worst = math.Inf(1)
					continue
				}
				worst = math.Max(worst, math.Abs(tb.Utility(pkg)-*nu))
			}
			// NegMAS's reservation: GENIUS's default is 0; a GeniusWeb
			// profile without one has none.
			want, has := tb.Reservation, tb.HasReservation
			got := r.Reserved[j]
			switch {
			case format == FormatGenius && !has:
				want, has = 0, true
			}
			if has != (got != nil) || has && math.Abs(*got-want) > negmasTol {
				t.Errorf("%s: party %q: NegMAS reads reservation %v, Parley's is %v (%v)", r.Name, pr.ids[j], fmtPtr(got), want, has)
			}
		}
		diffs[r.Name] = worst
	}
	return diffs, failed
}

func fmtPtr(p *float64) string {
	if p == nil {
		return "none"
	}
	return strconv.FormatFloat(*p, 'g', -1, 64)
}

// Issue 16: every shared domain Parley reads, exported as GENIUS XML and as
// GeniusWeb JSON, is read by NegMAS's own readers to the same utilities
// (within 1e-12 on 1000 random outcomes) and reservation values.
func TestNegmasReadsParleyExports(t *testing.T) {
	diffs, failed := parleyToNegmas(t, []string{FormatGenius, FormatGeniusWeb})
	names := make([]string, 0, len(diffs))
	for n := range diffs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t.Logf("→ NegMAS: %-30s max |Δu| = %.3g", n, diffs[n])
		if !(diffs[n] <= negmasTol) {
			t.Errorf("→ NegMAS: %s: utilities differ by up to %.3g", n, diffs[n])
		}
	}
	for n, why := range failed {
		t.Logf("→ NegMAS: %s not compared: %s", n, why)
		if strings.HasPrefix(why, "NegMAS") || strings.HasPrefix(why, "export") {
			t.Errorf("→ NegMAS: %s: %s", n, why)
		}
	}
	if len(diffs) < 40 {
		t.Errorf("only %d domain exports compared", len(diffs))
	}
}

// Issue 16: every shared domain NegMAS reads, written by NegMAS's
// to_genius_folder, is read by LoadDir to NegMAS's utilities (within 1e-12
// on 1000 random outcomes) and reservation values.
func TestParleyReadsNegmasFolders(t *testing.T) {
	tmp := t.TempDir()
	var cases []negmasWriteCase
	// Parley's own edge cases, as NegMAS rewrites them.
	x, err := ExportScenario(negmasEdgeScenario(t), FormatGenius)
	if err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "synthetic")
	if err := x.WriteDir(src, false); err != nil {
		t.Fatal(err)
	}
	cases = append(cases, negmasWriteCase{Name: "synthetic", Source: src, Out: filepath.Join(tmp, "synthetic"), N: negmasOutcomes, Seed: 16})
	for _, dir := range sharedDomains(t) {
		name := filepath.Base(dir)
		cases = append(cases, negmasWriteCase{Name: name, Source: dir, Out: filepath.Join(tmp, name), N: negmasOutcomes, Seed: 16})
	}
	_, res := runNegmas(t, nil, cases)
	for _, r := range res {
		if r.Error != "" {
			t.Logf("NegMAS → Parley: %s: NegMAS cannot read it: %s", r.Name, r.Error)
			continue
		}
		for _, sk := range r.Skipped {
			t.Logf("NegMAS → Parley: %s: NegMAS cannot read profile %s", r.Name, sk)
		}
		s, err := LoadDir(filepath.Join(tmp, r.Name), nil)
		if err != nil {
			t.Errorf("NegMAS → Parley: %s: %v", r.Name, err)
			continue
		}
		worst := 0.0
		for j, id := range r.Profiles {
			p := s.Party(id)
			if p == nil || p.Profile == nil {
				t.Errorf("NegMAS → Parley: %s: profile %q not read", r.Name, id)
				continue
			}
			d := 0.0
			for o, vals := range r.Outcomes {
				u, err := utilityAt(s.Framework, p.Profile, vals)
				if err != nil {
					t.Fatalf("NegMAS → Parley: %s: %s: %v", r.Name, id, err)
				}
				nu := r.Utilities[j][o]
				if nu == nil {
					d = math.Inf(1)
					continue
				}
				d = math.Max(d, math.Abs(u-*nu))
			}
			worst = math.Max(worst, d)
			if d > negmasTol {
				// Only NegMAS's negative evaluations, which Parley
				// profiles cannot hold, may differ; the warning says by
				// how much at most.
				bound, ok := warnedBound(s.Warnings, id+".xml", "negative NegMAS evaluations")
				if !ok {
					t.Errorf("NegMAS → Parley: %s: %s: utilities differ by up to %.3g, and no warning says why", r.Name, id, d)
				} else if d > bound*(1+1e-3)+negmasTol {
					t.Errorf("NegMAS → Parley: %s: %s: utilities differ by up to %.3g, more than the %.4g warned", r.Name, id, d, bound)
				}
			}
			want := r.Reserved[j]
			got := p.Profile.Reservation
			if (want == nil) != (got == nil) || want != nil && math.Abs(*want-*got) > negmasTol {
				t.Errorf("NegMAS → Parley: %s: %s: reservation %v, NegMAS's %v", r.Name, id, fmtPtr(got), fmtPtr(want))
			}
		}
		t.Logf("NegMAS → Parley: %-20s max |Δu| = %.3g (%d profiles)", r.Name, worst, len(r.Profiles))
	}
}

// warnedBound finds the warning of file that contains what and returns the
// number after its "by up to".
func warnedBound(warns []string, file, what string) (float64, bool) {
	for _, w := range warns {
		if !strings.HasPrefix(w, file+":") || !strings.Contains(w, what) {
			continue
		}
		_, rest, ok := strings.Cut(w, "by up to ")
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, " ")
		if v, err := strconv.ParseFloat(num, 64); err == nil {
			return v, true
		}
	}
	return 0, false
}

// negmasEdgeScenario has what the shared domains lack: scores peaking below
// 1 (scale absolute), integer points away from 0, linear functions clamped
// inside their range, triangular functions (one peaking at its start),
// constants above 1, a reservation value, a fallback and a discount.
func negmasEdgeScenario(t *testing.T) *scenario.Scenario {
	t.Helper()
	f := &framework.Framework{Name: "edges", Points: []framework.Point{
		{ID: "colour", Kind: framework.Options, Options: []framework.Option{{ID: "red", Label: "red"}, {ID: "green", Label: "green"}, {ID: "blue", Label: "blue"}}},
		{ID: "qty", Kind: framework.Integer, Min: 3, Max: 9},
		{ID: "price", Kind: framework.Real, Min: 10, Max: 40, Steps: 7},
		{ID: "temp", Kind: framework.Real, Min: 0, Max: 10, Steps: 11},
		{ID: "days", Kind: framework.Integer, Min: 1, Max: 5},
		{ID: "late", Kind: framework.Integer, Min: -3, Max: 3},
		{ID: "size", Kind: framework.Real, Min: 0, Max: 1, Steps: 5},
	}}
	lin := func(origin, offset, slope float64) *profile.ValueFunc {
		return &profile.ValueFunc{Kind: profile.Linear, Origin: origin, Offset: offset, Slope: slope}
	}
	res := 0.25
	alice := &profile.Profile{
		Weights: []float64{0.3, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1},
		Scores:  [][]float64{{0.2, 0.759, 0.5}, nil, nil, nil, nil, nil, nil},
		Scale:   profile.ScaleAbsolute,
		Funcs: []*profile.ValueFunc{nil,
			lin(3, 0.1, 0.1),
			{Kind: profile.Triangular, Low: 15, High: 35, Top: 20, TopValue: 0.8},
			{Kind: profile.Constant, Value: 1.5},
			lin(1, -0.5, 0.5),
			{Kind: profile.Constant, Value: 0.3},
			{Kind: profile.Triangular, Low: 0.1, High: 0.9, Top: 0.5, TopValue: 1},
		},
		Reservation: &res,
		Discount:    0.9,
	}
	bob := &profile.Profile{
		Weights: []float64{0.25, 0.25, 0.2, 0.1, 0.1, 0.1, 0.05},
		Scores:  [][]float64{{3, 29, 0}, nil, nil, nil, nil, nil, nil},
		Scale:   profile.ScaleMax,
		Funcs: []*profile.ValueFunc{nil,
			lin(0, 1, -0.1),
			lin(10, 0, 0.1),
			{Kind: profile.Triangular, Low: 0, High: 10, Top: 0, TopValue: 1},
			{Kind: profile.Constant, Value: 0.2},
			lin(-3, 0, 1.0/6),
			{Kind: profile.Constant, Value: 2},
		},
		Fallback: framework.Package{2, 1, 3, 4, 0, 6, 2},
	}
	s := &scenario.Scenario{
		Version:   scenario.FormatVersion,
		Name:      "edges",
		Title:     "edges",
		Framework: f,
		Decision:  scenario.Decision{Rule: scenario.Unanimity, Agreement: scenario.WholePackage},
		Format:    scenario.Format{Default: scenario.Plenary},
		Parties: []scenario.Party{
			{ID: "alice", Name: "alice", Role: scenario.Principal, Profile: alice},
			{ID: "bob", Name: "bob", Role: scenario.Principal, Profile: bob},
		},
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("edge scenario: %v", err)
	}
	return s
}
