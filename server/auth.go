package server

import (
	"net/http"
	"strings"

	"github.com/parley-negotiation/parley/room"
)

// Cookie and header names.
const (
	loginCookie  = "parley_login"
	inviteCookie = "parley_invite"
	// InviteHeader carries an invitation token for scripts.
	InviteHeader = "X-Parley-Invite"
)

// viewer resolves who is asking. Credentials that are present but not
// valid are an error and count against the client's allowance of failed
// attempts (429 once it is used up); valid ones always pass. No
// credentials give the zero Viewer.
func (s *Server) viewer(r *http.Request) (room.Viewer, error) {
	v, err := s.resolve(r)
	if err != nil {
		return room.Viewer{}, s.refused(r, err)
	}
	return v, nil
}

// resolve resolves the request's credentials, counting nothing: every
// request goes through it, and open event streams again and again, so
// that a credential logged out, expired or revoked stops working
// everywhere.
func (s *Server) resolve(r *http.Request) (room.Viewer, error) {
	var v room.Viewer
	login := ""
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return v, room.Errorf(room.EUNAUTHORIZED, "Authorization: want a Bearer token")
		}
		login = tok
	} else if c, err := r.Cookie(loginCookie); err == nil {
		login = c.Value
	}
	invite := r.Header.Get(InviteHeader)
	if invite == "" {
		if c, err := r.Cookie(inviteCookie); err == nil {
			invite = c.Value
		}
	}
	if login != "" {
		u, err := s.svc.UserByLogin(r.Context(), login)
		if err != nil {
			return room.Viewer{}, err
		}
		v.User = u.ID
	}
	if invite != "" {
		iv, err := s.svc.Join(r.Context(), invite)
		if err != nil {
			return room.Viewer{}, err
		}
		v.Negotiation, v.Party, v.Observer, v.Verifier = iv.Negotiation, iv.Party, iv.Observer, iv.Verifier
	}
	return v, nil
}

// refused counts err against the client's allowance when it is a
// credential that does not hold (a failing store is not the client's
// fault), and makes it a 429 once the allowance is used up.
func (s *Server) refused(r *http.Request, err error) error {
	if room.ErrorCode(err) == room.EUNAUTHORIZED && !s.limiter.failed(r) {
		return room.Errorf(room.ETOOMANY, "too many attempts with invalid credentials; wait a little")
	}
	return err
}

// mustViewer is viewer that also requires some credentials.
func (s *Server) mustViewer(r *http.Request) (room.Viewer, error) {
	v, err := s.viewer(r)
	if err != nil {
		return v, err
	}
	if v.User == "" && v.Negotiation == "" {
		return v, room.Errorf(room.EUNAUTHORIZED, "sign in, or open your invitation link")
	}
	return v, nil
}

// mustUser requires a signed-in user.
func (s *Server) mustUser(r *http.Request) (string, error) {
	v, err := s.viewer(r)
	if err != nil {
		return "", err
	}
	if v.User == "" {
		return "", room.Errorf(room.EUNAUTHORIZED, "sign in as a mediator or instructor")
	}
	return v.User, nil
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: maxAge})
}
