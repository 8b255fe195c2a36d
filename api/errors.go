// Package api talks to the target instance through the Mastodon API: login,
// rate-limit pacing, retries, pagination, typed errors, and the endpoints a
// migration needs. It is built on github.com/mattn/go-mastodon and adds what
// that client lacks.
package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors, for errors.Is on any error this package returns.
var (
	ErrUnauthorized = errors.New("unauthorized")      // 401: the token is wrong or revoked
	ErrForbidden    = errors.New("forbidden")         // 403: not allowed (self, moved, blocked, scope)
	ErrNotFound     = errors.New("not found")         // 404
	ErrGone         = errors.New("gone or suspended") // 410, or a suspended account
	ErrValidation   = errors.New("validation failed") // 422
	ErrServer       = errors.New("server error")      // 5xx after retries
	ErrUnsupported  = errors.New("not supported by this server")
	ErrUnreachable  = errors.New("instance unreachable") // see *UnreachableError
)

// Error is an error response from the instance.
type Error struct {
	Status  int
	Method  string
	Path    string // without the query, which may name accounts but never the token
	Message string // the server's "error" field
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, msg)
}

// Is maps the status to this package's sentinels.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized
	case ErrForbidden:
		return e.Status == http.StatusForbidden
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrGone:
		return e.Status == http.StatusGone
	case ErrValidation:
		return e.Status == http.StatusUnprocessableEntity
	case ErrServer:
		return e.Status >= 500
	case ErrUnsupported:
		// Servers without an endpoint answer 404 or 405 for the route itself;
		// GoToSocial and Akkoma sometimes 501.
		return e.Status == http.StatusMethodNotAllowed || e.Status == http.StatusNotImplemented
	}
	return false
}

// RateLimitError is a 429, or a request not sent because the last response
// said the allowance is spent. It is returned at once, never retried blindly.
type RateLimitError struct {
	Method string
	Path   string
	Rate   Rate
	// Daily is set when Mastodon's daily follow limit (400 per UTC day) was
	// hit: other requests can go on, follows must wait for Reset.
	Daily bool
}

// reason says which limit it is, for a person waiting on it.
func (e *RateLimitError) reason() string {
	switch {
	case e.Daily:
		return fmt.Sprintf("the daily follow limit (%d a day)", e.Rate.Limit)
	case e.Rate.Limit > 0:
		return fmt.Sprintf("the server's rate limit (%d requests per window)", e.Rate.Limit)
	}
	return "the server's rate limit"
}

func (e *RateLimitError) Error() string {
	what := "rate limited"
	if e.Daily {
		what = "daily follow limit reached"
	}
	return fmt.Sprintf("%s %s: %s until %s", e.Method, e.Path, what, e.Rate.Reset.UTC().Format(time.RFC3339))
}

// describe turns a response into an *Error, reading Mastodon's
// {"error": "..."} body (app/controllers/concerns/api/error_handling.rb).
func describe(req *http.Request, status int, body []byte) *Error {
	e := &Error{Status: status, Method: req.Method, Path: req.URL.Path}
	e.Message = errorMessage(body)
	return e
}

func errorMessage(body []byte) string {
	var v struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(body, &v) == nil && v.Error != "" {
		if v.Description != "" {
			return v.Error + ": " + v.Description
		}
		return v.Error
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 200 || strings.HasPrefix(s, "<") {
		return "" // an HTML error page says nothing a person can use
	}
	return s
}
