package sendgrid

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// errScope is the likely cause of a v3 403: a key without the call's scope.
var errScope = errors.New("the API key may lack a scope this call needs")

// v3ErrorMessages reads v3's error shape,
// {"errors":[{"field":<string or null>,"message":".."}, ...]}; ok is false
// when the body is not that shape (at least one entry, each with a message).
func v3ErrorMessages(body []byte) (messages []string, ok bool) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, false
	}
	var env struct {
		Errors []json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(trimmed, &env) != nil || len(env.Errors) == 0 {
		return nil, false
	}
	for _, raw := range env.Errors {
		var entry struct {
			Message *string `json:"message"`
		}
		if json.Unmarshal(raw, &entry) != nil || entry.Message == nil {
			return nil, false
		}
		messages = append(messages, *entry.Message)
	}
	return messages, true
}

// v3Messages pulls SendGrid's messages out of a v3 body, cleaned for an
// error; nil when the body is not v3's error shape.
func v3Messages(a answer) []string {
	messages, _ := v3ErrorMessages(a.body)
	for i := range messages {
		messages[i] = clean(messages[i], a.secrets)
	}
	return messages
}

// checkV3 judges a v3 answer by its status and, for errors SendGrid sends
// in its error shape, its messages. It returns the body of a success.
func (a answer) checkV3() ([]byte, *APIError) {
	messages := v3Messages(a)
	switch {
	case a.status == http.StatusTooManyRequests:
		return nil, a.fail(ErrRateLimited, messages, nil)
	case a.status >= 500:
		return nil, a.fail(ErrServer, messages, nil)
	case a.status == http.StatusUnauthorized:
		return nil, a.fail(ErrBadCredentials, messages, nil)
	case a.status == http.StatusForbidden:
		return nil, a.fail(ErrBadCredentials, messages, errScope)
	case a.status == http.StatusNotFound && a.user != "":
		return nil, a.fail(ErrSubuserNotFound, messages, nil)
	case messages != nil: // 200 or 4xx in SendGrid's error shape
		return nil, a.fail(ErrRejected, messages, nil)
	case a.status < 200 || a.status > 299:
		return nil, a.fail(ErrUnreadable, nil, fmt.Errorf("HTTP %d without an error message", a.status))
	}
	return bytes.TrimSpace(a.body), nil
}

// v3List decodes a successful answer that must be a JSON list.
func (a answer) v3List() ([]json.RawMessage, error) {
	body, apiErr := a.checkV3()
	if apiErr != nil {
		return nil, apiErr
	}
	var list []json.RawMessage
	if len(body) == 0 || body[0] != '[' {
		return nil, a.fail(ErrUnreadable, nil, errors.New("expected a JSON list"))
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, a.fail(ErrUnreadable, nil, err)
	}
	return list, nil
}

// v3IP is one entry of GET /v3/ips.
type v3IP struct {
	ip       string
	subusers []string
}

// decodeV3IPs decodes a page of GET /v3/ips:
// [{"ip":"..","subusers":["name", ...], "pools":.., ...}, ...]. Both keys
// must be there: a missing subusers list is not "no subuser".
func decodeV3IPs(a answer) ([]v3IP, error) {
	list, err := a.v3List()
	if err != nil {
		return nil, err
	}
	out := make([]v3IP, 0, len(list))
	for _, raw := range list {
		var entry struct {
			IP       json.RawMessage `json:"ip"`
			Subusers json.RawMessage `json:"subusers"`
		}
		if err := json.Unmarshal(raw, &entry); err != nil {
			return nil, a.fail(ErrUnreadable, nil, fmt.Errorf("IP entry is not an object: %w", err))
		}
		ip, err := a.ip(stringValue(entry.IP))
		if err != nil {
			return nil, err
		}
		var subusers []string
		if !isPresent(entry.Subusers) || json.Unmarshal(entry.Subusers, &subusers) != nil {
			return nil, a.fail(ErrUnreadable, nil, fmt.Errorf(`IP %s has no "subusers" list of names`, ip))
		}
		out = append(out, v3IP{ip: ip, subusers: subusers})
	}
	return out, nil
}

// v3Subuser is one entry of GET /v3/subusers.
type v3Subuser struct {
	name     string
	disabled bool
}

// decodeV3Subusers decodes a page of GET /v3/subusers:
// [{"id":1,"username":"..","email":"..","disabled":false}, ...].
func decodeV3Subusers(a answer) ([]v3Subuser, error) {
	list, err := a.v3List()
	if err != nil {
		return nil, err
	}
	out := make([]v3Subuser, 0, len(list))
	for _, raw := range list {
		var entry struct {
			Username *string `json:"username"`
			Disabled *bool   `json:"disabled"`
		}
		if err := json.Unmarshal(raw, &entry); err != nil {
			return nil, a.fail(ErrUnreadable, nil, fmt.Errorf("subuser entry is not an object: %w", err))
		}
		if entry.Username == nil || *entry.Username == "" || entry.Disabled == nil {
			return nil, a.fail(ErrUnreadable, nil, errors.New(`subuser entry lacks "username" or "disabled"`))
		}
		out = append(out, v3Subuser{name: *entry.Username, disabled: *entry.Disabled})
	}
	return out, nil
}

// decodeV3SetIPs decodes the answer of PUT /v3/subusers/{name}/ips,
// {"ips":["..", ...]}: the set now held, sorted, without duplicates. A
// missing "ips" is unreadable, never "holds nothing".
func decodeV3SetIPs(a answer) ([]string, error) {
	body, apiErr := a.checkV3()
	if apiErr != nil {
		return nil, apiErr
	}
	var env struct {
		IPs json.RawMessage `json:"ips"`
	}
	if len(body) == 0 || body[0] != '{' || json.Unmarshal(body, &env) != nil {
		return nil, a.fail(ErrUnreadable, nil, errors.New(`expected {"ips":[...]}`))
	}
	var list []json.RawMessage
	if !isPresent(env.IPs) || json.Unmarshal(env.IPs, &list) != nil {
		return nil, a.fail(ErrUnreadable, nil, errors.New(`answer has no "ips" list`))
	}
	out := make([]string, 0, len(list))
	for _, raw := range list {
		var text string
		if json.Unmarshal(raw, &text) != nil {
			return nil, a.fail(ErrUnreadable, nil, errors.New(`"ips" holds something that is not text`))
		}
		ip, err := a.ip(text)
		if err != nil {
			return nil, err
		}
		out = append(out, ip)
	}
	return SortIPs(out), nil
}
