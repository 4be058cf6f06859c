package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/parley-negotiation/parley/analysis"
	"github.com/parley-negotiation/parley/scenario"
)

// writeInteractionEffects writes the "Interactions" section of the text
// report: the analysis with the profiles' interactions against the same
// analysis without them. Like the rest of the report it is a view over
// every profile (labels included), for a mediator or an analyst. It starts
// with what the report says of how the interactions were handled (which
// figures are exact).
func writeInteractionEffects(w io.Writer, sc *scenario.Scenario, s *analysis.Space, r *analysis.Report, e *analysis.InteractionEffects) {
	total := 0
	var per []string
	for _, p := range e.Parties {
		total += p.Interactions
		if p.Interactions > 0 {
			per = append(per, fmt.Sprintf("%s %d", p.ID, p.Interactions))
		}
	}
	fmt.Fprintf(w, "\nInteractions (%d: %s): the analysis above against the same analysis without them\n", total, strings.Join(per, ", "))
	if r.Interactions != nil {
		fmt.Fprintf(w, "  %s\n", r.Interactions.Text)
	}
	approx := func(c analysis.SizeChange) string {
		if c.Approximate {
			return " (APPROXIMATE frontiers)"
		}
		return ""
	}
	fmt.Fprintf(w, "  Pareto frontier: %d points with them, %d without%s\n", e.Frontier.With, e.Frontier.Without, approx(e.Frontier))
	fmt.Fprintf(w, "  Zone frontier: %d points with them, %d without%s\n", e.ZoneFrontier.With, e.ZoneFrontier.Without, approx(e.ZoneFrontier))
	z := e.Zone
	if z.Exact {
		fmt.Fprintf(w, "  Agreement zone: %s packages with them (%s of the space), %s without (%s)\n",
			group(fmt.Sprintf("%.0f", z.With.Size)), pct(z.With.Fraction), group(fmt.Sprintf("%.0f", z.Without.Size)), pct(z.Without.Fraction))
	} else {
		fmt.Fprintf(w, "  Agreement zone: about %s packages with them (%s; 95%% interval %s–%s), about %s without (%s; %s–%s)\n",
			sci(z.With.Size), pct(z.With.Fraction), sci(z.With.Low), sci(z.With.High),
			sci(z.Without.Size), pct(z.Without.Fraction), sci(z.Without.Low), sci(z.Without.High))
	}
	m := e.Moves
	if m.Exact {
		fmt.Fprintf(w, "  Because of them %s packages enter the zone (%s of the space) and %s leave it (%s), counted over every package\n",
			group(fmt.Sprint(m.Entering)), pct(m.EnteringShare), group(fmt.Sprint(m.Leaving)), pct(m.LeavingShare))
	} else {
		fmt.Fprintf(w, "  Because of them about %s of the space enters the zone (95%% interval %s–%s) and %s leaves it (%s–%s), on the zone's %d samples\n",
			pct(m.EnteringShare), pct(m.EnteringLow), pct(m.EnteringHigh), pct(m.LeavingShare), pct(m.LeavingLow), pct(m.LeavingHigh), m.Examined)
	}

	res := func(without bool) []float64 {
		r := make([]float64, len(e.Parties))
		for j, p := range e.Parties {
			r[j] = p.Reservation
			if without {
				r[j] = p.ReservationWithout
			}
		}
		return r
	}
	switch n := e.Nash; {
	case n.With == nil && n.Without == nil:
		fmt.Fprintf(w, "  Nash package of the zone: none (the zone is empty with them and without them)\n")
	default:
		verdict := "the same package"
		if n.Changed {
			verdict = "changed"
		}
		fmt.Fprintf(w, "  Nash package of the zone: %s\n", verdict)
		if n.With != nil {
			fmt.Fprintf(w, "    with them:    %s\n", fmtU(s.Names, n.With.With))
		} else {
			fmt.Fprintf(w, "    with them:    none (the zone is empty)\n")
		}
		if n.Without != nil {
			fmt.Fprintf(w, "    without them: %s\n", fmtU(s.Names, n.Without.Without))
			if n.Changed {
				in := "in the zone"
				if !n.Without.InZoneWith {
					in = "outside the zone" + below(s.Names, n.Without.With, res(false))
				}
				fmt.Fprintf(w, "      that package with them: %s; %s\n", fmtU(s.Names, n.Without.With), in)
				for _, line := range differing(sc, n.With, n.Without) {
					fmt.Fprintf(w, "      %s\n", line)
				}
			}
		} else {
			fmt.Fprintf(w, "    without them: none (the zone is empty)\n")
		}
	}
	if n := e.Nash.With; n != nil {
		fmt.Fprintf(w, "  Interactions that apply at the Nash package (with them):\n")
		for j, p := range e.Parties {
			if p.Interactions == 0 {
				continue
			}
			fmt.Fprintf(w, "    %s: %d of %d", p.ID, len(p.AtNash), p.Interactions)
			if len(p.AtNash) > 0 {
				fmt.Fprintf(w, ", %+.4f", p.AtNashValue)
			}
			fmt.Fprintln(w)
			writeApplied(w, sc, s, j, n, "      ")
		}
	}
	examples := func(title string, onFrontier int, list []analysis.PackageEffect, entering bool) {
		if len(list) == 0 {
			fmt.Fprintf(w, "  %s: none found\n", title)
			return
		}
		fmt.Fprintf(w, "  %s (largest product of gains first; %d on the zone frontier %s them):\n", title, onFrontier, map[bool]string{true: "with", false: "without"}[entering])
		for _, pe := range list {
			if entering {
				fmt.Fprintf(w, "    %s; without them: %s\n", fmtU(s.Names, pe.With), fmtU(s.Names, pe.Without)+below(s.Names, pe.Without, res(true)))
			} else {
				fmt.Fprintf(w, "    %s; with them: %s\n", fmtU(s.Names, pe.Without), fmtU(s.Names, pe.With)+below(s.Names, pe.With, res(false)))
			}
			for j := range e.Parties {
				writeApplied(w, sc, s, j, &pe, "      ")
			}
		}
	}
	examples("Packages that enter the zone because of them", e.EnteringFrontier, e.Entering, true)
	examples("Packages that leave the zone because of them", e.LeavingFrontier, e.Leaving, false)
}

// below names the parties whose utility in u is under their reservation
// value in r: " (russia below its reservation 0.4800)".
func below(names []string, u, r []float64) string {
	var parts []string
	for j := range u {
		if u[j] < r[j] {
			parts = append(parts, fmt.Sprintf("%s below its reservation %.4f", names[j], r[j]))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// maxAppliedLines bounds the interactions listed per party and package.
const maxAppliedLines = 6

// writeApplied writes party j's interactions that apply to a package: the
// value, the label and the package's levels on the interaction's points
// (the first maxAppliedLines, then how many more).
func writeApplied(w io.Writer, sc *scenario.Scenario, s *analysis.Space, j int, pe *analysis.PackageEffect, indent string) {
	f := sc.Framework
	for i, k := range pe.Applied[j] {
		if i == maxAppliedLines {
			fmt.Fprintf(w, "%s%s: … and %d more\n", indent, s.Names[j], len(pe.Applied[j])-i)
			break
		}
		in := s.Profiles[j].Interactions[k]
		label := in.Label
		if label == "" {
			label = fmt.Sprintf("interaction %d", k+1)
		}
		var at []string
		for _, t := range in.Terms {
			at = append(at, fmt.Sprintf("%s: %s", f.Points[t.Point].ID, f.Points[t.Point].LevelID(pe.Package[t.Point])))
		}
		fmt.Fprintf(w, "%s%s %+.4f: %s (%s)\n", indent, s.Names[j], in.Value, label, strings.Join(at, ", "))
	}
}

// differing lists the points on which two packages differ, as
// "point: with → without".
func differing(sc *scenario.Scenario, with, without *analysis.PackageEffect) []string {
	f := sc.Framework
	var out []string
	for k := range f.Points {
		if a, b := with.Package[k], without.Package[k]; a != b {
			out = append(out, fmt.Sprintf("%s: %s with them, %s without", f.Points[k].ID, f.Points[k].LevelID(a), f.Points[k].LevelID(b)))
		}
	}
	return out
}
