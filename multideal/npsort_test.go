package multideal

import (
	"encoding/json"
	"os"
	"testing"
)

// testdata/npargsort.json holds np.argsort's output (NumPy 1.24.2, Debian
// bookworm's python3-numpy) for arrays with and without ties. Every array,
// ties included, must come out in NumPy's order.
func TestNpArgsortMatchesNumPy(t *testing.T) {
	data, err := os.ReadFile("testdata/npargsort.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		V   []float64 `json:"v"`
		Idx []int     `json:"idx"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	for c, tc := range cases {
		got := npArgsort(tc.V)
		for i := range got {
			if got[i] != tc.Idx[i] {
				t.Errorf("case %d (n=%d): argsort differs at %d: %v vs %v", c, len(tc.V), i, got[i], tc.Idx[i])
				break
			}
		}
	}
	// the heapsort fallback sorts too
	v := []float64{3, 1, 2, 5, 4, 0, 9, 7}
	idx := []int{0, 1, 2, 3, 4, 5, 6, 7}
	npAHeapsort(v, idx, func(a, b float64) bool { return a < b })
	for i := 1; i < len(idx); i++ {
		if v[idx[i-1]] > v[idx[i]] {
			t.Fatalf("heapsort: %v", idx)
		}
	}
}
