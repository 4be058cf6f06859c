package agent_test

import (
	"fmt"

	"github.com/parley-negotiation/parley/agent"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// A seller's utility over price (three levels) and delivery (two options).
func sellerSpace() (*framework.Framework, *profile.Profile, *profile.Table) {
	f := &framework.Framework{Name: "sale", Points: []framework.Point{
		{ID: "price", Kind: framework.Options, Options: []framework.Option{{ID: "low"}, {ID: "mid"}, {ID: "high"}}},
		{ID: "delivery", Kind: framework.Options, Options: []framework.Option{{ID: "fast"}, {ID: "slow"}}},
	}}
	p := &profile.Profile{Weights: []float64{0.75, 0.25}, Scores: [][]float64{{0, 2, 4}, {1, 4}}}
	t, err := p.Compile(f)
	if err != nil {
		panic(err)
	}
	return f, p, t
}

func ExampleBidSpace() {
	f, _, t := sellerSpace()
	s, err := agent.NewBidSpace(f, t)
	if err != nil {
		panic(err)
	}
	best := s.Best()
	fmt.Println("best:", f.IDs(best.Package), best.Utility)
	near := s.Near(0.5)
	fmt.Println("near 0.5:", f.IDs(near.Package), near.Utility)
	atLeast, _ := s.AtLeast(0.6)
	fmt.Println("at least 0.6:", f.IDs(atLeast.Package), atLeast.Utility)
	// Output:
	// best: map[delivery:slow price:high] 1
	// near 0.5: map[delivery:fast price:mid] 0.4375
	// at least 0.6: map[delivery:slow price:mid] 0.625
}

func ExampleTimeDependent() {
	f, p, t := sellerSpace()
	a := agent.Boulware()
	v := &agent.View{Framework: f, Profile: p, Table: t, Parties: 2, Deadline: 10}
	a.Init(v)
	for _, r := range []int{1, 8, 10} {
		v.Round, v.Time = r, agent.RoundTime(r, 10)
		act := a.Act(v)
		fmt.Printf("round %d: target %.3f, offers %v\n", r, a.Target(v), f.IDs(act.Package))
	}
	// Output:
	// round 1: target 1.000, offers map[delivery:slow price:high]
	// round 8: target 0.896, offers map[delivery:fast price:high]
	// round 10: target 0.633, offers map[delivery:slow price:mid]
}

func ExampleByName() {
	for _, spec := range []string{"boulware", "timedep:e=0.5,floor", "nice-tft", "random"} {
		n, err := agent.ByName(spec, 7)
		if err != nil {
			panic(err)
		}
		fmt.Println(n.Name())
	}
	_, err := agent.ByName("bulware", 7)
	fmt.Println(err != nil)
	// Output:
	// boulware(e=0.2)
	// timedep(e=0.5,floor)
	// nice-tft(kindness=0.01)
	// random(seed=7)
	// true
}
