package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/parley-negotiation/parley/server"
)

// cred is who makes a request: a mediator's login token or a party's
// invitation token.
type cred struct {
	bearer string
	invite string
}

func (c cred) apply(h http.Header) {
	if c.bearer != "" {
		h.Set("Authorization", "Bearer "+c.bearer)
	}
	if c.invite != "" {
		h.Set(server.InviteHeader, c.invite)
	}
}

// apiError is an error answer of the API: its status and error code.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s", e.status, e.code, e.message)
}

// errorKey is the key errors are counted by: "409 out_of_turn" for an API
// error, "transport: …" for a failed exchange.
func errorKey(err error) string {
	var ae *apiError
	if errors.As(err, &ae) {
		if ae.code == "" {
			return fmt.Sprintf("%d", ae.status)
		}
		return fmt.Sprintf("%d %s", ae.status, ae.code)
	}
	var ne net.Error
	switch {
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE):
		return "transport: too many open files"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return "transport: no free local port"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "transport: connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "transport: connection reset"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return "transport: timeout"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "transport: connection closed"
	}
	return "transport: other"
}

// client talks to one server: moves and setup over one pool of kept-alive
// connections, event streams over another (each holds its connection).
type client struct {
	base string
	hc   *http.Client
	sse  *http.Client
}

func newClient(base string, conns int, timeout time.Duration) *client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         dialer.DialContext,
		MaxIdleConns:        conns + 64,
		MaxIdleConnsPerHost: conns + 64,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	sseTr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		MaxIdleConns:          16,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       10 * time.Second,
		ResponseHeaderTimeout: timeout,
		DisableCompression:    true,
		ForceAttemptHTTP2:     false,
	}
	return &client{
		base: strings.TrimRight(base, "/"),
		hc:   &http.Client{Transport: tr, Timeout: timeout},
		sse:  &http.Client{Transport: sseTr},
	}
}

func (c *client) close() {
	c.hc.CloseIdleConnections()
	c.sse.CloseIdleConnections()
}

// do sends body (JSON, nil for none) and decodes a 2xx answer into out (nil
// to discard it); any other answer is an *apiError.
func (c *client) do(ctx context.Context, method, path string, who cred, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	who.apply(req.Header)
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		ae := &apiError{status: resp.StatusCode}
		var eb server.ErrorBody
		if json.Unmarshal(b, &eb) == nil {
			ae.code, ae.message = eb.Error.Code, eb.Error.Message
		} else {
			ae.message = strings.TrimSpace(string(b))
		}
		return ae
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// doJSON is do with a value to encode as the body.
func (c *client) doJSON(ctx context.Context, method, path string, who cred, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return c.do(ctx, method, path, who, b, out)
}
