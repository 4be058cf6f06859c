package framework

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"testing"
)

// numeric returns a framework of n integer points of the given levels each.
func numeric(n, levels int) *Framework {
	f := &Framework{Name: "n"}
	for i := range n {
		f.Points = append(f.Points, Point{ID: fmt.Sprintf("p%d", i), Kind: Integer, Min: 0, Max: float64(levels - 1)})
	}
	return f
}

// TestValidateBounds: issue 12 — a framework of 20 integer points with
// 2^20 values each was accepted and its analysis took minutes and
// gigabytes. Validate now bounds the points, their levels in all and the
// number of packages.
func TestValidateBounds(t *testing.T) {
	tests := []struct {
		name string
		f    *Framework
		want string
	}{
		{"20 points of 2^20 values", numeric(20, MaxLevels), "20 points with 20971520 options and values in all (at most 2097152)"},
		{"1001 points", numeric(MaxPoints+1, 2), "1001 points (at most 1000)"},
		{"10^400 packages", numeric(400, 10), "about 10^400 packages (at most 10^308)"},
		{"real range of 1e308", &Framework{Points: []Point{{ID: "r", Kind: Real, Min: -1e308, Max: 1e308}}}, "real range"},
		{"integer bound above 2^53", &Framework{Points: []Point{{ID: "i", Kind: Integer, Min: 1e17, Max: 1e17 + 2}}}, "within ±2^53"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate: %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if err := numeric(20, MaxLevels).Validate(); !errors.Is(err, ErrTooLarge) {
		t.Errorf("want ErrTooLarge, got %v", err)
	}
	for _, ok := range []*Framework{numeric(2, MaxLevels), numeric(MaxPoints, 2), numeric(300, 10)} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%d points of %d levels: %v", len(ok.Points), ok.Points[0].Levels(), err)
		}
	}
}

// FuzzValidateBounds: a framework Validate accepts has at most
// MaxTotalLevels levels and a number of packages that is a finite float64.
func FuzzValidateBounds(f *testing.F) {
	f.Add(uint16(20), uint32(MaxLevels), uint8(1), -5.0)
	f.Add(uint16(400), uint32(10), uint8(0), 0.0)
	f.Add(uint16(3), uint32(7), uint8(2), 1e300)
	f.Fuzz(func(t *testing.T, n uint16, levels uint32, kind uint8, lo float64) {
		if n > 2*MaxPoints || levels > 4*MaxLevels || levels == 0 {
			return
		}
		fw := &Framework{Name: "fuzz"}
		for i := range int(n) {
			p := Point{ID: fmt.Sprintf("p%d", i), Kind: Kind(kind % 3)}
			switch p.Kind {
			case Options:
				if levels > 4096 {
					return // keep the fuzz fast; sizes are checked the same way
				}
				for l := range int(levels) {
					p.Options = append(p.Options, Option{ID: fmt.Sprint(l)})
				}
			case Integer:
				p.Min, p.Max = math.Trunc(lo), math.Trunc(lo)+float64(levels-1)
			case Real:
				p.Min, p.Max, p.Steps = lo, lo+float64(levels), int(levels)
			}
			fw.Points = append(fw.Points, p)
		}
		if fw.Validate() != nil {
			return
		}
		total := 0
		for i := range fw.Points {
			total += fw.Points[i].Levels()
		}
		if total > MaxTotalLevels {
			t.Fatalf("accepted %d levels in all", total)
		}
		size, _ := new(big.Float).SetInt(fw.Size()).Float64()
		if math.IsInf(size, 0) || math.IsNaN(size) {
			t.Fatalf("accepted a space of %v packages", size)
		}
	})
}
