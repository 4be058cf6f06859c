package server

import (
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

// health says that the server is up, and nothing more: operational
// counts are behind authentication (GET /api/stats).
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// DefaultInviteTTL is how long an invitation lasts unless the request
// says (hours): long enough for talks whose ratification waits for two
// months of ceasefire (Miami's referendum) — a seat's holder must be able
// to come back — and short of a year. A lost link is revoked by
// re-issuing the seat.
const DefaultInviteTTL = 120 * 24 * time.Hour

type loginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

type loginResponse struct {
	User  room.User `json:"user"`
	Token string    `json:"token"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	// Only failed sign-ins use up the allowance; see limiter.reserve.
	done, ok := s.limiter.reserve(r)
	if !ok {
		s.writeError(w, r, room.Errorf(room.ETOOMANY, "too many failed sign-in attempts; wait a little"))
		return
	}
	var req loginRequest
	if err := decode(r, MaxBody, &req); err != nil {
		done(false)
		s.writeError(w, r, err)
		return
	}
	tok, u, err := s.svc.Login(r.Context(), req.Name, req.Password)
	done(room.ErrorCode(err) == room.EUNAUTHORIZED)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.setCookie(w, loginCookie, tok, int(room.LoginTTL/time.Second))
	writeJSON(w, http.StatusOK, loginResponse{User: u, Token: tok})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(loginCookie); err == nil {
		if err := s.svc.Logout(r.Context(), c.Value); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	s.setCookie(w, loginCookie, "", -1)
	s.setCookie(w, inviteCookie, "", -1)
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	v, err := s.viewer(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := map[string]any{"viewer": v}
	if v.User != "" {
		if u, err := s.svc.Store().User(r.Context(), v.User); err == nil {
			out["user"] = u
		}
	}
	writeJSON(w, http.StatusOK, out)
}

type joinRequest struct {
	Token string `json:"token"`
}

func (s *Server) join(w http.ResponseWriter, r *http.Request) {
	var req joinRequest
	if err := decode(r, MaxBody, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	// A valid invitation always opens; invalid ones use up the allowance.
	v, err := s.svc.Join(r.Context(), req.Token)
	if err != nil {
		s.writeError(w, r, s.refused(r, err))
		return
	}
	s.setCookie(w, inviteCookie, req.Token, int(room.MaxInviteTTL/time.Second))
	writeJSON(w, http.StatusOK, v)
}

type scenarioInfo struct {
	Name    string `json:"name"`
	Title   string `json:"title"`
	Points  int    `json:"points"`
	Parties int    `json:"parties"`
}

func (s *Server) scenarios(w http.ResponseWriter, r *http.Request) {
	out := []scenarioInfo{}
	for _, n := range scenario.BuiltinNames() {
		sc, err := scenario.Builtin(n)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out = append(out, scenarioInfo{Name: n, Title: sc.Title, Points: len(sc.Framework.Points), Parties: len(sc.Parties)})
	}
	writeJSON(w, http.StatusOK, out)
}

// ScenarioSource says where a negotiation's scenario comes from: exactly
// one of a built-in name, a scenario file's text, or GENIUS files.
type ScenarioSource struct {
	Builtin string `json:"builtin,omitempty"`
	// File is a scenario file (YAML or JSON); FileName names it in errors.
	File     string        `json:"file,omitempty"`
	FileName string        `json:"file_name,omitempty"`
	Genius   *GeniusUpload `json:"genius,omitempty"`
}

// GeniusUpload is a GENIUS domain folder: XML files by name.
type GeniusUpload struct {
	Name  string            `json:"name"`
	Files map[string]string `json:"files"`
	// Profiles names the profile files to load (default: every linear one).
	Profiles []string `json:"profiles,omitempty"`
}

// load returns the scenario the source names.
func (src *ScenarioSource) load() (*scenario.Scenario, error) {
	n := 0
	for _, set := range []bool{src.Builtin != "", src.File != "", src.Genius != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, room.Errorf(room.EINVALID, "scenario: give exactly one of builtin, file or genius")
	}
	switch {
	case src.Builtin != "":
		sc, err := scenario.Builtin(src.Builtin)
		if err != nil {
			return nil, room.Errorf(room.EINVALID, "scenario: %v", err)
		}
		return sc, nil
	case src.File != "":
		name := src.FileName
		if name == "" {
			name = "scenario.yaml"
		}
		sc, err := scenario.Parse(filepath.Base(name), []byte(src.File))
		if err != nil {
			return nil, room.Errorf(room.EINVALID, "%v", err)
		}
		return sc, nil
	}
	return src.Genius.load()
}

// NegotiationRequest creates a negotiation.
type NegotiationRequest struct {
	Title    string         `json:"title"`
	Scenario ScenarioSource `json:"scenario"`
	Settings room.Settings  `json:"settings"`
}

// InviteRequest invites a person to a seat: a party's, an observer's, or
// (Verifier set, Party empty) one of the plan's verifiers'. The mediator
// issues the seats of the parties and the verifiers and invites public
// observers; a party's delegation invites the observers of its own seat.
type InviteRequest struct {
	Party    string  `json:"party"`
	Person   string  `json:"person"`
	Observer bool    `json:"observer,omitempty"`
	Verifier string  `json:"verifier,omitempty"`
	Hours    float64 `json:"hours,omitempty"` // lifetime (default 7 days)
	// Reissue revokes the seat's active invitation and issues a new one;
	// Reason tells the seat why.
	Reissue bool   `json:"reissue,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// RevokeRequest revokes an invitation; the body may be empty.
type RevokeRequest struct {
	Reason string `json:"reason,omitempty"`
}

// InviteResponse carries the secret token, shown once.
type InviteResponse struct {
	Invite room.Invite `json:"invite"`
	Token  string      `json:"token"`
	// Link is the path that opens the invitation in a browser.
	Link string `json:"link"`
}

// MoveResponse acknowledges a stored move.
type MoveResponse struct {
	Seq int `json:"seq"`
}

// EvaluateRequest asks for a package's utility under one's own profile.
type EvaluateRequest struct {
	Package framework.Package `json:"package"`
}

// ClassRequest creates a teaching class.
type ClassRequest struct {
	Title    string         `json:"title"`
	Scenario ScenarioSource `json:"scenario"`
	Rooms    int            `json:"rooms"`
	Settings room.Settings  `json:"settings"`
	Deadline time.Time      `json:"deadline,omitempty"`
	Seats    []room.Seat    `json:"seats"`
}

// ClassResponse carries the class and its invitations (shown once).
type ClassResponse struct {
	Class room.Class        `json:"class"`
	Seats []room.IssuedSeat `json:"seats"`
}

func (s *Server) createNegotiation(r *http.Request, user string) (any, error) {
	var req NegotiationRequest
	if err := decode(r, MaxUpload, &req); err != nil {
		return nil, err
	}
	sc, err := req.Scenario.load()
	if err != nil {
		return nil, err
	}
	return s.svc.CreateNegotiation(r.Context(), user, req.Title, sc, req.Settings, "")
}

func (s *Server) listNegotiations(r *http.Request, user string) (any, error) {
	ns, err := s.svc.Negotiations(r.Context(), user)
	return orEmpty(ns), err
}

func (s *Server) view(r *http.Request, v room.Viewer) (any, error) {
	return s.svc.View(r.Context(), v, r.PathValue("id"))
}

// createInvite issues an invitation (201) for the mediator or a party's
// delegation.
func (s *Server) createInvite(w http.ResponseWriter, r *http.Request) {
	v, err := s.mustViewer(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.issueInvite(r, v)
	s.answer(w, r, http.StatusCreated, out, err)
}

func (s *Server) issueInvite(r *http.Request, v room.Viewer) (any, error) {
	var req InviteRequest
	if err := decode(r, MaxBody, &req); err != nil {
		return nil, err
	}
	ttl := DefaultInviteTTL
	if req.Hours != 0 {
		if req.Hours < 0 || req.Hours > room.MaxInviteTTL.Hours() {
			return nil, room.Errorf(room.EINVALID, "hours %v: want more than 0 and at most %v", req.Hours, room.MaxInviteTTL.Hours())
		}
		ttl = time.Duration(req.Hours * float64(time.Hour))
	}
	tok, inv, err := s.svc.Issue(r.Context(), v, r.PathValue("id"), room.SeatRequest{Party: req.Party, Verifier: req.Verifier,
		Observer: req.Observer, Person: req.Person, TTL: ttl, Reissue: req.Reissue, Reason: req.Reason})
	if err != nil {
		return nil, err
	}
	return InviteResponse{Invite: inv, Token: tok, Link: "/join#" + tok}, nil
}

func (s *Server) listInvites(r *http.Request, v room.Viewer) (any, error) {
	return s.svc.Seats(r.Context(), v, r.PathValue("id"))
}

func (s *Server) revokeInvite(r *http.Request, v room.Viewer) (any, error) {
	var req RevokeRequest
	if r.ContentLength != 0 {
		if err := decode(r, MaxBody, &req); err != nil {
			return nil, err
		}
	}
	return s.svc.Revoke(r.Context(), v, r.PathValue("id"), r.PathValue("invite"), req.Reason)
}

func (s *Server) start(r *http.Request, user string) (any, error) {
	return map[string]bool{"started": true}, s.svc.Start(r.Context(), user, r.PathValue("id"))
}

func (s *Server) move(r *http.Request, v room.Viewer) (any, error) {
	var m session.Move
	if err := decode(r, MaxBody, &m); err != nil {
		return nil, err
	}
	seq, err := s.svc.Submit(r.Context(), v, r.PathValue("id"), m)
	return MoveResponse{Seq: seq}, err
}

// after reads the "after" query parameter (or Last-Event-ID): a sequence number.
func after(r *http.Request) (int, error) {
	// A reconnecting event stream sends Last-Event-ID: it is later than
	// the position the stream was first opened at.
	a := r.Header.Get("Last-Event-ID")
	if a == "" {
		a = r.URL.Query().Get("after")
	}
	if a == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(a)
	if err != nil || n < 0 {
		return 0, room.Errorf(room.EINVALID, "after %q: want a sequence number", a)
	}
	return n, nil
}

func (s *Server) events(r *http.Request, v room.Viewer) (any, error) {
	n, err := after(r)
	if err != nil {
		return nil, err
	}
	return s.svc.Events(r.Context(), v, r.PathValue("id"), n)
}

func (s *Server) getProfile(r *http.Request, v room.Viewer) (any, error) {
	out, err := s.svc.View(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if out.Profile == nil {
		return nil, room.Errorf(room.EFORBIDDEN, "only a party has a profile of its own here")
	}
	return out.Profile, nil
}

func (s *Server) putProfile(r *http.Request, v room.Viewer) (any, error) {
	var p profile.Profile
	if err := decode(r, MaxBody, &p); err != nil {
		return nil, err
	}
	return map[string]bool{"ok": true}, s.svc.SetProfile(r.Context(), v, r.PathValue("id"), &p)
}

func (s *Server) evaluate(r *http.Request, v room.Viewer) (any, error) {
	var req EvaluateRequest
	if err := decode(r, MaxBody, &req); err != nil {
		return nil, err
	}
	return s.svc.Evaluate(r.Context(), v, r.PathValue("id"), req.Package)
}

func (s *Server) analysis(r *http.Request, user string) (any, error) {
	return s.svc.Analysis(r.Context(), user, r.PathValue("id"))
}

func (s *Server) dance(r *http.Request, user string) (any, error) {
	q := r.URL.Query()
	b, err := s.svc.DancePlot(r.Context(), user, r.PathValue("id"), q.Get("x"), q.Get("y"))
	return svgFile(b), err
}

func (s *Server) createClass(r *http.Request, user string) (any, error) {
	var req ClassRequest
	if err := decode(r, MaxUpload, &req); err != nil {
		return nil, err
	}
	sc, err := req.Scenario.load()
	if err != nil {
		return nil, err
	}
	c, seats, err := s.svc.CreateClass(r.Context(), user, sc, room.ClassSetup{Title: req.Title, Rooms: req.Rooms, Settings: req.Settings, Deadline: req.Deadline, Seats: req.Seats})
	return ClassResponse{Class: c, Seats: orEmpty(seats)}, err
}

func (s *Server) listClasses(r *http.Request, user string) (any, error) {
	cs, err := s.svc.Classes(r.Context(), user)
	return orEmpty(cs), err
}

func (s *Server) getClass(r *http.Request, user string) (any, error) {
	return s.svc.Class(r.Context(), user, r.PathValue("id"))
}

func (s *Server) startClass(r *http.Request, user string) (any, error) {
	return map[string]bool{"started": true}, s.svc.StartClass(r.Context(), user, r.PathValue("id"))
}

func (s *Server) debrief(r *http.Request, user string) (any, error) {
	return s.svc.Debrief(r.Context(), user, r.PathValue("id"))
}

func (s *Server) debriefCSV(r *http.Request, user string) (any, error) {
	d, err := s.svc.Debrief(r.Context(), user, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return file{contentType: "text/csv; charset=utf-8", name: "debrief-" + d.Class.ID + ".csv", body: d.CSV()}, nil
}

func (s *Server) debriefSVG(r *http.Request, user string) (any, error) {
	q := r.URL.Query()
	b, err := s.svc.DebriefPlot(r.Context(), user, r.PathValue("id"), q.Get("x"), q.Get("y"))
	return svgFile(b), err
}
