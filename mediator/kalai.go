package mediator

import "github.com/parley-negotiation/parley/analysis"

// KalaiSmorodinsky is the Kalai–Smorodinsky solution for the Zone
// mediator (strategy "kalai-smorodinsky"): with the declared reservation
// values r as the disagreement point and the ideal point I of the zone
// (each party's highest utility in it), the zone package maximising
// minᵢ (uᵢ − rᵢ)/(Iᵢ − rᵢ): the largest share of what it could hope for
// beyond its reservation value that every party gets (on a continuous
// frontier, the point where the shares are equal). Ties go to the higher
// welfare, then the lower package (analysis.KalaiSmorodinskyPoint). When
// the parties narrow the zone, the ideal point is that of the narrowed
// zone; when the mediator looks for a package it has not drafted yet, that
// of the zone without the packages it drafted.
//
// Where Nash maximises the product of the gains and the egalitarian
// solution their minimum, Kalai–Smorodinsky equalises the gains relative
// to each party's best prospect: a party whose hopes are wide is not held
// to the gain of a party whose hopes are narrow.
func KalaiSmorodinsky() Concept {
	return Concept{Name: analysis.KalaiSmorodinsky, Solve: analysis.KalaiSmorodinskyPoint}
}
