package room

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/parley-negotiation/parley/session"
)

// Retention: deleting a negotiation or a class with all its private data —
// profiles (the stored scenario), messages, bids, invitations — keeping,
// if asked, only its public record and signed agreement (KeptRecord).
// Archiving (console.go) keeps everything; Delete keeps nothing.

// publicViewer is who the kept record is written for: an observer of the
// public view only.
func publicViewer(id string) Viewer { return Viewer{Negotiation: id, Observer: true} }

// Purge deletes negotiation id for its owner as Delete does (confirm must
// repeat its id) and, when keep is true, keeps its public record in its
// place: the log as a public observer exports it (hidden events as stubs,
// a checkpoint of the whole log signed with the server's key) and the
// agreement's document. Without keep it is Delete.
func (s *Service) Purge(ctx context.Context, user, id, confirm string, keep bool) (*KeptRecord, error) {
	if !keep {
		return nil, s.Delete(ctx, user, id, confirm)
	}
	l, err := s.owned(ctx, user, id)
	if err != nil {
		return nil, err
	}
	if confirm != id {
		return nil, Errorf(EINVALID, "deleting a negotiation's private data cannot be undone: confirm with its id (%q)", id)
	}
	r, err := s.publicRecord(ctx, l)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := s.store.KeepRecord(ctx, *r); err != nil {
		return nil, fmt.Errorf("room: delete keeping the record: %w", err)
	}
	s.drop(l)
	return r, nil
}

// publicRecord writes the kept record of l.
func (s *Service) publicRecord(ctx context.Context, l *live) (*KeptRecord, error) {
	l.mu.Lock()
	n := l.neg
	started := l.sess != nil
	l.mu.Unlock()
	r := &KeptRecord{Negotiation: n.ID, Owner: n.Owner, Title: n.Title, Class: n.Class, Created: n.Created, Deleted: s.clock().UTC()}
	if !started {
		return r, nil // no log: the title and times remain
	}
	pv := publicViewer(n.ID)
	events, cp, err := s.Log(ctx, pv, n.ID)
	if err != nil {
		return nil, fmt.Errorf("room: the public record: %w", err)
	}
	var cps []session.Checkpoint
	if cp != nil {
		cps = append(cps, *cp)
	}
	var b bytes.Buffer
	if err := session.WriteRecord(&b, events, cps); err != nil {
		return nil, fmt.Errorf("room: the public record: %w", err)
	}
	r.Log = b.Bytes()
	doc, err := s.AgreementText(ctx, pv, n.ID, 0)
	switch {
	case err == nil:
		if r.Agreement, err = json.Marshal(doc); err != nil {
			return nil, fmt.Errorf("room: the agreement: %w", err)
		}
	case ErrorCode(err) != ENOTFOUND:
		return nil, fmt.Errorf("room: the agreement: %w", err)
	}
	return r, nil
}

// drop ends a deleted negotiation in memory: its streams close and the
// owner's screens are told (Delete, DeleteClass, Purge). l.mu is held.
func (s *Service) drop(l *live) {
	for sub := range l.subs {
		delete(l.subs, sub)
		close(sub.c)
		sub.count.Add(-1)
	}
	l.sess = nil
	s.forget(l)
	s.seatWatch.notify(l.neg.ID)
}

// PurgeClass deletes class id and its rooms for its owner as DeleteClass
// does (confirm must repeat its id) and, when keep is true, keeps each
// room's public record first (Purge). The rooms are purged one by one: if
// it fails half-way, run it again.
func (s *Service) PurgeClass(ctx context.Context, user, id, confirm string, keep bool) ([]KeptRecord, error) {
	_, rooms, err := s.class(ctx, user, id)
	if err != nil {
		return nil, err
	}
	if confirm != id {
		return nil, Errorf(EINVALID, "deleting a class and its %d rooms cannot be undone: confirm with its id (%q)", len(rooms), id)
	}
	var kept []KeptRecord
	if keep {
		for _, n := range rooms {
			r, err := s.Purge(ctx, user, n.ID, n.ID, true)
			if err != nil {
				return kept, err
			}
			kept = append(kept, *r)
		}
	}
	return kept, s.DeleteClass(ctx, user, id, confirm)
}

// KeptRecords lists the user's kept records.
func (s *Service) KeptRecords(ctx context.Context, user string) ([]KeptRecord, error) {
	if user == "" {
		return nil, Errorf(EUNAUTHORIZED, "sign in to list kept records")
	}
	return s.store.KeptRecords(ctx, user)
}

// KeptRecord returns the user's kept record of negotiation id; ENOTFOUND
// for another's.
func (s *Service) KeptRecord(ctx context.Context, user, id string) (KeptRecord, error) {
	r, err := s.store.KeptRecord(ctx, id)
	if err != nil || user == "" || r.Owner != user {
		if err == nil || ErrorCode(err) == ENOTFOUND {
			return KeptRecord{}, Errorf(ENOTFOUND, "no kept record %q", id)
		}
		return KeptRecord{}, err
	}
	return r, nil
}
