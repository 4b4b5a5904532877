package sendgrid

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// answer is one HTTP answer, read whole, with what is needed to describe it
// in an error. Decoding works on this plain value so that it can be fuzzed
// without a network.
type answer struct {
	call        string
	user        string
	status      int
	contentType string
	header      http.Header
	body        []byte
	secrets     []string // values to scrub from any excerpt of the body
}

// bodyStartLen bounds how much of an unreadable body goes into an error.
const bodyStartLen = 160

// envelope holds every top-level key SendGrid v2 uses for these calls. The
// values stay raw because SendGrid varies their types ("error" is a string
// in one shape and an object in another).
type envelope struct {
	Success         json.RawMessage `json:"success"`
	Message         json.RawMessage `json:"message"`
	Errors          json.RawMessage `json:"errors"`
	Error           json.RawMessage `json:"error"`
	OutboundCluster json.RawMessage `json:"outboundcluster"`
	IPs             json.RawMessage `json:"ips"`
}

type ipEntry struct {
	IP json.RawMessage `json:"ip"`
}

// credentialWords recognises SendGrid's wordings for refused credentials,
// which arrive with HTTP 200, 401 or 403 depending on the endpoint.
var credentialWords = regexp.MustCompile(`(?i)password|not authori[sz]ed|unauthori[sz]ed|permission denied|credential|api[_ ]?key`)

// userMissingWords recognises "User does not exist".
var userMissingWords = regexp.MustCompile(`(?i)user (does not|doesn't) exist|no such user|user not found`)

func (a answer) fail(kind error, messages []string, err error) *APIError {
	e := &APIError{Kind: kind, Call: a.call, User: a.user, Status: a.status, Messages: messages, Err: err}
	if errors.Is(kind, ErrUnreadable) {
		e.ContentType = a.contentType
		e.BodyStart = a.excerpt()
	}
	if errors.Is(kind, ErrRateLimited) {
		e.RetryAfter, e.RateLimitReset = rateLimitHints(a.header, time.Now())
	}
	return e
}

// excerpt is the start of the body, valid UTF-8, with secrets replaced.
func (a answer) excerpt() string {
	b := a.body
	if len(b) > bodyStartLen {
		b = b[:bodyStartLen]
	}
	s := strings.ToValidUTF8(string(b), string(utf8.RuneError))
	return redact(s, a.secrets)
}

func redact(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}

// checkAnswer decides whether the answer is an error, from the status code
// and from the body: SendGrid reports some errors with HTTP 200. It returns
// the decoded envelope (nil for a JSON array) when the answer is not an
// error.
func (a answer) checkAnswer() (*envelope, []json.RawMessage, *APIError) {
	if a.status == http.StatusTooManyRequests {
		return nil, nil, a.fail(ErrRateLimited, a.looseMessages(), nil)
	}
	if a.status >= 500 {
		return nil, nil, a.fail(ErrServer, a.looseMessages(), nil)
	}
	trimmed := bytes.TrimSpace(a.body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(trimmed, &list); err != nil {
			return nil, nil, a.fail(ErrUnreadable, nil, err)
		}
		if a.status < 200 || a.status > 299 {
			return nil, nil, a.fail(ErrUnreadable, nil, fmt.Errorf("HTTP %d with a list body", a.status))
		}
		return nil, list, nil
	}
	var env envelope
	if err := json.Unmarshal(trimmed, &env); err != nil {
		return nil, nil, a.fail(ErrUnreadable, nil, err)
	}
	if e := a.errorShape(&env); e != nil {
		return nil, nil, e
	}
	if a.status < 200 || a.status > 299 {
		return nil, nil, a.fail(ErrUnreadable, nil, fmt.Errorf("HTTP %d without an error message", a.status))
	}
	return &env, nil, nil
}

// errorShape recognises the three error shapes of api-notes.md:
// {"error":"text"}, {"error":{"code":N,"message":"text"}} and
// {"message":"error","errors":["text", ...]}.
func (a answer) errorShape(env *envelope) *APIError {
	var messages []string
	code := 0
	switch {
	case isPresent(env.Error):
		var text string
		var obj struct {
			Code    json.Number `json:"code"`
			Message string      `json:"message"`
		}
		switch {
		case json.Unmarshal(env.Error, &text) == nil:
			messages = []string{text}
		case json.Unmarshal(env.Error, &obj) == nil:
			messages = []string{obj.Message}
			if c, err := obj.Code.Int64(); err == nil && c > 0 && c < 1000 {
				code = int(c)
			}
		default:
			return a.fail(ErrUnreadable, nil, fmt.Errorf(`"error" is neither text nor an object`))
		}
	case stringValue(env.Message) == "error":
		messages = stringList(env.Errors)
		if len(messages) == 0 {
			messages = []string{"error"}
		}
	default:
		return nil
	}
	for i := range messages {
		messages[i] = redact(messages[i], a.secrets)
	}
	joined := strings.Join(messages, " ")
	switch {
	case code == http.StatusTooManyRequests:
		return a.fail(ErrRateLimited, messages, nil)
	case userMissingWords.MatchString(joined):
		return a.fail(ErrSubuserNotFound, messages, nil)
	case code == http.StatusUnauthorized || code == http.StatusForbidden ||
		a.status == http.StatusUnauthorized || a.status == http.StatusForbidden ||
		credentialWords.MatchString(joined):
		return a.fail(ErrBadCredentials, messages, nil)
	default:
		return a.fail(ErrRejected, messages, nil)
	}
}

// looseMessages pulls messages out of a 429/5xx body when it has a known
// shape; such bodies are often HTML, so failure is silent.
func (a answer) looseMessages() []string {
	var env envelope
	if json.Unmarshal(bytes.TrimSpace(a.body), &env) != nil {
		return nil
	}
	if e := a.errorShape(&env); e != nil {
		return e.Messages
	}
	return nil
}

func isPresent(raw json.RawMessage) bool {
	return len(raw) > 0 && !bytes.Equal(raw, []byte("null"))
}

func stringValue(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// stringList accepts ["a","b"] or "a"; anything else gives nil.
func stringList(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	if s := stringValue(raw); s != "" {
		return []string{s}
	}
	return nil
}

// decodeIPList decodes customer.ip: [{"ip":"1.2.3.4"}, ...].
func decodeIPList(a answer) ([]string, error) {
	env, list, apiErr := a.checkAnswer()
	if apiErr != nil {
		return nil, apiErr
	}
	if env != nil {
		return nil, a.fail(ErrUnreadable, nil, fmt.Errorf("expected a list of IPs"))
	}
	return a.ips(list)
}

// decodeSubuserIPs decodes customer.sendip task=list:
// {"success":"success","outboundcluster":"..","ips":[{"ip":".."}]}.
func decodeSubuserIPs(a answer) (SubuserIPs, error) {
	env, _, apiErr := a.checkAnswer()
	if apiErr != nil {
		return SubuserIPs{}, apiErr
	}
	if env == nil || stringValue(env.Success) != "success" {
		return SubuserIPs{}, a.fail(ErrUnreadable, nil, fmt.Errorf(`expected {"success":"success", ...}`))
	}
	// "ips" must be there: a subuser with nothing assigned is "ips":[].
	// Reading a missing list as empty would record "holds nothing" from
	// an answer that said nothing.
	var list []json.RawMessage
	if !isPresent(env.IPs) {
		return SubuserIPs{}, a.fail(ErrUnreadable, nil, fmt.Errorf(`answer has no "ips" list`))
	}
	if err := json.Unmarshal(env.IPs, &list); err != nil {
		return SubuserIPs{}, a.fail(ErrUnreadable, nil, fmt.Errorf(`"ips" is not a list: %w`, err))
	}
	ips, err := a.ips(list)
	if err != nil {
		return SubuserIPs{}, err
	}
	cluster := ""
	if isPresent(env.OutboundCluster) {
		if err := json.Unmarshal(env.OutboundCluster, &cluster); err != nil {
			return SubuserIPs{}, a.fail(ErrUnreadable, nil, fmt.Errorf(`"outboundcluster" is not text`))
		}
	}
	return SubuserIPs{IPs: ips, OutboundCluster: cluster}, nil
}

// decodeSuccess decodes the answer of a write: {"message":"success"}.
func decodeSuccess(a answer) error {
	env, _, apiErr := a.checkAnswer()
	if apiErr != nil {
		return apiErr
	}
	if env == nil || stringValue(env.Message) != "success" {
		return a.fail(ErrUnreadable, nil, fmt.Errorf(`expected {"message":"success"}`))
	}
	return nil
}

// ips turns [{"ip":".."}, ...] into a sorted list without duplicates. An
// entry that is not an IP address makes the whole answer unreadable: state
// must never record something SendGrid did not say.
func (a answer) ips(list []json.RawMessage) ([]string, error) {
	out := make([]string, 0, len(list))
	for _, raw := range list {
		var entry ipEntry
		if err := json.Unmarshal(raw, &entry); err != nil {
			return nil, a.fail(ErrUnreadable, nil, fmt.Errorf("IP entry is not an object: %w", err))
		}
		text := stringValue(entry.IP)
		addr, err := netip.ParseAddr(text)
		if err != nil {
			return nil, a.fail(ErrUnreadable, nil, fmt.Errorf("answer lists %q, which is not an IP address", redact(text, a.secrets)))
		}
		out = append(out, addr.String())
	}
	return SortIPs(out), nil
}

// SortIPs returns the addresses sorted in numeric order (1.2.3.9 before
// 1.2.3.10) without duplicates. Strings that are not addresses sort last,
// in text order, so the function is total.
func SortIPs(ips []string) []string {
	out := slices.Clone(ips)
	slices.SortFunc(out, compareIP)
	return slices.Compact(out)
}

func compareIP(a, b string) int {
	x, errX := netip.ParseAddr(a)
	y, errY := netip.ParseAddr(b)
	switch {
	case errX == nil && errY == nil:
		if c := x.Compare(y); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	case errX == nil:
		return -1
	case errY == nil:
		return 1
	default:
		return strings.Compare(a, b)
	}
}

// rateLimitHints reads Retry-After (seconds or HTTP date) and
// X-RateLimit-Reset (unix seconds) from a 429 answer.
func rateLimitHints(h http.Header, now time.Time) (retryAfter time.Duration, reset time.Time) {
	if h == nil {
		return 0, time.Time{}
	}
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		var secs int64
		if _, err := fmt.Sscanf(v, "%d", &secs); err == nil && secs >= 0 && fmt.Sprint(secs) == v {
			retryAfter = time.Duration(min(secs, 86400)) * time.Second
		} else if t, err := http.ParseTime(v); err == nil && t.After(now) {
			retryAfter = t.Sub(now)
		}
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		var secs int64
		if _, err := fmt.Sscanf(v, "%d", &secs); err == nil && secs > 0 && secs < 1<<40 {
			reset = time.Unix(secs, 0)
		}
	}
	return retryAfter, reset
}
