package room

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/parley-negotiation/parley/mediator"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// The automatic mediator: a strategy of package mediator
// (Settings.AutoMediator) plays the mediator's seat of a room, so that
// the room progresses when the parties act — a class of many rooms runs
// without the instructor mediating each. Whenever the session waits for
// the mediator (after the start and after every move), the service asks
// the strategy for its move and commits it, as RunMediated does for a
// simulated session. The parties stay people: nothing here moves for them.

// MaxAutoMoves bounds the mediator's moves in a row (a strategy that
// never hands the turn back would otherwise hold the room).
const MaxAutoMoves = 100

// checkAutoMediator checks the automatic mediator named by the settings:
// a known strategy, a protocol with a mediator's move, and — when the
// mediator may not see the profiles — a strategy that does not need them
// (its first move is tried on a fresh session).
func (s *Settings) checkAutoMediator(sc *scenario.Scenario) error {
	if s.AutoMediator == "" {
		return nil
	}
	s.AutoMediator = strings.ToLower(strings.TrimSpace(s.AutoMediator))
	if !mediated(s.Protocol) {
		return Errorf(EINVALID, "auto_mediator %q: protocol %q has no mediator to automate", s.AutoMediator, s.Protocol)
	}
	med, err := mediator.ByName(s.AutoMediator, 1)
	if err != nil {
		return Errorf(EINVALID, "auto_mediator: %v", err)
	}
	if s.MediatorSees == MediatorFull {
		return nil
	}
	sess, err := session.New(sc, s.config(sc), time.Now)
	if err != nil {
		return nil // the engine's checks that follow say why
	}
	if sess.State.Done() || len(sess.State.Waiting) > 0 {
		return nil
	}
	if _, err := med.Act(sess.MediatorView()); errors.Is(err, session.ErrNoAccess) {
		return Errorf(EINVALID, "auto_mediator %q needs the parties' profiles: let the mediator see them (mediator_sees %q), or choose %q", s.AutoMediator, MediatorFull, "hill")
	}
	return nil
}

// autoMediate plays the mediator's seat of l while it is the automatic
// mediator's move. l.mu must be held. A failure does not undo the move
// that led to it: it stops the automatic mediator, and the reason is kept
// for the owner (AutoMediatorError, the class's monitor); the next move
// tries again.
func (s *Service) autoMediate(ctx context.Context, l *live) {
	name := l.settings.AutoMediator
	if name == "" || l.sess == nil {
		return
	}
	for n := 0; ; n++ {
		st := &l.sess.State
		if st.Done() || len(st.Waiting) > 0 || l.sess.Config.Mediator == "" {
			l.autoErr = ""
			return
		}
		if n == MaxAutoMoves {
			l.autoErr = fmt.Sprintf("the automatic mediator made %d moves in a row without handing the turn to the parties; it stopped", n)
			return
		}
		if l.auto == nil {
			med, err := mediator.ByName(name, seedOf(l.neg.ID))
			if err != nil {
				l.autoErr = "automatic mediator: " + err.Error()
				return
			}
			l.auto = med
		}
		m, err := l.auto.Act(l.sess.MediatorView())
		if err != nil {
			l.autoErr = fmt.Sprintf("automatic mediator %s: %v", name, err)
			return
		}
		m.Party = l.sess.Config.Mediator
		if _, err := s.commit(context.WithoutCancel(ctx), l, m); err != nil {
			l.autoErr = fmt.Sprintf("automatic mediator %s: %s refused: %v", name, m.Kind, err)
			return
		}
	}
}

// seedOf derives a room's seed for its automatic mediator from its id:
// rooms of a class differ, and a room's strategy is the same after a
// restart.
func seedOf(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}
