package sendgrid

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kinds of failure. Every error returned by this package for an API answer
// is an *APIError whose Kind is one of these, so callers can branch with
// errors.Is(err, sendgrid.ErrSubuserNotFound) and still get the full detail
// with errors.As.
var (
	// ErrBadCredentials: SendGrid refused api_user/api_key. SendGrid answers
	// this in at least three shapes, two of them with HTTP 200.
	ErrBadCredentials = errors.New("bad credentials")
	// ErrSubuserNotFound: the subuser named in the call does not exist.
	ErrSubuserNotFound = errors.New("subuser does not exist")
	// ErrRejected: SendGrid understood the request and refused it; the
	// APIError carries SendGrid's own messages.
	ErrRejected = errors.New("request rejected")
	// ErrRateLimited: HTTP 429, still there after every retry.
	ErrRateLimited = errors.New("rate limited")
	// ErrServer: HTTP 5xx, still there after every retry.
	ErrServer = errors.New("server error")
	// ErrUnreadable: the answer is neither a success nor a known error shape
	// (an HTML page, truncated JSON, an unexpected document).
	ErrUnreadable = errors.New("unreadable answer")
	// ErrTransport: no answer at all (connection refused or dropped,
	// timeout), still failing after every retry.
	ErrTransport = errors.New("no answer")
)

// APIError describes one failed call. It never holds the API key: the body
// excerpt is redacted before it is stored.
type APIError struct {
	Kind error  // one of the Err* values above
	Call string // e.g. "customer.sendip task=append set=specify"
	User string // subuser concerned, if any

	Status      int      // HTTP status, 0 when no answer arrived
	Messages    []string // SendGrid's own messages, as sent
	ContentType string   // for ErrUnreadable
	BodyStart   string   // for ErrUnreadable: the first bytes, secrets removed

	// Rate limit hints from the last 429 answer.
	RetryAfter     time.Duration
	RateLimitReset time.Time

	Err error // underlying transport or decoding error, if any
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("sendgrid ")
	b.WriteString(e.Call)
	if e.User != "" {
		fmt.Fprintf(&b, " for subuser %q", e.User)
	}
	b.WriteString(": ")
	b.WriteString(e.Kind.Error())
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if len(e.Messages) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(e.Messages, "; "))
	}
	if errors.Is(e.Kind, ErrUnreadable) {
		fmt.Fprintf(&b, "; content type %q, body starts %q", e.ContentType, e.BodyStart)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, "; retry after %s", e.RetryAfter)
	}
	if !e.RateLimitReset.IsZero() {
		fmt.Fprintf(&b, "; limit resets at %s", e.RateLimitReset.UTC().Format(time.RFC3339))
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap lets errors.Is match both the kind and the underlying error.
func (e *APIError) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Kind, e.Err}
	}
	return []error{e.Kind}
}
