package analysis

import (
	"fmt"

	"github.com/parley-negotiation/parley/framework"
)

// Enumerate calls fn for every complete package in lexicographic (mixed-radix
// index) order, reusing one slice; fn returns false to stop.
func Enumerate(radix []int, fn func(p framework.Package) bool) {
	p := make(framework.Package, len(radix))
	for _, r := range radix {
		if r == 0 {
			return
		}
	}
	for {
		if !fn(p) {
			return
		}
		k := len(p) - 1
		for k >= 0 {
			p[k]++
			if p[k] < radix[k] {
				break
			}
			p[k] = 0
			k--
		}
		if k < 0 {
			return
		}
	}
}

// FrontierEnumerate computes the frontier by evaluating every package (the
// brute-force oracle; use FrontierAdditive for anything large). limit bounds
// the number of packages (0: 50 million).
func FrontierEnumerate(s *Space, o FrontierOptions, limit int64) (*Frontier, error) {
	if limit <= 0 {
		limit = 50_000_000
	}
	size, ok := s.Framework.SizeInt()
	if !ok || size > limit {
		return nil, fmt.Errorf("%w: %s packages to enumerate (limit %d)", ErrTooLarge, s.Framework.Size(), limit)
	}
	d := s.N()
	v := &vecs{d: d}
	var pkgs []framework.Package
	Enumerate(s.Framework.Radix(), func(p framework.Package) bool {
		if o.RedLines {
			for _, pr := range s.Profiles {
				if pr.CrossesRedLine(p) >= 0 {
					return true
				}
			}
		}
		u := s.Utilities(p)
		if o.Rational && !atLeast(u, s.Reservation) {
			return true
		}
		v.vals = append(v.vals, u...)
		pkgs = append(pkgs, p.Clone())
		return true
	})
	counts := make([]uint64, v.n())
	for i := range counts {
		counts[i] = 1
	}
	fr := &Frontier{Method: "enumeration with " + method(d, "sort-sweep", "skyline")}
	if v.n() == 0 {
		return fr, nil
	}
	for _, i := range skyline(v, nil, counts, 0, nil) {
		fr.Points = append(fr.Points, Point{U: append([]float64(nil), v.at(int(i))...), Witness: pkgs[i], Count: counts[i]})
	}
	sortPoints(fr.Points)
	return fr, nil
}
