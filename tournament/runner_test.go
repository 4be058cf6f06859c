package tournament

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// strip removes what differs between runs of the same job (wall time).
func strip(rs []Result) []Result {
	out := append([]Result(nil), rs...)
	for i := range out {
		out[i].Elapsed = 0
	}
	return out
}

// fileIDs returns the ids of the results file, in file order.
func fileIDs(t *testing.T, path string) []string {
	t.Helper()
	rs, _, err := ReadResults(path)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}

// TestResume interrupts a batch midway by cancelling its context, runs it
// again, and requires every job exactly once in the file and the same
// results as an uninterrupted run.
func TestResume(t *testing.T) {
	_, jobs := tinyJobs(t, "")
	dir := t.TempDir()
	whole := &Runner{Workers: 2, Results: filepath.Join(dir, "whole.jsonl")}
	want, err := whole.Run(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}
	if want.New != len(jobs) || len(want.Results) != len(jobs) {
		t.Fatalf("uninterrupted: %d new, %d results, %d jobs", want.New, len(want.Results), len(jobs))
	}

	path := filepath.Join(dir, "resumed.jsonl")
	ctx, cancel := context.WithCancel(context.Background())
	first := &Runner{Workers: 2, Results: path, SyncEvery: 3, Progress: func(p Progress) {
		if p.Done >= len(jobs)/3 {
			cancel()
		}
	}}
	b, err := first.Run(ctx, jobs)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	if b.New == 0 || b.New >= len(jobs) || len(fileIDs(t, path)) != b.New {
		t.Fatalf("interrupted run wrote %d results (%d in the file) of %d", b.New, len(fileIDs(t, path)), len(jobs))
	}
	done := b.New

	second := &Runner{Workers: 2, Results: path}
	got, err := second.Run(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}
	if got.Skipped != done || got.New != len(jobs)-done {
		t.Errorf("rerun: %d skipped, %d new; %d were done of %d", got.Skipped, got.New, done, len(jobs))
	}
	ids := fileIDs(t, path)
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("job %s twice in the file", id)
		}
		seen[id] = true
	}
	if len(ids) != len(jobs) {
		t.Fatalf("%d results in the file, %d jobs", len(ids), len(jobs))
	}
	if !reflect.DeepEqual(strip(got.Results), strip(want.Results)) {
		t.Error("the resumed batch's results differ from the uninterrupted batch's")
	}
	// A third run has nothing to do.
	again, err := (&Runner{Results: path}).Run(context.Background(), jobs)
	if err != nil || again.New != 0 || again.Skipped != len(jobs) {
		t.Errorf("third run: %+v, %v", again, err)
	}
}

// TestResumeTruncated: a half-written last line (a killed process) is
// dropped and its job run again; results of other jobs are kept apart.
func TestResumeTruncated(t *testing.T) {
	_, jobs := tinyJobs(t, "")
	jobs = jobs[:10]
	path := filepath.Join(t.TempDir(), "r.jsonl")
	if _, err := (&Runner{Results: path}).Run(context.Background(), jobs[:6]); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	// Keep 4 whole lines and half of the fifth; add a result of another job.
	foreign := bytes.Replace(lines[0], []byte(`"id":"`), []byte(`"id":"ff`), 1)
	cut := append(append(append([]byte{}, foreign...), bytes.Join(lines[:4], nil)...), lines[4][:len(lines[4])/2]...)
	if err := os.WriteFile(path, cut, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := (&Runner{Results: path}).Run(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}
	if b.Truncated != int64(len(lines[4])/2) || b.Skipped != 4 || b.New != 6 || b.Foreign != 1 || len(b.Results) != 10 {
		t.Errorf("batch %+v", b)
	}
	if ids := fileIDs(t, path); len(ids) != 11 {
		t.Errorf("%d lines in the file, want 11 (1 foreign + 10)", len(ids))
	}
	// A bad line that is not the last is an error, not silently dropped.
	data, _ = os.ReadFile(path)
	bad := append([]byte("{not json}\n"), data...)
	if err := os.WriteFile(path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := (&Runner{Results: path}).Run(context.Background(), jobs); err == nil || !strings.Contains(err.Error(), "r.jsonl:1: not a result line") {
		t.Errorf("bad first line: %v", err)
	}
}
