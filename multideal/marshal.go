package multideal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
)

// Marshal writes a validated scenario in Parley's multi-deal format
// (Parse reads it back to the same utilities, bit for bit). Threads that
// share a framework share a space; profiles must be absolute-scale and
// additive (as ImportANL and Parse make them).
func Marshal(s *Scenario) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "multideal: %d\nname: %s\n", FormatVersion, q(s.Name))
	names := map[*framework.Framework]string{}
	used := map[string]bool{}
	b.WriteString("spaces:\n")
	for _, th := range s.Threads {
		fw := th.Framework
		if _, ok := names[fw]; ok {
			continue
		}
		name := fw.Name
		if name == "" {
			name = "space"
		}
		for k := 2; used[name]; k++ {
			name = fmt.Sprintf("%s-%d", fw.Name, k)
		}
		used[name], names[fw] = true, name
		fmt.Fprintf(&b, "  %s:\n    points:\n", q(name))
		for _, pt := range fw.Points {
			if pt.Kind != framework.Options {
				return nil, fmt.Errorf("multideal: marshal %s: point %q is not an options point", s.Name, pt.ID)
			}
			ids := make([]string, len(pt.Options))
			for i, o := range pt.Options {
				ids[i] = q(o.ID)
			}
			fmt.Fprintf(&b, "      - id: %s\n        options: [%s]\n", q(pt.ID), strings.Join(ids, ", "))
		}
	}
	u := &s.Center.Utility
	fmt.Fprintf(&b, "center:\n  name: %s\n  reservation: %s\n  utility:\n    kind: %s\n", q(s.Center.Name), num64(s.Center.Reservation), u.Kind)
	switch u.Kind {
	case KindCombine:
		fmt.Fprintf(&b, "    combine: %s\n", u.Combine)
		if u.NoPartial {
			b.WriteString("    partial: false\n")
		}
		if u.Combine == "weighted" {
			ws := make([]string, len(u.Weights))
			for i, w := range u.Weights {
				ws[i] = num64(w)
			}
			fmt.Fprintf(&b, "    weights: [%s]\n", strings.Join(ws, ", "))
		}
		b.WriteString("    sides:\n")
		for i, p := range u.Sides {
			if err := writeProfile(&b, "      - ", "        ", s.Threads[i].Framework, p); err != nil {
				return nil, fmt.Errorf("multideal: marshal %s: side %d: %w", s.Name, i+1, err)
			}
		}
	case KindCounts, KindQuantity, KindTable:
		if u.Kind != KindTable {
			fmt.Fprintf(&b, "    point: %s\n", q(u.Point))
		}
		fmt.Fprintf(&b, "    default: %s\n    rows:\n", num64(u.Default))
		for _, r := range u.Rows {
			switch u.Kind {
			case KindCounts:
				parts := []string{}
				fw := s.Threads[0].Framework
				pt := &fw.Points[fw.PointIndex(u.Point)]
				for _, o := range pt.Options { // option order, for a stable file
					if c := r.Counts[o.ID]; c != 0 {
						parts = append(parts, q(o.ID)+": "+strconv.Itoa(c))
					}
				}
				fmt.Fprintf(&b, "      - {counts: {%s}, value: %s}\n", strings.Join(parts, ", "), num64(r.Value))
			case KindQuantity:
				fmt.Fprintf(&b, "      - {quantity: %s, value: %s}\n", num64(r.Quantity), num64(r.Value))
			case KindTable:
				parts := make([]string, len(r.Outcomes))
				for i, p := range r.Outcomes {
					if p == nil {
						parts[i] = "null"
						continue
					}
					fw := s.Threads[i].Framework
					kv := make([]string, len(p))
					for k, l := range p {
						kv[k] = q(fw.Points[k].ID) + ": " + q(fw.Points[k].LevelID(l))
					}
					parts[i] = "{" + strings.Join(kv, ", ") + "}"
				}
				fmt.Fprintf(&b, "      - {outcomes: [%s], value: %s}\n", strings.Join(parts, ", "), num64(r.Value))
			}
		}
	}
	b.WriteString("threads:\n")
	for _, th := range s.Threads {
		fmt.Fprintf(&b, "  - edge: %s\n    space: %s\n    profile:\n", q(th.Edge), q(names[th.Framework]))
		if err := writeProfile(&b, "      ", "      ", th.Framework, th.Profile); err != nil {
			return nil, fmt.Errorf("multideal: marshal %s: edge %s: %w", s.Name, th.Edge, err)
		}
	}
	return b.Bytes(), nil
}

func writeProfile(b *bytes.Buffer, first, rest string, fw *framework.Framework, p *profile.Profile) error {
	if p.Scale != profile.ScaleAbsolute || len(p.Interactions) > 0 || len(p.RedLines) > 0 || p.Fallback != nil {
		return fmt.Errorf("only absolute-scale additive profiles without red lines or fallback are written")
	}
	prefix := first
	if p.Reservation != nil {
		fmt.Fprintf(b, "%sreservation: %s\n", prefix, num64(*p.Reservation))
		prefix = rest
	}
	ws := make([]string, len(fw.Points))
	for i, pt := range fw.Points {
		ws[i] = q(pt.ID) + ": " + num64(p.Weights[i])
	}
	fmt.Fprintf(b, "%sweights: {%s}\n", prefix, strings.Join(ws, ", "))
	fmt.Fprintf(b, "%sscores:\n", rest)
	for i, pt := range fw.Points {
		sc := make([]string, len(pt.Options))
		for l, o := range pt.Options {
			sc[l] = q(o.ID) + ": " + num64(p.Scores[i][l])
		}
		fmt.Fprintf(b, "%s  %s: {%s}\n", rest, q(pt.ID), strings.Join(sc, ", "))
	}
	return nil
}

var plain = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)

// q quotes a string for YAML unless it is a plain identifier that YAML
// reads as a string.
func q(s string) string {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "y", "n":
		b, _ := json.Marshal(s)
		return string(b)
	}
	if plain.MatchString(s) {
		return s
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// num64 writes a float64 so that it reads back to the same bits.
func num64(v float64) string {
	s := strconv.FormatFloat(v, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return s
}
