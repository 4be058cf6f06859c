package server

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/genius"
	"github.com/parley-negotiation/parley/profile"
	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/scenario"
	"github.com/parley-negotiation/parley/session"
)

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "subscribers": s.svc.Subscribers()})
}

type loginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

type loginResponse struct {
	User  room.User `json:"user"`
	Token string    `json:"token"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if !s.limiter.allow(r) {
		s.writeError(w, r, room.Errorf(room.ETOOMANY, "too many sign-in attempts; wait a little"))
		return
	}
	var req loginRequest
	if err := decode(w, r, MaxBody, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	tok, u, err := s.svc.Login(r.Context(), req.Name, req.Password)
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
	if !s.limiter.allowCredential(r, "") {
		s.writeError(w, r, room.Errorf(room.ETOOMANY, "too many attempts with invalid invitations; wait a little"))
		return
	}
	var req joinRequest
	if err := decode(w, r, MaxBody, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.svc.Join(r.Context(), req.Token)
	if err != nil {
		s.limiter.failed(r, "")
		s.writeError(w, r, err)
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

func (g *GeniusUpload) load() (*scenario.Scenario, error) {
	if len(g.Files) == 0 || len(g.Files) > 64 {
		return nil, room.Errorf(room.EINVALID, "genius: want 1 to 64 XML files, got %d", len(g.Files))
	}
	name := strings.TrimSpace(g.Name)
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." || len(name) > room.MaxName {
		return nil, room.Errorf(room.EINVALID, "genius: name %q: want a plain folder name", g.Name)
	}
	tmp, err := os.MkdirTemp("", "parley-genius-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, name)
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, err
	}
	for fn, text := range g.Files {
		if fn != filepath.Base(fn) || !strings.EqualFold(filepath.Ext(fn), ".xml") || strings.HasPrefix(fn, ".") {
			return nil, room.Errorf(room.EINVALID, "genius: file %q: want a plain name ending in .xml", fn)
		}
		if err := os.WriteFile(filepath.Join(dir, fn), []byte(text), 0o600); err != nil {
			return nil, err
		}
	}
	sc, err := genius.LoadDir(dir, g.Profiles)
	if err != nil {
		return nil, room.Errorf(room.EINVALID, "genius: %s", strings.ReplaceAll(err.Error(), tmp+string(filepath.Separator), ""))
	}
	return sc, nil
}

// NegotiationRequest creates a negotiation.
type NegotiationRequest struct {
	Title    string         `json:"title"`
	Scenario ScenarioSource `json:"scenario"`
	Settings room.Settings  `json:"settings"`
}

func (s *Server) createNegotiation(w http.ResponseWriter, r *http.Request) {
	user, err := s.mustUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req NegotiationRequest
	if err := decode(w, r, MaxUpload, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	sc, err := req.Scenario.load()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := s.svc.CreateNegotiation(r.Context(), user, req.Title, sc, req.Settings, "")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, n)
}

func (s *Server) listNegotiations(w http.ResponseWriter, r *http.Request) {
	user, err := s.mustUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ns, err := s.svc.Negotiations(r.Context(), user)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if ns == nil {
		ns = []room.Negotiation{}
	}
	writeJSON(w, http.StatusOK, ns)
}

func (s *Server) view(w http.ResponseWriter, r *http.Request) {
	v, err := s.mustViewer(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.svc.View(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// InviteRequest invites a person to a seat.
type InviteRequest struct {
	Party    string  `json:"party"`
	Person   string  `json:"person"`
	Observer bool    `json:"observer,omitempty"`
	Hours    float64 `json:"hours,omitempty"` // lifetime (default 7 days)
}

// InviteResponse carries the secret token, shown once.
type InviteResponse struct {
	Invite room.Invite `json:"invite"`
	Token  string      `json:"token"`
	// Link is the path that opens the invitation in a browser.
	Link string `json:"link"`
}

func (s *Server) createInvite(w http.ResponseWriter, r *http.Request) {
	user, err := s.mustUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req InviteRequest
	if err := decode(w, r, MaxBody, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ttl := 7 * 24 * time.Hour
	if req.Hours != 0 {
		if req.Hours < 0 || req.Hours > room.MaxInviteTTL.Hours() {
			s.writeError(w, r, room.Errorf(room.EINVALID, "hours %v: want more than 0 and at most %v", req.Hours, room.MaxInviteTTL.Hours()))
			return
		}
		ttl = time.Duration(req.Hours * float64(time.Hour))
	}
	tok, inv, err := s.svc.Invite(r.Context(), user, r.PathValue("id"), req.Party, req.Person, req.Observer, ttl)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, InviteResponse{Invite: inv, Token: tok, Link: "/join#" + tok})
}

func (s *Server) listInvites(w http.ResponseWriter, r *http.Request) {
	user, err := s.mustUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	inv, err := s.svc.Invites(r.Context(), user, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if inv == nil {
		inv = []room.Invite{}
	}
	writeJSON(w, http.StatusOK, inv)
}

func (s *Server) start(w http.ResponseWriter, r *http.Request) {
	user, err := s.mustUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.svc.Start(r.Context(), user, r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"started": true})
}

// MoveResponse acknowledges a stored move.
type MoveResponse struct {
	Seq int `json:"seq"`
}

func (s *Server) move(w http.ResponseWriter, r *http.Request) {
	v, err := s.mustViewer(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var m session.Move
	if err := decode(w, r, MaxBody, &m); err != nil {
		s.writeError(w, r, err)
		return
	}
	seq, err := s.svc.Submit(r.Context(), v, r.PathValue("id"), m)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, MoveResponse{Seq: seq})
}

// after reads the "after" query parameter (a sequence number).
func after(r *http.Request) (int, error) {
	a := r.URL.Query().Get("after")
	if a == "" {
		a = r.Header.Get("Last-Event-ID")
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

func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	v, err := s.mustViewer(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := after(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ev, err := s.svc.Events(r.Context(), v, r.PathValue("id"), n)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ev)
}

func (s *Server) getProfile(w http.ResponseWriter, r *http.Request) {
	v, err := s.mustViewer(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.svc.View(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if out.Profile == nil {
		s.writeError(w, r, room.Errorf(room.EFORBIDDEN, "only a party has a profile of its own here"))
		return
	}
	writeJSON(w, http.StatusOK, out.Profile)
}

func (s *Server) putProfile(w http.ResponseWriter, r *http.Request) {
	v, err := s.mustViewer(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var p profile.Profile
	if err := decode(w, r, MaxBody, &p); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.svc.SetProfile(r.Context(), v, r.PathValue("id"), &p); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// EvaluateRequest asks for a package's utility under one's own profile.
type EvaluateRequest struct {
	Package framework.Package `json:"package"`
}

func (s *Server) evaluate(w http.ResponseWriter, r *http.Request) {
	v, err := s.mustViewer(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req EvaluateRequest
	if err := decode(w, r, MaxBody, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ev, err := s.svc.Evaluate(r.Context(), v, r.PathValue("id"), req.Package)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ev)
}

func (s *Server) analysis(w http.ResponseWriter, r *http.Request) {
	user, err := s.mustUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.svc.Analysis(r.Context(), user, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func writeSVG(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	_, _ = w.Write(b)
}

func (s *Server) dance(w http.ResponseWriter, r *http.Request) {
	user, err := s.mustUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	b, err := s.svc.DancePlot(r.Context(), user, r.PathValue("id"), q.Get("x"), q.Get("y"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeSVG(w, b)
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

func (s *Server) createClass(w http.ResponseWriter, r *http.Request) {
	user, err := s.mustUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req ClassRequest
	if err := decode(w, r, MaxUpload, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	sc, err := req.Scenario.load()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, seats, err := s.svc.CreateClass(r.Context(), user, sc, room.ClassSetup{Title: req.Title, Rooms: req.Rooms, Settings: req.Settings, Deadline: req.Deadline, Seats: req.Seats})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if seats == nil {
		seats = []room.IssuedSeat{}
	}
	writeJSON(w, http.StatusCreated, ClassResponse{Class: c, Seats: seats})
}

func (s *Server) listClasses(w http.ResponseWriter, r *http.Request) {
	user, err := s.mustUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cs, err := s.svc.Classes(r.Context(), user)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if cs == nil {
		cs = []room.Class{}
	}
	writeJSON(w, http.StatusOK, cs)
}

func (s *Server) startClass(w http.ResponseWriter, r *http.Request) {
	user, err := s.mustUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.svc.StartClass(r.Context(), user, r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"started": true})
}

func (s *Server) debrief(w http.ResponseWriter, r *http.Request) {
	user, err := s.mustUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.svc.Debrief(r.Context(), user, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) debriefCSV(w http.ResponseWriter, r *http.Request) {
	user, err := s.mustUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.svc.Debrief(r.Context(), user, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="debrief-`+d.Class.ID+`.csv"`)
	_, _ = w.Write(d.CSV())
}

func (s *Server) debriefSVG(w http.ResponseWriter, r *http.Request) {
	user, err := s.mustUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	b, err := s.svc.DebriefPlot(r.Context(), user, r.PathValue("id"), q.Get("x"), q.Get("y"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeSVG(w, b)
}
