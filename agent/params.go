package agent

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Parameters of the built-in negotiators' specs (name:k=v,…), in one place:
// ByName checks them, and so does every caller that reads them elsewhere
// (a tournament config's params, with positions).

// ParamNames lists the parameters the built-in negotiators take.
var ParamNames = []string{"e", "min", "max", "k", "floor", "kindness", "level", "seed"}

// paramRanges are the values the numeric parameters make sense for
// (docs/agents.md): the concession exponent e is at least 0; the others are
// fractions of the utility range.
var paramRanges = map[string][2]float64{
	"e": {0, math.Inf(1)}, "k": {0, 1}, "min": {0, 1}, "max": {0, 1}, "kindness": {0, 1}, "level": {0, 1},
}

// CheckParam checks the value v of parameter k against its range and
// returns the number. Parameters without a range (floor, seed) give 0 and
// no error; so does a value that is no number at all (ByName says so).
func CheckParam(k, v string) (float64, error) {
	r, ok := paramRanges[strings.ToLower(strings.TrimSpace(k))]
	if !ok {
		return 0, nil
	}
	v = strings.TrimSpace(v)
	x, err := strconv.ParseFloat(v, 64)
	if err != nil && !isRangeErr(err) {
		return 0, nil
	}
	switch {
	case math.IsInf(r[1], 1) && (x < r[0] || math.IsInf(x, 0) || math.IsNaN(x)):
		return 0, fmt.Errorf("expected a finite number of at least %g, found %s", r[0], v)
	case !math.IsInf(r[1], 1) && !(x >= r[0] && x <= r[1]):
		return 0, fmt.Errorf("expected a number from %g to %g, found %s", r[0], r[1], v)
	}
	return x, nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// CheckParams checks every parameter of a spec (name:k=v,k=v) with
// CheckParam, and that min is not above max; it returns the parameter at
// fault ("" for the spec as a whole) and what is wrong.
func CheckParams(spec string) (string, error) {
	_, rest, has := strings.Cut(spec, ":")
	if !has {
		return "", nil
	}
	bounds := map[string]float64{}
	for _, p := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(p, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		x, err := CheckParam(k, v)
		if err != nil {
			return k, err
		}
		if k == "min" || k == "max" {
			bounds[k] = x
		}
	}
	lo, hasLo := bounds["min"]
	hi, hasHi := bounds["max"]
	if hasLo && hasHi && hi < lo {
		return "max", fmt.Errorf("%g is below min (%g)", hi, lo)
	}
	return "", nil
}
