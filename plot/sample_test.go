package plot

import (
	"math/rand/v2"
	"os"
	"testing"
)

// sampleSpace returns a deterministic two-party utility space: 4^6 packages
// of six issues with additive utilities, its Pareto frontier, the packages
// above both reservation values and a few solution points.
func sampleSpace() *UtilitySpace {
	rng := rand.New(rand.NewPCG(1, 2))
	const issues, opts = 6, 4
	var wa, wb [issues]float64
	var va, vb [issues][opts]float64
	for i := range issues {
		wa[i], wb[i] = rng.Float64(), rng.Float64()
		for o := range opts {
			// Opposed interests with some common ground.
			va[i][o] = rng.Float64()
			vb[i][o] = 0.15 + 0.7*(1-va[i][o]) + 0.3*rng.Float64()
		}
	}
	norm := func(w *[issues]float64, v *[issues][opts]float64) {
		s := 0.0
		for i := range issues {
			s += w[i]
			mx := 0.0
			for o := range opts {
				mx = max(mx, v[i][o])
			}
			for o := range opts {
				v[i][o] /= mx
			}
		}
		for i := range issues {
			w[i] /= s
		}
	}
	norm(&wa, &va)
	norm(&wb, &vb)
	n := 1
	for range issues {
		n *= opts
	}
	res := []float64{0.45, 0.4}
	u := &UtilitySpace{
		Title:       "Utility space: Ukraine and Russia",
		Parties:     []string{"Ukraine", "Russia"},
		Reservation: res,
		Joined:      true,
	}
	for k := range n {
		var a, b float64
		x := k
		for i := range issues {
			o := x % opts
			x /= opts
			a += wa[i] * va[i][o]
			b += wb[i] * vb[i][o]
		}
		u.Outcomes = append(u.Outcomes, []float64{a, b})
		if a >= res[0] && b >= res[1] {
			u.Zone = append(u.Zone, []float64{a, b})
		}
	}
	// Pareto frontier by brute force; solutions over the zone's frontier.
	var nash, ks, mw []float64
	bestN, bestK, bestW := -1.0, -1.0, -1.0
	for _, p := range u.Outcomes {
		dominated := false
		for _, q := range u.Outcomes {
			if q[0] >= p[0] && q[1] >= p[1] && (q[0] > p[0] || q[1] > p[1]) {
				dominated = true
				break
			}
		}
		if dominated {
			continue
		}
		u.Frontier = append(u.Frontier, p)
		if p[0] >= res[0] && p[1] >= res[1] {
			if v := (p[0] - res[0]) * (p[1] - res[1]); v > bestN {
				bestN, nash = v, p
			}
			if v := min((p[0]-res[0])/(1-res[0]), (p[1]-res[1])/(1-res[1])); v > bestK {
				bestK, ks = v, p
			}
		}
		if v := p[0] + p[1]; v > bestW {
			bestW, mw = v, p
		}
	}
	u.Markers = []Marker{{Name: "Nash", Kind: "nash", At: nash}, {Name: "Kalai–Smorodinsky", Kind: "kalai-smorodinsky", At: ks}, {Name: "Max welfare", Kind: "max-welfare", At: mw}}
	return u
}

func TestWriteSample(t *testing.T) {
	out := os.Getenv("PLOT_SAMPLE")
	if out == "" {
		t.Skip("set PLOT_SAMPLE=path.png to write a sample")
	}
	if err := WriteFile(out, sampleSpace()); err != nil {
		t.Fatal(err)
	}
}
