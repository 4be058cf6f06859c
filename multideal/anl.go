package multideal

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// ImportANL reads an anl2025 scenario folder as MultidealScenario.from_folder
// does: center.yml, and one edge per edges/*.yml file, in the order the
// directory lists them (Python's glob order, which is not sorted: anl2025
// pairs the i-th file listed with the center's i-th outcome space, so the
// same order is kept here). An edge without an outcome space gets the
// center's i-th. When that pairing is inconsistent (an edge's own outcome
// space is not the center's i-th: anl2025 then fails every thread with a
// KeyError, as on its GENIUS-derived folders), each edge is paired with
// the center outcome space equal to its own instead (see pairEdges).
//
// Center types: MaxCenterUFun (combine max), LinearCombinationCenterUFun
// (combine weighted), MeanSMCenterUFun (mean-sm), and LambdaCenterUFun with
// the evaluators of the Dinners (dinners_center.DinnersEvaluator: counts)
// and TargetQuantity (tq_center.TargetEvaluator: quantity) examples, whose
// tables are read from the folder's center.csv. Issues become options
// points whose option IDs are Python's str() of the values; utility
// functions must be LinearAdditiveUtilityFunction with TableFun values.
func ImportANL(dir string) (*Scenario, error) {
	return ImportANLWith(dir, ANLOptions{})
}

// ImportANLWith is ImportANL with the choices a folder leaves open settled
// by o (see ANLOptions), and with edges re-paired to the center's outcome
// spaces when the listed order does not match them (see pairEdges).
func ImportANLWith(dir string, o ANLOptions) (*Scenario, error) {
	center, err := readYAMLMap(filepath.Join(dir, "center.yml"))
	if err != nil {
		return nil, err
	}
	s := &Scenario{Name: filepath.Base(filepath.Clean(dir))}
	s.Center.Name = str(center["name"])
	if s.Center.Name == "" {
		s.Center.Name = "center"
	}
	if s.Center.Reservation, err = num(center["reserved_value"], 0); err != nil {
		return nil, fmt.Errorf("anl2025 %s: center reserved_value: %w", dir, err)
	}
	spaces, err := centerSpaces(center)
	if err != nil {
		return nil, fmt.Errorf("anl2025 %s: center: %w", dir, err)
	}
	edgeDir := filepath.Join(dir, "edges")
	f, err := os.Open(edgeDir)
	if err != nil {
		return nil, fmt.Errorf("anl2025 %s: %w", dir, err)
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("anl2025 %s: %w", dir, err)
	}
	for _, name := range names {
		if !strings.HasSuffix(name, ".yml") || strings.HasPrefix(name, ".") {
			continue
		}
		m, err := readYAMLMap(filepath.Join(edgeDir, name))
		if err != nil {
			return nil, err
		}
		i := len(s.Threads)
		var fw *framework.Framework
		if os, ok := m["outcome_space"]; ok && os != nil {
			if fw, err = outcomeSpace(os); err != nil {
				return nil, fmt.Errorf("anl2025 %s: edge %s: %w", dir, name, err)
			}
		} else if i < len(spaces) {
			fw = spaces[i]
		} else {
			return nil, fmt.Errorf("anl2025 %s: edge %s has no outcome space and the center has only %d", dir, name, len(spaces))
		}
		p, err := linearAdditive(m, fw)
		if err != nil {
			return nil, fmt.Errorf("anl2025 %s: edge %s: %w", dir, name, err)
		}
		edge := str(m["name"])
		if edge == "" {
			edge = strings.TrimSuffix(name, ".yml")
		}
		s.Threads = append(s.Threads, Thread{Edge: edge, Framework: fw, Profile: p})
	}
	if len(s.Threads) != len(spaces) {
		return nil, fmt.Errorf("anl2025 %s: %d edges for %d center outcome spaces", dir, len(s.Threads), len(spaces))
	}
	s.pairEdges(spaces)
	if err := s.centerUtility(dir, center, o); err != nil {
		return nil, fmt.Errorf("anl2025 %s: center: %w", dir, err)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Scenario) centerUtility(dir string, center map[string]any, o ANLOptions) error {
	typ := shortType(str(center["type"]))
	u := &s.Center.Utility
	sides := func() error {
		list, ok := center["side_ufuns"].([]any)
		if !ok {
			list, ok = center["ufuns"].([]any)
		}
		if !ok || len(list) != len(s.Threads) {
			return fmt.Errorf("%s: expected side_ufuns, one per edge", typ)
		}
		for i, x := range list {
			m, ok := x.(map[string]any)
			if !ok {
				return fmt.Errorf("side_ufuns[%d]: expected a mapping", i)
			}
			p, err := linearAdditive(m, s.Threads[i].Framework)
			if err != nil {
				return fmt.Errorf("side_ufuns[%d]: %w", i, err)
			}
			if o.SideReservation != nil {
				r := *o.SideReservation
				p.Reservation = &r
			} else if math.IsInf(*p.Reservation, 0) {
				return fmt.Errorf("side_ufuns[%d]: reserved_value %v cannot be imported (utilities are finite numbers here; set ANLOptions.SideReservation, parley's --anl-side-reservation; 0 in anl2025's genius.py)", i, *p.Reservation)
			}
			u.Sides = append(u.Sides, p)
		}
		if b, ok := center["allow_partial_agreements"].(bool); ok {
			u.NoPartial = !b
		}
		return nil
	}
	switch typ {
	case "MaxCenterUFun":
		u.Kind, u.Combine = KindCombine, "max"
		return sides()
	case "LinearCombinationCenterUFun":
		u.Kind, u.Combine = KindCombine, "weighted"
		ws, ok := center["weights"].([]any)
		if !ok {
			if o.NumpySeed == nil {
				return fmt.Errorf("%s: weights are required (anl2025 draws them at random otherwise; ANLOptions.NumpySeed, parley's --anl-numpy-seed, draws them as anl2025 does)", typ)
			}
			u.Weights = numpyRandWeights(*o.NumpySeed, len(s.Threads))
			return sides()
		}
		for _, w := range ws {
			v, err := num(w, math.NaN())
			if err != nil {
				return fmt.Errorf("weights: %w", err)
			}
			u.Weights = append(u.Weights, v)
		}
		return sides()
	case "MeanSMCenterUFun":
		u.Kind = KindMeanSM
		return nil
	case "LambdaCenterUFun":
		ev, _ := center["evaluator"].(map[string]any)
		et := str(ev["type"])
		def, err := num(ev["reserved_value"], 0)
		if err != nil {
			return fmt.Errorf("evaluator reserved_value: %w", err)
		}
		u.Default = def
		if len(s.Threads[0].Framework.Points) == 0 {
			return fmt.Errorf("empty outcome space")
		}
		u.Point = s.Threads[0].Framework.Points[0].ID
		rows, header, err := readCSV(filepath.Join(dir, "center.csv"))
		if err != nil {
			return err
		}
		switch shortType(et) {
		case "DinnersEvaluator":
			u.Kind = KindCounts
			days := header[:len(header)-1]
			if header[len(header)-1] != "value" {
				return fmt.Errorf("center.csv: expected the last column to be value")
			}
			keyed := map[string]int{}
			for _, r := range rows {
				row := Row{Counts: map[string]int{}}
				for j, d := range days {
					c, err := strconv.Atoi(strings.TrimSpace(r[j]))
					if err != nil {
						return fmt.Errorf("center.csv: %q: %w", r[j], err)
					}
					if c != 0 {
						row.Counts[d] = c
					}
				}
				if row.Value, err = strconv.ParseFloat(strings.TrimSpace(r[len(days)]), 64); err != nil {
					return fmt.Errorf("center.csv: %w", err)
				}
				// a later row replaces an earlier one with the same key (a Python dict)
				k := fmt.Sprint(r[:len(days)])
				if at, dup := keyed[k]; dup {
					u.Rows[at] = row
					continue
				}
				keyed[k] = len(u.Rows)
				u.Rows = append(u.Rows, row)
			}
		case "TargetEvaluator":
			u.Kind = KindQuantity
			qi, vi := indexOf(header, "quantity"), indexOf(header, "value")
			if qi < 0 || vi < 0 {
				return fmt.Errorf("center.csv: expected columns quantity and value")
			}
			keyed := map[float64]int{}
			for _, r := range rows {
				q, err := strconv.Atoi(strings.TrimSpace(r[qi]))
				if err != nil {
					return fmt.Errorf("center.csv: %w", err)
				}
				v, err := strconv.ParseFloat(strings.TrimSpace(r[vi]), 64)
				if err != nil {
					return fmt.Errorf("center.csv: %w", err)
				}
				row := Row{Quantity: float64(q), Value: v}
				if at, dup := keyed[row.Quantity]; dup {
					u.Rows[at] = row
					continue
				}
				keyed[row.Quantity] = len(u.Rows)
				u.Rows = append(u.Rows, row)
			}
		default:
			return fmt.Errorf("LambdaCenterUFun with evaluator %q: only the Dinners and TargetQuantity evaluators are known; write the center in Parley's format (docs/multideal.md)", et)
		}
		return nil
	}
	return fmt.Errorf("center type %q is not supported (expected MaxCenterUFun, LinearCombinationCenterUFun, MeanSMCenterUFun or LambdaCenterUFun)", typ)
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if strings.TrimSpace(x) == s {
			return i
		}
	}
	return -1
}

func readCSV(path string) (rows [][]string, header []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("center table: %w", err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("center table %s: %w", path, err)
	}
	if len(all) < 1 {
		return nil, nil, fmt.Errorf("center table %s: empty", path)
	}
	for i := range all[0] {
		all[0][i] = strings.TrimSpace(all[0][i])
	}
	return all[1:], all[0], nil
}

func readYAMLMap(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("anl2025: %w", err)
	}
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("anl2025 %s: %w", path, err)
	}
	return m, nil
}

// shortType is the class name of a (possibly dotted) type.
func shortType(t string) string {
	if i := strings.LastIndexByte(t, '.'); i >= 0 {
		return t[i+1:]
	}
	return t
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return pyStr(v)
}

// pyStr is Python's str() of a YAML scalar.
func pyStr(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e16 {
			return strconv.FormatFloat(x, 'f', 1, 64)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		if x {
			return "True"
		}
		return "False"
	}
	return fmt.Sprint(v)
}

func num(v any, def float64) (float64, error) {
	switch x := v.(type) {
	case nil:
		return def, nil
	case float64:
		return x, nil
	case uint64:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case int:
		return float64(x), nil
	case string:
		return strconv.ParseFloat(x, 64)
	}
	return 0, fmt.Errorf("%v is not a number", v)
}

func centerSpaces(center map[string]any) ([]*framework.Framework, error) {
	if list, ok := center["outcome_spaces"].([]any); ok && len(list) > 0 {
		out := make([]*framework.Framework, len(list))
		for i, x := range list {
			fw, err := outcomeSpace(x)
			if err != nil {
				return nil, fmt.Errorf("outcome_spaces[%d]: %w", i, err)
			}
			out[i] = fw
		}
		return out, nil
	}
	os, ok := center["outcome_space"]
	if !ok {
		return nil, fmt.Errorf("no outcome_space nor outcome_spaces")
	}
	n, err := num(center["n_edges"], 0)
	if err != nil || n < 1 || n > MaxThreads {
		return nil, fmt.Errorf("n_edges: expected a number of edges in [1, %d]", MaxThreads)
	}
	fw, err := outcomeSpace(os)
	if err != nil {
		return nil, fmt.Errorf("outcome_space: %w", err)
	}
	out := make([]*framework.Framework, int(n))
	for i := range out {
		out[i] = fw // shared, as anl2025 gives each thread a copy of the same space
	}
	return out, nil
}

// outcomeSpace converts a NegMAS DiscreteCartesianOutcomeSpace.
func outcomeSpace(v any) (*framework.Framework, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected a mapping")
	}
	issues, ok := m["issues"].([]any)
	if !ok || len(issues) == 0 {
		return nil, fmt.Errorf("expected issues")
	}
	fw := &framework.Framework{Name: str(m["name"])}
	if fw.Name == "" {
		fw.Name = "outcomes"
	}
	for i, x := range issues {
		im, ok := x.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("issues[%d]: expected a mapping", i)
		}
		pt := framework.Point{ID: str(im["name"]), Kind: framework.Options}
		if pt.ID == "" {
			pt.ID = fmt.Sprintf("i%d", i)
		}
		vals, _ := im["values"].([]any)
		switch shortType(str(im["type"])) {
		case "ContiguousIssue":
			if len(vals) != 2 {
				return nil, fmt.Errorf("issue %s: expected values [min, max]", pt.ID)
			}
			lo, err1 := num(vals[0], 0)
			hi, err2 := num(vals[1], 0)
			if err1 != nil || err2 != nil || hi < lo || hi-lo > framework.MaxLevels {
				return nil, fmt.Errorf("issue %s: bad range", pt.ID)
			}
			for k := int64(lo); k <= int64(hi); k++ {
				pt.Options = append(pt.Options, framework.Option{ID: strconv.FormatInt(k, 10)})
			}
		case "CategoricalIssue", "DiscreteCardinalIssue", "DiscreteOrdinalIssue", "DiscreteIssue", "OrdinalIssue", "CardinalIssue":
			for _, v := range vals {
				pt.Options = append(pt.Options, framework.Option{ID: pyStr(v)})
			}
		default:
			return nil, fmt.Errorf("issue %s: type %q is not supported (discrete issues only)", pt.ID, str(im["type"]))
		}
		fw.Points = append(fw.Points, pt)
	}
	if err := fw.Validate(); err != nil {
		return nil, err
	}
	return fw, nil
}

// linearAdditive converts a NegMAS LinearAdditiveUtilityFunction whose
// values are TableFuns (weights default to 1, as in NegMAS).
func linearAdditive(m map[string]any, fw *framework.Framework) (*profile.Profile, error) {
	if t := shortType(str(m["type"])); t != "LinearAdditiveUtilityFunction" {
		return nil, fmt.Errorf("utility type %q is not supported (LinearAdditiveUtilityFunction only)", t)
	}
	vals, ok := m["values"].([]any)
	if !ok || len(vals) != len(fw.Points) {
		return nil, fmt.Errorf("expected one value function per issue (%d)", len(fw.Points))
	}
	p := &profile.Profile{Scale: profile.ScaleAbsolute, Weights: make([]float64, len(fw.Points)), Scores: make([][]float64, len(fw.Points))}
	ws, _ := m["weights"].([]any)
	for i := range fw.Points {
		p.Weights[i] = 1
		if ws != nil {
			if len(ws) != len(fw.Points) {
				return nil, fmt.Errorf("expected %d weights", len(fw.Points))
			}
			w, err := num(ws[i], 0)
			if err != nil {
				return nil, fmt.Errorf("weights[%d]: %w", i, err)
			}
			p.Weights[i] = w
		}
		vm, _ := vals[i].(map[string]any)
		if t := shortType(str(vm["type"])); t != "TableFun" {
			return nil, fmt.Errorf("values[%d]: type %q is not supported (TableFun only)", i, t)
		}
		mapping, ok := vm["mapping"].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("values[%d]: expected a mapping", i)
		}
		byID := map[string]float64{}
		keys := make([]string, 0, len(mapping))
		for k := range mapping {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v, err := num(mapping[k], 0)
			if err != nil {
				return nil, fmt.Errorf("values[%d][%s]: %w", i, k, err)
			}
			byID[k] = v
		}
		pt := &fw.Points[i]
		p.Scores[i] = make([]float64, len(pt.Options))
		for l, o := range pt.Options {
			v, ok := byID[o.ID]
			if !ok {
				return nil, fmt.Errorf("values[%d]: no value for %q", i, o.ID)
			}
			p.Scores[i][l] = v
		}
	}
	r, err := num(m["reserved_value"], 0)
	if err != nil {
		return nil, fmt.Errorf("reserved_value: %w", err)
	}
	p.Reservation = &r
	return p, nil
}
