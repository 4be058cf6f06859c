package analysis_test

import (
	"fmt"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// Two parties, two points: the frontier, the Nash point and the zone.
func ExampleFrontierAdditive() {
	f := &framework.Framework{Name: "example", Points: []framework.Point{
		{ID: "monitors", Options: []framework.Option{{ID: "joint"}, {ID: "un"}, {ID: "neutral"}}},
		{ID: "buffer", Options: []framework.Option{{ID: "none"}, {ID: "5km"}, {ID: "10km"}}},
	}}
	r1, r2 := 0.4, 0.39
	north := &profile.Profile{Weights: []float64{0.6, 0.4}, Scores: [][]float64{{10, 2, 6}, {10, 6, 1}}, Reservation: &r1}
	south := &profile.Profile{Weights: []float64{0.5, 0.5}, Scores: [][]float64{{1, 10, 7}, {1, 5, 10}}, Reservation: &r2}
	s, _ := analysis.NewSpace(f, []string{"north", "south"}, []*profile.Profile{north, south})

	fr, _ := analysis.FrontierAdditive(s, analysis.FrontierOptions{})
	for _, p := range fr.Points {
		fmt.Printf("%.2f %v\n", p.U, f.IDs(p.Witness))
	}
	nash, _ := analysis.NashPoint(fr, s.Reservation)
	fmt.Println("nash:", analysis.Describe(f, nash.Point.Witness))
	z := analysis.AgreementZone(s, analysis.ZoneOptions{})
	fmt.Printf("zone: %.0f of %s packages\n", z.Size, z.Outcomes)
	// Output:
	// [1.00 0.10] map[buffer:none monitors:joint]
	// [0.84 0.30] map[buffer:5km monitors:joint]
	// [0.76 0.40] map[buffer:none monitors:neutral]
	// [0.64 0.55] map[buffer:10km monitors:joint]
	// [0.60 0.60] map[buffer:5km monitors:neutral]
	// [0.40 0.85] map[buffer:10km monitors:neutral]
	// [0.16 1.00] map[buffer:10km monitors:un]
	// nash: [monitors: neutral buffer: 5km]
	// zone: 5 of 9 packages
}
