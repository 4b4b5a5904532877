package sendgrid

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Kinds of failure. Every error returned by this package for an API answer
// is an *APIError whose Kind is one of these, so callers can branch with
// errors.Is(err, sendgrid.ErrSubuserNotFound) and still get the full detail
// with errors.As.
var (
	// ErrBadCredentials: SendGrid refused the credentials (v2: api_user and
	// api_key, in at least three shapes, two of them with HTTP 200; v3: 401,
	// or 403 when the key lacks a scope).
	ErrBadCredentials = errors.New("bad credentials")
	// ErrSubuserNotFound: the subuser named in the call does not exist.
	ErrSubuserNotFound = errors.New("subuser does not exist")
	// ErrRejected: SendGrid understood the request and refused it; the
	// APIError carries SendGrid's own messages.
	ErrRejected = errors.New("request rejected")
	// ErrRateLimited: HTTP 429, still there after every retry, or a wait
	// asked for that is too long to sit out.
	ErrRateLimited = errors.New("rate limited")
	// ErrServer: HTTP 5xx, still there after every retry.
	ErrServer = errors.New("server error")
	// ErrUnreadable: the answer is neither a success nor a known error shape
	// (an HTML page, truncated JSON, an unexpected document).
	ErrUnreadable = errors.New("unreadable answer")
	// ErrTransport: no answer at all (connection refused or dropped,
	// timeout), still failing after every retry.
	ErrTransport = errors.New("no answer")
	// ErrInterrupted: the user pressed Ctrl-C; calls still waiting for
	// their turn are not sent (wrapped in an ErrTransport APIError).
	ErrInterrupted = errors.New("interrupted by Ctrl-C; not sent")
	// ErrRedirected: the answer was a redirect (3xx). It is never followed:
	// the credentials go to the configured base URL and nowhere else.
	ErrRedirected = errors.New("redirect refused")
)

// APIError describes one failed call. It never holds the API key, and text
// taken from an answer has its control characters escaped before it is
// stored.
type APIError struct {
	Kind error  // one of the Err* values above
	Call string // e.g. "customer.sendip task=append set=specify", "GET /v3/ips?subuser"
	User string // subuser concerned, if any

	Status      int      // HTTP status of the last answer, 0 when none arrived
	Messages    []string // SendGrid's own messages, key redacted, control characters escaped
	ContentType string   // for ErrUnreadable
	BodyStart   string   // for ErrUnreadable: the first bytes, key redacted, control characters escaped

	// Rate limit hints from the last 429 answer.
	RetryAfter     time.Duration
	RateLimitReset time.Time

	Err error // underlying transport, decoding or interruption error, if any
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

// redact replaces every secret in s.
func redact(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}

// escapeControl renders control characters as \x1b or \u009b so that text
// from an answer cannot drive the terminal that shows an error or a log.
func escapeControl(s string) string {
	if !strings.ContainsFunc(s, needsEscape) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case !needsEscape(r):
			b.WriteRune(r)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	return b.String()
}

// needsEscape: C0, DEL, C1 and other control runes, plus line separators
// and bidirectional overrides, which reorder or break what a reader sees.
func needsEscape(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp, unicode.Bidi_Control)
}

// clean is what every string taken from an answer goes through before it
// can reach an error or a log: key removed, control characters escaped.
func clean(s string, secrets []string) string {
	return escapeControl(redact(s, secrets))
}
