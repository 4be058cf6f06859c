package chart_test

import (
	"context"
	"fmt"

	"github.com/parley-negotiation/parley/chart"
	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// The dance of two offers and an acceptance in tiny-2p: one trace per
// party that put a package on the table, and the Nash point. Render it
// with plot.WriteFile("dance.svg", u).
func ExampleDance() {
	sc, err := scenario.Builtin("tiny-2p")
	if err != nil {
		panic(err)
	}
	offer := func(party string, p framework.Package) session.Event {
		return session.Event{Party: party, Kind: session.KindOffer, Move: &session.Move{Kind: session.KindOffer, Package: p}}
	}
	events := []session.Event{
		offer("north", framework.Package{0, 0, 1}),
		offer("south", framework.Package{1, 4, 5}),
		offer("north", framework.Package{2, 2, 1}),
		{Party: "south", Kind: session.KindAccept, Move: &session.Move{Kind: session.KindAccept}},
	}
	u, err := chart.Dance(context.Background(), chart.DanceInput{Scenario: sc, Events: events})
	if err != nil {
		panic(err)
	}
	fmt.Println(u.Title)
	for _, t := range u.Traces {
		fmt.Printf("%s:", t.Name)
		for _, p := range t.Points {
			fmt.Printf(" (%.2f, %.2f)", p[0], p[1])
		}
		fmt.Println()
	}
	for _, m := range u.Markers {
		fmt.Printf("%s at (%.2f, %.2f)\n", m.Name, m.At[0], m.At[1])
	}
	// Output:
	// Ceasefire monitoring (illustrative): negotiation dance
	// packages of North: (1.00, 0.09) (0.72, 0.51)
	// packages of South: (0.34, 1.00)
	// Nash at (0.88, 0.35)
}
