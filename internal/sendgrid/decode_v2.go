package sendgrid

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// v2Envelope holds every top-level key of v2's answers, raw: SendGrid varies their types.
type v2Envelope struct {
	Success         json.RawMessage `json:"success"`
	Message         json.RawMessage `json:"message"`
	Errors          json.RawMessage `json:"errors"`
	Error           json.RawMessage `json:"error"`
	OutboundCluster json.RawMessage `json:"outboundcluster"`
	IPs             json.RawMessage `json:"ips"`
}

var (
	credentialWords  = regexp.MustCompile(`(?i)password|not authori[sz]ed|unauthori[sz]ed|permission denied|credential|api[_ ]?key`)
	userMissingWords = regexp.MustCompile(`(?i)user (does not|doesn't) exist|no such user|user not found`)
)

// checkV2 judges a v2 answer by its status and body (see DESIGN.md, The body decides); it
// returns the v2Envelope of a success, or the list of one (env nil).
func (a answer) checkV2() (*v2Envelope, []json.RawMessage, *APIError) {
	if a.status == http.StatusTooManyRequests {
		return nil, nil, a.fail(ErrRateLimited, v2Messages(a), nil)
	}
	if a.status >= 500 {
		return nil, nil, a.fail(ErrServer, v2Messages(a), nil)
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
	var env v2Envelope
	if err := json.Unmarshal(trimmed, &env); err != nil {
		return nil, nil, a.fail(ErrUnreadable, nil, err)
	}
	if e := a.v2ErrorShape(&env); e != nil {
		return nil, nil, e
	}
	if a.status < 200 || a.status > 299 {
		return nil, nil, a.fail(ErrUnreadable, nil, fmt.Errorf("HTTP %d without an error message", a.status))
	}
	return &env, nil, nil
}

// v2ErrorShape recognises {"error":"text"}, {"error":{"code":N,"message":"text"}}
// and {"message":"error","errors":["text", ...]}; nil for any other v2Envelope.
func (a answer) v2ErrorShape(env *v2Envelope) *APIError {
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
		messages[i] = clean(messages[i], a.secrets)
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

// v2Messages reads the messages of a 429 or 5xx body, often HTML: nil when it has no known shape.
func v2Messages(a answer) []string {
	var env v2Envelope
	if json.Unmarshal(bytes.TrimSpace(a.body), &env) != nil {
		return nil
	}
	if e := a.v2ErrorShape(&env); e != nil {
		return e.Messages
	}
	return nil
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

// decodeV2IPList decodes customer.ip: [{"ip":"1.2.3.4"}, ...].
func decodeV2IPList(a answer) ([]string, error) {
	env, list, apiErr := a.checkV2()
	if apiErr != nil {
		return nil, apiErr
	}
	if env != nil {
		return nil, a.fail(ErrUnreadable, nil, fmt.Errorf("expected a list of IPs"))
	}
	return a.v2IPs(list)
}

// decodeV2SubuserIPs decodes customer.sendip task=list:
// {"success":"success","outboundcluster":"..","ips":[{"ip":".."}]}.
func decodeV2SubuserIPs(a answer) (SubuserIPs, error) {
	env, _, apiErr := a.checkV2()
	if apiErr != nil {
		return SubuserIPs{}, apiErr
	}
	if env == nil || stringValue(env.Success) != "success" {
		return SubuserIPs{}, a.fail(ErrUnreadable, nil, fmt.Errorf(`expected {"success":"success", ...}`))
	}
	var list []json.RawMessage
	if !isPresent(env.IPs) { // an answer that says nothing is not "holds nothing"
		return SubuserIPs{}, a.fail(ErrUnreadable, nil, fmt.Errorf(`answer has no "ips" list`))
	}
	if err := json.Unmarshal(env.IPs, &list); err != nil {
		return SubuserIPs{}, a.fail(ErrUnreadable, nil, fmt.Errorf(`"ips" is not a list: %w`, err))
	}
	ips, err := a.v2IPs(list)
	if err != nil {
		return SubuserIPs{}, err
	}
	cluster := ""
	if isPresent(env.OutboundCluster) {
		if err := json.Unmarshal(env.OutboundCluster, &cluster); err != nil {
			return SubuserIPs{}, a.fail(ErrUnreadable, nil, fmt.Errorf(`"outboundcluster" is not text`))
		}
		cluster = clean(cluster, a.secrets)
	}
	return SubuserIPs{IPs: ips, OutboundCluster: cluster}, nil
}

// decodeV2Success decodes the answer of a write: {"message":"success"}.
func decodeV2Success(a answer) error {
	env, _, apiErr := a.checkV2()
	if apiErr != nil {
		return apiErr
	}
	if env == nil || stringValue(env.Message) != "success" {
		return a.fail(ErrUnreadable, nil, fmt.Errorf(`expected {"message":"success"}`))
	}
	return nil
}

// ips turns [{"ip":".."}, ...] into a sorted list without duplicates.
func (a answer) v2IPs(list []json.RawMessage) ([]string, error) {
	out := make([]string, 0, len(list))
	for _, raw := range list {
		var entry v2IPEntry // named: its name is in the error
		if err := json.Unmarshal(raw, &entry); err != nil {
			return nil, a.fail(ErrUnreadable, nil, fmt.Errorf("IP entry is not an object: %w", err))
		}
		ip, err := a.ip(stringValue(entry.IP))
		if err != nil {
			return nil, err
		}
		out = append(out, ip)
	}
	return SortIPs(out), nil
}

type v2IPEntry struct {
	IP json.RawMessage `json:"ip"`
}

type v2Profile struct {
	name   string
	active bool
}

// decodeV2Profiles decodes customer.profile task=get:
// [{"username":"..","email":"..","active":"true"|"false"}, ...].
func decodeV2Profiles(a answer) ([]v2Profile, error) {
	env, list, apiErr := a.checkV2()
	if apiErr != nil {
		return nil, apiErr
	}
	if env != nil {
		return nil, a.fail(ErrUnreadable, nil, fmt.Errorf("expected a list of subusers"))
	}
	out := make([]v2Profile, 0, len(list))
	for _, raw := range list {
		var entry struct {
			Username json.RawMessage `json:"username"`
			Active   json.RawMessage `json:"active"`
		}
		if err := json.Unmarshal(raw, &entry); err != nil {
			return nil, a.fail(ErrUnreadable, nil, fmt.Errorf("subuser entry is not an object: %w", err))
		}
		var name, active string
		if json.Unmarshal(entry.Username, &name) != nil || name == "" {
			return nil, a.fail(ErrUnreadable, nil, fmt.Errorf(`subuser entry has no "username" text`))
		}
		if json.Unmarshal(entry.Active, &active) != nil || (active != "true" && active != "false") {
			return nil, a.fail(ErrUnreadable, nil, fmt.Errorf(`subuser entry's "active" is not "true" or "false"`))
		}
		out = append(out, v2Profile{name: name, active: active == "true"})
	}
	return out, nil
}
