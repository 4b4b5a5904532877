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
func (r reply) checkV2() (*v2Envelope, []json.RawMessage, *APIError) {
	if r.status == http.StatusTooManyRequests {
		return nil, nil, r.fail(ErrRateLimited, v2Messages(r), nil)
	}
	if r.status >= 500 {
		return nil, nil, r.fail(ErrServer, v2Messages(r), nil)
	}
	trimmed := bytes.TrimSpace(r.body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(trimmed, &list); err != nil {
			return nil, nil, r.fail(ErrUnreadable, nil, err)
		}
		if r.status < 200 || r.status > 299 {
			return nil, nil, r.fail(ErrUnreadable, nil, fmt.Errorf("HTTP %d with a list body", r.status))
		}
		return nil, list, nil
	}
	var env v2Envelope
	if err := json.Unmarshal(trimmed, &env); err != nil {
		return nil, nil, r.fail(ErrUnreadable, nil, err)
	}
	if e := r.v2ErrorShape(&env); e != nil {
		return nil, nil, e
	}
	if r.status < 200 || r.status > 299 {
		return nil, nil, r.fail(ErrUnreadable, nil, fmt.Errorf("HTTP %d without an error message", r.status))
	}
	return &env, nil, nil
}

// v2ErrorShape recognises {"error":"text"}, {"error":{"code":N,"message":"text"}}
// and {"message":"error","errors":["text", ...]}; nil for any other v2Envelope.
func (r reply) v2ErrorShape(env *v2Envelope) *APIError {
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
			return r.fail(ErrUnreadable, nil, fmt.Errorf(`"error" is neither text nor an object`))
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
		messages[i] = clean(messages[i], r.secrets)
	}
	joined := strings.Join(messages, " ")
	switch {
	case code == http.StatusTooManyRequests:
		return r.fail(ErrRateLimited, messages, nil)
	case userMissingWords.MatchString(joined):
		return r.fail(ErrSubuserNotFound, messages, nil)
	case code == http.StatusUnauthorized || code == http.StatusForbidden ||
		r.status == http.StatusUnauthorized || r.status == http.StatusForbidden ||
		credentialWords.MatchString(joined):
		return r.fail(ErrBadCredentials, messages, nil)
	default:
		return r.fail(ErrRejected, messages, nil)
	}
}

// v2Messages reads the messages of a 429 or 5xx body, often HTML: nil when it has no known shape.
func v2Messages(r reply) []string {
	var env v2Envelope
	if json.Unmarshal(bytes.TrimSpace(r.body), &env) != nil {
		return nil
	}
	if e := r.v2ErrorShape(&env); e != nil {
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
func decodeV2IPList(r reply) ([]string, error) {
	env, list, apiErr := r.checkV2()
	if apiErr != nil {
		return nil, apiErr
	}
	if env != nil {
		return nil, r.fail(ErrUnreadable, nil, fmt.Errorf("expected a list of IPs"))
	}
	return r.v2IPs(list)
}

// decodeV2Holding decodes customer.sendip task=list:
// {"success":"success","outboundcluster":"..","ips":[{"ip":".."}]}.
func decodeV2Holding(r reply) (Holding, error) {
	env, _, apiErr := r.checkV2()
	if apiErr != nil {
		return Holding{}, apiErr
	}
	if env == nil || stringValue(env.Success) != "success" {
		return Holding{}, r.fail(ErrUnreadable, nil, fmt.Errorf(`expected {"success":"success", ...}`))
	}
	var list []json.RawMessage
	if !isPresent(env.IPs) { // an answer that says nothing is not "holds nothing"
		return Holding{}, r.fail(ErrUnreadable, nil, fmt.Errorf(`answer has no "ips" list`))
	}
	if err := json.Unmarshal(env.IPs, &list); err != nil {
		return Holding{}, r.fail(ErrUnreadable, nil, fmt.Errorf(`"ips" is not a list: %w`, err))
	}
	ips, err := r.v2IPs(list)
	if err != nil {
		return Holding{}, err
	}
	cluster := ""
	if isPresent(env.OutboundCluster) {
		if err := json.Unmarshal(env.OutboundCluster, &cluster); err != nil {
			return Holding{}, r.fail(ErrUnreadable, nil, fmt.Errorf(`"outboundcluster" is not text`))
		}
		cluster = clean(cluster, r.secrets)
	}
	return Holding{IPs: ips, OutboundCluster: cluster}, nil
}

// decodeV2Success decodes the answer of a write: {"message":"success"}.
func decodeV2Success(r reply) error {
	env, _, apiErr := r.checkV2()
	if apiErr != nil {
		return apiErr
	}
	if env == nil || stringValue(env.Message) != "success" {
		return r.fail(ErrUnreadable, nil, fmt.Errorf(`expected {"message":"success"}`))
	}
	return nil
}

// ips turns [{"ip":".."}, ...] into a sorted list without duplicates.
func (r reply) v2IPs(list []json.RawMessage) ([]string, error) {
	out := make([]string, 0, len(list))
	for _, raw := range list {
		var entry v2IPEntry // named: its name is in the error
		if err := json.Unmarshal(raw, &entry); err != nil {
			return nil, r.fail(ErrUnreadable, nil, fmt.Errorf("IP entry is not an object: %w", err))
		}
		ip, err := r.ip(stringValue(entry.IP))
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

type v2Subuser struct {
	name   string
	active bool
}

// decodeV2Subusers decodes customer.profile task=get:
// [{"username":"..","email":"..","active":"true"|"false"}, ...].
func decodeV2Subusers(r reply) ([]v2Subuser, error) {
	env, list, apiErr := r.checkV2()
	if apiErr != nil {
		return nil, apiErr
	}
	if env != nil {
		return nil, r.fail(ErrUnreadable, nil, fmt.Errorf("expected a list of subusers"))
	}
	out := make([]v2Subuser, 0, len(list))
	for _, raw := range list {
		var entry struct {
			Username json.RawMessage `json:"username"`
			Active   json.RawMessage `json:"active"`
		}
		if err := json.Unmarshal(raw, &entry); err != nil {
			return nil, r.fail(ErrUnreadable, nil, fmt.Errorf("subuser entry is not an object: %w", err))
		}
		var name, active string
		if json.Unmarshal(entry.Username, &name) != nil || name == "" {
			return nil, r.fail(ErrUnreadable, nil, fmt.Errorf(`subuser entry has no "username" text`))
		}
		if json.Unmarshal(entry.Active, &active) != nil || (active != "true" && active != "false") {
			return nil, r.fail(ErrUnreadable, nil, fmt.Errorf(`subuser entry's "active" is not "true" or "false"`))
		}
		out = append(out, v2Subuser{name: name, active: active == "true"})
	}
	return out, nil
}
