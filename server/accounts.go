package server

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/parley-negotiation/parley/room"
)

// Accounts and sign-ins. The room's owner account (the one made on first
// start) lists, adds and removes the mediator and instructor accounts (GET
// and POST /api/accounts, DELETE /api/accounts/{account}) and lists or
// ends any account's sign-ins (GET /api/accounts/{account}/sessions, POST
// .../sessions/revoke); every account changes its own password (POST
// /api/me/password) and lists and ends its own sign-ins (GET
// /api/me/sessions, POST /api/me/sessions/revoke). A sign-in is shown by
// its id (a prefix of its token's hash, which tells nothing of the token),
// its creation and its expiry: never its token or hash. The rules are the
// room's (room/accounts.go); each account sees only its own negotiations
// and classes, whatever its role.

// AccountRequest adds an account. Without Password the room makes one
// (AccountResponse.Password, shown this once).
type AccountRequest struct {
	Name     string `json:"name"`
	Role     string `json:"role"`
	Password string `json:"password,omitempty"`
}

// AccountResponse is an added account; Password is the password the room
// made for it (only when none was given).
type AccountResponse struct {
	User     room.User `json:"user"`
	Password string    `json:"password,omitempty"`
}

// SignInsRevokeRequest ends sign-ins: those named by IDs, or all of them.
type SignInsRevokeRequest struct {
	IDs []string `json:"ids,omitempty"`
	All bool     `json:"all,omitempty"`
}

// SignInsRevokeResponse says how many sign-ins ended and whether the asking one
// was among them (its cookie is then cleared).
type SignInsRevokeResponse struct {
	Revoked   int  `json:"revoked"`
	SignedOut bool `json:"signed_out,omitempty"`
}

// PasswordRequest changes the caller's own password.
type PasswordRequest struct {
	Current  string `json:"current"`
	Password string `json:"password"`
}

// generatedPassword is a fresh random password: 120 bits, 20 URL-safe
// characters.
func generatedPassword() string {
	b := make([]byte, 15)
	if _, err := rand.Read(b); err != nil {
		panic("server: random source failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// loginToken is the login token the request was made with ("" for none),
// read as resolve reads it.
func loginToken(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		tok, _ := strings.CutPrefix(h, "Bearer ")
		return tok
	}
	if c, err := r.Cookie(loginCookie); err == nil {
		return c.Value
	}
	return ""
}

func (s *Server) listAccounts(r *http.Request, user string) (any, error) {
	us, err := s.svc.UsersFor(r.Context(), user)
	return orEmpty(us), err
}

func (s *Server) createAccount(r *http.Request, user string) (any, error) {
	var req AccountRequest
	if err := decode(r, MaxBody, &req); err != nil {
		return nil, err
	}
	out := AccountResponse{}
	pw := req.Password
	if pw == "" {
		pw = generatedPassword()
		out.Password = pw
	}
	u, err := s.svc.CreateAccountFor(r.Context(), user, req.Name, pw, req.Role)
	if err != nil {
		return nil, err
	}
	out.User = u
	return out, nil
}

// account is the account {account} (an id) for the owner user: EFORBIDDEN
// for anyone else, ENOTFOUND when there is none.
func (s *Server) account(r *http.Request, user string) (room.User, error) {
	us, err := s.svc.UsersFor(r.Context(), user)
	if err != nil {
		return room.User{}, err
	}
	id := r.PathValue("account")
	for _, u := range us {
		if u.ID == id {
			return u, nil
		}
	}
	return room.User{}, room.Errorf(room.ENOTFOUND, "no account %q", id)
}

func (s *Server) removeAccount(r *http.Request, user string) (any, error) {
	u, err := s.account(r, user)
	if err != nil {
		return nil, err
	}
	if _, err := s.svc.RemoveUserFor(r.Context(), user, u.Name); err != nil {
		return nil, err
	}
	return map[string]bool{"removed": true}, nil
}

func (s *Server) accountSessions(r *http.Request, user string) (any, error) {
	u, err := s.account(r, user)
	if err != nil {
		return nil, err
	}
	list, err := s.svc.Sessions(r.Context(), u.ID, loginToken(r))
	return orEmpty(list), err
}

// revokeRequest reads a SignInsRevokeRequest: the IDs named, or nil for all.
func revokeRequest(r *http.Request) ([]string, error) {
	var req SignInsRevokeRequest
	if err := decode(r, MaxBody, &req); err != nil {
		return nil, err
	}
	switch {
	case req.All && len(req.IDs) > 0:
		return nil, room.Errorf(room.EINVALID, "name the sign-ins (ids) or ask for all of them, not both")
	case req.All:
		return nil, nil
	case len(req.IDs) == 0:
		return nil, room.Errorf(room.EINVALID, "name the sign-ins to end (ids), or send all: true")
	case len(req.IDs) > 1000:
		return nil, room.Errorf(room.EINVALID, "at most 1000 sign-ins at once")
	}
	return req.IDs, nil
}

// revoked answers a revocation: when the asking sign-in is no longer
// there, its cookie is cleared.
func (s *Server) revoked(w http.ResponseWriter, r *http.Request, n int, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := SignInsRevokeResponse{Revoked: n}
	if tok := loginToken(r); tok != "" {
		if _, err := s.svc.UserByLogin(r.Context(), tok); room.ErrorCode(err) == room.EUNAUTHORIZED {
			out.SignedOut = true
			s.setCookie(w, loginCookie, "", -1)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) revokeAccountSessions(w http.ResponseWriter, r *http.Request) {
	user, err := s.mustUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.account(r, user)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ids, err := revokeRequest(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := s.svc.RevokeSessions(r.Context(), u.ID, ids)
	s.revoked(w, r, n, err)
}

func (s *Server) mySessions(r *http.Request, user string) (any, error) {
	list, err := s.svc.Sessions(r.Context(), user, loginToken(r))
	return orEmpty(list), err
}

func (s *Server) revokeMySessions(w http.ResponseWriter, r *http.Request) {
	user, err := s.mustUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ids, err := revokeRequest(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := s.svc.RevokeSessions(r.Context(), user, ids)
	s.revoked(w, r, n, err)
}

// changePassword sets the caller's password, given the current one (a
// wrong one counts as a failed sign-in). Every sign-in of the account ends,
// this one included; the answer signs the caller in again (a new cookie,
// and the token for scripts).
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	user, err := s.mustUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req PasswordRequest
	if err := decode(r, MaxBody, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.svc.Store().User(r.Context(), user)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	done, ok := s.limiter.reserve(r)
	if !ok {
		s.writeError(w, r, room.Errorf(room.ETOOMANY, "too many failed attempts; wait a little"))
		return
	}
	if len(req.Current) > room.MaxPassword || !room.CheckPassword(u.PasswordHash, req.Current) {
		done(true)
		s.writeError(w, r, room.Errorf(room.EFORBIDDEN, "the current password is wrong"))
		return
	}
	done(false)
	if _, err := s.svc.SetPassword(r.Context(), u.Name, req.Password); err != nil {
		s.writeError(w, r, err)
		return
	}
	tok, u, err := s.svc.Login(r.Context(), u.Name, req.Password)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.setCookie(w, loginCookie, tok, int(room.LoginTTL/time.Second))
	writeJSON(w, http.StatusOK, loginResponse{User: u, Token: tok})
}
