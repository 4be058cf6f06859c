package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/parley-negotiation/parley/mediator"
	"github.com/parley-negotiation/parley/multideal"
)

// newMultideal is parley multideal: multi-deal (shuttle) negotiations.
func newMultideal(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "multideal",
		Short: "Multi-deal talks: a center and linked bilateral threads (ANL 2025)",
		Long: `Multideal works with multi-deal scenarios: a center negotiates one bilateral
thread with each edge, one after another, and values the combination of the
deals (docs/multideal.md). Scenarios are Parley multi-deal files or anl2025
scenario folders (center.yml and edges/*.yml).`,
		Args: unknownCommand,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	c.AddCommand(newMultidealRun(e))
	c.AddCommand(newMultidealTournament(e))
	c.AddCommand(newMultidealAnalyze(e))
	return c
}

func newMultidealRun(e *env) *cobra.Command {
	var (
		jsonOut     bool
		center, log string
		edges       []string
		steps       int
		seed        int64
		concurrent  bool
		protocol    string
		med, sees   string
		anl         anlFlags
	)
	c := &cobra.Command{
		Use:   "run FILE_OR_ANL_FOLDER_OR_BUILTIN",
		Short: "Run the threads, in sequence or concurrently; print the outcome",
		Long: `Run negotiates the threads of a multi-deal scenario one after another under
stacked alternating offers (NegMAS's SAO, center first), with anl2025's
built-in agents: Boulware2025, Linear2025, Conceder2025, Random2025. The
center's negotiator in each thread values its offers by the center utility
given the agreements already made. It prints each thread's agreement, the
center's utility and each edge's; --log writes the record with every
thread's hash-chained log as JSON. A name that is no file is looked up among
the built-in multi-deal scenarios (miami-shuttle: the US mediator meets
Russia, then Ukraine, then the Europeans). --center Planner plans across
threads (multideal.Planner). --concurrent runs the threads together, one
step of every open thread per global step, the center seeing each agreement
as soon as its thread ends (docs/multideal.md, "Concurrent threads").
--protocol single-text runs each thread under a mediator's single text
instead: the mediator (--mediator, default hill) proposes a text each step,
the center and the edge accept or reject it, and the thread agrees when
both accept the same text; --mediator-sees full lets the mediator see the
profiles (needed by nash, egalitarian, kalai-smorodinsky; docs/multideal.md,
"Mediated threads").`,
		Example: `  parley multideal run multideal/testdata/dinners.yml --seed 7
  parley multideal run miami-shuttle --center Planner
  parley multideal run miami-shuttle --protocol single-text --mediator hill
  parley multideal run path/to/anl2025/example_scenarios/JobHunt
  parley multideal run shuttle.yml --center conceder2025 \
      --edges boulware2025,linear2025 --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := anl.load(cmd, args[0])
			if err != nil {
				return err
			}
			ca, err := multideal.NewAgent(center)
			if err != nil {
				return usageError{err}
			}
			if len(edges) == 0 {
				return usagef("--edges: give at least one agent")
			}
			ea := make([]multideal.Agent, len(s.Threads))
			for i := range ea {
				if ea[i], err = multideal.NewAgent(edges[i%len(edges)]); err != nil {
					return usageError{err}
				}
			}
			p := multideal.Params{Steps: steps, Seed: seed, Concurrent: concurrent, Protocol: protocol}
			if cmd.Flags().Changed("mediator") || cmd.Flags().Changed("mediator-sees") {
				if strings.ToLower(protocol) != multideal.ProtocolSingleText {
					return usagef("--mediator and --mediator-sees need --protocol %s", multideal.ProtocolSingleText)
				}
			}
			if strings.ToLower(protocol) == multideal.ProtocolSingleText {
				p.Mediator, p.MediatorSees = med, sees
			}
			rec, err := multideal.Run(s, ca, ea, p)
			if err != nil {
				return usageError{err}
			}
			if log != "" {
				b, err := json.MarshalIndent(rec, "", "  ")
				if err != nil {
					return err
				}
				if err := os.WriteFile(log, append(b, '\n'), 0o644); err != nil {
					return fmt.Errorf("multideal run: %w", err)
				}
			}
			if jsonOut {
				out := *rec
				out.Threads = make([]multideal.ThreadResult, len(rec.Threads))
				for i, t := range rec.Threads {
					t.Log = nil
					out.Threads[i] = t
				}
				return writeJSON(e.stdout, out)
			}
			w := e.stdout
			mode := ""
			if concurrent {
				mode = ", concurrent"
			}
			if rec.Params.Protocol != "" {
				mode += fmt.Sprintf(", %s, mediator %s", rec.Params.Protocol, rec.Params.Mediator)
				if rec.Params.MediatorSees != "" {
					mode += " (sees " + rec.Params.MediatorSees + ")"
				}
			}
			fmt.Fprintf(w, "%s: center %s, edges %s, %d steps, seed %d%s\n", s.Name, rec.Center, strings.Join(rec.Edges, ", "), steps, seed, mode)
			for i, t := range rec.Threads {
				fw := s.Threads[i].Framework
				deal := "no agreement (" + t.Status + ")"
				if t.Agreement != nil {
					parts := make([]string, len(t.Agreement))
					for k, l := range t.Agreement {
						parts[k] = fw.Points[k].ID + "=" + fw.Points[k].LevelID(l)
					}
					deal = strings.Join(parts, ", ")
				}
				fmt.Fprintf(w, "thread %d  %-12s %-40s step %3d  edge utility %.6g\n", i+1, t.Edge, deal, t.Steps, t.Utility)
			}
			fmt.Fprintf(w, "center utility %.6g\n", rec.CenterUtility)
			fmt.Fprintf(w, "record hash %s\n", rec.Hash)
			return nil
		},
	}
	c.Flags().BoolVar(&jsonOut, "json", false, "print the record (without the logs) as JSON")
	c.Flags().StringVar(&center, "center", "Boulware2025", "the center's agent")
	c.Flags().StringSliceVar(&edges, "edges", []string{"Boulware2025", "Linear2025", "Conceder2025"}, "the edges' agents, assigned to the threads in turn")
	c.Flags().IntVar(&steps, "steps", 100, "NegMAS steps per thread")
	c.Flags().Int64Var(&seed, "seed", 0, "seed of the random stream (Python's random.seed)")
	c.Flags().StringVar(&log, "log", "", "write the record with every thread's log to this JSON file")
	c.Flags().BoolVar(&concurrent, "concurrent", false, "run the threads concurrently (one step of each open thread per global step) instead of in sequence")
	c.Flags().StringVar(&protocol, "protocol", multideal.ProtocolSAO, "the threads' protocol: sao (alternating offers) or single-text (a mediator's text)")
	c.Flags().StringVar(&med, "mediator", multideal.DefaultMediator, "the single text's mediator strategy: "+mediator.Help())
	c.Flags().StringVar(&sees, "mediator-sees", multideal.MediatorSeesNone, "what the single text's mediator sees: none or full (the profiles)")
	anl.add(c)
	return c
}

// anlFlags are the choices an anl2025 folder may leave open
// (multideal.ANLOptions): the GENIUS-derived folders save no center weights
// and -inf side reservations.
type anlFlags struct {
	numpySeed       int64
	sideReservation float64
}

// add registers the flags on c.
func (a *anlFlags) add(c *cobra.Command) {
	c.Flags().Int64Var(&a.numpySeed, "anl-numpy-seed", -1, "anl2025 folders without center weights: draw them as anl2025 does after np.random.seed(N) (0 to 2^32-1)")
	c.Flags().Float64Var(&a.sideReservation, "anl-side-reservation", 0, "anl2025 folders: replace the center's side reserved values (the GENIUS-derived folders save -inf; genius.py uses 0)")
}

// options returns the multideal.ANLOptions the flags of c set.
func (a *anlFlags) options(c *cobra.Command) (multideal.ANLOptions, error) {
	var o multideal.ANLOptions
	if c.Flags().Changed("anl-numpy-seed") {
		if a.numpySeed < 0 || a.numpySeed > math.MaxUint32 {
			return o, usagef("--anl-numpy-seed %d: want 0 to %d", a.numpySeed, uint32(math.MaxUint32))
		}
		s := uint32(a.numpySeed)
		o.NumpySeed = &s
	}
	if c.Flags().Changed("anl-side-reservation") {
		if math.IsNaN(a.sideReservation) || math.IsInf(a.sideReservation, 0) {
			return o, usagef("--anl-side-reservation: want a finite number")
		}
		r := a.sideReservation
		o.SideReservation = &r
	}
	return o, nil
}

// load reads the scenario at path (loadMultideal) with the choices c's
// flags settle for anl2025 folders.
func (a *anlFlags) load(c *cobra.Command, path string) (*multideal.Scenario, error) {
	o, err := a.options(c)
	if err != nil {
		return nil, err
	}
	return loadMultideal(path, o)
}

// loadMultideal reads an anl2025 folder (one with a center.yml) with the
// choices o settles, a Parley multi-deal file, or, when no file has that
// name, a built-in multi-deal scenario (multideal.Builtin).
func loadMultideal(path string, o multideal.ANLOptions) (*multideal.Scenario, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		if _, err := os.Stat(filepath.Join(path, "center.yml")); err != nil {
			return nil, usagef("%s: a folder must be an anl2025 scenario (center.yml and edges/*.yml)", path)
		}
		return multideal.ImportANLWith(path, o)
	}
	if o.NumpySeed != nil || o.SideReservation != nil {
		return nil, usagef("%s: --anl-numpy-seed and --anl-side-reservation apply to anl2025 folders only", path)
	}
	s, err := multideal.Load(path)
	if errors.Is(err, fs.ErrNotExist) {
		if b, berr := multideal.Builtin(path); berr == nil {
			return b, nil
		}
		return nil, usageError{fmt.Errorf("%w (built-in multi-deal scenarios: %s)", err, strings.Join(multideal.BuiltinNames(), ", "))}
	}
	return s, err
}
