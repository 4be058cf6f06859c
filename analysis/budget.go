package analysis

import (
	"context"
	"errors"
	"fmt"
)

// ErrWorkBudget is returned when a computation needs more work than its
// budget (FrontierOptions.MaxWork) allows.
var ErrWorkBudget = errors.New("analysis: work budget exceeded")

// DefaultMaxWork is the work budget of a frontier computation when
// FrontierOptions.MaxWork is 0: 10^10 units, 10 to 60 seconds on one core
// of a 2025 machine (the Miami scenario's frontier takes under 10^9). A
// unit is one dominance comparison; a partial package generated counts
// candidateWork units.
const DefaultMaxWork = 10_000_000_000

// candidateWork is the work of generating one partial package, in
// comparisons (it allocates and is sorted).
const candidateWork = 16

// checkEvery is how many units of work pass between two looks at the
// context.
const checkEvery = 1 << 16

// meter counts the work of one computation and stops it when its budget
// is spent or its context is done. A nil meter counts nothing.
type meter struct {
	ctx   context.Context
	limit int64 // 0: no budget
	used  int64
	next  int64
	err   error
}

func newMeter(ctx context.Context, limit int64) *meter {
	if ctx == nil {
		ctx = context.Background()
	}
	m := &meter{ctx: ctx, limit: limit}
	m.schedule()
	return m
}

// schedule sets when to look next: after checkEvery more units, or as
// soon as the budget is passed.
func (m *meter) schedule() {
	m.next = m.used + checkEvery
	if m.limit > 0 && m.limit < m.next {
		m.next = m.limit + 1
	}
}

// add counts n units of work; it reports false once the computation must
// stop (err says why).
func (m *meter) add(n int64) bool {
	if m == nil {
		return true
	}
	m.used += n
	if m.used < m.next {
		return m.err == nil
	}
	m.schedule()
	return m.check()
}

// check looks at the context and the budget now.
func (m *meter) check() bool {
	if m == nil {
		return true
	}
	if m.err != nil {
		return false
	}
	if err := m.ctx.Err(); err != nil {
		m.err = fmt.Errorf("analysis stopped: %w", context.Cause(m.ctx))
		return false
	}
	if m.limit > 0 && m.used > m.limit {
		m.err = fmt.Errorf("%w: more than %d steps", ErrWorkBudget, m.limit)
		return false
	}
	return true
}

// ctxErr returns the context's error, wrapped as the meter would.
func ctxErr(ctx context.Context) error {
	if ctx == nil || ctx.Err() == nil {
		return nil
	}
	return fmt.Errorf("analysis stopped: %w", context.Cause(ctx))
}
