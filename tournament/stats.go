package tournament

import (
	"math"
	"slices"
	"sort"
)

// Stat is the mean of a sample with its 95% confidence interval.
//
// The interval is Student's t: mean ± t(0.975, n−1)·s/√n, with s the sample
// standard deviation. It treats the observations as independent, which
// they are only approximately (the two sides of a negotiation, and the
// repetitions of a deterministic pairing, are correlated), so read it as a
// measure of spread rather than an exact coverage. With n < 2 the interval
// is the mean itself.
type Stat struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	SD   float64 `json:"sd"`
	Low  float64 `json:"ci_low"`
	High float64 `json:"ci_high"`
}

// newStat computes the mean, standard deviation and 95% t interval of xs.
func newStat(xs []float64) Stat {
	s := Stat{N: len(xs)}
	if s.N == 0 {
		return s
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	s.Mean = sum / float64(s.N)
	s.Low, s.High = s.Mean, s.Mean
	if s.N < 2 {
		return s
	}
	ss := 0.0
	for _, x := range xs {
		d := x - s.Mean
		ss += d * d
	}
	s.SD = math.Sqrt(ss / float64(s.N-1))
	h := tQuantile(0.975, float64(s.N-1)) * s.SD / math.Sqrt(float64(s.N))
	s.Low, s.High = s.Mean-h, s.Mean+h
	return s
}

// overlaps reports whether two intervals share a point.
func (s Stat) overlaps(o Stat) bool { return s.Low <= o.High && o.Low <= s.High }

// AgentScore is one agent's scores over every role it played.
//
// Utility and Discounted are its individual utility (per role played);
// Welfare, DistancePareto and DistanceNash are those of the negotiations it
// took part in; Agreement is the fraction of them that ended in agreement
// (as a mean of 0/1); Rounds is the round of agreement, over agreements
// only. Timeouts and Failures count the negotiations it ended by exceeding
// the time budget or by failing (an agent error).
//
// Only negotiations that ran count. NotRun counts the agent's roles in
// negotiations that did not run (StatusError: left out of every score),
// NotRunReasons how many for each reason (Result.NotRunReason). An agent
// without any negotiation that ran is Unranked: Rank 0, no means.
type AgentScore struct {
	Agent string `json:"agent"`
	// Rank is 1 for the best; 0 when Unranked.
	Rank           int  `json:"rank"`
	Unranked       bool `json:"unranked,omitempty"`
	Negotiations   int  `json:"negotiations"`
	Utility        Stat `json:"utility"`
	Discounted     Stat `json:"discounted_utility"`
	Welfare        Stat `json:"welfare"`
	Agreement      Stat `json:"agreement"`
	DistancePareto Stat `json:"distance_pareto"`
	DistanceNash   Stat `json:"distance_nash"`
	Rounds         Stat `json:"rounds_to_agreement"`
	Timeouts       int  `json:"timeouts,omitempty"`
	Failures       int  `json:"failures,omitempty"`
	// Tied lists the agents whose confidence interval of the ranking key
	// overlaps this agent's: the ranking does not separate them.
	Tied          []string       `json:"tied,omitempty"`
	NotRun        int            `json:"not_run,omitempty"`
	NotRunReasons map[string]int `json:"not_run_reasons,omitempty"`

	utilities, discounted []float64
}

// Summary is the scored tournament.
type Summary struct {
	Name string `json:"name,omitempty"`
	// Negotiations are the scored results; Errors the negotiations that
	// did not run (StatusError), left out of every score (a Runner runs
	// them again on its next run).
	Negotiations int    `json:"negotiations"`
	Agreements   int    `json:"agreements"`
	Timeouts     int    `json:"timeouts"`
	Errors       int    `json:"errors"`
	RankBy       string `json:"rank_by"`
	// Agents in rank order.
	Agents []AgentScore `json:"agents"`
}

// Summarize scores the agents over results and ranks them by the mean of
// rankBy (RankUtility or RankDiscounted), highest first. Agents with equal
// means share a rank; Tied flags overlapping confidence intervals. Results
// that are not final (the negotiation did not run) score nothing: they are
// counted per agent in NotRun. Agents without a scored result (named in
// agents, or only in negotiations that did not run) are listed last,
// Unranked.
func Summarize(name string, agents []string, results []Result, rankBy string) *Summary {
	if rankBy == "" {
		rankBy = RankUtility
	}
	type sample struct {
		u, d, w, a, dp, dn, r []float64
		timeouts, failures    int
		notRun                map[string]int
	}
	by := map[string]*sample{}
	get := func(a string) *sample {
		s := by[a]
		if s == nil {
			s = &sample{}
			by[a] = s
		}
		return s
	}
	for _, a := range agents {
		get(a)
	}
	sum := &Summary{Name: name, RankBy: rankBy}
	for i := range results {
		r := &results[i]
		if !r.Scored() {
			sum.Errors++
			why := r.NotRunReason()
			if why == "" {
				why = "no utilities"
			}
			for _, a := range r.Agents {
				s := get(a)
				if s.notRun == nil {
					s.notRun = map[string]int{}
				}
				s.notRun[why]++
			}
			continue
		}
		sum.Negotiations++
		agreed := 0.0
		switch r.Status {
		case StatusAgreement:
			sum.Agreements++
			agreed = 1
		case StatusTimeout:
			sum.Timeouts++
		}
		for k, a := range r.Agents {
			s := get(a)
			if k < len(r.Utilities) {
				s.u = append(s.u, r.Utilities[k])
			}
			if k < len(r.Discounted) {
				s.d = append(s.d, r.Discounted[k])
			}
			s.w = append(s.w, r.Welfare)
			s.a = append(s.a, agreed)
			if r.DistancePareto != nil {
				s.dp = append(s.dp, *r.DistancePareto)
			}
			if r.DistanceNash != nil {
				s.dn = append(s.dn, *r.DistanceNash)
			}
			if agreed == 1 {
				s.r = append(s.r, float64(r.Rounds))
			}
		}
		if r.Fault != "" {
			s := get(r.Fault)
			if r.Status == StatusTimeout {
				s.timeouts++
			} else {
				s.failures++
			}
		}
	}
	for a, s := range by {
		notRun := 0
		for _, n := range s.notRun {
			notRun += n
		}
		sum.Agents = append(sum.Agents, AgentScore{Agent: a, Negotiations: len(s.a), Unranked: len(s.a) == 0,
			Utility: newStat(s.u), Discounted: newStat(s.d), Welfare: newStat(s.w), Agreement: newStat(s.a),
			DistancePareto: newStat(s.dp), DistanceNash: newStat(s.dn), Rounds: newStat(s.r),
			Timeouts: s.timeouts, Failures: s.failures, NotRun: notRun, NotRunReasons: s.notRun,
			utilities: s.u, discounted: s.d})
	}
	key := func(a *AgentScore) Stat {
		if rankBy == RankDiscounted {
			return a.Discounted
		}
		return a.Utility
	}
	sort.SliceStable(sum.Agents, func(i, j int) bool {
		a, b := &sum.Agents[i], &sum.Agents[j]
		if (a.Negotiations == 0) != (b.Negotiations == 0) {
			return a.Negotiations > 0
		}
		if ka, kb := key(a).Mean, key(b).Mean; ka != kb {
			return ka > kb
		}
		return a.Agent < b.Agent
	})
	for i := range sum.Agents {
		a := &sum.Agents[i]
		switch {
		case a.Unranked:
			a.Rank = 0
		case i > 0 && key(a).Mean == key(&sum.Agents[i-1]).Mean:
			a.Rank = sum.Agents[i-1].Rank
		default:
			a.Rank = i + 1
		}
		for j := range sum.Agents {
			b := &sum.Agents[j]
			if i != j && a.Negotiations > 0 && b.Negotiations > 0 && key(a).overlaps(key(b)) {
				a.Tied = append(a.Tied, b.Agent)
			}
		}
	}
	return sum
}

// Ranking returns the agents' names in rank order.
func (s *Summary) Ranking() []string {
	out := make([]string, len(s.Agents))
	for i, a := range s.Agents {
		out[i] = a.Agent
	}
	return out
}

// TiedWithNeighbour reports whether agent i's interval overlaps that of the
// agent ranked just above or below it.
func (s *Summary) TiedWithNeighbour(i int) bool {
	a := &s.Agents[i]
	for _, j := range []int{i - 1, i + 1} {
		if j >= 0 && j < len(s.Agents) && slices.Contains(a.Tied, s.Agents[j].Agent) {
			return true
		}
	}
	return false
}

// tQuantile returns the p-quantile of Student's t distribution with df
// degrees of freedom (p ≥ 0.5), by bisection on its CDF.
func tQuantile(p, df float64) float64 {
	lo, hi := 0.0, 1.0
	for tCDF(hi, df) < p {
		hi *= 2
		if hi > 1e12 {
			return math.Inf(1)
		}
	}
	for range 200 {
		mid := (lo + hi) / 2
		if tCDF(mid, df) < p {
			lo = mid
		} else {
			hi = mid
		}
		if hi-lo < 1e-12*hi {
			break
		}
	}
	return (lo + hi) / 2
}

// tCDF is the CDF of Student's t at x ≥ 0: 1 − I_{df/(df+x²)}(df/2, 1/2)/2.
func tCDF(x, df float64) float64 {
	return 1 - 0.5*betaInc(df/2, 0.5, df/(df+x*x))
}

// betaInc is the regularised incomplete beta function I_x(a, b), by its
// continued fraction (Numerical Recipes' betacf, modified Lentz).
func betaInc(a, b, x float64) float64 {
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	la, _ := math.Lgamma(a + b)
	lb, _ := math.Lgamma(a)
	lc, _ := math.Lgamma(b)
	front := math.Exp(la - lb - lc + a*math.Log(x) + b*math.Log1p(-x))
	if x < (a+1)/(a+b+2) {
		return front * betaCF(a, b, x) / a
	}
	return 1 - front*betaCF(b, a, 1-x)/b
}

func betaCF(a, b, x float64) float64 {
	const tiny = 1e-300
	c, d := 1.0, 1-(a+b)*x/(a+1)
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1; m <= 300; m++ {
		fm := float64(m)
		num := fm * (b - fm) * x / ((a + 2*fm - 1) * (a + 2*fm))
		d = 1 + num*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + num/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		h *= d * c
		num = -(a + fm) * (a + b + fm) * x / ((a + 2*fm) * (a + 2*fm + 1))
		d = 1 + num*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + num/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-15 {
			break
		}
	}
	return h
}
