package room

import (
	"context"
	"math"
	"sync"
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

// ClassNote tells that a room of a class has new events: the instructor's
// screens read that room again.
type ClassNote struct {
	Negotiation string `json:"negotiation"`
	Seq         int    `json:"seq"`
}

// ClassSubscription delivers a note whenever a room of a class gets new
// events its owner may see: one stream for the instructor's monitor
// instead of one per room.
type ClassSubscription struct {
	C    <-chan ClassNote
	c    chan ClassNote
	subs []*Subscription
	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// SubscribeClass follows every room of class id for its owner, from now on.
func (s *Service) SubscribeClass(ctx context.Context, user, id string) (*ClassSubscription, error) {
	_, rooms, err := s.class(ctx, user, id)
	if err != nil {
		return nil, err
	}
	return s.subscribeRooms(ctx, user, rooms)
}

// subscribeRooms follows rooms (a class's or shuttle talks' tables) for
// their owner user: a note whenever one gets new events.
func (s *Service) subscribeRooms(ctx context.Context, user string, rooms []Negotiation) (*ClassSubscription, error) {
	c := make(chan ClassNote, SubscriptionBuffer)
	cs := &ClassSubscription{C: c, c: c, done: make(chan struct{})}
	for _, n := range rooms {
		sub, err := s.Subscribe(ctx, Viewer{User: user}, n.ID, math.MaxInt)
		if err != nil {
			cs.Cancel()
			return nil, err
		}
		cs.subs = append(cs.subs, sub)
		cs.wg.Add(1)
		go func(neg string) {
			defer cs.wg.Done()
			for batch := range sub.C {
				select {
				case c <- ClassNote{Negotiation: neg, Seq: batch[len(batch)-1].Seq}:
				case <-cs.done:
					return
				default: // notes are signals: one waiting is as good as two
				}
			}
		}(n.ID)
	}
	return cs, nil
}

// Cancel stops following the rooms and closes C (once).
func (cs *ClassSubscription) Cancel() {
	cs.once.Do(func() {
		close(cs.done)
		for _, sub := range cs.subs {
			sub.Cancel()
		}
		cs.wg.Wait()
		close(cs.c)
	})
}
