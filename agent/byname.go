package agent

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ErrUnknown is wrapped by ByName and VoterByName for names they do not know.
var ErrUnknown = errors.New("agent: unknown strategy")

// Negotiators lists the names ByName accepts, with their parameters.
const Negotiators = "boulware, conceder, linear, timedep:e=<e>, tft, nice-tft, hardheaded, random, " +
	"boulware-tb, linear-tb, conceder-tb, aspiration, naive-tft, micro " +
	"(parameters after a colon, comma-separated: timedep/boulware/conceder/linear take e=, min=, max=, k=, floor; " +
	"tft, nice-tft and naive-tft kindness=; hardheaded level=; random seed=; aspiration e= (NegMAS exponent) and max=)"

// Voters lists the names VoterByName accepts.
const Voters = "hill-climber, annealer (parameters: t0=, genius, seed=)"

// ByName returns the negotiator a command line names, e.g. "boulware",
// "timedep:e=0.5", "timedep:e=0.5,floor", "tft:kindness=0.05",
// "hardheaded:level=0.8", "random:seed=7". Names are case-insensitive. seed
// seeds random strategies unless the spec gives seed=. opts are passed to
// the strategy's constructor before the spec's parameters, which override
// them; WithBidSpace(s) makes any negotiator ByName builds search the
// prebuilt space s instead of building its own (what a tournament does to
// share one space per profile among its sessions). The error wraps
// ErrUnknown and lists the valid names when the name is unknown, and names
// the parameter when one is unknown or malformed.
func ByName(spec string, seed uint64, opts ...Option) (Negotiator, error) {
	name, params, err := parseSpec(spec)
	if err != nil {
		return nil, err
	}
	if k, err := CheckParams(spec); err != nil {
		return nil, fmt.Errorf("agent: %s: %s: %w", spec, k, err)
	}
	ps := negotiatorSpec{spec: spec, name: name, seed: seed, opts: slices.Clone(opts)}
	for _, kv := range params {
		k, val := kv[0], kv[1]
		num := func() (float64, error) {
			x, err := strconv.ParseFloat(val, 64)
			if err != nil || x != x {
				return 0, fmt.Errorf("agent: %s: parameter %s=%q is not a number", spec, k, val)
			}
			return x, nil
		}
		var x float64
		switch {
		case k == "seed" && name == "random":
			s, err := strconv.ParseUint(val, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("agent: %s: seed=%q is not a non-negative integer", spec, val)
			}
			ps.seed = s
			continue
		case k == "floor" && isTimeDep(name) && val == "":
			ps.opts = append(ps.opts, WithFloor())
			continue
		case val == "":
			return nil, fmt.Errorf("agent: %s: parameter %q needs a value", spec, k)
		}
		if x, err = num(); err != nil {
			return nil, err
		}
		switch {
		case k == "e" && isTimeDep(name):
			ps.e, ps.hasE = x, true
		case k == "k" && isTimeDep(name):
			ps.opts = append(ps.opts, WithStart(x))
		case k == "e" && name == "aspiration":
			ps.e, ps.hasE = x, true
		case k == "max" && name == "aspiration":
			ps.maxAsp, ps.hasMax = x, true
		case (k == "min" || k == "max") && isTimeDep(name):
			ps.opts = append(ps.opts, rangeBound(k, x))
		case k == "kindness" && (name == "tft" || name == "nice-tft" || name == "naive-tft"):
			ps.opts = append(ps.opts, WithKindness(x))
		case k == "level" && name == "hardheaded":
			ps.opts = append(ps.opts, WithLevel(x))
		default:
			return nil, fmt.Errorf("agent: %s: %s takes no parameter %q (%s)", spec, name, k, Negotiators)
		}
	}
	for _, n := range negotiators {
		if n.name == name {
			return n.build(&ps)
		}
	}
	return nil, fmt.Errorf("%w %q: valid negotiators are %s", ErrUnknown, name, Negotiators)
}

// negotiatorSpec is a parsed negotiator spec, what a constructor of the
// negotiators registry receives.
type negotiatorSpec struct {
	spec, name string  // as given (for messages) and lower-cased
	e          float64 // e= of the time-dependent family
	hasE       bool
	maxAsp     float64 // max= of aspiration
	hasMax     bool
	seed       uint64
	opts       []Option // the caller's options, then the spec's parameters
}

// negotiators is the registry ByName reads: every negotiator name and its
// constructor. A negotiator added here is built with the caller's options
// (WithBidSpace among them); list it in Negotiators too.
var negotiators = []struct {
	name  string
	build func(*negotiatorSpec) (Negotiator, error)
}{
	{"boulware", fixedE(Boulware)},
	{"conceder", fixedE(Conceder)},
	{"linear", fixedE(Linear)},
	{"timedep", func(ps *negotiatorSpec) (Negotiator, error) {
		if !ps.hasE {
			return nil, fmt.Errorf("agent: %s: timedep needs e, e.g. timedep:e=0.5", ps.spec)
		}
		return NewTimeDependent(ps.e, ps.opts...), nil
	}},
	{"tft", withOptions(NewTitForTat)},
	{"nice-tft", withOptions(NewNiceTitForTat)},
	{"hardheaded", withOptions(NewHardHeaded)},
	{"random", func(ps *negotiatorSpec) (Negotiator, error) { return NewRandom(ps.seed, ps.opts...), nil }},
	// NegMAS-equivalent negotiators (negmas.go).
	{"boulware-tb", withOptions(NegmasBoulware)},
	{"linear-tb", withOptions(NegmasLinear)},
	{"conceder-tb", withOptions(NegmasConceder)},
	{"aspiration", func(ps *negotiatorSpec) (Negotiator, error) {
		e, m := 4.0, 1.0
		if ps.hasE {
			e = ps.e
		}
		if ps.hasMax {
			m = ps.maxAsp
		}
		return NewAspiration(e, m, ps.opts...), nil
	}},
	{"naive-tft", func(ps *negotiatorSpec) (Negotiator, error) {
		o := collect(ps.opts)
		return NewNaiveTitForTat(o.kindness, ps.opts...), nil
	}},
	{"micro", withOptions(NewMiCRO)},
}

// fixedE adapts a time-dependent constructor whose e is fixed: the spec
// may not give e=.
func fixedE(build func(...Option) *TimeDependent) func(*negotiatorSpec) (Negotiator, error) {
	return func(ps *negotiatorSpec) (Negotiator, error) {
		if ps.hasE {
			return nil, fmt.Errorf("agent: %s: %s has a fixed e; use timedep:e=…", ps.spec, ps.name)
		}
		return build(ps.opts...), nil
	}
}

// withOptions adapts a constructor that takes options only.
func withOptions[N Negotiator](build func(...Option) N) func(*negotiatorSpec) (Negotiator, error) {
	return func(ps *negotiatorSpec) (Negotiator, error) { return build(ps.opts...), nil }
}

// VoterByName returns the voter named by spec: "hill-climber" (or
// "hillclimber"), "annealer", "annealer:t0=0.2", "annealer:genius".
func VoterByName(spec string, seed uint64) (Voter, error) {
	name, params, err := parseSpec(spec)
	if err != nil {
		return nil, err
	}
	switch name {
	case "hill-climber", "hillclimber":
		if len(params) > 0 {
			return nil, fmt.Errorf("agent: %s: hill-climber takes no parameters", spec)
		}
		return NewHillClimber(), nil
	case "annealer":
		var opts []Option
		for _, kv := range params {
			switch k, val := kv[0], kv[1]; {
			case k == "genius" && val == "":
				opts = append(opts, WithGeniusSchedule())
			case k == "t0":
				x, err := strconv.ParseFloat(val, 64)
				if err != nil || !(x > 0) {
					return nil, fmt.Errorf("agent: %s: t0=%q is not a positive number", spec, val)
				}
				opts = append(opts, WithTemperature(x))
			case k == "seed":
				s, err := strconv.ParseUint(val, 10, 64)
				if err != nil {
					return nil, fmt.Errorf("agent: %s: seed=%q is not a non-negative integer", spec, val)
				}
				seed = s
			default:
				return nil, fmt.Errorf("agent: %s: annealer takes no parameter %q (%s)", spec, k, Voters)
			}
		}
		return NewAnnealer(seed, opts...), nil
	}
	return nil, fmt.Errorf("%w %q: valid voters are %s", ErrUnknown, name, Voters)
}

func isTimeDep(name string) bool {
	switch name {
	case "timedep", "boulware", "conceder", "linear":
		return true
	}
	return false
}

// parseSpec splits "name:k=v,flag" into the lower-cased name and its
// parameters in order.
func parseSpec(spec string) (string, [][2]string, error) {
	name, rest, hasParams := strings.Cut(strings.TrimSpace(spec), ":")
	name = strings.ToLower(strings.TrimSpace(name))
	if name == "" {
		return "", nil, fmt.Errorf("%w: empty name (negotiators: %s; voters: %s)", ErrUnknown, Negotiators, Voters)
	}
	var params [][2]string
	if hasParams {
		for _, p := range strings.Split(rest, ",") {
			k, v, _ := strings.Cut(p, "=")
			k, v = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v)
			if k == "" {
				return "", nil, fmt.Errorf("agent: %s: empty parameter", spec)
			}
			params = append(params, [2]string{k, v})
		}
	}
	return name, params, nil
}

// rangeBound returns an option setting one bound of WithRange, the other
// keeping its default (min 0, max 1), so "min=" and "max=" may be given
// separately.
func rangeBound(k string, x float64) Option {
	if k == "min" {
		return func(o *options) {
			if !o.hasRange {
				o.pmax = 1
			}
			o.pmin, o.hasRange = x, true
		}
	}
	return func(o *options) {
		if !o.hasRange {
			o.pmin = 0
		}
		o.pmax, o.hasRange = x, true
	}
}
