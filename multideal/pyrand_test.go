package multideal

import "testing"

// Values printed by CPython 3.11: random.seed(1); [random.randint(0, 9) for
// _ in range(8)], random.random(); and random.seed(2**40+5) then
// random.randint(0, 1000).
func TestPyRandomMatchesCPython(t *testing.T) {
	r := NewPyRandom(1)
	got := make([]int, 8)
	for i := range got {
		got[i] = r.Randint(0, 9)
	}
	want := []int{2, 9, 1, 4, 1, 7, 7, 7}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("randint stream %v, want %v", got, want)
		}
	}
	if f := r.Random(); f != pyRandomAfter {
		t.Errorf("random() = %v, want %v", f, pyRandomAfter)
	}
	if v := NewPyRandom(1<<40+5).Randint(0, 1000); v != pyBigSeed {
		t.Errorf("seed 2**40+5: randint = %d, want %d", v, pyBigSeed)
	}
}

const (
	pyRandomAfter = 0.651592972722763
	pyBigSeed     = 516
)
