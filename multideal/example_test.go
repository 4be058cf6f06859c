package multideal_test

import (
	"fmt"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/multideal"
)

// A center buying from two suppliers values the total quantity agreed.
func Example() {
	src := `multideal: 1
name: two-suppliers
spaces:
  q: {points: [{id: units, options: ["1", "2", "3"]}]}
center:
  reservation: 0
  utility:
    kind: quantity
    point: units
    default: 0
    rows:
      - {quantity: 3, value: 0.6}
      - {quantity: 4, value: 1}
threads:
  - {edge: north, space: q, profile: {weights: {units: 1}, scores: {units: {"1": 0.2, "2": 0.6, "3": 1}}}}
  - {edge: south, space: q, profile: {weights: {units: 1}, scores: {units: {"1": 0.3, "2": 0.7, "3": 1}}}}
`
	s, err := multideal.Parse("two-suppliers.yml", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	// north agreed on 1 unit: what is each offer to south worth to the center?
	side := s.SideUtility(1, []framework.Package{{0}})
	for l := 0; l < 3; l++ {
		fmt.Printf("south %d unit(s): %.1f\n", l+1, side(framework.Package{l}))
	}
	fmt.Printf("no agreement with south: %.1f\n", s.Utility([]framework.Package{{0}, nil}))
	// Output:
	// south 1 unit(s): 0.0
	// south 2 unit(s): 0.6
	// south 3 unit(s): 1.0
	// no agreement with south: 0.0
}
