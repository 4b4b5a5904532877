package sendgrid

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// errScope is the likely cause of a v3 403.
var errScope = errors.New("the API key may lack a scope this call needs")

// v3Messages reads v3's error shape, {"errors":[{"field":..,"message":".."}, ...]},
// cleaned; nil unless every entry has a message.
func v3Messages(a answer) []string {
	var env struct {
		Errors []struct {
			Message *string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(bytes.TrimSpace(a.body), &env) != nil {
		return nil
	}
	var messages []string
	for _, e := range env.Errors {
		if e.Message == nil {
			return nil
		}
		messages = append(messages, clean(*e.Message, a.secrets))
	}
	return messages
}

// checkV3 judges a v3 answer by its status and error shape; it returns the body of a success.
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
	case a.status == http.StatusNotFound && a.user != "" && messages != nil:
		return nil, a.fail(ErrSubuserNotFound, messages, nil)
	case a.status == http.StatusNotFound: // see DESIGN.md, "404 means no such subuser only when SendGrid says so"
		return nil, a.fail(ErrWrongEndpoint, messages, fmt.Errorf("HTTP 404 for %s with content type %q and no SendGrid error about a subuser: "+
			"is the base URL SendGrid's (not a proxy's, or a path under it)?", a.path, clean(a.contentType, a.secrets)))
	case messages != nil: // 200 or 4xx in SendGrid's error shape
		return nil, a.fail(ErrRejected, messages, nil)
	case a.status < 200 || a.status > 299:
		return nil, a.fail(ErrUnreadable, nil, fmt.Errorf("HTTP %d without an error message", a.status))
	}
	return bytes.TrimSpace(a.body), nil
}

// v3List decodes a success that must be a JSON list.
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

// ipHolders is one IP and the subusers that hold it.
type ipHolders struct {
	ip       string
	subusers []string
}

// decodeV3IPs decodes a page of GET /v3/ips: [{"ip":"..","subusers":[..], ...}, ...].
func decodeV3IPs(a answer) ([]ipHolders, error) {
	list, err := a.v3List()
	if err != nil {
		return nil, err
	}
	out := make([]ipHolders, 0, len(list))
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
		var subusers []string // a missing list is not "no subuser"
		if !isPresent(entry.Subusers) || json.Unmarshal(entry.Subusers, &subusers) != nil {
			return nil, a.fail(ErrUnreadable, nil, fmt.Errorf(`IP %s has no "subusers" list of names`, ip))
		}
		out = append(out, ipHolders{ip: ip, subusers: subusers})
	}
	return out, nil
}

type v3Subuser struct {
	name     string
	disabled bool
}

// decodeV3Subusers decodes a page of GET /v3/subusers: [{"id":1,"username":"..","disabled":false, ...}, ...].
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

// decodeV3SetIPs decodes the PUT's answer, {"ips":[".."]}: the set now held, sorted, without duplicates.
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
