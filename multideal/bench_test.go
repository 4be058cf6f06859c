package multideal

import (
	"path/filepath"
	"testing"
)

// BenchmarkRunANL runs the anl2025 examples as the speed comparison does
// (docs/multideal.md): center Boulware2025, edges Boulware2025, Linear2025,
// Conceder2025, 100 steps, seed 7. Compare with
//
//	python3 testdata/anl2025_driver.py run FOLDER Boulware2025 \
//	    Boulware2025,Linear2025,Conceder2025 100 7 20
//
// whose seconds_per_session is anl2025's time for the same session.
func BenchmarkRunANL(b *testing.B) {
	ex := anlExamples(b)
	for _, name := range []string{"JobHunt", "Dinners", "TargetQuantity"} {
		s, err := ImportANL(filepath.Join(ex, name))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				runGo(b, s, "Boulware2025", []string{"Boulware2025", "Linear2025", "Conceder2025"}, 100, 7)
			}
		})
	}
}
