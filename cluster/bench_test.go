package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parley-negotiation/parley/internal/refdata"
	"github.com/parley-negotiation/parley/tournament"
)

// BenchmarkDistributed measures negotiations per second through the queue:
// the batch of tournament.BenchmarkTournament (1000-round SAO between the
// time-dependent agents, 12 role assignments × 20 repetitions = 240
// negotiations a batch, on Travel and on Energy), queued
// by a coordinator on an embedded node with file storage (as parley
// tournament --listen) and run by 1 or 2 workers (one job at a time each)
// in this process. Compare workers=1 with workers=2 on a 2-core machine for
// the speed-up, and with BenchmarkTournament for the cost of the queue.
func BenchmarkDistributed(b *testing.B) {
	dir := refdata.Dir(b, "genius", "domains")
	for _, dom := range []string{"Travel", "Energy"} {
		cfg, err := tournament.ParseConfig(filepath.Join(dir, "bench.yaml"), []byte(fmt.Sprintf(`
agents: [boulware, linear, conceder, 'timedep:e=0.5']
scenarios: [{genius: %s}]
deadline: {rounds: 1000}
repetitions: 20
`, dom)))
		if err != nil {
			b.Fatal(err)
		}
		cfg.Dir = dir
		if err := cfg.Resolve(); err != nil {
			b.Fatal(err)
		}
		jobs := tournament.Jobs(cfg)
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", dom, workers), func(b *testing.B) {
				node, err := StartNode(NodeConfig{StoreDir: b.TempDir()})
				if err != nil {
					b.Fatal(err)
				}
				defer node.Shutdown()
				connect := func(name string) jetstream.JetStream {
					nc, err := node.Connect(name)
					if err != nil {
						b.Fatal(err)
					}
					b.Cleanup(nc.Close)
					js, err := NewJetStream(nc)
					if err != nil {
						b.Fatal(err)
					}
					return js
				}
				js := connect("coordinator")
				if err := Setup(context.Background(), js, QueueConfig{}); err != nil {
					b.Fatal(err)
				}
				ws := startWorkers(b, connect, workers, 1, nil)
				// Warm up: every worker prepares the scenario once, as in
				// a tournament.
				path := filepath.Join(b.TempDir(), "results.jsonl")
				coord := &Coordinator{JS: js, Batch: BatchID(jobs), Key: testKey}
				if _, err := (&tournament.Runner{Results: path, Dispatcher: coord}).Run(context.Background(), jobs); err != nil {
					b.Fatal(err)
				}
				n := 0
				cpu0 := cpuTime()
				for b.Loop() {
					os.Remove(path)
					batch, err := (&tournament.Runner{Results: path, Dispatcher: coord}).Run(context.Background(), jobs)
					if err != nil {
						b.Fatal(err)
					}
					n += batch.New
				}
				b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "negotiations/s")
				// Per second of CPU of the whole process (workers, NATS
				// server, coordinator): against BenchmarkTournament's, the
				// cost of the queue.
				b.ReportMetric(float64(n)/(cpuTime()-cpu0).Seconds(), "negotiations/cpu-s")
				_ = ws
			})
		}
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
