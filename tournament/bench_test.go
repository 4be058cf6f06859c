package tournament

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/internal/refdata"
)

// BenchmarkTournament measures the throughput of the local runner:
// negotiations per second of 1000-round SAO between the time-dependent
// agents (Boulware, linear, Conceder and e = 0.5: 12 role assignments × 5
// repetitions = 60 negotiations a batch) on two ANAC domains of the shared
// data — Travel (ANAC 2010, 188,160 outcomes) and Energy (ANAC 2011,
// 390,625 outcomes). The runner has one worker per GOMAXPROCS: run it with
// -cpu 1,2 to compare one core (one worker, and the garbage collector on the
// same core) with two. Scenario preparation (bid spaces, frontier) is done
// before the timer starts, as a tournament does it once per scenario;
// writing results.jsonl is included.
func BenchmarkTournament(b *testing.B) {
	dir := refdata.Dir(b, "genius", "domains")
	for _, dom := range []string{"Travel", "Energy"} {
		cfg, err := ParseConfig(filepath.Join(dir, "bench.yaml"), []byte(fmt.Sprintf(`
agents: [boulware, linear, conceder, 'timedep:e=0.5']
scenarios: [{genius: %s}]
deadline: {rounds: 1000}
repetitions: 5
`, dom)))
		if err != nil {
			b.Fatal(err)
		}
		cfg.Dir = dir
		if err := cfg.Resolve(); err != nil {
			b.Fatal(err)
		}
		jobs := Jobs(cfg)
		eng := &Engine{}
		eng.Run(jobs[0]) // prepare the scenario
		b.Run(dom, func(b *testing.B) {
			w := runtime.GOMAXPROCS(0)
			{
				path := filepath.Join(b.TempDir(), "results.jsonl")
				n, offers := 0, 0
				cpu0 := cpuTime()
				for b.Loop() {
					os.Remove(path)
					batch, err := (&Runner{Engine: eng, Workers: w, Results: path}).Run(context.Background(), jobs)
					if err != nil {
						b.Fatal(err)
					}
					n += batch.New
					for _, r := range batch.Results {
						offers += r.Offers
					}
				}
				b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "negotiations/s")
				// Per second of CPU used by the process: equal for 1 and
				// 2 workers when nothing serialises them, whatever share
				// of the cores a shared machine gives the benchmark.
				b.ReportMetric(float64(n)/(cpuTime()-cpu0).Seconds(), "negotiations/cpu-s")
				b.ReportMetric(float64(offers)/float64(n), "offers/negotiation")
			}
		})
	}
}

// cpuTime returns the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
