package room

import (
	"context"
	"sync/atomic"

	"github.com/parley-negotiation/parley/session"
)

// SubscriptionBuffer is how many batches of events a subscriber may fall
// behind before it is dropped (it then reconnects and catches up).
const SubscriptionBuffer = 64

// Subscription delivers the events a viewer may see as they are stored.
// C is closed when the subscription is cancelled or dropped for falling
// behind; the subscriber then resumes with Events(after its last Seq).
type Subscription struct {
	C     <-chan []session.Event
	c     chan []session.Event
	role  string
	party string
	l     *live
	count *atomic.Int64 // the service's subscriber count
}

// Subscribe starts delivering v's events of negotiation id that come after
// seq; events already stored after seq are delivered first.
func (s *Service) Subscribe(ctx context.Context, v Viewer, id string, after int) (*Subscription, error) {
	l, role, party, err := s.access(ctx, v, id)
	if err != nil {
		return nil, err
	}
	c := make(chan []session.Event, SubscriptionBuffer)
	sub := &Subscription{C: c, c: c, role: role, party: party, l: l, count: &s.subscribers}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sess != nil && after < l.sess.Len() {
		if ev := visibleEvents(l.sess.Events(), max(after, 0), role, party); len(ev) > 0 {
			c <- ev
		}
	}
	l.subs[sub] = struct{}{}
	s.subscribers.Add(1)
	return sub, nil
}

// Cancel stops the subscription and closes C (once).
func (sub *Subscription) Cancel() {
	sub.l.mu.Lock()
	defer sub.l.mu.Unlock()
	if _, ok := sub.l.subs[sub]; ok {
		delete(sub.l.subs, sub)
		close(sub.c)
		sub.count.Add(-1)
	}
}

// Subscribers returns the number of live subscriptions (for monitoring).
// It takes no negotiation's lock, so it answers at once under load.
func (s *Service) Subscribers() int { return int(s.subscribers.Load()) }

// publish hands new events to every subscriber, filtered for it. A
// subscriber whose buffer is full is dropped rather than waited for.
// l.mu must be held.
func (l *live) publish(events []session.Event) {
	for sub := range l.subs {
		ev := visibleEvents(events, 0, sub.role, sub.party)
		if len(ev) == 0 {
			continue
		}
		select {
		case sub.c <- ev:
		default:
			delete(l.subs, sub)
			close(sub.c)
			sub.count.Add(-1)
		}
	}
}
