package scenario

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// boundsFile is a two-point scenario with the given profile lines for
// party p (indented by six spaces) and extra points.
func boundsFile(extraPoints, profile string) string {
	return `parley: 1
name: bounds
points:
  - id: a
    options: [{id: x}, {id: y}, {id: z}]
  - id: b
    options: [{id: x}, {id: y}, {id: z}]
` + extraPoints + `parties:
  - id: p
    role: principal
    profile:
` + profile + `  - id: q
    role: principal
`
}

// TestBoundsArePositioned: issue 12. `parley validate` accepted weights of
// 1e308 (with weights_total: any), which made the analysis run for many
// minutes and `analyze --json` fail on +Inf; a 5.7 KB upload of 20 integer
// points with 2^20 values each ran for more than 300 s in 1.9 GB. Each is
// now refused at its line and column, saying what is allowed.
func TestBoundsArePositioned(t *testing.T) {
	var twenty strings.Builder
	for i := range 20 {
		fmt.Fprintf(&twenty, "  - id: n%d\n    integer: {min: 0, max: 1048575}\n", i)
	}
	var redLines strings.Builder
	redLines.WriteString("      weights: {a: 0.5, b: 0.5}\n      scores: {a: {x: 1, y: 2, z: 3}, b: {x: 1, y: 2, z: 3}}\n      red_lines:\n")
	for range 1001 {
		redLines.WriteString("        - when: {a: x}\n")
	}
	scores := "      scores: {a: {x: 1, y: 2, z: 3}, b: {x: 1, y: 2, z: 3}}\n"
	tests := []struct {
		name, points, profile, want string
	}{
		{"weights of 1e308", "", "      weights_total: any\n      weights: {a: 1e308, b: 1e308}\n" + scores,
			`x.yaml:13:20: weight 1e308 for point "a" is above 1000000 (the largest weight accepted; rescale the weights, e.g. to sum 1)`},
		{"reservation of 1e308", "", "      weights_total: any\n      weights: {a: 1, b: 1}\n" + scores + "      reservation: 1e308\n",
			`x.yaml:15:20: reservation 1e308 is above 1000000000`},
		{"score of 1e308", "", "      weights: {a: 0.5, b: 0.5}\n      scores: {a: {x: 1e308, y: 2, z: 3}, b: {x: 1, y: 2, z: 3}}\n",
			`x.yaml:13:23: score 1e308 for option "x" of point "a" is above 1000000`},
		{"weight interval of 1e308", "", "      weights_total: any\n      weights: {a: 1, b: 1}\n" + scores + "      uncertainty: {weights: {a: [0, 1e308]}}\n",
			`x.yaml:15:34: uncertainty: weight of point "a": interval [0, 1e+308] goes above 1000000`},
		{"slope of 1e308", "  - id: n\n    real: {min: 0, max: 1}\n", "      weights: {a: 0.5, b: 0.25, n: 0.25}\n" + scores + "      functions: {n: {linear: {slope: 1e308}}}\n",
			`x.yaml:16:39: function of point "n": slope: 1e308 is out of bounds (expected a number within ±1e100)`},
		{"real range of 1e308", "  - id: n\n    real: {min: -1e308, max: 1e308}\n", "      weights: {a: 0.5, b: 0.5}\n" + scores,
			`x.yaml:9:11: point "n": real range -1e+308..1e+308 is out of bounds`},
		{"20 integer points of 2^20 values", twenty.String(), "",
			`x.yaml:10:5: point "n1" brings the options and values of all points to 2097158 (at most 2097152 in all)`},
		{"1001 red lines", "", redLines.String(),
			`x.yaml:1015:11: red_lines: 1001 red lines (at most 1000 per profile)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := boundsFile(tt.points, tt.profile)
			if tt.profile == "" {
				src = strings.Replace(src, "    profile:\n", "", 1)
			}
			start := time.Now()
			_, err := Parse("x.yaml", []byte(src))
			if err == nil {
				t.Fatalf("accepted:\n%s", src)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error\n%v\nwant it to contain\n%s", err, tt.want)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("refusing it took %v", d)
			}
		})
	}
}
