package server

import (
	"net/http"
	"time"

	"github.com/parley-negotiation/parley/room"
)

// Signing in and out: a mediator's or instructor's login (POST /api/login,
// POST /api/logout), who is asking (GET /api/me), and opening an
// invitation (POST /api/join). How each request's credentials are
// resolved is auth.go's.

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
