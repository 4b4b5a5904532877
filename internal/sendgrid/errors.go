package sendgrid

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Kinds of failure: every error about an answer is an *APIError whose Kind is one of these.
var (
	ErrBadCredentials     = errors.New("bad credentials") // v2: three shapes, two with HTTP 200; v3: 401, or 403 for a scope
	ErrSubuserNotFound    = errors.New("subuser does not exist")
	ErrRejected           = errors.New("request rejected")  // understood and refused; Messages say why
	ErrRateLimited        = errors.New("rate limited")      // 429 after every retry, or a wait too long to sit out
	ErrServer             = errors.New("server error")      // 5xx after every retry
	ErrUnreadable         = errors.New("unreadable answer") // neither a success nor a known error shape
	ErrTransport          = errors.New("no answer")         // after every retry
	ErrInterrupted        = errors.New("interrupted by Ctrl-C; not sent")
	ErrRedirected         = errors.New("redirect refused") // see DESIGN.md, Redirects are refused
	ErrTooLarge           = errors.New("answer too large")
	ErrInconsistent       = errors.New("list changed while it was read") // twice in a row; see DESIGN.md, Paging
	ErrWrongEndpoint      = errors.New("not SendGrid's answer")          // a 404 without SendGrid's error shape
	ErrPoolNotFound       = errors.New("IP pool does not exist")
	ErrIPNotFound         = errors.New("IP address is not on the account")
	ErrNeedsV3            = errors.New(`needs api_version = "v3"; not sent`)
	ErrNotSettled         = errors.New("change not shown yet") // a pool still lacks an addition when the operation's time ends
	ErrReverseDNSNotFound = errors.New("reverse DNS record does not exist")
)

// APIError describes one failed call; it never holds the key, and text from an answer is escaped.
type APIError struct {
	Kind     error  // one of the Err* values
	Call     string // e.g. calls.V2SetIPs, calls.V3IPsOfSubuser
	User     string
	Pool     string
	IP       string
	RecordID int64 // of a reverse DNS record

	Status      int      // of the last answer; 0 when none arrived
	Messages    []string // SendGrid's own
	ContentType string   // for ErrUnreadable
	BodyStart   string   // for ErrUnreadable

	RetryAfter     time.Duration // from the last 429
	RateLimitReset time.Time     // from the last 429

	Err error // the transport, decoding or interruption error, if any
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("sendgrid ")
	b.WriteString(e.Call)
	if e.User != "" {
		fmt.Fprintf(&b, " for subuser %q", e.User)
	}
	if e.Pool != "" {
		fmt.Fprintf(&b, " for pool %q", e.Pool)
	}
	if e.IP != "" {
		fmt.Fprintf(&b, " for IP %q", e.IP)
	}
	if e.RecordID != 0 {
		fmt.Fprintf(&b, " for reverse DNS record %d", e.RecordID)
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

func redact(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}

// escapeControl writes control characters as \x1b or \u009b (see DESIGN.md, Terminal-safe errors).
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

// needsEscape: control runes, line separators and bidirectional overrides.
func needsEscape(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp, unicode.Bidi_Control)
}

// clean is what every string taken from an answer goes through.
func clean(s string, secrets []string) string {
	return escapeControl(redact(s, secrets))
}
