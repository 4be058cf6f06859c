package plot

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// MaxOutcomes is the largest number of background outcomes (and of
// agreement-zone points) drawn; larger inputs are reduced to an evenly
// strided subsample of exactly MaxOutcomes points.
const MaxOutcomes = 20000

// Output sizes: SVG is SVGSize×SVGSize points, PNG is PNGPixels×PNGPixels
// pixels; both use the same layout.
const (
	SVGSize   = 432 // points (6 in)
	PNGPixels = 800
)

// UtilitySpace is what to draw: the utilities of two parties, X and Y.
// Every coordinate is (utility of X, utility of Y). All fields are optional;
// an empty UtilitySpace still gives a valid image with axes.
type UtilitySpace struct {
	Title        string
	XName, YName string // party names; the axes read "Utility of <name>"

	// Outcomes is the background: all packages or a sample of them, drawn as
	// small translucent grey dots. More than MaxOutcomes points are
	// subsampled.
	Outcomes [][2]float64
	// Zone holds the packages in the agreement zone, drawn in translucent
	// green over the outcomes. More than MaxOutcomes points are subsampled.
	Zone [][2]float64
	// Frontier holds the Pareto frontier of the two parties, drawn as dots
	// joined by a line in order of X (then Y).
	Frontier [][2]float64
	// Reservation holds the reservation values, drawn as a dashed vertical
	// line at X = Reservation[0] and horizontal line at Y = Reservation[1].
	Reservation *[2]float64
	// Markers are solution points (Nash, Kalai–Smorodinsky, max welfare,
	// ...), each with its own glyph and colour and a legend entry. Earlier
	// markers are drawn larger, so coinciding markers stay visible.
	Markers []Marker
	// Trace holds sequences of offers (for "negotiation dance" plots), each
	// drawn as points joined in order.
	Trace []Trace
}

// Marker is a named solution point.
type Marker struct {
	Name string
	At   [2]float64
}

// Trace is a named sequence of points, drawn in order.
type Trace struct {
	Name   string
	Points [][2]float64
}

// Write renders u in the given format, "svg" or "png" (case-insensitive, a
// leading dot is allowed), to w.
func Write(w io.Writer, format string, u *UtilitySpace) error {
	f, err := parseFormat(format)
	if err != nil {
		return err
	}
	_, err = writeTo(w, f, u)
	return err
}

// WriteFile renders u to path; the format comes from the extension, ".svg"
// or ".png" (case-insensitive). Nothing is written if rendering fails.
func WriteFile(path string, u *UtilitySpace) error {
	ext := filepath.Ext(path)
	if ext == "" {
		return fmt.Errorf("plot: %s: no file extension; want .svg or .png", path)
	}
	f, err := parseFormat(ext)
	if err != nil {
		return fmt.Errorf("plot: %s: unsupported extension %q; want .svg or .png", path, ext)
	}
	var buf bytes.Buffer
	if _, err := writeTo(&buf, f, u); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

type format int

const (
	formatSVG format = iota + 1
	formatPNG
)

func parseFormat(s string) (format, error) {
	switch strings.ToLower(strings.TrimPrefix(s, ".")) {
	case "svg":
		return formatSVG, nil
	case "png":
		return formatPNG, nil
	}
	return 0, fmt.Errorf("plot: unsupported format %q; want \"svg\" or \"png\"", s)
}

// validate reports the first non-finite coordinate in u.
func validate(u *UtilitySpace) error {
	if u == nil {
		return errors.New("plot: nil UtilitySpace")
	}
	bad := func(p [2]float64) bool {
		return math.IsNaN(p[0]) || math.IsInf(p[0], 0) || math.IsNaN(p[1]) || math.IsInf(p[1], 0)
	}
	check := func(name string, pts [][2]float64) error {
		for i, p := range pts {
			if bad(p) {
				return fmt.Errorf("plot: %s[%d] = %v is not finite", name, i, p)
			}
		}
		return nil
	}
	if err := check("Outcomes", u.Outcomes); err != nil {
		return err
	}
	if err := check("Zone", u.Zone); err != nil {
		return err
	}
	if err := check("Frontier", u.Frontier); err != nil {
		return err
	}
	if u.Reservation != nil && bad(*u.Reservation) {
		return fmt.Errorf("plot: Reservation = %v is not finite", *u.Reservation)
	}
	for i, m := range u.Markers {
		if bad(m.At) {
			return fmt.Errorf("plot: Markers[%d] (%s) = %v is not finite", i, m.Name, m.At)
		}
	}
	for i, t := range u.Trace {
		if err := check(fmt.Sprintf("Trace[%d] (%s).Points", i, t.Name), t.Points); err != nil {
			return err
		}
	}
	return nil
}

// subsample returns pts if it has at most n points, else n points taken at
// evenly strided indices ⌊i·len/n⌋ (always including the first point).
func subsample(pts [][2]float64, n int) [][2]float64 {
	if len(pts) <= n {
		return pts
	}
	out := make([][2]float64, n)
	for i := range out {
		out[i] = pts[int(int64(i)*int64(len(pts))/int64(n))]
	}
	return out
}
