package tournament

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// Defaults of a Runner.
const (
	DefaultSyncEvery    = 256
	DefaultSyncInterval = time.Second
)

// Runner runs a batch of jobs through a Dispatcher (by default on local
// worker goroutines) and appends each result to a JSON-lines file as it
// finishes. A batch interrupted in any way
// (cancelled context, killed process, power cut) resumes where it stopped:
// Run first reads the file, skips the jobs that have a final result there
// (Result.Final), and drops a last line left half-written. Jobs whose
// result says they did not run (StatusError: an agent that could not be
// reached, workers that kept dying) are run again, and a final result
// then supersedes the failed attempt, which stays in the file.
type Runner struct {
	// Engine runs the jobs (nil: a new Engine without external agents).
	Engine *Engine
	// Workers is the number of jobs run at once (default GOMAXPROCS).
	Workers int
	// Dispatcher runs the jobs (nil: Local{Engine, Workers}). Whatever
	// runs them, the Runner writes each job's result once: a result
	// delivered again (a redelivered job) is counted in
	// Batch.Duplicates and dropped.
	Dispatcher Dispatcher
	// Results is the path of the results file (JSON lines, one Result per
	// line, in the order the jobs finished).
	Results string
	// SyncEvery and SyncInterval bound the results not yet fsync'd: the
	// file is synced after SyncEvery results or SyncInterval, whichever
	// comes first, and when the batch ends.
	SyncEvery    int
	SyncInterval time.Duration
	// Progress, when set, is called from Run's goroutine once before the
	// first job, after every result and once at the end.
	Progress func(Progress)
}

// Progress is the state of a batch.
type Progress struct {
	Total int // jobs in the batch
	Done  int // jobs with a result, including Skipped
	// Skipped jobs had a result in the file before this run.
	Skipped int
	Elapsed time.Duration
	// Rate is the results per second of this run; ETA the time left at
	// that rate (0 when unknown).
	Rate  float64
	ETA   time.Duration
	Final bool
}

// Batch is what Run returns.
type Batch struct {
	// Results holds a result for every job that has one, in job order.
	Results []Result
	// New results were run now; Skipped were in the file already (final
	// results). Retried counts the jobs of New whose earlier result in
	// the file said they did not run.
	New, Skipped, Retried int
	// Foreign counts results in the file whose id is no job of the batch
	// (another config or seed wrote them); they stay in the file.
	Foreign int
	// Duplicates counts results delivered again for a job that had a
	// final one, or for no job of the batch (dropped: each job counts
	// once).
	Duplicates int
	// Truncated is the number of bytes of a half-written last line dropped.
	Truncated int64
	Elapsed   time.Duration
}

// Run runs every job of jobs that has no final result in the results
// file yet.
// On cancellation it stops starting jobs, abandons the running ones (their
// results are not written) and returns ctx's error with the results so far.
func (r *Runner) Run(ctx context.Context, jobs []Job) (*Batch, error) {
	start := time.Now()
	if r.Results == "" {
		return nil, errors.New("tournament: Runner.Results: no results file")
	}
	eng := r.Engine
	if eng == nil {
		eng = &Engine{}
	}
	disp := r.Dispatcher
	if disp == nil {
		disp = Local{Engine: eng, Workers: r.Workers}
	}
	if r.Dispatcher == nil && eng.External == nil {
		for _, j := range jobs {
			for _, ro := range j.Roles {
				if ro.Agent.URL != "" {
					return nil, fmt.Errorf("agent %q (%s): %w", ro.Agent.Name, ro.Agent.URL, ErrNoExternal)
				}
			}
		}
	}
	old, end, err := ReadResults(r.Results)
	if err != nil {
		return nil, err
	}
	b := &Batch{}
	if st, err := os.Stat(r.Results); err == nil && st.Size() > end {
		b.Truncated = st.Size() - end
	}
	f, err := os.OpenFile(r.Results, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("tournament: %w", err)
	}
	defer f.Close()
	if b.Truncated > 0 {
		if err := f.Truncate(end); err != nil {
			return nil, fmt.Errorf("tournament: dropping the half-written last line of %s: %w", r.Results, err)
		}
	}
	if _, err := f.Seek(end, io.SeekStart); err != nil {
		return nil, fmt.Errorf("tournament: %w", err)
	}

	byID := map[string]Result{}
	inBatch := map[string]bool{}
	for _, j := range jobs {
		inBatch[j.ID] = true
	}
	for _, res := range old {
		if !inBatch[res.ID] {
			b.Foreign++
			continue
		}
		// The first final result counts; until there is one, the last
		// attempt that did not run says why.
		if prev, had := byID[res.ID]; !had || !prev.Final() {
			byID[res.ID] = res
		}
	}
	var todo []Job
	queued := map[string]bool{}
	for _, j := range jobs {
		if queued[j.ID] {
			continue
		}
		queued[j.ID] = true
		prev, had := byID[j.ID]
		switch {
		case had && prev.Final():
			b.Skipped++
		case had:
			b.Retried++
			todo = append(todo, j)
		default:
			todo = append(todo, j)
		}
	}
	total := len(todo) + b.Skipped

	syncEvery, syncInterval := r.SyncEvery, r.SyncInterval
	if syncEvery <= 0 {
		syncEvery = DefaultSyncEvery
	}
	if syncInterval <= 0 {
		syncInterval = DefaultSyncInterval
	}

	progress := func(final bool) {
		if r.Progress == nil {
			return
		}
		p := Progress{Total: total, Done: b.Skipped + b.New, Skipped: b.Skipped, Elapsed: time.Since(start), Final: final}
		if s := p.Elapsed.Seconds(); s > 0 && b.New > 0 {
			p.Rate = float64(b.New) / s
			p.ETA = time.Duration(float64(total-p.Done) / p.Rate * float64(time.Second))
		}
		r.Progress(p)
	}
	progress(false)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make(chan Delivery, 1)
	var dispErr error
	go func() {
		if len(todo) > 0 {
			dispErr = disp.Dispatch(ctx, todo, out)
		}
		close(out)
	}()

	tick := time.NewTicker(syncInterval)
	defer tick.Stop()
	unsynced, lastSync := 0, time.Now()
	var writeErr error
	var stored []func() // to call once the file is synced
	flush := func() {
		if unsynced > 0 && writeErr == nil {
			if err := f.Sync(); err != nil {
				writeErr = err
			}
			unsynced, lastSync = 0, time.Now()
		}
		if writeErr == nil {
			for _, fn := range stored {
				fn()
			}
		}
		stored = stored[:0]
	}
	got := map[string]bool{} // jobs with a result from this run
	var line bytes.Buffer
	enc := json.NewEncoder(&line)
	enc.SetEscapeHTML(false)
loop:
	for {
		select {
		case d, ok := <-out:
			if !ok {
				break loop
			}
			if writeErr != nil {
				continue // drain; the error is returned below
			}
			res := d.Result
			if d.Stored != nil {
				stored = append(stored, d.Stored)
			}
			prev, had := byID[res.ID]
			if !inBatch[res.ID] || (had && prev.Final()) || (got[res.ID] && !res.Final()) {
				// Each job counts once: its first final result, or its
				// first failed attempt of this run.
				b.Duplicates++
				continue
			}
			line.Reset()
			if err := enc.Encode(&res); err != nil {
				writeErr = fmt.Errorf("encoding the result of job %s: %w", res.ID, err)
				cancel()
				continue
			}
			if _, err := f.Write(line.Bytes()); err != nil {
				writeErr = err
				cancel()
				continue
			}
			byID[res.ID] = res
			if !got[res.ID] {
				got[res.ID] = true
				b.New++
			}
			unsynced++
			if unsynced >= syncEvery || time.Since(lastSync) >= syncInterval || b.New == len(todo) {
				flush()
			}
			progress(false)
		case <-tick.C:
			flush()
		}
	}
	flush()

	b.Elapsed = time.Since(start)
	for _, j := range jobs {
		if res, ok := byID[j.ID]; ok {
			b.Results = append(b.Results, res)
			delete(byID, j.ID) // a job listed twice is reported once
		}
	}
	progress(true)
	if writeErr != nil {
		return b, fmt.Errorf("tournament: writing %s: %w", r.Results, writeErr)
	}
	if err := f.Close(); err != nil {
		return b, fmt.Errorf("tournament: writing %s: %w", r.Results, err)
	}
	if err := ctx.Err(); err != nil {
		return b, err
	}
	if dispErr != nil {
		return b, fmt.Errorf("tournament: %w", dispErr)
	}
	return b, nil
}

// ReadResults reads a results file: every complete line, and the offset
// where the complete lines end. A missing file has no results. A last line
// without its newline, or one that is not a result (a write the process
// did not finish), is left out: the runner truncates the file there. Any
// other line that is not a result is an error naming the line.
func ReadResults(path string) ([]Result, int64, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("tournament: %w", err)
	}
	defer f.Close()
	rd := bufio.NewReaderSize(f, 1<<16)
	var out []Result
	var end int64
	var bad error
	for n := 1; ; n++ {
		ln, err := rd.ReadBytes('\n')
		if len(ln) > 0 && ln[len(ln)-1] == '\n' {
			if bad != nil {
				return nil, 0, bad // a bad line followed by more lines
			}
			var res Result
			if jerr := json.Unmarshal(ln, &res); jerr != nil || res.ID == "" {
				if jerr == nil {
					jerr = errors.New("no id")
				}
				bad = fmt.Errorf("tournament: %s:%d: not a result line (%v); remove the line or the file", path, n, jerr)
			} else {
				out = append(out, res)
				end += int64(len(ln))
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, fmt.Errorf("tournament: reading %s: %w", path, err)
		}
	}
	return out, end, nil
}
