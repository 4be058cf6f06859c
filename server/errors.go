package server

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/parley-negotiation/parley/room"
)

// statusOf maps room error codes to HTTP statuses.
var statusOf = map[string]int{
	room.ECONFLICT:     http.StatusConflict,
	room.EINTERNAL:     http.StatusInternalServerError,
	room.EINVALID:      http.StatusBadRequest,
	room.ENOTFOUND:     http.StatusNotFound,
	room.EUNAUTHORIZED: http.StatusUnauthorized,
	room.EFORBIDDEN:    http.StatusForbidden,
	room.ETOOMANY:      http.StatusTooManyRequests,
	room.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	room.EOUTOFTURN:    http.StatusConflict,
	room.ECLOSED:       http.StatusConflict,
}

// ErrorBody is the JSON of every error response.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeError writes err as JSON with its status; internal details go to
// the log only.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := room.ErrorCode(err)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		code, err = room.ETOOLARGE, room.Errorf(room.ETOOLARGE, "request body over %d bytes", mbe.Limit)
	}
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		s.log.Error("request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	var body ErrorBody
	body.Error.Code = code
	body.Error.Message = room.ErrorMessage(err)
	writeJSON(w, status, body)
}

// writeJSON encodes v first, so that a value JSON cannot encode (a NaN,
// say) gives a JSON 500 rather than a 200 with an empty body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"internal error: the answer could not be encoded"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
