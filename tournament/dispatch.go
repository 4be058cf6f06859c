package tournament

import (
	"context"
	"runtime"
	"sync"
)

// A Dispatcher runs jobs somewhere — on local goroutines (the default),
// or on workers elsewhere (package cluster: a NATS JetStream work queue) —
// and delivers their results to a Runner.
type Dispatcher interface {
	// Dispatch runs todo and sends a Delivery on out for each result as it
	// arrives. It may deliver a job's result more than once (a job
	// redelivered after a worker died); the Runner keeps the first. It
	// returns when every job of todo has had a result delivered (nil), or
	// with ctx's error when ctx is done, or with an error when it cannot
	// go on; it never closes out.
	Dispatch(ctx context.Context, todo []Job, out chan<- Delivery) error
}

// Delivery is one result from a Dispatcher.
type Delivery struct {
	Result Result
	// Stored, when not nil, is called by the Runner once the result is in
	// the results file and synced to disk (or was there already): a
	// remote dispatcher acknowledges the result's message then, so that no
	// result is lost between the worker and the file.
	Stored func()
}

// Local runs jobs on Workers goroutines of this process with Engine.
type Local struct {
	Engine *Engine
	// Workers is the number of jobs run at once (default GOMAXPROCS).
	Workers int
}

// Dispatch implements Dispatcher.
func (l Local) Dispatch(ctx context.Context, todo []Job, out chan<- Delivery) error {
	eng := l.Engine
	if eng == nil {
		eng = &Engine{}
	}
	workers := l.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, len(todo)))
	feed := make(chan Job)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range feed {
				res, err := eng.RunContext(ctx, j)
				if err != nil {
					continue
				}
				select {
				case out <- Delivery{Result: res}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	func() {
		defer close(feed)
		for _, j := range todo {
			select {
			case feed <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	return ctx.Err()
}
