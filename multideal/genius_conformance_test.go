package multideal

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/framework"
)

// np.random.seed(5); [np.random.rand() for _ in range(3)], then
// np.random.randint(0, k, size=1)[0] for k in 6, 1, 4, 2, 100, 7 (numpy
// 1.24.2).
var (
	npRandSeed5 = []float64{0.22199317108973948, 0.8707323061773764, 0.20671915533942642}
	npIntsSeed5 = []int{0, 0, 1, 0, 62, 3}
	npIntsKs    = []int{6, 1, 4, 2, 100, 7}
)

func checkNumpyStream(t *testing.T, seed uint32, rands []float64, ks, ints []int) {
	t.Helper()
	r := NewNumpyRandom(seed)
	for i, want := range rands {
		if got := r.Rand(); got != want {
			t.Fatalf("seed %d: rand #%d = %v, numpy %v", seed, i, got, want)
		}
	}
	for i, k := range ks {
		if got := r.Below(k); got != ints[i] {
			t.Fatalf("seed %d: randint(0, %d) #%d = %d, numpy %d", seed, k, i, got, ints[i])
		}
	}
}

// TestNumpyRandomMatchesNumpy checks NumpyRandom against numpy's legacy
// global RandomState: recorded values, then live ones when Python runs.
func TestNumpyRandomMatchesNumpy(t *testing.T) {
	checkNumpyStream(t, 5, npRandSeed5, npIntsKs, npIntsSeed5)
	ks := []int{1, 2, 3, 5, 6, 7, 8, 9, 31, 33, 1000, 65537, 3000000000, 4294967296}
	seeds := []uint32{0, 1, 12345, 4294967295}
	args := []string{"nprand", "0,1,12345,4294967295", "4"}
	for _, k := range ks {
		args = append(args, strconv.Itoa(k))
	}
	var want []struct {
		Rand []float64 `json:"rand"`
		Ints []int     `json:"ints"`
	}
	runDriver(t, &want, args...)
	if len(want) != len(seeds) {
		t.Fatalf("%d streams from numpy for %d seeds", len(want), len(seeds))
	}
	for i, seed := range seeds {
		checkNumpyStream(t, seed, want[i].Rand, ks, want[i].Ints)
	}
}

// TestNumpyWeightsSum checks npSum against a plain sum where the order
// cannot matter (integers), against numpy's sums of random draws (where it
// does), and the weights of a known draw.
func TestNumpyWeightsSum(t *testing.T) {
	for _, n := range []int{1, 7, 8, 9, 127, 128, 129, 300} {
		a := make([]float64, n)
		want := 0.0
		for i := range a {
			a[i] = float64(i + 1)
			want += a[i]
		}
		if got := npSum(a); got != want {
			t.Errorf("n=%d: npSum %v, want %v", n, got, want)
		}
	}
	// np.random.seed(s); np.random.rand(n).sum() (numpy 1.24.2)
	for _, c := range []struct {
		seed uint32
		n    int
		sum  float64
	}{{7, 5, 2.996091002882509}, {8, 7, 3.916616247929478}, {9, 9, 2.2531903292978397}, {10, 20, 10.339894609890594}, {11, 130, 67.09967236891423}, {12, 300, 145.24458858945894}} {
		r := NewNumpyRandom(c.seed)
		a := make([]float64, c.n)
		for i := range a {
			a[i] = r.Rand()
		}
		if got := npSum(a); got != c.sum {
			t.Errorf("seed %d, %d values: npSum %v, numpy %v", c.seed, c.n, got, c.sum)
		}
	}
	// np.random.seed(3); w = np.random.rand(4); (w / w.sum()).tolist()
	want := []float64{0.26728964158909085, 0.34364796382655177, 0.14116942536846563, 0.24789296921589168}
	for i, w := range numpyRandWeights(3, 4) {
		if w != want[i] {
			t.Errorf("weight %d = %v, numpy %v", i, w, want[i])
		}
	}
}

func geniusRoot(t testing.TB) string {
	t.Helper()
	return filepath.Join(anlRoot(t), "scenarios", "genius")
}

// geniusFolders are the GENIUS-derived folders compared by default (the
// smallest), or all of them with PARLEY_ANL_FULL=1.
func geniusFolders(t testing.TB) []string {
	t.Helper()
	root := geniusRoot(t)
	if os.Getenv("PARLEY_ANL_FULL") == "" {
		return []string{filepath.Join(root, "ItexvsCypress_domain"), filepath.Join(root, "japantrip")}
	}
	all, err := filepath.Glob(filepath.Join(root, "*", "center.yml"))
	if err != nil || len(all) == 0 {
		t.Fatalf("no GENIUS-derived folders in %s", root)
	}
	for i := range all {
		all[i] = filepath.Dir(all[i])
	}
	return all
}

// geniusOptions are the import options of the comparisons: the weights as
// anl2025 draws them after np.random.seed(wseed), and genius.py's side
// reserved value (0) for the saved -inf.
func geniusOptions(wseed uint32) ANLOptions {
	return ANLOptions{NumpySeed: &wseed, SideReservation: new(float64)}
}

// TestGeniusImportNeedsOptions: as saved, the GENIUS-derived folders leave
// the center's weights to numpy's unseeded stream and make a thread
// without agreement worth -inf; Parley refuses both rather than invent a
// number, and names the option that settles each.
func TestGeniusImportNeedsOptions(t *testing.T) {
	dir := filepath.Join(geniusRoot(t), "japantrip")
	if _, err := ImportANL(dir); err == nil || !strings.Contains(err.Error(), "NumpySeed") {
		t.Errorf("import without weights: %v, want an error naming ANLOptions.NumpySeed", err)
	}
	seed := uint32(1)
	if _, err := ImportANLWith(dir, ANLOptions{NumpySeed: &seed}); err == nil || !strings.Contains(err.Error(), "SideReservation") {
		t.Errorf("import with -inf side reserved values: %v, want an error naming ANLOptions.SideReservation", err)
	}
	s, err := ImportANLWith(dir, geniusOptions(1))
	if err != nil {
		t.Fatal(err)
	}
	// the edge files are listed out of the center's order: re-paired
	for i, th := range s.Threads {
		want := s.Center.Utility.Sides[i]
		if len(want.Scores) != len(th.Framework.Points) {
			t.Fatalf("thread %d: side utility for another space", i)
		}
		if !strings.HasSuffix(th.Edge, "_"+th.Framework.Points[0].ID) {
			t.Errorf("thread %d: edge %s paired with issue %s", i, th.Edge, th.Framework.Points[0].ID)
		}
	}
}

// geniusEval is the driver's geval output.
type geniusEval struct {
	Edges   []string  `json:"edges"`
	Weights []float64 `json:"weights"`
	Rows    []struct {
		Outcomes [][]string `json:"outcomes"`
		Value    string     `json:"value"`
	} `json:"rows"`
}

// TestGeniusCenterEqualsANL compares the imported center utility with
// anl2025's on every combination of thread outcomes (None included) of the
// GENIUS-derived folders, with the same numpy-drawn weights.
func TestGeniusCenterEqualsANL(t *testing.T) {
	const wseed = 11
	for _, dir := range geniusFolders(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			s, err := ImportANLWith(dir, geniusOptions(wseed))
			if err != nil {
				t.Fatal(err)
			}
			var want geniusEval
			runDriver(t, &want, "geval", dir, strconv.Itoa(wseed), "0.0")
			for i, w := range want.Weights {
				if s.Center.Utility.Weights[i] != w {
					t.Fatalf("weight %d: %v, anl2025 %v", i, s.Center.Utility.Weights[i], w)
				}
			}
			for i, e := range want.Edges {
				if s.Threads[i].Edge != e {
					t.Fatalf("thread %d: edge %s, anl2025 (re-paired) %s", i, s.Threads[i].Edge, e)
				}
			}
			n, ok := s.Combinations()
			if !ok || n != len(want.Rows) {
				t.Fatalf("%d combinations in Go, %d in anl2025", n, len(want.Rows))
			}
			k, bad := 0, 0
			s.EachCombination(func(tuple []framework.Package) bool {
				row := want.Rows[k]
				k++
				for i, o := range tuple {
					if got := outcomeIDs(s.Threads[i].Framework, o); !sameIDs(got, row.Outcomes[i]) {
						t.Fatalf("combination %d thread %d: Go %v, anl2025 %v", k, i, got, row.Outcomes[i])
					}
				}
				v, err := strconv.ParseFloat(row.Value, 64)
				if err != nil {
					t.Fatalf("anl2025 value %q: %v", row.Value, err)
				}
				if got := s.Utility(tuple); math.Abs(got-v) > 1e-12 {
					if bad++; bad < 5 {
						t.Errorf("%v: center utility %v, anl2025 %v", row.Outcomes, got, v)
					}
				}
				return true
			})
			if bad > 0 {
				t.Errorf("%d of %d combinations differ", bad, n)
			}
			t.Logf("%d combinations equal to 1e-12", n)
		})
	}
}

// geniusRun is the driver's gbatch output for one session.
type geniusRun struct {
	RunError      string     `json:"run_error"`
	Edges         []string   `json:"edges"`
	Agreements    [][]string `json:"agreements"`
	CenterUtility string     `json:"center_utility"`
	EdgeUtilities []string   `json:"edge_utilities"`
	Steps         []int      `json:"steps"`
	Errors        []bool     `json:"errors"`
	Seconds       float64    `json:"seconds_per_session"`
}

// geniusConfig is one gbatch session.
type geniusConfig struct {
	Folder string   `json:"folder"`
	WSeed  uint32   `json:"wseed"`
	SideRV float64  `json:"side_rv"`
	Center string   `json:"center"`
	Edges  []string `json:"edges"`
	Steps  int      `json:"nsteps"`
	Seed   int64    `json:"seed"`
	Repeat int      `json:"repeat,omitempty"`
}

func (c geniusConfig) String() string {
	return fmt.Sprintf("%s/%s/%s/%d/%d", filepath.Base(c.Folder), c.Center, strings.Join(c.Edges, "+"), c.Steps, c.Seed)
}

// geniusConfigs are the sessions compared: by default one per center over
// the small folders; with PARLEY_ANL_FULL=1 every folder, center and edge
// set at two deadlines.
func geniusConfigs(t testing.TB) []geniusConfig {
	full := os.Getenv("PARLEY_ANL_FULL") != ""
	centers := []string{"Boulware2025", "Linear2025", "Conceder2025", "Random2025"}
	edgeSets := [][]string{{"Boulware2025", "Linear2025", "Conceder2025"}, {"Conceder2025", "Random2025"}, {"Linear2025"}, {"Random2025", "Boulware2025"}}
	var out []geniusConfig
	for fi, dir := range geniusFolders(t) {
		for ci, center := range centers {
			for k, edges := range edgeSets {
				if !full && (k != ci || (fi+ci)%2 == 1) {
					continue // 4 sessions by default
				}
				out = append(out, geniusConfig{Folder: dir, WSeed: uint32(fi + 1), Center: center, Edges: edges, Steps: 100, Seed: int64(7 + k + 10*fi)})
				if full {
					out = append(out, geniusConfig{Folder: dir, WSeed: uint32(fi + 1), Center: center, Edges: edges, Steps: 20, Seed: int64(1000 + k + 10*fi)})
				}
			}
		}
	}
	return out
}

// TestGeniusConformanceWithANL2025 runs anl2025.runner.run_session and Run
// on the GENIUS-derived folders (weights drawn with a seeded numpy, side
// reserved values 0, edges re-paired; see ImportANLWith) with the built-ins
// including Random2025, and compares agreements, end steps and utilities.
// A session anl2025 cannot run (Random2025's center valuation raised in
// both of NegMAS's calls, see Random2025) is counted, not compared.
func TestGeniusConformanceWithANL2025(t *testing.T) {
	configs := geniusConfigs(t)
	js, err := json.Marshal(configs)
	if err != nil {
		t.Fatal(err)
	}
	var wants []geniusRun
	runDriver(t, &wants, "gbatch", string(js))
	compared, failed := 0, 0
	for c, cfg := range configs {
		want := wants[c]
		t.Run(cfg.String(), func(t *testing.T) {
			if want.RunError != "" {
				failed++
				if cfg.Center != "Random2025" || !strings.Contains(want.RunError, "zip() argument") {
					t.Fatalf("anl2025 failed: %s", want.RunError)
				}
				t.Skipf("anl2025 failed (Random2025's center valuation raised twice, see Random2025): %.80s", want.RunError)
			}
			compared++
			s, err := ImportANLWith(cfg.Folder, geniusOptions(cfg.WSeed))
			if err != nil {
				t.Fatal(err)
			}
			rec := runGo(t, s, cfg.Center, cfg.Edges, cfg.Steps, cfg.Seed)
			for i, th := range rec.Threads {
				if th.Edge != want.Edges[i] {
					t.Fatalf("thread %d: edge %s, anl2025 %s", i, th.Edge, want.Edges[i])
				}
				if want.Errors[i] {
					t.Errorf("thread %d: anl2025's mechanism stopped on an exception", i)
				}
				got := outcomeIDs(s.Threads[i].Framework, th.Agreement)
				if !sameIDs(got, want.Agreements[i]) || th.Steps != want.Steps[i] {
					t.Errorf("thread %d (%s): agreement %v at step %d, anl2025 %v at step %d", i, th.Edge, got, th.Steps, want.Agreements[i], want.Steps[i])
				}
				if eu := parsePy(t, want.EdgeUtilities[i]); math.Abs(th.Utility-eu) > 1e-9 {
					t.Errorf("thread %d: edge utility %v, anl2025 %v", i, th.Utility, eu)
				}
			}
			if cu := parsePy(t, want.CenterUtility); math.Abs(rec.CenterUtility-cu) > 1e-9 {
				t.Errorf("center utility %v, anl2025 %v", rec.CenterUtility, cu)
			}
		})
	}
	t.Logf("%d sessions compared, %d that anl2025 could not run", compared, failed)
}

func parsePy(t testing.TB, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("anl2025 number %q: %v", s, err)
	}
	return v
}

// TestGeniusSpeedVsANL2025, with PARLEY_ANL_SPEED=1, times the sessions
// of geniusConfigs (all of them with PARLEY_ANL_FULL=1) in anl2025 (3
// runs each, the load excluded) and with Run (20 runs each, the import
// excluded), and logs the mean seconds per session and their ratio.
func TestGeniusSpeedVsANL2025(t *testing.T) {
	if os.Getenv("PARLEY_ANL_SPEED") == "" {
		t.Skip("set PARLEY_ANL_SPEED=1 to time anl2025 and Run on the GENIUS-derived sessions")
	}
	configs := geniusConfigs(t)
	for i := range configs {
		configs[i].Repeat = 3
	}
	js, err := json.Marshal(configs)
	if err != nil {
		t.Fatal(err)
	}
	var wants []geniusRun
	runDriver(t, &wants, "gbatch", string(js))
	var py, gosum float64
	n := 0
	for c, cfg := range configs {
		if wants[c].RunError != "" {
			continue
		}
		s, err := ImportANLWith(cfg.Folder, geniusOptions(cfg.WSeed))
		if err != nil {
			t.Fatal(err)
		}
		const reps = 20
		start := time.Now()
		for r := 0; r < reps; r++ {
			runGo(t, s, cfg.Center, cfg.Edges, cfg.Steps, cfg.Seed)
		}
		gosum += time.Since(start).Seconds() / reps
		py += wants[c].Seconds
		n++
	}
	t.Logf("%d sessions: anl2025 %.3f s, Go %.4f s per session on average: Go %.0f× faster", n, py/float64(n), gosum/float64(n), py/gosum)
}
